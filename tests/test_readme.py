"""The README says what is true: its rule table, its coverage excerpt, its quick start."""

from __future__ import annotations

import re

from ctgkit.rules import as_table

from .conftest import PLANS, ROOT, invoke

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_rule_table_matches_the_registry() -> None:
    rows = re.findall(r"^\| `(CTG\d+)` \| ([\w-]+) \| (\w+) \| (.+) \|$", README, re.M)
    assert rows == [(r["code"], r["name"], r["severity"], r["summary"]) for r in as_table()]


def test_coverage_excerpt_is_real_output() -> None:
    block = README.split("On `civraisien-2019` (excerpt):\n\n```\n", 1)[1].split("\n```", 1)[0]
    actual = invoke("coverage", str(PLANS / "civraisien-2019")).stdout.splitlines()
    for line in block.splitlines():
        assert line in actual, line


def test_quick_start_has_two_commands_first() -> None:
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", quick, re.S)
    venv = "python3 -m venv .venv && "
    assert commands[:2] == [
        venv + ".venv/bin/pip install -e . && .venv/bin/ctg validate plans/civraisien-2019",
        venv + ".venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[test]'" in ci and "python -m pytest" in ci
