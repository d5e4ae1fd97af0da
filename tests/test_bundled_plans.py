"""Facts a reader can check against the source documents (../shared/sources), pinned so
that a later edit cannot silently drop content from the bundled plans."""

from __future__ import annotations

from collections import Counter

import pytest

from ctgkit import load_plan, validate
from ctgkit.coverage_model import coverage
from ctgkit.dates import PartialDate
from ctgkit.form import grid_values
from ctgkit.index import PlanIndex

from .conftest import BUNDLED, PLANS


def index(slug: str) -> PlanIndex:
    plan = load_plan(PLANS / slug)
    assert plan.meta is not None
    return PlanIndex(plan.meta)


@pytest.mark.parametrize("slug", BUNDLED)
def test_bundled_plan_has_no_error_and_notes(slug: str) -> None:
    assert [d for d in validate(PLANS / slug) if d.is_error] == []
    notes = (PLANS / slug / "NOTES.md").read_text(encoding="utf-8")
    assert len(notes) > 2000


def test_civraisien_2019_only_warnings_are_true_of_the_source() -> None:
    # Fiches 13 and 17 end in 2026, 14 and 15 in 2024: after « la CTG 2019 - 2023 ».
    warnings = [
        (d.file.rsplit("/", 1)[-1][:2], d.code) for d in validate(PLANS / "civraisien-2019")
    ]
    assert warnings == [("13", "CTG041"), ("14", "CTG041"), ("15", "CTG041"), ("17", "CTG041")]


def test_civraisien_2019_tree_counts() -> None:
    tree = index("civraisien-2019")
    per_level = Counter(info.level for info in tree.order)
    assert per_level == {0: 5, 1: 13, 2: 86}
    strategic = [info for info in tree.order if info.level == 1]
    assert [(s.code, len(s.node.children)) for s in strategic] == [
        ("A.1.1", 5),
        ("A.1.2", 7),
        ("A.2.1", 8),
        ("A.2.2", 6),
        ("A.3.1", 9),
        ("A.3.2", 8),
        ("A.3.3", 7),
        ("A.4.1", 5),
        ("A.4.2", 5),
        ("A.4.3", 7),
        ("A.5.1", 7),
        ("A.5.2", 7),
        ("A.5.3", 5),
    ]
    assert tree.get("3.1.c").node.title.startswith("Développer la diversité des structures")
    assert tree.get("5.2.g").node.title == (
        "Développer l'expérimentation nationale « Territoire zéro chômeur »"
    )
    assert tree.get("2.1.g").node.title.startswith("Impliquer les acteurs économiques")
    assert (
        tree.get("A.4").node.title == "Construire un parcours d'avenir pour la jeunesse (12-25 ans)"
    )


