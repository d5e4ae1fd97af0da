"""`ctg export`: a plan as a workbook (.xlsx), re-read with openpyxl and checked in its XML."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import openpyxl
import pytest

from ctgkit.coverage_model import coverage

from .conftest import PLANS, copy_plan, invoke

CIVRAISIEN = PLANS / "civraisien-2019"
SHEETS = ["Lisez-moi", "Objectifs", "Fiches", "Matrice", "Indicateurs", "Suivi"]


def export(plan: Path, output: Path, *extra: str):
    return invoke("export", str(plan), "-o", str(output), *extra)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("export") / "civraisien-2019.xlsx"
    result = export(CIVRAISIEN, output)
    assert result.exit_code == 0, result.stderr
    assert "18 fiches, 86 objectives" in result.stderr
    return output


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(min_row=2, values_only=True))


def test_sheets_headers_filters(workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == SHEETS
    for name in SHEETS[1:]:
        sheet = book[name]
        assert sheet.freeze_panes is not None and sheet.freeze_panes.endswith("2"), name
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), name
        assert sheet["A1"].font.bold, name
        assert sheet["A1"].alignment.wrap_text, name
        assert sheet.column_dimensions["A"].width, name
    readme = "\n".join(str(v) for v in book["Lisez-moi"]["A"] if v.value for v in [v.value])
    assert "ctg export" in readme and "Convention Territoriale Globale du Civraisien" in readme


def test_fiches_sheet(workbook: Path) -> None:
    sheet = openpyxl.load_workbook(workbook)["Fiches"]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["Numéro", "Titre", "Description"]
    assert "Pilote(s) / porteur(s)" in headers and "Impacts potentiels de l'action" in headers
    assert headers[-1] == "Fichier"
    data = rows(sheet)
    assert len(data) == 18
    assert [r[0] for r in data] == [str(n) for n in range(1, 19)]
    first = dict(zip(headers, data[0], strict=True))
    assert first["Objectifs"].split("\n")[:2] == ["1.1.b", "1.1.c"]  # one per line
    assert first["Début"] == "2020"
    assert first["Participation habitante"] == (
        "L'organisation de l'action : oui\nLa mobilisation des ressources : oui"
    )
    assert first["Fichier"] == "fiches/01-creation-reseau-acteurs-sociaux.yaml"
    assert first["Étapes chronologiques"].startswith("1. Recenser l'ensemble des acteurs")


def test_objectives_sheet_is_the_tree(workbook: Path) -> None:
    sheet = openpyxl.load_workbook(workbook)["Objectifs"]
    assert [c.value for c in sheet[1]] == [
        "Code",
        "Niveau",
        "Titre",
        "Parent",
        "Couvert",
        "Fiches qui le servent",
    ]
    data = rows(sheet)
    leaves = [r for r in data if r[4] in ("oui", "non")]
    assert len(leaves) == 86
    assert sum(r[4] == "oui" for r in leaves) == 68  # ctg coverage: 68 of 86
    axes = [r for r in data if r[3] is None]
    assert [r[0] for r in axes] == ["A.1", "A.2", "A.3", "A.4", "A.5"]
    assert all(r[1] == "axe" for r in axes)


def test_matrix_marks_each_link(workbook: Path) -> None:
    sheet = openpyxl.load_workbook(workbook)["Matrice"]
    headers = [c.value for c in sheet[1]]
    assert headers[:2] == ["Code", "Objectif"] and headers[2:] == [str(n) for n in range(1, 19)]
    measured = coverage(CIVRAISIEN)
    links = sum(len(row.fiches) for row in measured.objectives)
    marks = sum(1 for row in rows(sheet) for value in row[2:] if value == "X")
    assert marks == links and len(rows(sheet)) == 86
    assert not any(value not in (None, "X") for row in rows(sheet) for value in row[2:])


def test_indicators_and_follow_up(tmp_path: Path) -> None:
    plan = copy_plan(CIVRAISIEN, tmp_path / "civraisien-2019")
    fiche = plan / "fiches" / "04-developper-ludotheque-de-territoire.yaml"
    fiche.write_text(
        fiche.read_text(encoding="utf-8")
        + "suivi:\n"
        + "  - {date: 2021-06, statut: en cours, avancement: 40 %, réalisations: Café-jeux,"
        + " auteur: CCCP}\n",
        encoding="utf-8",
    )
    text = fiche.read_text(encoding="utf-8").replace(
        "indicateurs:\n",
        "indicateurs:\n"
        "  - libellé: Familles adhérentes\n"
        "    unité: familles\n"
        "    sens: hausse\n"
        "    valeur_référence: 40\n"
        "    date_référence: 2019\n"
        "    cible: 100\n"
        "    cibles: {2021: 60}\n"
        "    mesures:\n"
        "      - {date: 2021-12, valeur: 65, source: registre}\n",
        1,
    )
    fiche.write_text(text, encoding="utf-8")
    output = tmp_path / "out.xlsx"
    result = export(plan, output)
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(output)
    indicators = book["Indicateurs"]
    assert [c.value for c in indicators[1]] == [
        "Fiche",
        "Libellé",
        "Unité",
        "Sens",
        "Valeur de référence",
        "Date de référence",
        "Cible",
        "Cibles par année",
        "Mesures",
    ]
    added = [r for r in rows(indicators) if r[1] == "Familles adhérentes"]
    assert added == [
        (
            "4",
            "Familles adhérentes",
            "familles",
            "hausse",
            40,
            "2019",
            100,
            "2021 : 60",
            "2021-12 : 65 (registre)",
        )
    ]
    follow_up = rows(book["Suivi"])
    assert follow_up == [("4", "2021-06", "en cours", 40, "Café-jeux", None, None, "CCCP", None)]


@pytest.mark.parametrize("start", ["=", "+", "@", "-"])
def test_formulas_stay_text(tmp_path: Path, start: str) -> None:
    plan = copy_plan(CIVRAISIEN, tmp_path / "civraisien-2019")
    fiche = plan / "fiches" / "03-groupe-sejours-solidaires.yaml"
    title = f'{start}HYPERLINK("http://evil.example","clic")'
    text = fiche.read_text(encoding="utf-8")
    text = text.replace("titre: Création d'un groupe séjours solidaires", f"titre: '{title}'")
    fiche.write_text(text, encoding="utf-8")
    output = tmp_path / "out.xlsx"
    assert export(plan, output).exit_code == 0
    book = openpyxl.load_workbook(output)
    cell = book["Fiches"]["B4"]
    assert cell.value == title and cell.data_type == "s"
    with zipfile.ZipFile(output) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_two_exports_are_identical(tmp_path: Path, workbook: Path) -> None:
    again = tmp_path / "again.xlsx"
    assert export(CIVRAISIEN, again).exit_code == 0
    assert again.read_bytes() == workbook.read_bytes()


def test_refuses_inside_a_plan(tmp_path: Path) -> None:
    plan = copy_plan(CIVRAISIEN, tmp_path / "civraisien-2019")
    result = export(plan, plan / "fiches" / "x.xlsx")
    assert result.exit_code == 2
    assert "inside the plan directory" in result.stderr
    assert not (plan / "fiches" / "x.xlsx").exists()


def test_refuses_a_directory_and_other_names(tmp_path: Path) -> None:
    folder = tmp_path / "d.xlsx"
    folder.mkdir()
    result = export(CIVRAISIEN, folder)
    assert result.exit_code == 2 and "Is a directory" in result.stderr
    assert folder.is_dir()
    assert export(CIVRAISIEN, tmp_path / "x.csv").exit_code == 2
    assert invoke("export", str(CIVRAISIEN)).exit_code == 2  # no -o
    result = invoke("export", str(PLANS), "-o", str(tmp_path / "all.xlsx"))
    assert result.exit_code == 2 and "one plan at a time" in result.stderr
    assert not (tmp_path / "all.xlsx").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_refuses_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "out.xlsx"
    os.mkfifo(fifo)
    result = export(CIVRAISIEN, fifo)
    assert result.exit_code == 2
    assert "FIFO" in result.stderr
    assert fifo.is_fifo()


def test_a_plan_with_errors_writes_nothing(tmp_path: Path) -> None:
    plan = copy_plan(CIVRAISIEN, tmp_path / "civraisien-2019")
    fiche = plan / "fiches" / "05-dispositifs-de-mobilite.yaml"
    fiche.write_text(fiche.read_text(encoding="utf-8") + "fin: 20222\n", encoding="utf-8")
    output = tmp_path / "out.xlsx"
    output_before = output.exists()
    result = export(plan, output)
    assert result.exit_code == 1
    assert "05-dispositifs-de-mobilite.yaml" in result.stderr and "error" in result.stderr
    assert output.exists() == output_before is False


def test_an_existing_workbook_is_replaced_atomically(tmp_path: Path) -> None:
    output = tmp_path / "out.xlsx"
    output.write_bytes(b"old")
    assert export(CIVRAISIEN, output).exit_code == 0
    assert zipfile.is_zipfile(output)
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]  # no temporary file left


def test_control_characters_and_long_text(tmp_path: Path) -> None:
    plan = copy_plan(CIVRAISIEN, tmp_path / "civraisien-2019")
    fiche = plan / "fiches" / "03-groupe-sejours-solidaires.yaml"
    text = fiche.read_text(encoding="utf-8").replace(
        "titre: Création d'un groupe séjours solidaires", 'titre: "a\\x01b"', 1
    )
    fiche.write_text(text + f"notes: {'x' * 40000}\n", encoding="utf-8")
    output = tmp_path / "out.xlsx"
    result = export(plan, output)
    assert result.exit_code == 0, result.stderr
    sheet = openpyxl.load_workbook(output)["Fiches"]
    assert sheet["B4"].value == "a\\x01b"
    notes = [c.value for c in sheet[4] if isinstance(c.value, str) and c.value.startswith("xxx")]
    assert len(notes[0]) == 32_767 and notes[0].endswith(" […]")


def test_french_messages(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CTG_LANG", "fr")
    result = invoke("export", str(PLANS), "-o", str(tmp_path / "all.xlsx"))
    assert result.exit_code == 2
    assert "ctg : erreur :" in result.stderr and "un plan à la fois" in result.stderr
    result = export(CIVRAISIEN, tmp_path / "c.xlsx")
    assert result.exit_code == 0
    assert "18 fiches" in result.stderr and "86 objectifs" in result.stderr
