"""`ctg import`: an edited workbook (made by `ctg export`) applied to the plan's YAML files.

Every test works on a copy of a plan in tmp_path, edits the exported workbook with openpyxl
as a spreadsheet would, and checks the files' bytes: what changed, and that nothing else did.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from .conftest import BUNDLED, FIXTURES, PLANS, ROOT, copy_plan, invoke

CIVRAISIEN = PLANS / "civraisien-2019"
FICHE_3 = "fiches/03-groupe-sejours-solidaires.yaml"


# --------------------------------------------------------------------------- helpers


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a folder, by relative path, with its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def exported(plan: Path, tmp_path: Path, name: str = "plan.xlsx") -> Path:
    output = tmp_path / name
    result = invoke("export", str(plan), "-o", str(output))
    assert result.exit_code == 0, result.stderr
    return output


def ctg_import(plan: Path, *files: Path | str, dry_run: bool = False):
    args = ["import", str(plan), *(str(f) for f in files)]
    if dry_run:
        args.append("--dry-run")
    return invoke(*args)


def edit(workbook: Path, change: Callable[[openpyxl.Workbook], None]) -> None:
    book = openpyxl.load_workbook(workbook)
    change(book)
    book.save(workbook)


def column(sheet, header: str) -> int:
    """The 1-based column of ``header`` in the sheet's first row."""
    for cell in sheet[1]:
        if cell.value == header:
            return cell.column
    raise AssertionError(f"no column {header!r}")


def row_of(sheet, header: str, value: str) -> int:
    """The row whose ``header`` cell holds ``value``."""
    index = column(sheet, header)
    for row in range(2, sheet.max_row + 1):
        if str(sheet.cell(row=row, column=index).value) == value:
            return row
    raise AssertionError(f"no row with {header}={value!r}")


def set_cell(book, sheet: str, key: tuple[str, str], header: str, value) -> str:
    """Set ``header`` of the row whose ``key[0]`` column holds ``key[1]``; its address."""
    ws = book[sheet]
    cell = ws.cell(row=row_of(ws, *key), column=column(ws, header))
    cell.value = value
    return cell.coordinate


def edit_cell(workbook: Path, sheet: str, key: tuple[str, str], header: str, value) -> str:
    """:func:`set_cell` in the saved ``workbook``; the cell's address."""
    where: list[str] = []
    edit(workbook, lambda book: where.append(set_cell(book, sheet, key, header, value)))
    return where[0]


def changed_lines(before: bytes, after: bytes) -> list[str]:
    diff = difflib.unified_diff(
        before.decode().splitlines(), after.decode().splitlines(), lineterm="", n=0
    )
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


@pytest.fixture
def civraisien(tmp_path: Path) -> Path:
    return copy_plan(CIVRAISIEN, tmp_path / "civraisien-2019")


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return copy_plan(FIXTURES / "mini", tmp_path / "mini")


# --------------------------------------------------------------------------- round trip