#: fiche number -> (objectives cited, pilotes, start, end), from source 002
CIVRAISIEN_2019_FICHES = {
    "1": (
        ["1.1.b", "1.1.c", "1.1.d", "1.2.a", "1.2.c", "1.2.d", "1.2.e", "1.2.f", "1.2.g"],
        ["Mille Bulles"],
        2020,
        2021,
    ),
    "2": (
        ["1.1.b", "1.2.c", "4.3.f", "4.3.g"],
        ["Communauté de Communes du Civraisien en Poitou"],
        2020,
        2021,
    ),
    "3": (["1.1.b", "1.2.c", "1.2.e"], ["Cicérone", "MSA", "CAF"], 2020, 2021),
    "4": (
        ["1.1.a", "1.1.d", "1.2.e", "3.1.c", "3.1.f", "3.2.d", "3.2.e", "3.2.h"],
        ["Mille Bulles", "CCCP"],
        2020,
        2022,
    ),
    "5": (
        ["2.1.a", "2.1.b", "2.1.d", "2.1.f", "2.1.h", "4.1.a", "4.1.b", "4.1.c", "4.1.e"],
        ["Cicérone", "MDSP", "Secours catholique", "CCAS de Civray"],
        2020,
        2021,
    ),
    "6": (
        ["2.1.b", "2.1.c", "2.1.e", "2.1.f", "2.2.a", "2.2.b", "2.2.c", "2.2.d", "2.2.e"],
        ["Cicérone", "Communauté de Communes"],
        2020,
        2023,
    ),
    "7": (
        [
            "3.1.a",
            "3.1.b",
            "3.1.c",
            "3.1.e",
            "3.1.f",
            "3.1.g",
            "3.1.h",
            "3.1.i",
            "3.2.c",
            "3.2.d",
            "3.2.e",
            "3.2.g",
        ],
        ["Mille Bulles", "CCCP"],
        2020,
        2021,
    ),
    "8": (
        ["3.3.a", "3.3.b", "3.3.c", "3.3.d"],
        ["Elus", "Communauté de Communes", "CAF", "MSA"],
        2020,
        2023,
    ),
    "9": (["4.1.a", "4.2.a", "4.3.e", "4.3.f"], ["CCCP", "CRIJ"], 2021, 2023),
    "10": (
        ["3.2.c", "3.2.d", "3.3.b", "3.3.c"],
        ["Communauté de communes", "Espaces de vie sociale"],
        2019,
        2021,
    ),
    "11": (
        ["4.2.a", "4.2.b", "4.2.c", "4.2.e"],
        ["Association Départementale d'Accueil et de Promotion des Gens du Voyage"],
        2019,
        2021,
    ),
    "12": (["4.3.f", "4.3.g"], ["CCCP"], 2020, 2021),
    "13": (["4.3.d", "4.3.g"], ["Municipalités volontaires", "Communauté de Communes"], 2020, 2026),
    "14": (
        ["4.2.a", "4.2.c", "4.2.e", "5.2.b", "5.2.d"],
        ["MFR", "Cicérone", "Mission locale"],
        2020,
        2024,
    ),
    "15": (["5.2.g"], ["Communauté de communes"], 2020, 2024),
    "16": (["4.3.g", "4.3.e", "5.3.a"], ["Communauté de Communes"], 2020, 2021),
    "17": (
        ["5.1.a", "5.1.b", "5.1.c", "5.1.d", "5.1.e", "5.1.f", "5.1.g", "5.2.b", "5.2.d"],
        ["Communauté de Communes"],
        2020,
        2026,
    ),
    "18": (
        [
            "1.1.a",
            "1.2.f",
            "2.2.e",
            "3.1.c",
            "3.1.f",
            "3.1.g",
            "3.1.h",
            "3.1.i",
            "3.2.d",
            "3.2.e",
            "3.3.c",
            "3.3.d",
            "3.3.e",
            "3.3.f",
            "3.3.g",
            "4.2.a",
            "4.2.b",
            "4.2.e",
            "4.3.a",
            "4.3.b",
            "4.3.e",
            "4.3.f",
            "4.3.g",
            "5.1.b",
            "5.1.g",
            "5.3.a",
            "5.3.e",
        ],
        ["Association Mille Bulles"],
        None,
        None,
    ),
}


def year(date: PartialDate | None) -> int | None:
    return None if date is None else date.year


def test_civraisien_2019_fiches_as_in_the_source() -> None:
    plan = load_plan(PLANS / "civraisien-2019")
    found = {
        f.fiche.number: (
            [o.code for o in f.fiche.objectives],
            f.fiche.pilotes,
            year(f.fiche.start),
            year(f.fiche.end),
        )
        for f in plan.fiches
    }
    assert found == CIVRAISIEN_2019_FICHES
    # The source gives years only.
    assert all(
        date is None or date.month is None
        for f in plan.fiches
        for date in (f.fiche.start, f.fiche.end)
    )


def test_civraisien_2019_corrections_of_the_source() -> None:
    plan = load_plan(PLANS / "civraisien-2019")
    fiches = {f.fiche.number: f.fiche for f in plan.fiches}
    assert "1.2.d" in [o.code for o in fiches["1"].objectives]  # source: « 1.d. »
    assert fiches["2"].axes == ["A.1", "A.4"]  # source: « A.3 » with axis 4's title
    assert fiches["4"].axes == ["A.1", "A.3"]  # axis-1 objectives cited, only « A.3 » declared
    assert "5.2.f" not in [o.code for o in fiches["17"].objectives]  # 5.1.g's text
    assert fiches["18"].axes == ["A.1", "A.2", "A.3", "A.4", "A.5"]  # « Voir annexe »
    assert fiches["2"].documents[0].ref == "fiche action n°10"


def test_civraisien_2019_governance_and_programmes() -> None:
    meta = load_plan(PLANS / "civraisien-2019").meta
    assert [g.name for g in meta.governance] == [
        "Comité de pilotage restreint",
        "Comité d'acteurs",
        "Comité technique",
        "Groupes de travail",
        "Coordination",
    ]
    assert meta.governance[0].role == "instance décisionnelle"
    cls, pcaet = meta.programmes
    assert (cls.short_name, len(cls.axes), pcaet.short_name) == ("CLS", 5, "PCAET")
    assert (meta.period.start, meta.period.end, meta.generation) == (2019, 2023, 1)


