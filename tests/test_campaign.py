"""Follow-up campaigns: `ctg campaign` writes one workbook per pilote; the returned workbooks,
filled as a pilote would, are merged into the fiches (`campaign.merge`).

The plan is the fictitious fixture `tests/fixtures/campaign-plan` (see its README): fiche 1
piloted by Mille Bulles and the CCVE, fiche 2 by Mille Bulles, fiche 3 by the CCVE under
another spelling, fiche 4 by an actor absent from the registry, fiche 5 without pilote.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from ctgkit import campaign as campaign_lib
from ctgkit import plan_changes
from ctgkit.campaign import is_campaign_workbook, merge
from ctgkit.source import parse_yaml
from ctgkit.workbook_read import open_workbook

from .conftest import FIXTURES, PLANS, copy_plan, invoke

FIXTURE = FIXTURES / "campaign-plan"
TODAY = dt.date(2025, 12, 1)
CCVE = "communaute-de-communes-du-val-d-essai.xlsx"
BULLES = "association-mille-bulles.xlsx"
CENTRE = "centre-social-du-val.xlsx"
NO_PILOT = "sans-pilote.xlsx"
WORKBOOKS = [CCVE, BULLES, CENTRE, NO_PILOT]


def run_campaign(plan: Path, output: Path, *extra: str, year: str = "2025"):
    return invoke(
        "campaign", str(plan), "--year", year, "--date", "2025-11-30", "-o", str(output), *extra
    )


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    return copy_plan(FIXTURE, tmp_path / "campaign-plan")


@pytest.fixture
def sent(plan: Path, tmp_path: Path) -> Path:
    """The campaign 2025 of the fixture plan, written by the CLI."""
    output = tmp_path / "campagne-2025"
    result = run_campaign(plan, output)
    assert result.exit_code == 0, result.output
    return output


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def sheet_rows(path: Path, sheet: str) -> list[dict]:
    ws = openpyxl.load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def fill(
    path: Path,
    fiches: dict[str, dict[str, object]] | None = None,
    indicators: dict[tuple[str, int], dict[str, object]] | None = None,
    save_as: Path | None = None,
) -> Path:
    """Type answers as a pilote would: by fiche number (and indicator n°), by column."""
    book = openpyxl.load_workbook(path)
    for sheet, answers, key_columns in (
        ("Suivi 2025", fiches or {}, 1),
        ("Indicateurs", indicators or {}, 2),
    ):
        ws = book[sheet]
        headers = [c.value for c in ws[1]]
        for row in ws.iter_rows(min_row=2):
            values = [c.value for c in row[:key_columns]]
            key = values[0] if key_columns == 1 else (values[0], values[1])
            for column, value in answers.get(key, {}).items():
                row[headers.index(column)].value = value
    target = save_as or path
    book.save(target)
    if save_as is not None and save_as != path:
        path.unlink()
    return target


def fiche_data(plan: Path, name: str) -> dict:
    return parse_yaml((plan / "fiches" / name).read_text(encoding="utf-8"))


def write(result) -> None:
    assert result.ok, ([str(e) for e in result.errors], [str(d) for d in result.diagnostics])
    plan_changes.write(result.changes)


# --------------------------------------------------------------------------- the campaign


def test_one_workbook_per_pilote_with_only_its_fiches(plan: Path, tmp_path: Path) -> None:
    output = tmp_path / "campagne-2025"
    result = run_campaign(plan, output)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in output.iterdir()) == sorted([*WORKBOOKS, "campagne.json"])
    fiches = {
        name: [r["Fiche"] for r in sheet_rows(output / name, "Suivi 2025")] for name in WORKBOOKS
    }
    # « CCVE » and « Communauté de communes » are one actor of the registry.
    assert fiches == {CCVE: ["1", "3"], BULLES: ["1", "2"], CENTRE: ["4"], NO_PILOT: ["5"]}
    assert "« Centre social du Val » pilots fiches but is not in the plan's actor registry" in (
        result.stdout
    )
    assert (
        f"  {CCVE}: Communauté de Communes du Val d'Essai (CCVE), 2 fiches (1, 3), 2 indicators"
        in (result.stdout)
    )
    assert "wrote 4 workbooks and campagne.json" in result.stdout

    manifest = json.loads((output / "campagne.json").read_text(encoding="utf-8"))
    assert (manifest["plan"], manifest["year"], manifest["date"]) == (
        "campaign-plan",
        2025,
        "2025-11-30",
    )
    by_file = {w["file"]: w for w in manifest["workbooks"]}
    assert list(by_file) == WORKBOOKS
    assert by_file[BULLES]["actor"] == "Association Mille Bulles"
    assert by_file[NO_PILOT]["actor"] is None
    assert by_file[BULLES]["fiches"] == [
        {"number": "1", "file": "fiches/01-ludotheque.yaml"},
        {"number": "2", "file": "fiches/02-cafe-des-parents.yaml"},
    ]
    assert [(i["fiche"], i["position"], i["label"]) for i in by_file[BULLES]["indicators"]] == [
        ("1", 1, "Nombre de communes visitées chaque mois"),
        ("1", 2, "Familles adhérentes"),
        ("2", 1, "Satisfaction des parents"),
    ]
    assert len({w["fingerprint"] for w in manifest["workbooks"]}) == 4


def test_workbook_sheets_context_and_columns_to_fill(sent: Path) -> None:
    path = sent / BULLES
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Lisez-moi", "Suivi 2025", "Indicateurs", "_ctg"]
    assert book["_ctg"].sheet_state == "hidden"
    assert is_campaign_workbook(book)
    readme = "\n".join(str(c.value) for c in book["Lisez-moi"]["A"] if c.value)
    assert "Campagne de suivi 2025" in readme and "Association Mille Bulles" in readme
    assert "renvoyez-le à la coordination" in readme

    ws = book["Suivi 2025"]
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == "A1:O3"
    first, second = sheet_rows(path, "Suivi 2025")
    assert first["Titre"] == "Développer une ludothèque itinérante"
    assert first["Autres pilotes"] == "Communauté de Communes du Val d'Essai"
    assert (
        first["Dernier statut"],
        first["Date du dernier point"],
        first["Dernier avancement (%)"],
    ) == (
        "en cours",
        "2024-06-30",
        30,
    )
    assert second["Dernier statut"] == "aucun suivi" and second["Autres pilotes"] is None
    assert first["Date du point"] == dt.datetime(2025, 11, 30)
    assert ws["H2"].number_format == "DD/MM/YYYY"
    for column in (
        "Statut",
        "Avancement (%)",
        "Réalisations",
        "Difficultés",
        "Prochaines étapes",
        "Commentaire",
        "Répondant",
    ):
        assert first[column] is None and second[column] is None
    # Context grey, columns to fill with a yellow header and no fill.
    assert ws["B2"].fill.fgColor.rgb.endswith("F2F2F2")
    assert ws["I1"].fill.fgColor.rgb.endswith("FFE699") and ws["I2"].fill.fill_type is None
    assert ws["K2"].alignment.wrap_text
    # Rows are as high as their wrapped text (spreadsheets do not grow them on opening).
    assert ws.row_dimensions[1].height == 45  # « Dernier avancement (%) »: three lines
    assert ws.row_dimensions[2].height == 30  # « Communauté de Communes du Val d'Essai »
    assert "Destinataire : Association Mille Bulles, pilote des fiches 1 et 2." in readme
    validations = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    assert validations["I2:I3"].type == "list"
    assert validations["I2:I3"].formula1 == '"prévue,en cours,réalisée,reportée,abandonnée"'
    assert (
        validations["J2:J3"].type,
        validations["J2:J3"].formula1,
        validations["J2:J3"].formula2,
    ) == (
        "whole",
        "0",
        "100",
    )

    indicators = sheet_rows(path, "Indicateurs")
    assert [(r["Fiche"], r["N°"], r["Libellé"]) for r in indicators] == [
        ("1", 1, "Nombre de communes visitées chaque mois"),
        ("1", 2, "Familles adhérentes"),
        ("2", 1, "Satisfaction des parents"),
    ]
    families = indicators[1]
    assert (families["Unité"], families["Sens"], families["Référence"]) == (
        "familles",
        "hausse",
        "20 (2023)",
    )
    assert (families["Cible 2025"], families["Cible finale"], families["Dernière mesure"]) == (
        40,
        60,
        "30 (2024-12)",
    )
    assert all(r["Valeur 2025"] is None for r in indicators)
    numeric = [
        str(v.sqref)
        for v in book["Indicateurs"].data_validations.dataValidation
        if v.type == "decimal"
    ]
    assert numeric == ["J3"]  # only the indicator with a unit and numbers


def test_two_campaigns_are_the_same_bytes(plan: Path, tmp_path: Path) -> None:
    assert run_campaign(plan, tmp_path / "a").exit_code == 0
    assert run_campaign(plan, tmp_path / "b").exit_code == 0
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_an_existing_campaign_is_not_replaced_without_force(sent: Path, plan: Path) -> None:
    before = snapshot(sent)
    again = invoke("campaign", str(plan), "--year", "2025", "--date", "2025-12-01", "-o", str(sent))
    assert again.exit_code == 2
    assert "already holds a campaign (campagne.json)" in again.stderr and "--force" in again.stderr
    assert snapshot(sent) == before
    forced = invoke(
        "campaign", str(plan), "--year", "2025", "--date", "2025-12-01", "-o", str(sent), "--force"
    )
    assert forced.exit_code == 0, forced.output
    assert json.loads((sent / "campagne.json").read_text(encoding="utf-8"))["date"] == "2025-12-01"
    assert sorted(p.name for p in sent.iterdir()) == sorted([*WORKBOOKS, "campagne.json"])


def test_a_file_in_the_way_is_not_replaced(plan: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    output.mkdir()
    (output / BULLES).write_bytes(b"the answer of Mille Bulles")
    result = run_campaign(plan, output)
    assert result.exit_code == 2
    assert f"{output / BULLES} already exists" in result.stderr
    assert sorted(p.name for p in output.iterdir()) == [BULLES]
    assert (output / BULLES).read_bytes() == b"the answer of Mille Bulles"


def test_all_workbooks_or_none(plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = campaign_lib._write_file

    def failing(path: Path, data: bytes, shown: Path) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(shown))
        real(path, data, shown)

    monkeypatch.setattr(campaign_lib, "_write_file", failing)
    new = tmp_path / "new"
    result = run_campaign(plan, new)
    assert result.exit_code == 2 and "No space left on device" in result.stderr
    assert not new.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name != "campaign-plan"] == []
    existing = tmp_path / "existing"
    existing.mkdir()
    calls.clear()
    result = run_campaign(plan, existing)
    assert result.exit_code == 2
    assert list(existing.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2030"], "2030 is outside the period of the plan (2023-2026"),
        (
            ["--year", "2025", "--date", "2024-05-01"],
            "the date of the update 2024-05-01 is not in 2025",
        ),
        (
            ["--year", "2025", "--date", "31/02/2025"],
            "expected a day such as 2025-11-30 or 30/11/2025",
        ),
    ],
)
def test_campaign_usage_errors(plan: Path, tmp_path: Path, args: list[str], message: str) -> None:
    result = invoke("campaign", str(plan), "-o", str(tmp_path / "out"), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


def test_campaign_refuses_a_plan_with_errors_and_the_plan_folder(
    plan: Path, tmp_path: Path
) -> None:
    inside = run_campaign(plan, plan / "campagne")
    assert inside.exit_code == 2 and "inside the plan directory" in inside.stderr
    fiche = plan / "fiches" / "03-bus-des-services.yaml"
    fiche.write_text(fiche.read_text(encoding="utf-8").replace('["2.1"]', '["9.9"]'), "utf-8")
    broken = run_campaign(plan, tmp_path / "out")
    assert broken.exit_code == 1
    assert "03-bus-des-services.yaml:4:" in broken.stderr and "9.9" in broken.stderr
    assert not (tmp_path / "out").exists()


def test_campaign_in_french(plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTG_LANG", "fr")
    result = run_campaign(plan, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "Campagne de suivi 2025 de campaign-plan (point daté du 2025-11-30)" in result.stdout
    assert "4 classeurs écrits" in result.stdout
    again = run_campaign(plan, tmp_path / "out")
    assert "ctg : erreur :" in again.stderr and "contient déjà une campagne" in again.stderr


def test_civraisien_2019_every_fiche_goes_to_each_of_its_pilotes(tmp_path: Path) -> None:
    from ctgkit.actors import actors

    output = tmp_path / "civ"
    result = invoke("campaign", str(PLANS / "civraisien-2019"), "--year", "2022", "-o", str(output))
    assert result.exit_code == 0, result.output
    pilots = [row for row in actors(PLANS / "civraisien-2019").actors if row.pilots]
    manifest = json.loads((output / "campagne.json").read_text(encoding="utf-8"))
    assert len(manifest["workbooks"]) == len(pilots)  # every fiche has a pilote
    for row, workbook in zip(pilots, manifest["workbooks"], strict=True):
        assert workbook["actor"] == row.name
        assert [f["number"] for f in workbook["fiches"]] == row.pilots
        assert [
            r["Fiche"] for r in sheet_rows(output / workbook["file"], "Suivi 2022")
        ] == row.pilots
    # A name longer than 60 characters gives way to the actor's short name.
    assert "adapgv86.xlsx" in [w["file"] for w in manifest["workbooks"]]


def test_civraisien_2024_has_no_pilote_one_workbook_for_the_coordination(tmp_path: Path) -> None:
    output = tmp_path / "c24"
    result = invoke("campaign", str(PLANS / "civraisien-2024"), "--year", "2025", "-o", str(output))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in output.iterdir()) == ["campagne.json", NO_PILOT]
    rows = sheet_rows(output / NO_PILOT, "Suivi 2025")
    assert [r["Fiche"] for r in rows] == [str(n) for n in range(1, 9)]
    assert "sans-pilote.xlsx: the fiches without a pilot, 8 fiches (1, 2, 3, 4, 5, 6, 7, 8)" in (
        result.stdout
    )


# --------------------------------------------------------------------------- merging


def test_merge_records_the_updates_and_measures(sent: Path, plan: Path) -> None:
    before = snapshot(plan)
    returned = fill(
        sent / BULLES,
        fiches={
            "1": {
                "Statut": "en cours",
                "Avancement (%)": 60,
                "Réalisations": "Huit communes visitées.\nUne tournée par mois.",
                "Répondant": "Jeanne Martin",
            },
            "2": {"Statut": "Réalisée", "Avancement (%)": "100 %", "Date du point": "15/10/2025"},
        },
        indicators={
            ("1", 1): {"Valeur 2025": 8},
            ("1", 2): {
                "Valeur 2025": "12,5",
                "Date de la mesure": dt.date(2025, 10, 31),
                "Source": "registre",
            },
            ("2", 1): {"Valeur 2025": "Très satisfaits"},
        },
        save_as=sent / "retour mille bulles.xlsx",  # renamed by the pilote
    )
    result = merge(plan, [returned], today=TODAY)
    assert result.errors == [] and result.conflicts == [] and result.diagnostics == []
    assert result.missing == [
        "Communauté de Communes du Val d'Essai",
        "Centre social du Val",
        "the fiches without a pilot",
    ]
    assert (result.entries, result.measures) == (2, 3)
    assert f"{returned} (Association Mille Bulles): 2 fiches answered, 3 values" in result.report
    assert (
        "fiche 1: update « en cours » of 2025-11-30 added "
        "(Association Mille Bulles (Jeanne Martin))" in result.report
    )
    assert "fiche 1, indicator « Familles adhérentes »: 12.5 (2025-10-31) added" in result.report
    assert any(
        line.startswith("no answer yet from: Communauté de Communes") for line in result.report
    )
    assert snapshot(plan) == before  # merge writes nothing
    write(result)

    one = fiche_data(plan, "01-ludotheque.yaml")
    assert one["suivi"][-1] == {
        "date": dt.date(2025, 11, 30),
        "statut": "en cours",
        "avancement": 60,
        "réalisations": "Huit communes visitées.\nUne tournée par mois.",
        "auteur": "Association Mille Bulles (Jeanne Martin)",
    }
    assert len(one["suivi"]) == 2
    assert one["indicateurs"][0] == {
        "libellé": "Nombre de communes visitées chaque mois",
        "mesures": [{"date": 2025, "valeur": 8}],
    }
    assert one["indicateurs"][1]["mesures"][-1] == {
        "date": dt.date(2025, 10, 31),
        "valeur": 12.5,
        "source": "registre",
    }
    two = fiche_data(plan, "02-cafe-des-parents.yaml")
    assert two["suivi"] == [
        {
            "date": dt.date(2025, 10, 15),
            "statut": "réalisée",
            "avancement": 100,
            "auteur": "Association Mille Bulles",
        }
    ]
    assert two["indicateurs"][0]["mesures"] == [{"date": 2025, "valeur": "Très satisfaits"}]

    after = snapshot(plan)
    changed = sorted(name for name in after if after[name] != before[name])
    assert changed == ["fiches/01-ludotheque.yaml", "fiches/02-cafe-des-parents.yaml"]
    text = (plan / "fiches" / "01-ludotheque.yaml").read_text(encoding="utf-8")
    assert "  - Mille Bulles  # l'Association Mille Bulles\n" in text
    assert "# Le suivi : un point par campagne.\n" in text
    old = before["fiches/01-ludotheque.yaml"].decode()
    assert text.startswith(old.split("indicateurs:")[0])  # untouched above the edits
    validate = invoke("validate", str(plan), "--today", "2025-12-01")
    assert validate.exit_code == 0, validate.output


def test_merging_again_adds_nothing(sent: Path, plan: Path) -> None:
    returned = fill(
        sent / BULLES,
        fiches={"2": {"Statut": "en cours", "Avancement (%)": 40}},
        indicators={("1", 2): {"Valeur 2025": 45}},
    )
    write(merge(plan, [returned], today=TODAY))
    written = snapshot(plan)
    again = merge(plan, [returned], today=TODAY)
    assert again.ok and not again.changes and (again.entries, again.measures) == (0, 0)
    assert (
        "fiche 2: the answer of Association Mille Bulles is already in the plan; nothing added"
        in again.report
    )
    assert (
        "fiche 1, indicator « Familles adhérentes »: the value of Association Mille Bulles is "
        "already in the plan; nothing added" in again.report
    )
    assert "nothing to add to the plan" in again.report
    write(again)
    assert snapshot(plan) == written


def test_a_newer_entry_is_never_overwritten(sent: Path, plan: Path) -> None:
    fiche = plan / "fiches" / "03-bus-des-services.yaml"
    fiche.write_text(
        fiche.read_text(encoding="utf-8") + "suivi:\n  - date: 2025-12-15\n    statut: en cours\n",
        encoding="utf-8",
    )
    returned = fill(sent / CCVE, fiches={"3": {"Statut": "reportée"}, "1": {"Statut": "en cours"}})
    result = merge(plan, [returned], today=dt.date(2025, 12, 20))
    assert result.ok
    assert (
        "fiche 3: a more recent update (2025-12-15) is already in the plan; the answer of "
        "Communauté de Communes du Val d'Essai is ignored" in result.report
    )
    assert [c.path.name for c in result.changes.effective] == ["01-ludotheque.yaml"]


def test_a_measure_of_the_same_period_is_not_added_again(sent: Path, plan: Path) -> None:
    fiche = plan / "fiches" / "01-ludotheque.yaml"
    text = fiche.read_text(encoding="utf-8").replace(
        "      - {date: 2024-12, valeur: 30, source: registre des adhésions}\n",
        "      - {date: 2024-12, valeur: 30, source: registre des adhésions}\n"
        "      - {date: 2025-06, valeur: 35}\n",
    )
    fiche.write_text(text, encoding="utf-8")
    returned = fill(sent / CCVE, indicators={("1", 2): {"Valeur 2025": 41}})  # dated 2025
    result = merge(plan, [returned], today=TODAY)
    assert result.ok and not result.changes
    assert (
        "fiche 1, indicator « Familles adhérentes »: a measure of 2025-06 is already in the "
        "plan; the value of Communauté de Communes du Val d'Essai is ignored" in result.report
    )


def test_two_pilotes_who_disagree_are_a_conflict(sent: Path, plan: Path) -> None:
    ccve = fill(
        sent / CCVE,
        fiches={"1": {"Statut": "en cours", "Avancement (%)": 50}, "3": {"Statut": "en cours"}},
        indicators={("1", 2): {"Valeur 2025": 38}},
    )
    bulles = fill(
        sent / BULLES,
        fiches={"1": {"Statut": "en cours", "Avancement (%)": 70}, "2": {"Statut": "prévue"}},
        indicators={
            ("1", 2): {"Valeur 2025": 38, "Source": "adhésions"},
            ("1", 1): {"Valeur 2025": 6},
        },
    )
    result = merge(plan, [bulles, ccve], today=TODAY)
    assert result.ok
    assert [(c.fiche, c.indicator, c.fields) for c in result.conflicts] == [
        ("1", None, ["Avancement (%)"])
    ]
    assert set(result.conflicts[0].actors) == {
        "Association Mille Bulles",
        "Communauté de Communes du Val d'Essai",
    }
    assert any(
        line.startswith(
            "fiche 1: Association Mille Bulles, Communauté de Communes du Val d'Essai "
            "answered differently (« Avancement (%) »); neither answer was merged"
        )
        for line in result.report
    )
    write(result)
    one = fiche_data(plan, "01-ludotheque.yaml")
    assert len(one["suivi"]) == 1  # neither answer for fiche 1
    # The same value from both pilotes is merged once, naming both.
    assert one["indicateurs"][1]["mesures"][-1] == {
        "date": 2025,
        "valeur": 38,
        "source": "adhésions",
    }
    assert one["indicateurs"][0]["mesures"] == [{"date": 2025, "valeur": 6}]
    assert fiche_data(plan, "02-cafe-des-parents.yaml")["suivi"][0]["statut"] == "prévue"
    assert fiche_data(plan, "03-bus-des-services.yaml")["suivi"][0]["statut"] == "en cours"


def test_identical_answers_of_two_pilotes_are_merged_once(sent: Path, plan: Path) -> None:
    same = {"Statut": "en cours", "Avancement (%)": 55, "Réalisations": "Tournées régulières."}
    ccve = fill(sent / CCVE, fiches={"1": same})
    bulles = fill(sent / BULLES, fiches={"1": {**same, "Répondant": "Jeanne Martin"}})
    result = merge(plan, [ccve, bulles], today=TODAY)
    assert result.ok and result.conflicts == [] and result.entries == 1
    write(result)
    entry = fiche_data(plan, "01-ludotheque.yaml")["suivi"][-1]
    assert (
        entry["auteur"]
        == "Communauté de Communes du Val d'Essai, Association Mille Bulles (Jeanne Martin)"
    )
    assert entry["avancement"] == 55


def test_every_bad_cell_is_located_and_nothing_is_merged(sent: Path, plan: Path) -> None:
    before = snapshot(plan)
    bulles = fill(
        sent / BULLES,
        fiches={
            "1": {"Statut": "fini", "Avancement (%)": 150},
            "2": {"Date du point": "31/02/2025", "Réalisations": "Ouvert."},  # and no status
        },
        indicators={("1", 2): {"Valeur 2025": "beaucoup", "Date de la mesure": "hier"}},
        save_as=sent / "retour.xlsx",
    )
    ccve = fill(sent / CCVE, fiches={"3": {"Statut": "en cours"}})  # a good one
    result = merge(plan, [bulles, ccve], today=TODAY)
    assert not result.ok and not result.changes
    statuses = "prévue, en cours, réalisée, reportée, abandonnée"
    dates = "is not a date (write it 2025-06-30 or 30/06/2025)"
    assert [str(e) for e in result.errors] == [
        f"{bulles}: Suivi 2025!I2: Statut « fini » is not a status; choose one of: {statuses}",
        f"{bulles}: Suivi 2025!J2: Avancement (%) « 150 » must be a whole number from 0 to 100",
        f"{bulles}: Suivi 2025!H3: Date du point « 31/02/2025 » {dates}",
        f"{bulles}: Suivi 2025!I3: Statut: choose the status of the fiche ({statuses}), or "
        "empty the row",
        f"{bulles}: Indicateurs!K3: Date de la mesure « hier » {dates}",
    ]
    # The value is checked against its indicator once the rest of the row is right.
    fixed = fill(
        bulles,
        fiches={
            "1": {"Statut": "en cours", "Avancement (%)": 50},
            "2": {"Date du point": None, "Statut": "prévue"},
        },
        indicators={("1", 2): {"Date de la mesure": None}},
    )
    result = merge(plan, [fixed], today=TODAY)
    assert [str(e) for e in result.errors] == [
        f"{bulles}: Indicateurs!J3: Valeur 2025 « beaucoup » is not a number"
    ]
    assert snapshot(plan) == before


def test_a_workbook_of_another_plan_or_campaign_is_refused(
    sent: Path, plan: Path, tmp_path: Path
) -> None:
    other_plan = copy_plan(FIXTURE, tmp_path / "autre-plan")
    other = tmp_path / "autre"
    assert run_campaign(other_plan, other).exit_code == 0
    foreign = fill(other / BULLES, fiches={"2": {"Statut": "prévue"}})
    result = merge(plan, [foreign], today=TODAY)
    assert [str(e) for e in result.errors] == [
        f"{foreign}: this workbook belongs to a campaign of the plan « autre-plan », not of "
        "« campaign-plan »"
    ]
    # A workbook of a newer campaign of this plan, merged with the manifest of the first one.
    later = tmp_path / "later"
    assert (
        invoke(
            "campaign", str(plan), "--year", "2025", "--date", "2025-12-10", "-o", str(later)
        ).exit_code
        == 0
    )
    late = fill(later / BULLES, fiches={"2": {"Statut": "prévue"}})
    result = merge(plan, [late], manifest=sent / "campagne.json", today=TODAY)
    assert len(result.errors) == 1
    assert str(result.errors[0]).startswith(
        f"{late}: this workbook is not one of the campaign {sent / 'campagne.json'} "
        "(2025, dated 2025-11-30)"
    )
    assert not result.changes


def test_other_workbooks_are_not_campaign_workbooks(sent: Path, plan: Path, tmp_path: Path) -> None:
    exported = tmp_path / "plan.xlsx"
    assert invoke("export", str(plan), "-o", str(exported)).exit_code == 0
    assert not is_campaign_workbook(open_workbook(exported))
    assert is_campaign_workbook(open_workbook(sent / BULLES))
    notes = tmp_path / "notes.txt"
    notes.write_text("not a workbook", encoding="utf-8")
    result = merge(plan, [exported, notes], today=TODAY)
    assert [str(e) for e in result.errors] == [
        f"{exported}: this is not a workbook of a ctg follow-up campaign (its hidden sheet "
        "« _ctg » is missing)",
        f"{notes}: this is not an Excel workbook (.xlsx)",
    ]


def test_a_changed_hidden_sheet_is_refused(sent: Path, plan: Path) -> None:
    book = openpyxl.load_workbook(sent / BULLES)
    book["_ctg"]["C8"] = "fiches/03-bus-des-services.yaml"
    book.save(sent / BULLES)
    result = merge(plan, [sent / BULLES], today=TODAY)
    assert [str(e) for e in result.errors] == [
        f"{sent / BULLES}: the hidden sheet « _ctg » of this workbook was changed: ctg can no "
        "longer tell what was sent; use the workbook as it was sent"
    ]


def test_rows_that_were_not_sent_are_refused(sent: Path, plan: Path) -> None:
    book = openpyxl.load_workbook(sent / BULLES)
    book["Suivi 2025"]["A3"] = "3"
    book["Suivi 2025"]["I3"] = "en cours"
    book.save(sent / BULLES)
    result = merge(plan, [sent / BULLES], today=TODAY)
    assert [str(e) for e in result.errors] == [
        f"{sent / BULLES}: Suivi 2025!A3: the fiche « 3 » was not sent in this workbook "
        "(its fiches: 1, 2)"
    ]


def test_merge_result_that_breaks_the_plan_is_refused(sent: Path, plan: Path) -> None:
    # A campaign of the last year of grace (2027) for a fiche that ended in 2025: accepted by
    # the workbook, but CTG060 refuses an entry dated after the plan's period and its grace.
    returned = fill(
        sent / BULLES, fiches={"2": {"Statut": "en cours", "Date du point": "2031-01-15"}}
    )
    result = merge(plan, [returned], today=TODAY)
    assert result.errors == [] and not result.ok
    assert [d.code for d in result.diagnostics] == ["CTG060"]
    assert result.diagnostics[0].file == f"{plan}/fiches/02-cafe-des-parents.yaml"
    assert (
        "fiche 2: this update is dated 2031-01-15, outside 2025, the year of the campaign"
        in result.report
    )


def test_missing_answers_need_the_manifest(sent: Path, plan: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "inbox"
    elsewhere.mkdir()
    returned = fill(
        sent / CENTRE, fiches={"4": {"Statut": "prévue"}}, save_as=elsewhere / "centre.xlsx"
    )
    alone = merge(plan, [returned], today=TODAY)
    assert alone.ok and alone.missing == []
    with_manifest = merge(plan, [returned], manifest=sent / "campagne.json", today=TODAY)
    assert with_manifest.missing == [
        "Communauté de Communes du Val d'Essai",
        "Association Mille Bulles",
        "the fiches without a pilot",
    ]


def test_merge_messages_in_french(sent: Path, plan: Path) -> None:
    from ctgkit import i18n

    returned = fill(sent / BULLES, fiches={"1": {"Statut": "fini"}})
    i18n.set_language("fr")
    result = merge(plan, [returned], today=TODAY)
    assert [str(e) for e in result.errors] == [
        f"{returned}: Suivi 2025!I2 : Statut « fini » n'est pas un statut ; choisissez parmi : "
        "prévue, en cours, réalisée, reportée, abandonnée"
    ]
    fill(returned, fiches={"1": {"Statut": "en cours"}})
    result = merge(plan, [returned], today=TODAY)
    assert "fiche 1 : point « en cours » du 2025-11-30 ajouté (Association Mille Bulles)" in (
        result.report
    )
    assert "fiche 2 : pas de réponse (Association Mille Bulles)" in result.report


def test_reshaped_workbooks_give_located_errors(sent: Path, plan: Path) -> None:
    bulles = openpyxl.load_workbook(sent / BULLES)
    bulles["Suivi 2025"]["P1"] = "Remarques"
    bulles.save(sent / BULLES)
    ccve = openpyxl.load_workbook(sent / CCVE)
    ccve["Suivi 2025"]["I2"] = "en cours"
    ccve["Suivi 2025"]["K2"] = "=SUM(1,1)"
    ccve.save(sent / CCVE)
    result = merge(plan, [sent / BULLES, sent / CCVE], today=TODAY)
    messages = [str(e) for e in result.errors]
    assert len(messages) == 2 and not result.changes
    assert messages[0].startswith(f"{sent / BULLES}: Suivi 2025!P1: unknown column « Remarques »")
    assert messages[1] == (
        f"{sent / CCVE}: Suivi 2025!K2: this cell holds a formula; write its value instead"
    )


def test_sorted_rows_are_read_by_their_fiche_number(sent: Path, plan: Path) -> None:
    book = openpyxl.load_workbook(sent / CCVE)
    ws = book["Suivi 2025"]
    first = [c.value for c in ws[2]]
    second = [c.value for c in ws[3]]
    for column, (a, b) in enumerate(zip(second, first, strict=True), start=1):
        ws.cell(row=2, column=column).value = a
        ws.cell(row=3, column=column).value = b
    ws["I2"] = "abandonnée"
    ws["N2"] = "Plus de financement."
    book.save(sent / CCVE)
    result = merge(plan, [sent / CCVE], today=TODAY)
    assert result.ok and result.entries == 1
    write(result)
    assert fiche_data(plan, "03-bus-des-services.yaml")["suivi"] == [
        {
            "date": dt.date(2025, 11, 30),
            "statut": "abandonnée",
            "auteur": "Communauté de Communes du Val d'Essai",
            "commentaire": "Plus de financement.",
        }
    ]
    assert "suivi" in fiche_data(plan, "01-ludotheque.yaml")  # unchanged: one old entry
    assert len(fiche_data(plan, "01-ludotheque.yaml")["suivi"]) == 1


def test_a_bad_manifest_is_a_located_error(sent: Path, plan: Path, tmp_path: Path) -> None:
    returned = fill(sent / CENTRE, fiches={"4": {"Statut": "prévue"}})
    broken = tmp_path / "campagne.json"
    broken.write_text("{not json", encoding="utf-8")
    result = merge(plan, [returned], manifest=broken, today=TODAY)
    assert [str(e) for e in result.errors] == [
        f"{broken}: this is not the manifest of a ctg campaign (campagne.json)"
    ]
    result = merge(plan, [returned], manifest=tmp_path, today=TODAY)
    assert [str(e) for e in result.errors] == [
        f"{tmp_path}: cannot read the campaign manifest: Is a directory"
    ]
    # A workbook of the campaign with a bad cell was still given: its actor is not missing.
    faulty = fill(sent / BULLES, fiches={"2": {"Statut": "fini"}})
    result = merge(plan, [faulty, returned], today=TODAY)
    assert len(result.errors) == 1
    assert result.missing == [
        "Communauté de Communes du Val d'Essai",
        "the fiches without a pilot",
    ]


def test_force_removes_the_workbooks_of_the_replaced_campaign(sent: Path, plan: Path) -> None:
    (sent / "notes.txt").write_text("mes notes", encoding="utf-8")
    fiche = plan / "fiches" / "04-centre-social.yaml"
    fiche.write_text(
        fiche.read_text(encoding="utf-8").replace("[Centre social du Val]", "[CCVE]"), "utf-8"
    )
    result = run_campaign(plan, sent, "--force")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in sent.iterdir()) == sorted(
        [CCVE, BULLES, NO_PILOT, "campagne.json", "notes.txt"]
    )
    rows = sheet_rows(sent / CCVE, "Suivi 2025")
    assert [r["Fiche"] for r in rows] == ["1", "3", "4"]


# --------------------------------------------------------------------------- through ctg import


def test_ctg_import_merges_returned_workbooks(sent: Path, plan: Path, tmp_path: Path) -> None:
    """The pilotes' workbooks go through `ctg import` like an export: report, then write."""
    bulles = fill(sent / BULLES, fiches={"2": {"Statut": "réalisée", "Avancement (%)": 100}})
    before = snapshot(plan)
    dry = invoke("import", str(plan), str(bulles), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "fiche 2: update « réalisée » of 2025-11-30 added (Association Mille Bulles)" in (
        dry.stdout
    )
    assert "no answer yet from: Communauté de Communes" in dry.stdout  # campagne.json beside
    assert "nothing was written (--dry-run)" in dry.stdout
    assert snapshot(plan) == before
    done = invoke("import", str(plan), str(bulles))
    assert done.exit_code == 0, done.output
    assert "1 file written" in done.stdout
    assert fiche_data(plan, "02-cafe-des-parents.yaml")["suivi"][-1]["statut"] == "réalisée"
    again = invoke("import", str(plan), str(bulles))
    assert again.exit_code == 0, again.output
    assert "file written" not in again.stdout
    # A manifest given explicitly, from another folder.
    moved = tmp_path / "inbox"
    moved.mkdir()
    centre = fill(sent / CENTRE, fiches={"4": {"Statut": "prévue"}}, save_as=moved / "c.xlsx")
    alone = invoke("import", str(plan), str(centre), "--dry-run")
    assert "no answer yet" not in alone.stdout
    named = invoke(
        "import", str(plan), str(centre), "--dry-run", "--manifest", str(sent / "campagne.json")
    )
    assert named.exit_code == 0, named.output
    assert "no answer yet from: Communauté de Communes" in named.stdout


def test_ctg_import_of_a_bad_campaign_cell_writes_nothing(sent: Path, plan: Path) -> None:
    bulles = fill(sent / BULLES, fiches={"1": {"Statut": "en cours", "Avancement (%)": 150}})
    before = snapshot(plan)
    result = invoke("import", str(plan), str(bulles))
    assert result.exit_code == 1
    assert (
        f"{bulles}: Suivi 2025!J2: Avancement (%) « 150 » must be a whole number from 0 to 100"
        in result.stderr
    )
    assert "1 error in the workbook: nothing was written" in result.stderr
    assert snapshot(plan) == before


def test_ctg_import_refuses_campaign_and_export_workbooks_together(
    sent: Path, plan: Path, tmp_path: Path
) -> None:
    exported = tmp_path / "plan.xlsx"
    assert invoke("export", str(plan), "-o", str(exported)).exit_code == 0
    bulles = fill(sent / BULLES, fiches={"2": {"Statut": "prévue"}})
    before = snapshot(plan)
    mixed = invoke("import", str(plan), str(bulles), str(exported))
    assert mixed.exit_code == 2
    assert "in two separate runs" in mixed.stderr
    lonely = invoke("import", str(plan), str(exported), "--manifest", str(sent / "campagne.json"))
    assert lonely.exit_code == 2
    assert "--manifest goes with the workbooks of a follow-up campaign" in lonely.stderr
    assert snapshot(plan) == before


def test_progress_of_thousands_of_digits_is_located(sent: Path, plan: Path) -> None:
    # Found by tests/test_import_properties.py: int() of more than 4,300 digits raised
    # ValueError (an internal error) in the progress column.
    before = snapshot(plan)
    bulles = fill(sent / BULLES, fiches={"2": {"Statut": "en cours", "Avancement (%)": "1" * 5000}})
    result = invoke("import", str(plan), str(bulles))
    assert result.exit_code == 1
    assert f"{bulles}: Suivi 2025!J3: Avancement (%)" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(plan) == before