def test_export_has_18_fiches_and_86_leaf_objectives(civraisien: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(exported(civraisien, tmp_path))
    fiches = list(book["Fiches"].iter_rows(min_row=2, values_only=True))
    assert len(fiches) == 18
    objectives = book["Objectifs"]
    covered = column(objectives, "Couvert")
    leaves = [
        row
        for row in objectives.iter_rows(min_row=2, values_only=True)
        if row[covered - 1] in ("oui", "non")
    ]
    assert len(leaves) == 86


@pytest.mark.parametrize("name", BUNDLED)
def test_unedited_workbook_changes_no_byte(name: str, tmp_path: Path) -> None:
    plan = copy_plan(PLANS / name, tmp_path / name)
    workbook = exported(plan, tmp_path)
    before = snapshot(plan)
    result = ctg_import(plan, workbook)
    assert result.exit_code == 0, result.stderr
    assert "no changes" in result.stdout
    assert "written" not in result.stdout
    assert snapshot(plan) == before


def test_workbook_saved_again_by_openpyxl_changes_no_byte(civraisien: Path, tmp_path) -> None:
    workbook = exported(civraisien, tmp_path)
    edit(workbook, lambda book: None)  # re-saved as a spreadsheet saves it
    before = snapshot(civraisien)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 0, result.stderr
    assert "no changes" in result.stdout
    assert snapshot(civraisien) == before


def test_one_pilote_cell_changes_exactly_that_line(civraisien: Path, tmp_path: Path) -> None:
    workbook = exported(civraisien, tmp_path)
    edit(
        workbook,
        lambda book: set_cell(
            book, "Fiches", ("Numéro", "3"), "Pilote(s) / porteur(s)", "Cicérone\nCCCP\nCAF"
        ),
    )
    before = snapshot(civraisien)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 0, result.stderr
    assert f"fiche 3 ({FICHE_3}): pilotes changed" in result.stdout
    assert "17 fiches unchanged" in result.stdout
    assert "1 file written" in result.stdout
    after = snapshot(civraisien)
    assert [k for k in after if after[k] != before[k]] == [FICHE_3]
    assert changed_lines(before[FICHE_3], after[FICHE_3]) == ["-  - MSA", "+  - CCCP"]
    text = after[FICHE_3].decode()
    assert "# Fiche action CTG n°3 — source: 002_55a8e9e00eede479.txt" in text
    assert "  - A.1.1  # added (1.1.b is cited)" in text
    assert invoke("validate", str(civraisien)).exit_code == 0


def test_dry_run_writes_nothing(civraisien: Path, tmp_path: Path) -> None:
    workbook = exported(civraisien, tmp_path)
    edit(workbook, lambda book: set_cell(book, "Fiches", ("Numéro", "3"), "Fin", "2022"))
    before = snapshot(civraisien)
    result = ctg_import(civraisien, workbook, dry_run=True)
    assert result.exit_code == 0, result.stderr
    assert f"fiche 3 ({FICHE_3}): fin changed" in result.stdout
    assert "nothing was written (--dry-run)" in result.stdout
    assert snapshot(civraisien) == before


# --------------------------------------------------------------------------- bad cells


def test_bad_year_is_located_and_nothing_is_written(civraisien: Path, tmp_path: Path) -> None:
    workbook = exported(civraisien, tmp_path)
    where: list[str] = []

    def change(book) -> None:
        where.append(set_cell(book, "Fiches", ("Numéro", "3"), "Début", "20222"))
        set_cell(book, "Fiches", ("Numéro", "4"), "Pilote(s) / porteur(s)", "CCCP")

    edit(workbook, change)
    before = snapshot(civraisien)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 1
    assert f"{workbook}: Fiches!{where[0]}: début « 20222 » is not a year" in result.stderr
    assert "nothing was written" in result.stderr
    assert snapshot(civraisien) == before


def test_bad_year_in_french(civraisien: Path, tmp_path: Path, monkeypatch) -> None:
    workbook = exported(civraisien, tmp_path)
    where = edit_cell(workbook, "Fiches", ("Numéro", "3"), "Début", "20222")
    monkeypatch.setenv("CTG_LANG", "fr")
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 1
    assert f"Fiches!{where} : début « 20222 » n'est pas une année" in result.stderr
    assert "1 erreur dans le classeur : rien n'a été écrit" in result.stderr


def test_year_of_thousands_of_digits_is_not_a_year(civraisien: Path, tmp_path: Path) -> None:
    # Found by tests/test_import_properties.py: float() of 5,000 digits is inf, and
    # int(inf) raised OverflowError (an internal error).
    workbook = exported(civraisien, tmp_path)
    where = edit_cell(workbook, "Fiches", ("Numéro", "3"), "Début", "1" * 5000)
    before = snapshot(civraisien)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 1
    assert f"{workbook}: Fiches!{where}: début « {'1' * 5000} » is not a year" in result.stderr
    assert snapshot(civraisien) == before


def test_progress_of_hundreds_of_digits_is_too_large(
    civraisien: Path, tmp_path: Path, monkeypatch
) -> None:
    # Found by tests/test_import_properties.py: float() of 400 digits is inf, which was
    # taken for a number; now « too large », like any number of more digits than a float.
    workbook = exported(civraisien, tmp_path)

    def change(book) -> None:
        ws = book["Suivi"]
        ws.append(["3", "2025-06-30", "en cours", "9" * 400])

    edit(workbook, change)
    before = snapshot(civraisien)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 1
    assert f"{workbook}: Suivi!D2: avancement (%) « {'9' * 400} » is too large" in result.stderr
    assert snapshot(civraisien) == before
    monkeypatch.setenv("CTG_LANG", "fr")
    result = ctg_import(civraisien, workbook)
    assert f"Suivi!D2 : avancement (%) « {'9' * 400} » est trop grand" in result.stderr


def test_fiche_number_of_many_digits_stays_text(civraisien: Path, tmp_path: Path) -> None:
    # Found by tests/test_import_properties.py: int() of more than 4,300 digits raised
    # ValueError (an internal error); such a « number » is kept as text, quoted.
    workbook = exported(civraisien, tmp_path)
    edit_cell(workbook, "Fiches", ("Numéro", "3"), "Numéro", "1" * 5000)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 0, result.output
    assert f'numéro: "{"1" * 5000}"' in (civraisien / FICHE_3).read_text(encoding="utf-8")


def test_every_bad_cell_is_reported(civraisien: Path, tmp_path: Path) -> None:
    workbook = exported(civraisien, tmp_path)
    where: list[str] = []

    def change(book) -> None:
        where.append(set_cell(book, "Fiches", ("Numéro", "1"), "Début", "l'an prochain"))
        where.append(set_cell(book, "Fiches", ("Numéro", "2"), "Titre", None))
        where.append(set_cell(book, "Fiches", ("Numéro", "5"), "Durée de l'action", "longue"))
        where.append(
            set_cell(book, "Fiches", ("Numéro", "6"), "Participation habitante", "Tout : oui")
        )

    edit(workbook, change)
    before = snapshot(civraisien)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].endswith(
        f"Fiches!{where[0]}: début « l'an prochain » is not a date "
        "(write 2024, 2024-09 or 2024-09-30)"
    )
    assert lines[1].endswith(f"Fiches!{where[1]}: titre must not be empty")
    assert lines[2].endswith(
        f"Fiches!{where[2]}: durée de l'action « longue » is not one of the choices: "
        "« annuelle », « pluriannuelle »"
    )
    assert f"Fiches!{where[3]}: participation habitante: « Tout : oui » is not a line" in lines[3]
    assert lines[4] == "4 errors in the workbook: nothing was written"
    assert snapshot(civraisien) == before


