"""Follow-up (suivi) and indicator series: the model, the rules' edges, the bilan analysis.

Every follow-up here is fictitious (tests/fixtures/suivi/README.md): the bundled plans have
none in their sources.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ctgkit import validate
from ctgkit.loader import load_plan
from ctgkit.rules.suivi import as_number, months_between
from ctgkit.suivi import NO_FOLLOW_UP, attainment, compute, default_year

from .conftest import FIXTURES, PLANS, copy_plan

SUIVI = FIXTURES / "suivi"
FICHE_DONE = "fiches/04-developper-ludotheque-de-territoire.yaml"
FICHE_RUNNING = "fiches/09-point-information-jeunesse-intercommunal.yaml"


def fictitious_plan(tmp_path: Path) -> Path:
    """A copy of civraisien-2019 with (invented) follow-up on two fiches: fiche 4
    réalisée, fiche 9 en cours with an indicator (target and two measures)."""
    plan = copy_plan(PLANS / "civraisien-2019", tmp_path / "civraisien-fictif")
    done = plan / FICHE_DONE
    done.write_text(
        done.read_text(encoding="utf-8") + (SUIVI / "fiche-realisee.yaml").read_text("utf-8"),
        encoding="utf-8",
    )
    running = plan / FICHE_RUNNING
    text = running.read_text(encoding="utf-8")
    assert "\nindicateurs:\n" in text
    text = text.replace(
        "\nindicateurs:\n", "\nindicateurs:\n" + (SUIVI / "indicateur.yaml").read_text("utf-8"), 1
    )
    running.write_text(text + (SUIVI / "fiche-en-cours.yaml").read_text("utf-8"), "utf-8")
    return plan


@pytest.fixture
def fictif(tmp_path: Path) -> Path:
    return fictitious_plan(tmp_path)


def test_follow_up_is_read_in_french_keys(fictif: Path) -> None:
    plan = load_plan(fictif)
    fiche = next(f.fiche for f in plan.fiches if f.fiche.number == "4")
    assert [e.status for e in fiche.follow_up] == ["prévue", "en cours", "réalisée"]
    assert fiche.follow_up[-1].progress == 100
    assert fiche.follow_up[-1].author == "Mille Bulles"
    nine = next(f.fiche for f in plan.fiches if f.fiche.number == "9")
    indicator = nine.indicators[0]
    assert (indicator.direction, indicator.baseline, indicator.target) == ("hausse", 120, 300)
    assert indicator.targets == {2022: 200}
    assert [m.value for m in indicator.measurements] == [150, 210]


def test_fictitious_plan_is_valid(fictif: Path) -> None:
    errors = [d for d in validate(fictif, today=dt.date(2022, 12, 31)) if d.is_error]
    assert errors == []


def test_statuses_and_progress_are_forgiving(mini: Path) -> None:
    fiche = mini / "fiches/02-lieu-parents.yaml"
    fiche.write_text(
        fiche.read_text("utf-8")
        + "suivi:\n  - {date: 2021-06, statut: En Cours, avancement: 50 %}\n",
        "utf-8",
    )
    plan = load_plan(mini)
    entry = next(f.fiche for f in plan.fiches if f.fiche.number == "2").follow_up[0]
    assert (entry.status, entry.progress) == ("en cours", 50)


def test_unknown_status_is_a_located_error(mini: Path) -> None:
    fiche = mini / "fiches/02-lieu-parents.yaml"
    fiche.write_text(
        fiche.read_text("utf-8") + "suivi:\n  - date: 2021-06\n    statut: terminée\n", "utf-8"
    )
    found = [(d.line, d.column, d.code) for d in validate(mini) if d.is_error]
    assert found == [(15, 13, "CTG011")]


def test_no_stale_warning_without_follow_up_or_when_the_plan_is_over(tmp_path: Path) -> None:
    plan = copy_plan(PLANS / "civraisien-2019", tmp_path / "c")
    codes = {d.code for d in validate(plan, today=dt.date(2021, 6, 30))}
    assert "CTG065" not in codes  # no follow-up at all in the plan
    fictif = fictitious_plan(tmp_path / "f")
    running = [d for d in validate(fictif, today=dt.date(2022, 12, 31)) if d.code == "CTG065"]
    assert len(running) == 16  # fiches 4 (réalisée) and 9 (updated in 2022) are not stale
    over = [d for d in validate(fictif, today=dt.date(2026, 11, 30)) if d.code == "CTG065"]
    assert over == []  # the convention ended in 2023


def test_numbers_as_coordinators_write_them() -> None:
    assert as_number("12,5") == 12.5
    assert as_number("65 %") == 65
    assert as_number("1 200") == 1200
    assert as_number(7) == 7.0
    assert as_number("une dizaine") is None
    assert as_number(True) is None


def test_months_between() -> None:
    assert months_between(dt.date(2021, 3, 31), dt.date(2022, 9, 30)) == pytest.approx(17.97, 0.01)
    assert months_between(dt.date(2021, 1, 1), dt.date(2022, 8, 1)) == 19


@pytest.mark.parametrize(
    ("latest", "target", "baseline", "direction", "expected"),
    [
        (210, 200, 120, "hausse", 1.125),
        (210, 300, 120, "hausse", 0.5),
        (15, 10, 30, "baisse", 0.75),  # (15 - 30) / (10 - 30)
        (40, 80, None, None, 0.5),  # latest / target without a baseline
        (20, 10, None, "baisse", 0.5),  # target / latest for an indicator meant to fall
        (40, None, 10, None, None),  # no target
        (None, 80, 10, None, None),  # no measure
        (50, 50, 50, "stable", None),  # target equal to the baseline: undefined
    ],
)
def test_attainment(latest, target, baseline, direction, expected) -> None:
    assert attainment(latest, target, baseline, direction) == expected


def test_bilan_of_a_year(fictif: Path) -> None:
    bilan = compute(load_plan(fictif), 2022)
    assert bilan.by_status == {
        "prévue": 0,
        "en cours": 1,
        "réalisée": 1,
        "reportée": 0,
        "abandonnée": 0,
        NO_FOLLOW_UP: 16,
    }
    four = next(f for f in bilan.fiches if f.number == "4")
    assert (four.status, four.updated.iso(), four.progress) == ("réalisée", "2022-12", 100)
    series = next(i for i in bilan.indicators if i.target is not None)
    assert (series.target, series.target_year, series.latest) == (200, 2022, 210)
    assert series.attainment == 1.125
    assert "4" not in bilan.stale and "9" not in bilan.stale and len(bilan.stale) == 16
    assert bilan.evaluation is None  # 2022 is not the last year


def test_state_at_the_end_of_an_earlier_year(fictif: Path) -> None:
    bilan = compute(load_plan(fictif), 2021)
    four = next(f for f in bilan.fiches if f.number == "4")
    assert (four.status, four.progress) == ("en cours", 40)
    nine = next(f for f in bilan.fiches if f.number == "9")
    assert nine.status == "prévue"
    series = next(i for i in bilan.indicators if i.target is not None)
    assert (series.target, series.latest) == (300, 150)  # no 2021 target: the final one


def test_evaluation_in_the_last_year(fictif: Path) -> None:
    bilan = compute(load_plan(fictif), 2023)
    assert bilan.evaluation is not None
    verdicts = {v.code: v.verdict for v in bilan.evaluation}
    nine = next(f for f in bilan.fiches if f.number == "9")
    for code in nine.objectives:
        assert verdicts[code] == "partly"  # 210 of 300 from 120: half-way
    assert list(verdicts.values()).count("not-assessable") == len(verdicts) - len(nine.objectives)


def test_default_year_stays_within_the_period(fictif: Path) -> None:
    plan = load_plan(fictif)
    assert default_year(plan, dt.date(2026, 11, 30)) == 2023
    assert default_year(plan, dt.date(2021, 5, 1)) == 2021
    assert default_year(plan, dt.date(2010, 5, 1)) == 2019


def test_objectives_with_neither_fiche_nor_progress(fictif: Path) -> None:
    bilan = compute(load_plan(fictif), 2022)
    reasons = {o.code: o.reason for o in bilan.neglected}
    assert list(reasons.values()).count("no-fiche") == 18  # the 18 uncovered objectives
    four = next(f for f in bilan.fiches if f.number == "4")
    assert all(reasons.get(code) != "no-progress" for code in four.objectives)


def test_a_plan_without_follow_up(tmp_path: Path) -> None:
    bilan = compute(load_plan(PLANS / "civraisien-2019"), 2021)
    assert not bilan.has_follow_up
    assert bilan.by_status[NO_FOLLOW_UP] == 18
    assert {o.reason for o in bilan.neglected} == {"no-fiche"}
