"""One harness for every rule fixture (pycodestyle style).

Each directory under fixtures/cases/ holds a case.toml (`base`, `description`, `expect`,
optionally `remove`: folders of the base to delete, and `today`: the date the follow-up
rules take as today) and the files it lays over the base
plan (the mini fixture plan, or a bundled plan). The
diagnostics ctg reports in those files must be exactly `expect` (file:line:col CODE), and
no other file of the plan may get an error.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tomllib
from pathlib import Path

import pytest

from ctgkit import validate
from ctgkit.rules import RULES

from .conftest import FIXTURES, MINI, PLANS, copy_plan

CASES = sorted(p for p in (FIXTURES / "cases").iterdir() if (p / "case.toml").is_file())
#: Rules pinned by programmatic tests instead (they need links, FIFOs or huge files).
PINNED_ELSEWHERE = {"CTG004": "test_bad_input.py"}


def _load_case(case: Path) -> dict:
    return tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))


def _build(case: Path, tmp_path: Path) -> tuple[Path, set[str]]:
    config = _load_case(case)
    base = config.get("base", "mini")
    source = MINI if base == "mini" else PLANS / base
    plan = copy_plan(source, tmp_path / "plan")
    for relative in config.get("remove", []):
        shutil.rmtree(plan / relative)
    overlaid = set()
    for file in case.rglob("*"):
        if file.is_file() and file.name != "case.toml":
            relative = file.relative_to(case).as_posix()
            target = plan / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.read_bytes())
            overlaid.add(relative)
    return plan, overlaid


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule_fixture(case: Path, tmp_path: Path) -> None:
    plan, overlaid = _build(case, tmp_path)
    config = _load_case(case)
    expected = sorted(config["expect"])
    today = dt.date.fromisoformat(config["today"]) if "today" in config else None
    diagnostics = validate(plan, today=today)
    prefix = str(plan) + "/"
    found = []
    stray = []
    for d in diagnostics:
        relative = d.file.removeprefix(prefix)
        entry = f"{relative}:{d.line}:{d.column} {d.code}"
        if relative in overlaid:
            found.append(entry)
        elif d.is_error:
            stray.append(f"{entry} {d.message}")
    messages = "\n".join(str(d) for d in diagnostics)
    assert sorted(found) == expected, messages
    assert not stray, stray


def test_every_rule_has_a_fixture() -> None:
    pinned = set(PINNED_ELSEWHERE)
    for case in CASES:
        pinned |= {entry.split()[-1] for entry in _load_case(case)["expect"]}
    missing = sorted(set(RULES) - pinned)
    assert not missing, f"rules without a fixture: {missing}"


def test_fixture_cases_describe_themselves() -> None:
    for case in CASES:
        assert _load_case(case).get("description"), case.name