def test_a_file_outside_the_fiches_is_refused(civraisien: Path, tmp_path: Path) -> None:
    workbook = exported(civraisien, tmp_path)
    where = edit_cell(workbook, "Fiches", ("Numéro", "2"), "Fichier", "../../etc/passwd")
    before = snapshot(civraisien)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 1
    assert f"Fiches!{where}: « ../../etc/passwd » is not a fiche file of the plan" in (
        result.stderr
    )
    assert snapshot(civraisien) == before


def test_change_that_breaks_the_plan_is_not_written(civraisien: Path, tmp_path: Path) -> None:
    workbook = exported(civraisien, tmp_path)
    edit(
        workbook,
        lambda book: set_cell(
            book, "Fiches", ("Numéro", "3"), "Objectifs", "1.1.b\n1.2.c\n1.2.e\n9.9.z"
        ),
    )
    before = snapshot(civraisien)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 1
    assert f"fiche 3 ({FICHE_3}): objectifs changed" in result.stdout
    assert f"{civraisien}/{FICHE_3}:" in result.stderr and "9.9.z" in result.stderr
    assert "the import would bring these errors into the plan" in result.stderr
    assert snapshot(civraisien) == before


# --------------------------------------------------------------------------- additions


def test_new_row_is_a_new_fiche_that_validates(civraisien: Path, tmp_path: Path) -> None:
    workbook = exported(civraisien, tmp_path)

    def change(book) -> None:
        ws = book["Fiches"]
        row = ws.max_row + 1
        values = {
            "Titre": "Créer un point d'accueil des familles",
            "Objectifs": "1.1.b",
            "Pilote(s) / porteur(s)": "CAF\nCCCP",
            "Début": 2024,
        }
        for header, value in values.items():
            ws.cell(row=row, column=column(ws, header), value=value)

    edit(workbook, change)
    before = snapshot(civraisien)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 0, result.stderr
    name = "fiches/19-creer-point-accueil-familles.yaml"
    assert f"fiche 19 ({name}): added" in result.stdout
    assert "1 file written" in result.stdout
    after = snapshot(civraisien)
    assert set(after) - set(before) == {name}
    assert all(after[k] == before[k] for k in before)
    validated = invoke("validate", str(civraisien))
    assert validated.exit_code == 0, validated.stdout
    from ctgkit.loader import load_plan

    fiche = next(f.fiche for f in load_plan(civraisien).fiches if f.fiche.number == "19")
    assert fiche.title == "Créer un point d'accueil des familles"
    assert fiche.pilotes == ["CAF", "CCCP"]
    assert [ref.code for ref in fiche.objectives] == ["1.1.b"]
    assert fiche.start.iso() == "2024"


