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


# --------------------------------------------------------------------------- one diagnostic per
# mistake, suggestions only when close (issue 13, item 3)


def _messages(case_name: str, tmp_path: Path, code: str) -> list[str]:
    plan, _overlaid = _build(FIXTURES / "cases" / case_name, tmp_path)
    return [d.message for d in validate(plan) if d.code == code]


@pytest.mark.parametrize(
    ("case_name", "code", "hints"),
    [
        # Kept: slips of punctuation or a left-out segment, never a code the fiche cites.
        ("source-fiche01-code", "CTG020", ["(did you mean '1.2.d'?)"]),  # not 1.1.d: cited
        ("source-fiche04-axis", "CTG021", ["(did you mean 'A.3.2'?)"]),
        ("source-fiche04-axis", "CTG020", ["(did you mean '3.1.f'?)"]),
        ("source-fiche17-text", "CTG020", ["(did you mean 'A.5'?)"]),
        ("mistyped-code-under-declaration", "CTG020", ["(did you mean '1.2.a'?)"]),
        # Gone: unrelated codes (were '1.1.a' or '1.1.b' or '1.2.a', '1.1.a' or '2.1.a' …).
        ("codes", "CTG020", [None]),
        ("codes", "CTG021", [None]),
        ("repeated-unknown-code", "CTG021", [None]),
    ],
)
def test_suggestions_only_when_close(
    case_name: str, code: str, hints: list[str | None], tmp_path: Path
) -> None:
    messages = _messages(case_name, tmp_path, code)
    assert len(messages) == len(hints), messages
    for message, hint in zip(messages, hints, strict=True):
        if hint is None:
            assert "did you mean" not in message, message
        else:
            assert message.endswith(" " + hint), message
            assert message.count("did you mean") == 1, message


def test_a_wrong_axis_is_one_error_naming_the_right_one(tmp_path: Path) -> None:
    (message,) = _messages("source-fiche02-axis", tmp_path, "CTG024")
    assert message == (
        "declares axe A.3 but cites no objective under it; 4.3.f, 4.3.g, A.4.3 belong to axe "
        "A.4, which it does not declare (did you mean 'A.4'?)"
    )


def test_an_undeclared_axis_is_reported_once(tmp_path: Path) -> None:
    assert _messages("undeclared-axis-once", tmp_path, "CTG024") == [
        "1.1.a belongs to axe A.1, which the fiche does not declare in `axes`"
    ]


@pytest.mark.parametrize(
    ("typed", "level", "cited", "expected"),
    [
        ("A3.2", 1, (), ["A.3.2"]),  # punctuation
        ("3.1. f", None, (), ["3.1.f"]),
        ("3.1.F", None, (), ["3.1.f"]),  # case
        ("5.", 0, (), ["A.5"]),  # the plan's prefix
        ("1.d", None, (), ["1.1.d", "1.2.d"]),  # a left-out middle segment
        ("1.d", None, ("1.1.d",), ["1.2.d"]),  # never a code the fiche cites
        ("1.3.a", None, (), ["3.1.a"]),  # swapped segments
        ("3.1.aa", None, (), ["3.1.a"]),  # one character too many
        ("3.2.z", None, (), []),  # a deleted objective: no neighbour (3.2.c…) is a slip
        ("3.2.d", None, ("3.2.d",), []),
        ("9.9.z", None, (), []),
    ],
)
def test_close_codes_are_slips(
    typed: str, level: int | None, cited: tuple[str, ...], expected: list[str]
) -> None:
    from ctgkit.index import PlanIndex
    from ctgkit.loader import load_plan

    plan = load_plan(PLANS / "civraisien-2019")
    assert plan.meta is not None
    index = PlanIndex(plan.meta)
    infos = index.leaves if level is None else [i for i in index.order if i.level == level]
    assert index.close_codes(typed, infos, exclude={index.canonical(c) for c in cited}) == expected


@pytest.mark.parametrize(
    ("typed", "fields", "expected"),
    [
        ("etapes", ["axes", "étapes"], "étapes"),
        ("étapes", ["axes", "titre", "programmes"], None),  # never `axes`
        ("actions", ["sections", "titre"], None),
        ("pilote", ["pilotes", "partenaires"], "pilotes"),
        ("gratuite", ["gratuit"], "gratuit"),
        ("fiche_liee", ["fiches_liées", "fin"], "fiches_liées"),
        ("partners", ["partenaires", "pilotes"], "partenaires"),
        ("objectifs_specifiques", ["objectifs", "objectifs_stratégiques"], None),
        ("pilotage", ["pilotes"], None),
        ("Titre_court", ["titre", "sous_titre"], None),
    ],
)
def test_key_suggestions_are_close(typed: str, fields: list[str], expected: str | None) -> None:
    from ctgkit.form import suggest_key

    assert suggest_key(typed, fields) == expected


def test_grid_suggestions_skip_what_the_fiche_already_has(mini: Path) -> None:
    fiche = mini / "fiches" / "03-bus-services.yaml"
    fiche.write_text(
        fiche.read_text(encoding="utf-8")
        + "impacts:\n  Conditions de vie: [Milieu du travail]\n  Conditions de travail: []\n",
        encoding="utf-8",
    )
    messages = [d.message for d in validate(mini) if d.code == "CTG050"]
    assert messages == ["unknown group 'Conditions de travail' in `impacts`"]
