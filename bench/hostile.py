"""The cost targets of issue 14 (hostile input), measured on whole `ctg` processes.

    python bench/hostile.py [--runs 3]

1. `ctg coverage` on a plan of 5,000 one-objective axes, against `ctg validate` on the same
   plan: target within 3x.
2. A fiche with 30,000 unknown keys: every one located (`ctg validate`), target under 5 s.
3. A 3 GB `ctg.toml` (a sparse file: no disk used) in the working folder: refused, exit 2,
   target under 1 s.

Prints a Markdown table; nothing is asserted (targets are read, not timed in the tests).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"
CTG = [sys.executable, "-m", "ctgkit.cli"]
ENV = {**os.environ, "CTG_LANG": "en"}


def run(args: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(
        [*CTG, *args], cwd=cwd, env=ENV, capture_output=True, text=True, check=False
    )
    return time.perf_counter() - start, done


def median(args: list[str], cwd: Path, runs: int) -> tuple[float, subprocess.CompletedProcess]:
    times, last = [], None
    for _ in range(runs):
        elapsed, last = run(args, cwd)
        times.append(elapsed)
    assert last is not None
    return statistics.median(times), last


def wide_plan(work: Path, axes: int) -> Path:
    """The mini plan with ``axes`` top-level axes of one objective each (no fiche serves
    them: only the tree grows)."""
    plan = work / f"axes-{axes}"
    shutil.copytree(MINI, plan)
    text = (plan / "plan.yaml").read_text(encoding="utf-8")
    extra = "".join(
        f"  - code: A.{n}\n    titre: Axe {n}\n    enfants:\n"
        f"      - code: {n}.1.a\n        titre: Objectif {n}\n"
        for n in range(100, 100 + axes)
    )
    marker = "stratégie:\n"
    (plan / "plan.yaml").write_text(text.replace(marker, marker + extra, 1), encoding="utf-8")
    return plan


def many_keys(work: Path, keys: int) -> Path:
    plan = work / f"keys-{keys}"
    shutil.copytree(MINI, plan)
    fiche = sorted((plan / "fiches").glob("*.yaml"))[0]
    text = fiche.read_text(encoding="utf-8")
    fiche.write_text(text + "".join(f"clé_{n}: x\n" for n in range(keys)), encoding="utf-8")
    return plan


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        plan = wide_plan(work, 5000)
        validate, done = median(["validate", str(plan)], work, runs)
        coverage, done_cov = median(["coverage", str(plan), "--format", "json"], work, runs)
        ratio = coverage / validate
        rows.append(
            (
                "`ctg coverage` on 5,000 one-objective axes, within 3x `ctg validate`",
                f"{ratio:.2f}x ({coverage:.2f} s vs {validate:.2f} s; exit {done_cov.returncode}"
                f"/{done.returncode})",
                "met" if ratio <= 3 else "not met",
            )
        )
        plan = many_keys(work, 30_000)
        elapsed, done = median(["validate", str(plan), "--format", "json"], work, runs)
        located = done.stdout.count('"code": "CTG012"')
        rows.append(
            (
                "30,000 unknown keys located, under 5 s",
                f"{elapsed:.2f} s, {located:,} CTG012 diagnostics (exit {done.returncode})",
                "met" if elapsed < 5 and located == 30_000 else "not met",
            )
        )
        folder = work / "config"
        folder.mkdir()
        with open(folder / "ctg.toml", "wb") as handle:
            handle.truncate(3 * 1024**3)  # sparse: 3 GB long, no disk used
        elapsed, done = median(["validate", str(MINI)], folder, runs)
        rows.append(
            (
                "a 3 GB ctg.toml refused, under 1 s",
                f"{elapsed:.2f} s, exit {done.returncode}: {done.stderr.strip()[:80]}",
                "met" if elapsed < 1 and done.returncode == 2 else "not met",
            )
        )
    print(f"Median of {runs} runs, whole processes.\n")
    print("| target | measured | status |\n| --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
