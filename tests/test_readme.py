"""The README (in French) says what is true: its rule table, its coverage excerpt, its quick
start, its library example."""

from __future__ import annotations

import re

from ctgkit.i18n import catalog
from ctgkit.rules import as_table

from .conftest import PLANS, ROOT, invoke

README = (ROOT / "README.md").read_text(encoding="utf-8")


SEVERITY_FR = {"error": "erreur", "warning": "avertissement"}


def test_rule_table_matches_the_registry() -> None:
    """The table is in French: severity as a French word, the summary as the catalog has it."""
    assert "| Code | Nom | Gravité | Résumé |" in README
    fr = catalog("fr")
    rows = re.findall(r"^\| `(CTG\d+)` \| ([\w-]+) \| (\w+) \| (.+) \|$", README, re.M)
    assert rows == [
        (r["code"], r["name"], SEVERITY_FR[r["severity"]], fr.gettext(r["summary"]))
        for r in as_table()
    ]


def test_coverage_excerpt_is_real_output(monkeypatch) -> None:
    """The excerpt is what a coordinator sees: ctg's default language, French."""
    after = README.split("Sur `civraisien-2019` (extrait) :\n", 1)[1]
    block = after.split("```\n", 1)[1].split("\n```", 1)[0]
    monkeypatch.setenv("CTG_LANG", "fr")
    actual = invoke("coverage", str(PLANS / "civraisien-2019")).stdout.splitlines()
    for line in block.splitlines():
        assert line in actual, line


def test_quick_start_has_two_commands_first() -> None:
    assert re.search(r"^## .*$", README, re.M).group(0) == "## Démarrage rapide"
    quick = README.split("## Démarrage rapide", 1)[1].split("##", 1)[0]
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

    library = README.split("## Bibliothèque Python", 1)[1]
    block = library.split("```python\n", 1)[1].split("\n```", 1)[0]
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
