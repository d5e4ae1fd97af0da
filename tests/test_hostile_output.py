"""Hostile plan text in every text output: printed as text, never acted on.

Plan text may hold Rich markup (``[/x]`` crashed ``ctg coverage``; ``[link=…]`` became a live
hyperlink), terminal controls (screen clearing, OSC 8 links, C1 CSI, bidi overrides) and
newlines that forge lines (``::error`` in CI logs, a second diagnostic). The plans here are
the mini fixture with a *value* replaced (a fiche title, an objective title, a cited code),
so they keep working whatever the plan format calls its keys.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from ctgkit import coverage_output
from ctgkit.diagnostics import Diagnostic, Severity, to_github
from ctgkit.safe_text import csv_cell, github_escape, json_dumps, printable

from .conftest import MINI, invoke, run_ctg

HOSTILE = (
    "a [/x] b [link=https://evil.example]clic[/link] [bold]gras "
    "\x1b]8;;https://evil.example\x1b\\lien\x1b]8;;\x1b\\ \x1b[2J\x07\x9b31m\x00\x7f "
    ":smile: \u202eevil\u2066 fin\n::error file=x.yaml::forged\r%0A"
)
#: Values of the mini fixture replaced by hostile text (values only, never keys).
FICHE_TITLE = ("fiches/01-places-accueil.yaml", "Ouvrir une micro-crèche")
OBJECTIVE_TITLE = ("plan.yaml", "Former des aidants numériques")
CITED_CODE = ("fiches/02-lieu-parents.yaml", "1.2.a")

# What ctg may legitimately send to a terminal: SGR colour sequences, newlines.
SGR = re.compile(r"\x1b\[[0-9;]*m")
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile_plan(tmp_path: Path, *places: tuple[str, str], text: str = HOSTILE) -> Path:
    plan = shutil.copytree(MINI, tmp_path / "plan")
    for name, value in places:
        path = plan / name
        content = path.read_text(encoding="utf-8")
        assert value in content
        # A JSON string is a YAML double-quoted scalar: escapes (\u001b) survive the trip.
        content = content.replace(value, json.dumps(text), 1)
        path.write_text(content, encoding="utf-8")
    return plan


def assert_inert(output: str, terminal: bool = False) -> None:
    """Nothing a terminal would act on, no forged line, no markup taken as markup."""
    if terminal:
        output = SGR.sub("", output)
    assert not UNSAFE.search(output), repr(UNSAFE.search(output))
    assert "\x1b]8;" not in output  # an OSC 8 hyperlink
    assert not any(line.startswith("::error file=x.yaml") for line in output.splitlines())


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


# ----------------------------------------------------------------------------- safe_text


def test_printable_escapes_controls_and_keeps_the_text() -> None:
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable("ligne\nforgée") == "ligne\\nforgée"
    assert printable("ligne\nsuite", multiline=True) == "ligne\nsuite"
    assert printable("\x9b\u202e\r\x00") == "\\x9b\\u202e\\r\\x00"
    assert printable("\udcff") == "\\xff"  # a file name byte that is not UTF-8
    assert printable("Élan, tab\tok [/x] :smile:") == "Élan, tab\tok [/x] :smile:"


def test_json_escapes_what_a_terminal_would_act_on_and_loses_nothing() -> None:
    data = {"t": HOSTILE + "\udcff"}
    text = json_dumps(data)
    assert_inert(text)
    assert json.loads(text) == data


@pytest.mark.parametrize("prop", [False, True])
def test_github_escaping_follows_the_actions_toolkit(prop: bool) -> None:
    escaped = github_escape("50% a\r\nb: c, d", property_value=prop)
    if prop:
        assert escaped == "50%25 a\\r\\nb%3A c%2C d"
    else:
        assert escaped == "50%25 a\\r%0Ab: c, d"
    assert "\n" not in escaped and "\r" not in escaped


def test_a_github_annotation_cannot_be_forged_from_plan_text() -> None:
    diagnostic = Diagnostic(
        "fiches/a,b:c.yaml\n::error file=x.yaml::forged", 3, 4, "CTG020", Severity.ERROR, HOSTILE
    )
    line = to_github(diagnostic)
    assert "\n" not in line and line.startswith("::error file=fiches/a%2Cb%3Ac.yaml")
    command = line[2 : line.index("::", 2)]  # the properties end at the first "::"
    assert command.split(",")[1:] == ["line=3", "col=4", "title=CTG020"]
    assert_inert(line)


# ----------------------------------------------------------------------------- ctg coverage


@pytest.mark.parametrize("fmt", ["text", "json", "csv"])
def test_coverage_prints_hostile_titles_as_text(fmt: str, tmp_path: Path) -> None:
    plan = hostile_plan(tmp_path, FICHE_TITLE, OBJECTIVE_TITLE)
    result = run_ctg("coverage", "--format", fmt, str(plan))
    assert result.returncode == 0, result.stderr
    assert "internal error" not in result.stderr
    assert_inert(result.stdout)
    if fmt == "text":
        assert "[/x] b [link=https://evil.example]clic[/link] [bold]gras" in result.stdout
        assert ":smile:" in result.stdout and "\\x1b[2J" in result.stdout
    if fmt == "json":
        titles = [o["title"] for o in json.loads(result.stdout)["plans"][0]["objectives"]]
        assert HOSTILE in titles  # escaped for the terminal, exact for a JSON reader


def test_coverage_on_a_terminal_prints_no_markup_and_no_controls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = hostile_plan(tmp_path, FICHE_TITLE, OBJECTIVE_TITLE)
    # The fiche cites no objective: its title goes to "Fiches citing no objective" too.
    fiche = plan / FICHE_TITLE[0]
    text = fiche.read_text(encoding="utf-8")
    fiche.write_text(text.replace("[1.1.a, 1.1.b]", "[]"), encoding="utf-8")
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    from ctgkit.api import coverage_paths

    [(_, (_, result))] = list(coverage_paths([plan], ()))
    assert result is not None
    coverage_output.print_text([result], uncovered_only=False)
    output = terminal.getvalue()
    assert SGR.search(output), "not printed as on a terminal"
    assert_inert(output, terminal=True)
    assert "[/x] b [link=https://evil.example]clic[/link]" in SGR.sub("", output)


def test_coverage_csv_cells_cannot_be_formulas(tmp_path: Path) -> None:
    formulas = ['=HYPERLINK("http://evil")', "+1+2", "-2+3", "@SUM(A1)"]
    plan = hostile_plan(tmp_path, OBJECTIVE_TITLE, text=formulas[0])
    rows = list(csv.reader(io.StringIO(invoke("coverage", "-f", "csv", str(plan)).stdout)))
    titles = [row[1] for row in rows]
    assert "'" + formulas[0] in titles and formulas[0] not in titles
    for formula in [*formulas, "\tx"]:
        assert csv_cell(formula) == "'" + formula
    assert csv_cell("\rx") == "'\\rx"  # neutralised, and the control shown as an escape
    for plain in ["Former des aidants", "1.1.a", "", "x", "3", "fiche 4"]:
        assert csv_cell(plain) == plain
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


# ----------------------------------------------------------------------------- ctg validate


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_diagnostics_quoting_hostile_text_are_inert(fmt: str, tmp_path: Path) -> None:
    plan = hostile_plan(tmp_path, CITED_CODE)
    result = run_ctg("validate", "--format", fmt, str(plan))
    assert result.returncode == 1, result.stderr
    assert_inert(result.stdout)
    if fmt == "text":
        diagnostics = [line for line in result.stdout.splitlines() if ": error " in line]
        assert len(diagnostics) == 1 and "[/x] b" in diagnostics[0]
        assert len(result.stdout.splitlines()) == 2  # the diagnostic and the count
    if fmt == "json":
        assert HOSTILE in json.loads(result.stdout)["diagnostics"][0]["message"]


def test_diagnostics_on_a_terminal_are_inert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ctgkit import validate
    from ctgkit.output import print_diagnostics

    diagnostics = validate(hostile_plan(tmp_path, CITED_CODE))
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    print_diagnostics(diagnostics, "text", plans=1)
    output = terminal.getvalue()
    assert SGR.search(output), "not printed as on a terminal"
    assert_inert(output, terminal=True)
    assert "[/x] b" in output and ":smile:" in output


def test_errors_printed_by_coverage_and_render_are_inert(tmp_path: Path) -> None:
    """A plan with errors: coverage and render print its diagnostics on stderr."""
    plan = hostile_plan(tmp_path, CITED_CODE)
    for command in (["coverage"], ["render", "-o", str(tmp_path / "site")]):
        result = run_ctg(*command, str(plan))
        assert result.returncode == 1, result.stderr
        assert "[/x] b" in result.stderr
        assert_inert(result.stderr)