def test_follow_up_row_is_appended(civraisien: Path, tmp_path: Path) -> None:
    workbook = exported(civraisien, tmp_path)

    def change(book) -> None:
        ws = book["Suivi"]
        for header, value in {
            "Fiche": "3",
            "Date": "2021-06",
            "Statut": "en cours",
            "Avancement (%)": 40,
            "Réalisations": "Réseau constitué",
            "Auteur": "MSA",
        }.items():
            ws.cell(row=2, column=column(ws, header), value=value)

    edit(workbook, change)
    before = snapshot(civraisien)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 0, result.stderr
    assert "fiche 3: follow-up entry of 2021-06 added" in result.stdout
    after = snapshot(civraisien)
    assert [k for k in after if after[k] != before[k]] == [FICHE_3]
    assert after[FICHE_3].startswith(before[FICHE_3])  # only lines added, at the end
    from ctgkit.loader import load_plan

    plan = load_plan(civraisien)
    fiche = next(f.fiche for f in plan.fiches if f.fiche.number == "3")
    assert [(e.date.iso(), e.status, e.progress, e.author) for e in fiche.follow_up] == [
        ("2021-06", "en cours", 40, "MSA")
    ]


def test_follow_up_entry_appended_and_changed(mini: Path, tmp_path: Path) -> None:
    fiche_file = "fiches/01-places-accueil.yaml"
    fiche = mini / fiche_file
    follow_up = (FIXTURES / "suivi" / "fiche-en-cours.yaml").read_text("utf-8")
    fiche.write_text(fiche.read_text("utf-8") + follow_up, "utf-8")
    workbook = exported(mini, tmp_path)

    def change(book) -> None:
        ws = book["Suivi"]
        rows = [r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value == "1"]
        ws.cell(row=rows[-1], column=column(ws, "Avancement (%)"), value=60)
        new = ws.max_row + 1
        for header, value in {"Fiche": "1", "Date": "2023-01", "Statut": "réalisée"}.items():
            ws.cell(row=new, column=column(ws, header), value=value)

    before = snapshot(mini)
    edit(workbook, change)
    result = ctg_import(mini, workbook)
    assert result.exit_code == 0, result.stderr
    assert "fiche 1: follow-up entry of 2023-01 added" in result.stdout
    assert "avancement changed" in result.stdout
    after = snapshot(mini)
    assert [k for k in after if after[k] != before[k]] == [fiche_file]
    lines = changed_lines(before[fiche_file], after[fiche_file])
    assert any(line.startswith("-") and "avancement" in line for line in lines)
    assert any(line.startswith("+") and "avancement: 60" in line for line in lines)
    assert any("2023-01" in line for line in lines)


def test_indicator_measure_added(mini: Path, tmp_path: Path) -> None:
    workbook = exported(mini, tmp_path)
    fiche_file = "fiches/01-places-accueil.yaml"

    def change(book) -> None:
        ws = book["Indicateurs"]
        row = row_of(ws, "Libellé", "Taux d'occupation")
        cell = ws.cell(row=row, column=column(ws, "Mesures"))
        cell.value = f"{cell.value}\n2023-06-30 : 72 (CAF)"

    edit(workbook, change)
    before = snapshot(mini)
    result = ctg_import(mini, workbook)
    assert result.exit_code == 0, result.stderr
    assert "fiche 1: indicator « Taux d'occupation »: mesures changed" in result.stdout
    after = snapshot(mini)
    assert [k for k in after if after[k] != before[k]] == [fiche_file]
    from ctgkit.loader import load_plan

    fiche = next(f.fiche for f in load_plan(mini).fiches if f.fiche.number == "1")
    indicator = fiche.indicators[1]
    assert [(m.date.iso(), m.value, m.source) for m in indicator.measurements] == [
        ("2022-06-30", 65, None),
        ("2023-06-30", 72, "CAF"),
    ]
    assert invoke("validate", str(mini)).exit_code == 0


