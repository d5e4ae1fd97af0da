"""The cost of editing plans in place (issue 16): ``python bench/edit.py [--runs 5]``.

- ``yaml_edit.apply`` with 200 edits (Set and Append) on civraisien-2019's plan.yaml (38 kB);
- 200 appends to one follow-up list of a 40 kB fiche, each depending on the one before;
- ``ctg export`` then ``ctg import --dry-run`` of the unedited workbook, whole processes, on
  civraisien-2019.

Prints a Markdown table (median of the runs). Nothing here is asserted: the figures go to
bench/RESULTS.md by hand, with the machine's load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ctgkit.source import parse_yaml  # noqa: E402
from ctgkit.yaml_edit import Append, Set, apply  # noqa: E402

PLAN = ROOT / "plans" / "civraisien-2019"


def _leaves(data, prefix=()):  # noqa: ANN001, ANN202
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*prefix, key))
    elif isinstance(data, list):
        yield prefix, True
        for index, value in enumerate(data):
            yield from _leaves(value, (*prefix, index))
    else:
        yield prefix, False


def plan_edits() -> tuple[str, list]:
    text = (PLAN / "plan.yaml").read_text(encoding="utf-8")
    paths = list(_leaves(parse_yaml(text)))
    scalars = [p for p, is_list in paths if not is_list and p]
    lists = [p for p, is_list in paths if is_list and p]
    edits: list = [Set(p, f"valeur {i}") for i, p in enumerate(scalars[:: len(scalars) // 100])]
    edits += [Append(lists[i % len(lists)], f"x{i}") for i in range(200 - len(edits))]
    return text, edits[:200]


def fiche_appends() -> tuple[str, list]:
    fiche = (PLAN / "fiches" / "01-creation-reseau-acteurs-sociaux.yaml").read_text("utf-8")
    points = "".join(
        f"  - date: 20{20 + i % 4}-0{1 + i % 9}\n    statut: en cours\n"
        f"    avancement: {i % 100}\n    réalisations: >-\n"
        f"      Réunion du réseau numéro {i} avec les partenaires du territoire, compte rendu\n"
        f"      diffusé aux membres.\n"
        for i in range(150)
    )
    text = fiche.rstrip("\n") + "\nsuivi:\n" + points
    point = {"date": dt.date(2023, 6, 30), "statut": "en cours"}
    return text, [Append(("suivi",), {**point, "avancement": i}) for i in range(200)]


def timed(function, runs: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    ctg = [str(Path(sys.executable).parent / "ctg")]
    rows = []
    text, edits = plan_edits()
    rows.append(
        (
            f"200 edits (Set, Append) on plan.yaml ({len(text.encode()) // 1000} kB)",
            timed(lambda: apply(text, edits), runs),
        )
    )
    text, edits = fiche_appends()
    rows.append(
        (
            f"200 dependent appends to `suivi` of a {len(text.encode()) // 1000} kB fiche",
            timed(lambda: apply(text, edits), runs),
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "plan.xlsx"
        export = [*ctg, "export", str(PLAN), "-o", str(book)]
        rows.append(
            ("`ctg export` civraisien-2019 (process)", timed(lambda: _run(export), runs))
        )
        again = [*ctg, "import", str(PLAN), str(book), "--dry-run"]
        rows.append(
            (
                "`ctg import --dry-run` of the unedited export (process)",
                timed(lambda: _run(again), runs),
            )
        )
    print(f"| what | median of {runs} |")
    print("|---|---|")
    for what, seconds in rows:
        print(f"| {what} | {seconds:.2f} s |")


def _run(command: list[str]) -> None:
    subprocess.run(command, check=True, capture_output=True)


if __name__ == "__main__":
    main()
