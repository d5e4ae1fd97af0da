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


def test_library_example_runs_even_after_every_submodule_is_imported(tmp_path) -> None:
    """The README's Python example works as written, also in a program that has imported
    ctgkit's modules itself first (a submodule named like an API function would shadow it)."""
    import subprocess
    import sys

    block = README.split("## Library", 1)[1].split("```python\n", 1)[1].split("\n```", 1)[0]
    block = block.replace('"plans/', f'"{PLANS.as_posix()}/')
    preamble = (
        "import importlib, pkgutil, ctgkit\n"
        "for m in pkgutil.iter_modules(ctgkit.__path__):\n"
        "    importlib.import_module('ctgkit.' + m.name)\n"
    )
    check = (
        "\nassert problems == [] or all(not d.is_error for d in problems), problems\n"
        "assert (result.covered, result.total) == (68, 86), result\n"
        "assert sorted(files) == ['coverage.html', 'coverage.md', 'plan.html', 'plan.md']\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", preamble + block + check],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "site" / "civraisien-2019" / "plan.html").is_file()