def test_indicator_row_removed_is_kept(mini: Path, tmp_path: Path) -> None:
    workbook = exported(mini, tmp_path)

    def change(book) -> None:
        ws = book["Indicateurs"]
        ws.delete_rows(row_of(ws, "Libellé", "Nombre de places"))

    edit(workbook, change)
    before = snapshot(mini)
    result = ctg_import(mini, workbook)
    assert result.exit_code == 0, result.stderr
    assert "fiche 1: indicator « Nombre de places » absent from the workbook, kept" in (
        result.stdout
    )
    assert "no changes" in result.stdout
    assert snapshot(mini) == before


# --------------------------------------------------------------------------- bad workbooks


def _not_xlsx(path: Path) -> str:
    path.write_text("numéro;titre\n1;Bonjour\n", encoding="utf-8")
    return "this is not an Excel workbook (.xlsx)"


def _no_fiches_sheet(path: Path) -> str:
    edit(path, lambda book: book.remove(book["Fiches"]))
    return "the sheet « Fiches » is missing"


def _extra_column(path: Path) -> str:
    def change(book) -> None:
        ws = book["Fiches"]
        ws.cell(row=1, column=ws.max_column + 1, value="Remarques du COPIL")

    edit(path, change)
    return "unknown column « Remarques du COPIL »"


def _merged_cells(path: Path) -> str:
    edit(path, lambda book: book["Fiches"].merge_cells("B2:C2"))
    return "Fiches!B2: merged cells (B2:C2) cannot be read; unmerge them"


def _ten_thousand_rows(path: Path) -> str:
    def change(book) -> None:
        ws = book["Suivi"]
        for row in range(2, 10_002):
            ws.cell(row=row, column=1, value="3")
            ws.cell(row=row, column=2, value="2021")

    edit(path, change)
    return "Suivi!5002: the sheet has too many rows (more than 5000)"


def _formula(path: Path) -> str:
    def change(book) -> None:
        ws = book["Fiches"]
        ws.cell(row=3, column=column(ws, "Fin"), value="=2020+1")

    edit(path, change)
    return "this cell holds a formula; write its value instead"


@pytest.mark.parametrize(
    "damage",
    [_not_xlsx, _no_fiches_sheet, _extra_column, _merged_cells, _ten_thousand_rows, _formula],
    ids=["not-xlsx", "no-fiches-sheet", "extra-column", "merged", "10000-rows", "formula"],
)
def test_bad_workbook_is_refused_cleanly(damage, civraisien: Path, tmp_path: Path) -> None:
    workbook = exported(civraisien, tmp_path)
    expected = damage(workbook)
    before = snapshot(civraisien)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 1
    assert str(workbook) in result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(civraisien) == before