def test_civraisien_2024_scheme_and_missing_impact() -> None:
    plan = load_plan(PLANS / "civraisien-2024")
    meta = plan.meta
    tree = PlanIndex(meta)
    transcribed = [info for info in tree.order if info not in tree.not_transcribed]
    assert [info.code for info in transcribed] == ["1", "1.1", "1.2", "3", "3.1", "3.2", "3.3"]
    # Impact 2 was an image: a node without title, recorded in `lacunes` (« non transcrit »).
    assert [info.code for info in tree.not_transcribed] == ["2"]
    assert tree.get("2").node.title is None and meta.gaps[0].code == "2"
    assert (meta.period.start, meta.period.end, meta.generation, meta.previous) == (
        2024,
        2027,
        2,
        "civraisien-2019",
    )
    assert len(meta.signatories) == 9
    assert {f.fiche.number: f.fiche.objectives[0].code for f in plan.fiches} == {
        "1": "1.1",
        "2": "1.1",
        "3": "1.1",
        "4": "1.2",
        "5": "3.1",
        "6": "3.2",
        "7": "3.2",
        "8": "3.3",
    }
    assert [
        len(t.strengths) + len(t.weaknesses) + len(t.opportunities) + len(t.threats)
        for t in meta.swot
    ] == [21, 16, 18, 17, 17]


def test_tarn_agout_tree_and_governance() -> None:
    plan = load_plan(PLANS / "tarn-agout")
    tree = PlanIndex(plan.meta)
    assert Counter(info.level for info in tree.order) == {0: 4, 1: 9, 2: 28}
    assert [len(info.node.children) for info in tree.order if info.level == 1] == [
        3,
        3,
        3,
        3,
        3,
        4,
        3,
        3,
        3,
    ]
    assert sum(len(leaf.node.pistes) for leaf in tree.leaves) == 69
    assert plan.fiches == [] and plan.fiche_files == 0
    assert [g.frequency for g in plan.meta.governance] == [
        "1 x/an",
        "2 à 3 x/an",
        "1 x/an",
        "1 x/an",
    ]
    assert tree.get("1").node.title == (
        "Garantir une offre de services qui s'adapte à l'évolution des besoins de la population"
    )


@pytest.mark.parametrize(
    ("slug", "covered", "total"),
    [("civraisien-2019", 68, 86), ("civraisien-2024", 5, 5), ("tarn-agout", 0, 28)],
)
def test_coverage_figures_checked_by_hand(slug: str, covered: int, total: int) -> None:
    result = coverage(PLANS / slug)
    assert (result.covered, result.total) == (covered, total)


def test_broken_copies_of_the_other_plans_give_located_errors(tmp_path) -> None:
    import shutil

    later = shutil.copytree(PLANS / "civraisien-2024", tmp_path / "civraisien-2024")
    fiche = next((later / "fiches").glob("01-*.yaml"))
    fiche.write_text(
        fiche.read_text(encoding="utf-8").replace('objectifs: ["1.1"]', 'objectifs: ["2.1"]'),
        encoding="utf-8",
    )
    assert [(d.line, d.column, d.code) for d in validate(later)] == [(9, 13, "CTG021")]

    tarn = shutil.copytree(PLANS / "tarn-agout", tmp_path / "tarn-agout")
    plan_file = tarn / "plan.yaml"
    text = plan_file.read_text(encoding="utf-8")
    plan_file.write_text(text.replace('- code: "1.1.1"', '- code: "1.1"', 1), encoding="utf-8")
    # Reported at the second "1.1" (the first is objective 1.1 itself, earlier in the file).
    line = text[: text.index('- code: "1.1.1"')].count("\n") + 1
    column = text.splitlines()[line - 1].index('"1.1') + 1
    found = [(d.file.rsplit("/", 1)[-1], d.line, d.column, d.code) for d in validate(tarn)]
    assert found == [("plan.yaml", line, column, "CTG022")]
    assert column == 19


def test_civraisien_2019_follows_the_vienne_form_grid() -> None:
    plan = load_plan(PLANS / "civraisien-2019")
    assert plan.form is not None and plan.form.name == "vienne-2019"
    impacts = plan.form.by_key["impacts"].group_map
    participation = plan.form.by_key["participation"]
    fiches = {f.fiche.number: f.fiche for f in plan.fiches}
    for fiche in fiches.values():
        ticked = fiche.value("impacts")
        assert ticked, fiche.number
        for group, items in ticked.items():
            assert set(items) <= set(impacts[group]), (fiche.number, group)
    answers = {
        n: [v for _, _, v in grid_values(participation, f.value("participation"))]
        for n, f in fiches.items()
    }
    assert answers["9"] == [True] * 5
    assert answers["1"] == [None, True, None, None, True]
    assert answers["17"] == [None] * 5