def test_bad_workbook_in_a_real_process_has_no_traceback(civraisien: Path, tmp_path) -> None:
    workbook = exported(civraisien, tmp_path)
    _merged_cells(workbook)
    before = snapshot(civraisien)
    result = subprocess.run(
        [sys.executable, "-m", "ctgkit.cli", "import", str(civraisien), str(workbook)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CTG_LANG": "en"},
    )
    assert result.returncode == 1
    assert "Fiches!B2: merged cells" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(civraisien) == before


def test_usage_errors(civraisien: Path, tmp_path: Path) -> None:
    workbook = exported(civraisien, tmp_path)
    missing_plan = ctg_import(tmp_path / "nowhere", workbook)
    assert missing_plan.exit_code == 2
    assert "nowhere" in missing_plan.stderr
    missing_file = ctg_import(civraisien, tmp_path / "absent.xlsx")
    assert missing_file.exit_code == 2
    assert "absent.xlsx: no such file" in missing_file.stderr


# --------------------------------------------------------------------------- kinds of fields


def test_one_step_changed_and_one_added(civraisien: Path, tmp_path: Path) -> None:
    workbook = exported(civraisien, tmp_path)

    def change(book) -> None:
        ws = book["Fiches"]
        cell = ws.cell(row=row_of(ws, "Numéro", "3"), column=column(ws, "Étapes chronologiques"))
        lines = cell.value.split("\n")
        assert lines[2] == (
            "  1.2. Recenser les aides financières disponibles pour les bénéficiaires"
        )
        lines[2] += " et les faire connaître"
        lines.append("6. Faire le bilan annuel")
        cell.value = "\n".join(lines)

    edit(workbook, change)
    before = snapshot(civraisien)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 0, result.stderr
    assert f"fiche 3 ({FICHE_3}): étapes changed" in result.stdout
    assert changed_lines(before[FICHE_3], snapshot(civraisien)[FICHE_3]) == [
        "-        texte: Recenser les aides financières disponibles pour les bénéficiaires",
        "+        texte: Recenser les aides financières disponibles pour les bénéficiaires et "
        "les faire connaître",
        '+  - numéro: "6"',
        "+    texte: Faire le bilan annuel",
    ]


def test_objective_text_form_is_kept(mini: Path, tmp_path: Path) -> None:
    fiche = mini / "fiches/01-places-accueil.yaml"
    text = fiche.read_text("utf-8").replace(
        "objectifs: [1.1.a, 1.1.b]",
        "objectifs:\n  - code: 1.1.a\n"
        "    texte: Augmenter le nombre de places d'accueil\n  - 1.1.b",
    )
    fiche.write_text(text, "utf-8")
    workbook = exported(mini, tmp_path)
    where: list[str] = []

    def change(book) -> None:
        where.append(set_cell(book, "Fiches", ("Numéro", "1"), "Objectifs", None))
        ws = book["Fiches"]
        cell = ws[where[0]]
        cell.value = "1.1.b\n1.1.a « Augmenter le nombre de places d'accueil »"

    edit(workbook, change)
    before = fiche.read_bytes()
    result = ctg_import(mini, workbook)
    assert result.exit_code == 0, result.stderr
    # The long form of 1.1.a (code and text) is kept, moved after 1.1.b.
    after = fiche.read_text("utf-8")
    assert "objectifs:\n  - 1.1.b\n  - code: 1.1.a\n    texte: Augmenter le nombre" in after
    assert len(changed_lines(before, fiche.read_bytes())) <= 4


def test_escaped_control_character_comes_back(mini: Path, tmp_path: Path) -> None:
    fiche = mini / "fiches/01-places-accueil.yaml"
    fiche.write_text(
        fiche.read_text("utf-8").replace(
            "titre: Ouvrir une micro-crèche", 'titre: "Ouvrir une micro-crèche\\x07 (bip)"'
        ),
        "utf-8",
    )
    workbook = exported(mini, tmp_path)
    book = openpyxl.load_workbook(workbook)
    assert book["Fiches"]["B2"].value == "Ouvrir une micro-crèche\\x07 (bip)"
    unedited = ctg_import(mini, workbook)
    assert "no changes" in unedited.stdout
    edit(workbook, lambda b: set_cell(b, "Fiches", ("Numéro", "1"), "Titre", "Ouvrir\\x07 vite"))
    result = ctg_import(mini, workbook)
    assert result.exit_code == 0, result.stderr
    from ctgkit.loader import load_plan

    titles = {f.fiche.number: f.fiche.title for f in load_plan(mini).fiches}
    assert titles["1"] == "Ouvrir\x07 vite"


def test_text_cut_to_fit_a_cell_cannot_be_edited(mini: Path, tmp_path: Path) -> None:
    fiche = mini / "fiches/01-places-accueil.yaml"
    long_text = " ".join(["Une description très longue."] * 1500)  # 42,000 characters
    fiche.write_text(fiche.read_text("utf-8") + f"description: {long_text}\n", "utf-8")
    workbook = exported(mini, tmp_path)
    before = snapshot(mini)
    unedited = ctg_import(mini, workbook)
    assert unedited.exit_code == 0, unedited.stderr
    assert "no changes" in unedited.stdout
    where: list[str] = []

    def change(book) -> None:
        ws = book["Fiches"]
        cell = ws.cell(row=row_of(ws, "Numéro", "1"), column=column(ws, "Description"))
        assert len(cell.value) == 32_767 and cell.value.endswith(" […]")
        cell.value = "Courte. " + cell.value[8:]
        where.append(cell.coordinate)

    edit(workbook, change)
    result = ctg_import(mini, workbook)
    assert result.exit_code == 1
    assert (
        f"Fiches!{where[0]}: this text was cut to fit in a cell (32767 characters): edit it "
        "in fiches/01-places-accueil.yaml, not in the workbook"
    ) in result.stderr
    assert snapshot(mini) == before


def test_documents_cannot_be_edited_in_a_cell(civraisien: Path, tmp_path: Path) -> None:
    workbook = exported(civraisien, tmp_path)
    sheet = openpyxl.load_workbook(workbook)["Fiches"]
    documents = column(sheet, "Documents")
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, documents).value)
    number = sheet.cell(row, 1).value
    where = f"{sheet.cell(row, documents).column_letter}{row}"
    edit(workbook, lambda b: b["Fiches"].__setitem__(where, "CLS fiche action n°99"))
    before = snapshot(civraisien)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 1
    assert f"Fiches!{where}: documents cannot be edited in the workbook" in result.stderr
    assert number
    assert snapshot(civraisien) == before


# --------------------------------------------------------------------------- rows


def test_fiche_row_removed_is_kept(civraisien: Path, tmp_path: Path) -> None:
    workbook = exported(civraisien, tmp_path)
    edit(workbook, lambda b: b["Fiches"].delete_rows(row_of(b["Fiches"], "Numéro", "5")))
    before = snapshot(civraisien)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 0, result.stderr
    assert (
        "1 fiche absent from the workbook, kept: fiches/05-dispositifs-de-mobilite.yaml"
        in result.stdout
    )
    assert snapshot(civraisien) == before


def test_new_fiche_number_already_used(civraisien: Path, tmp_path: Path) -> None:
    workbook = exported(civraisien, tmp_path)
    where: list[str] = []

    def change(book) -> None:
        ws = book["Fiches"]
        row = ws.max_row + 1
        ws.cell(row=row, column=column(ws, "Titre"), value="Une fiche de plus")
        cell = ws.cell(row=row, column=column(ws, "Numéro"), value="7")
        where.append(cell.coordinate)

    edit(workbook, change)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 1
    assert f"Fiches!{where[0]}: fiche number 7 is already used" in result.stderr


def test_follow_up_row_for_an_unknown_fiche(civraisien: Path, tmp_path: Path) -> None:
    workbook = exported(civraisien, tmp_path)

    def change(book) -> None:
        ws = book["Suivi"]
        for header, value in {"Fiche": "42", "Date": "2021", "Statut": "prévue"}.items():
            ws.cell(row=2, column=column(ws, header), value=value)
        ws.cell(row=3, column=column(ws, "Fiche"), value="2")
        ws.cell(row=3, column=column(ws, "Date"), value="2021")
        ws.cell(row=3, column=column(ws, "Statut"), value="commencée")

    edit(workbook, change)
    before = snapshot(civraisien)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 1
    assert "Suivi!A2: the plan has no fiche number 42" in result.stderr
    assert (
        "Suivi!C3: statut « commencée » is not one of the choices: « prévue », « en cours », "
        "« réalisée », « reportée », « abandonnée »"
    ) in result.stderr
    assert snapshot(civraisien) == before


def test_two_workbooks_that_disagree(civraisien: Path, tmp_path: Path) -> None:
    first = exported(civraisien, tmp_path, "caf.xlsx")
    second = exported(civraisien, tmp_path, "msa.xlsx")
    edit(first, lambda b: set_cell(b, "Fiches", ("Numéro", "3"), "Fin", "2022"))
    edit(second, lambda b: set_cell(b, "Fiches", ("Numéro", "3"), "Fin", "2023"))
    before = snapshot(civraisien)
    result = ctg_import(civraisien, first, second)
    assert result.exit_code == 1
    assert f"{second}: Fiches!" in result.stderr
    assert f"{first}: Fiches!" in result.stderr and "gives another value" in result.stderr
    assert snapshot(civraisien) == before
    edit(second, lambda b: set_cell(b, "Fiches", ("Numéro", "3"), "Fin", "2022"))
    agreed = ctg_import(civraisien, first, second)
    assert agreed.exit_code == 0, agreed.stderr
    assert "1 file written" in agreed.stdout


def test_new_fiche_with_its_follow_up_and_indicator(civraisien: Path, tmp_path: Path) -> None:
    workbook = exported(civraisien, tmp_path)

    def change(book) -> None:
        ws = book["Fiches"]
        row = ws.max_row + 1
        ws.cell(row=row, column=column(ws, "Titre"), value="Ludothèque itinérante")
        ws.cell(row=row, column=column(ws, "Numéro"), value=25)
        ws.cell(row=row, column=column(ws, "Objectifs"), value="1.1.b")
        ws = book["Indicateurs"]
        row = ws.max_row + 1
        ws.cell(row=row, column=column(ws, "Fiche"), value="25")
        ws.cell(row=row, column=column(ws, "Libellé"), value="Nombre de prêts")
        ws = book["Suivi"]
        for header, value in {"Fiche": 25, "Date": "2022-03", "Statut": "prévue"}.items():
            ws.cell(row=2, column=column(ws, header), value=value)

    edit(workbook, change)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    name = "fiches/25-ludotheque-itinerante.yaml"
    assert lines[:3] == [
        f"fiche 25 ({name}): added",
        "fiche 25: indicator « Nombre de prêts » added",
        "fiche 25: follow-up entry of 2022-03 added",
    ]
    assert invoke("validate", str(civraisien)).exit_code == 0
    from ctgkit.loader import load_plan

    fiche = next(f.fiche for f in load_plan(civraisien).fiches if f.fiche.number == "25")
    assert [i.label for i in fiche.indicators] == ["Nombre de prêts"]
    assert [(e.date.iso(), e.status) for e in fiche.follow_up] == [("2022-03", "prévue")]


def test_same_new_row_in_two_workbooks_is_added_once(civraisien: Path, tmp_path: Path) -> None:
    books = [exported(civraisien, tmp_path, f"{who}.xlsx") for who in ("caf", "msa")]

    def change(book) -> None:
        ws = book["Suivi"]
        for header, value in {"Fiche": "2", "Date": "2021", "Statut": "en cours"}.items():
            ws.cell(row=2, column=column(ws, header), value=value)

    for workbook in books:
        edit(workbook, change)
    result = ctg_import(civraisien, *books)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("fiche 2: follow-up entry of 2021 added") == 1
    from ctgkit.loader import load_plan

    fiche = next(f.fiche for f in load_plan(civraisien).fiches if f.fiche.number == "2")
    assert [(e.date.iso(), e.status) for e in fiche.follow_up] == [("2021", "en cours")]


def test_importing_a_new_row_twice_does_not_make_two_fiches(civraisien: Path, tmp_path) -> None:
    workbook = exported(civraisien, tmp_path)

    def change(book) -> None:
        ws = book["Fiches"]
        ws.cell(row=ws.max_row + 1, column=column(ws, "Titre"), value="Jardin partagé")

    edit(workbook, change)
    assert ctg_import(civraisien, workbook).exit_code == 0
    before = snapshot(civraisien)
    again = ctg_import(civraisien, workbook)
    assert again.exit_code == 1
    assert (
        "the plan already has a fiche with this title (fiches/19-jardin-partage.yaml)"
        in again.stderr
    )
    assert snapshot(civraisien) == before


def test_indicators_column_of_fiches_is_not_read(civraisien: Path, tmp_path: Path) -> None:
    workbook = exported(civraisien, tmp_path)
    where = edit_cell(workbook, "Fiches", ("Numéro", "3"), "Indicateurs de réussite", "Un autre")
    before = snapshot(civraisien)
    result = ctg_import(civraisien, workbook)
    assert result.exit_code == 0, result.stderr
    assert (
        f"fiche 3: Fiches!{where}: the indicators of a fiche that has some are edited in the "
        "« Indicateurs » sheet; this cell was not read"
    ) in result.stdout
    assert "no changes" in result.stdout
    assert snapshot(civraisien) == before
