"""A plan as a spreadsheet (``ctg export``): the workbook coordinators and partners open.

Sheets: « Lisez-moi » (what each sheet holds), « Objectifs » (the strategy tree),
« Fiches » (one row per fiche, one column per field of the plan's form), « Matrice »
(objectif × fiche), « Indicateurs » and « Suivi ». The workbook is French, like the
documents ``ctg render`` produces, whatever the language of ctg's messages.

Every cell that holds plan text is a string cell, never a formula: a title written
``=SOMME(A1)`` comes back as that text, with no prefix added (a spreadsheet would otherwise
run it). Two exports of the same plan are the same bytes: no date is written, and the
archive's entries are dated 1980-01-01.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .card import amount, number
from .coverage_model import compute, natural_key
from .form import FormField, grid_values
from .fsutil import deterministic_archive
from .index import PlanIndex
from .loader import Plan

#: The sheets, in workbook order.
SHEET_NAMES = ("Lisez-moi", "Objectifs", "Fiches", "Matrice", "Indicateurs", "Suivi")
#: The most characters a cell holds (Excel's limit).
MAX_CELL = 32_767
#: Characters XML 1.0 cannot hold (C0 controls but tab and line breaks, lone surrogates):
#: shown as escapes, as ctg prints them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Kinds of form fields that are not a column of « Fiches » (the follow-up has its sheet).
NOT_COLUMNS = frozenset({"hidden"})


@dataclass
class Sheet:
    """One sheet: a header row and data rows (or, for « Lisez-moi », lines of text)."""

    name: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    freeze: str = "A2"  # the first cell that scrolls
    widths: dict[int, float] = field(default_factory=dict)  # fixed widths, by column (0-based)
    table: bool = True  # header styled, filters; « Lisez-moi » is prose


# --------------------------------------------------------------------------- cells


def _cell_text(text: str) -> str:
    """Plan text as a cell can hold it: controls XML refuses shown as escapes, and at most
    Excel's 32,767 characters (a longer text is cut, marked « […] »)."""
    text = _NOT_XML.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 4] + " […]"
    return text


def _number_value(value: Any) -> Any:
    """A number as a number cell (12, not 12.0); text as written."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float):
        return value
    return str(value)


def _lines(items: Sequence[Any]) -> str | None:
    """A list as one item per line; None when empty."""
    texts = [str(item) for item in items if item is not None and str(item) != ""]
    return "\n".join(texts) if texts else None


def _steps(steps: Sequence[Any], depth: int = 0) -> list[str]:
    out = []
    for step in steps:
        label = " ".join((step.label or "").split())
        marker = (f"{label}." if label[-1:].isdigit() else f"{label} :") if label else "-"
        text = " ".join(str(step.text).split())
        out.append(f"{'  ' * depth}{marker} {text}")
        out.extend(_steps(step.steps, depth + 1))
    return out


def field_value(form_field: FormField, value: Any) -> Any:
    """The cell of one form field of a fiche: text (lists one item per line), a number, or
    None when the field is empty."""
    kind = form_field.kind
    if value is None or value == [] or value == {}:
        return None
    if kind in ("nombre", "montant"):
        return _number_value(value)
    if kind == "date":
        return value.iso()
    if kind == "oui/non":
        return "oui" if value else "non"
    if kind in ("liste", "acteurs", "liste_markdown", "codes", "fiches"):
        return _lines(value)
    if kind == "objectifs":
        return _lines(f"{ref.code} « {ref.text} »" if ref.text else ref.code for ref in value)
    if kind == "choix multiples":
        if isinstance(value, dict):
            return _lines(
                f"{group} : {' ; '.join(items)}" for group, items in value.items() if items
            )
        return _lines(value)
    if kind == "grille oui/non":
        return _lines(
            f"{label} : {'oui' if given else 'non'}"
            for _key, label, given in grid_values(form_field, value)
            if given is not None
        )
    if kind == "étapes":
        return _lines(_steps(value))
    if kind == "indicateurs":
        return _lines(indicator.label for indicator in value)
    if kind == "budget":
        return _lines(_budget_line(line) for line in value)
    if kind == "documents":
        return _lines(_document(doc) for doc in value)
    if kind == "lacunes":
        return _lines(f"{gap.field} : {gap.note}" if gap.field else gap.note for gap in value)
    return str(value)


def _budget_line(line: Any) -> str:
    text = line.funder
    if line.amount is not None:
        text += f" : {amount(line.amount)}"
    if line.nature:
        text += f" ({line.nature})"
    return text


def _document(doc: Any) -> str:
    text = " ".join(part for part in (doc.programme, doc.ref) if part)
    if doc.title:
        text = f"{text} « {doc.title} »" if text else f"« {doc.title} »"
    if doc.url:
        text = f"{text} {doc.url}" if text else doc.url
    return text


# --------------------------------------------------------------------------- sheets


def sheets(plan: Plan) -> list[Sheet]:
    """The workbook of a plan as data: every sheet, header and row (no spreadsheet
    library needed to read it)."""
    assert plan.meta is not None and plan.form is not None
    index = PlanIndex(plan.meta)
    measured = compute(plan, index)
    fiches = sorted(plan.fiches, key=lambda loaded: natural_key(loaded.fiche.number))
    columns = [f for f in plan.form.fields if f.kind not in NOT_COLUMNS]
    return [
        _readme(plan, columns),
        _objectives(index, measured),
        _fiches(plan, fiches, columns),
        _matrix(measured),
        _indicators(fiches),
        _follow_up(fiches),
    ]


def _objectives(index: PlanIndex, measured: Any) -> Sheet:
    served = {index.canonical(row.code): row.fiches for row in measured.objectives}
    order = [fiche.number for fiche in measured.fiches]
    rows = []
    for info in index.order:
        key = index.canonical(info.code)
        if index.untranscribed(info):
            covered, numbers = "non transcrit", []
        elif info.is_leaf:
            numbers = served.get(key, [])
            covered = "oui" if numbers else "non"
        else:
            below = {n for leaf in info.leaves for n in served.get(leaf, [])}
            covered, numbers = None, [n for n in order if n in below]
        parent = index.nodes[info.ancestors[-1]].code if info.ancestors else None
        rows.append(
            [
                info.code,
                index.level_name(info.level),
                info.node.title,
                parent,
                covered,
                ", ".join(numbers) or None,
            ]
        )
    headers = ["Code", "Niveau", "Titre", "Parent", "Couvert", "Fiches qui le servent"]
    return Sheet("Objectifs", headers, rows, freeze="B2", widths={2: 70})


def _fiches(plan: Plan, fiches: list[Any], columns: list[FormField]) -> Sheet:
    rows = []
    for loaded in fiches:
        fiche = loaded.fiche
        row = [field_value(f, getattr(fiche, f.attr, None)) for f in columns]
        rows.append([*row, loaded.source.path.relative_to(plan.root).as_posix()])
    headers = [f.label for f in columns] + ["Fichier"]
    return Sheet("Fiches", headers, rows, freeze="C2")


def _matrix(measured: Any) -> Sheet:
    numbers = [fiche.number for fiche in measured.fiches]
    rows = [
        [row.code, row.title, *("X" if n in row.fiches else None for n in numbers)]
        for row in measured.objectives
    ]
    widths = {0: 10, 1: 60} | {i + 2: 6 for i in range(len(numbers))}
    return Sheet("Matrice", ["Code", "Objectif", *numbers], rows, freeze="C2", widths=widths)


def _indicators(fiches: list[Any]) -> Sheet:
    rows = []
    for loaded in fiches:
        fiche = loaded.fiche
        for indicator in getattr(fiche, "indicators", []) or []:
            rows.append(
                [
                    fiche.number,
                    indicator.label,
                    indicator.unit,
                    indicator.direction,
                    _number_value(indicator.baseline),
                    indicator.baseline_date.iso() if indicator.baseline_date else None,
                    _number_value(indicator.target),
                    _lines(
                        f"{year} : {number(value)}"
                        for year, value in sorted(indicator.targets.items())
                    ),
                    _lines(_measurement(m) for m in indicator.measurements),
                ]
            )
    headers = [
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
    return Sheet("Indicateurs", headers, rows, freeze="C2")


def _measurement(measure: Any) -> str:
    text = f"{measure.date.iso()} : {number(measure.value)}"
    if measure.source:
        text += f" ({measure.source})"
    if measure.note:
        text += f" — {measure.note}"
    return text


def _follow_up(fiches: list[Any]) -> Sheet:
    rows = []
    for loaded in fiches:
        fiche = loaded.fiche
        entries = getattr(fiche, "follow_up", []) or []
        for entry in entries:  # in the file's order
            rows.append(
                [
                    fiche.number,
                    entry.date.iso(),
                    entry.status,
                    _number_value(entry.progress),
                    entry.achievements,
                    entry.difficulties,
                    entry.next_steps,
                    entry.author,
                    entry.note,
                ]
            )
    headers = [
        "Fiche",
        "Date",
        "Statut",
        "Avancement (%)",
        "Réalisations",
        "Difficultés",
        "Prochaines étapes",
        "Auteur",
        "Commentaire",
    ]
    return Sheet("Suivi", headers, rows, freeze="C2")


def _readme(plan: Plan, columns: list[FormField]) -> Sheet:
    assert plan.meta is not None and plan.form is not None
    meta = plan.meta
    lines: list[list[Any]] = [
        [meta.title],
        [f"Territoire : {meta.territory.name}"],
        [f"Dossier du plan : {plan.slug} ; formulaire des fiches : « {plan.form.name} »"],
        [
            "Ce classeur a été produit par `ctg export` (ctgkit) à partir des fichiers YAML "
            "du plan, qui restent la référence : une modification faite ici n'atteint le "
            "plan que par `ctg import PLAN CLASSEUR.xlsx`, qui reporte les feuilles Fiches, "
            "Indicateurs et Suivi (les autres feuilles ne sont pas relues ; « Fichier » "
            "désigne la fiche : laissez-la vide pour ajouter une fiche). Il ne porte pas de "
            "date : deux exports du même plan sont identiques."
        ],
        [None],
        ["Les feuilles"],
        [
            "Objectifs : l'arbre de la stratégie, du haut vers le bas (code, niveau, titre, "
            "code du parent). « Couvert » vaut oui ou non pour chaque objectif (nœud sans "
            "enfants), selon qu'une fiche au moins le sert ; « Fiches qui le servent » donne "
            "leurs numéros (pour un axe ou un objectif stratégique, les fiches qui servent "
            "un objectif placé dessous)."
        ],
        [
            "Fiches : une ligne par fiche action, une colonne par champ du formulaire du plan ; "
            "une liste s'écrit un élément par ligne dans la cellule. La dernière colonne "
            "donne le fichier de la fiche."
        ],
        [
            "Matrice : les objectifs en lignes, les fiches (par numéro) en colonnes ; un X "
            "quand la fiche sert l'objectif."
        ],
        [
            "Indicateurs : une ligne par indicateur de réussite, avec sa fiche, son unité, "
            "son sens (hausse, baisse, stable), sa valeur de référence, sa cible finale, "
            "ses cibles par année et ses mesures (date : valeur (source) — commentaire)."
        ],
        [
            "Suivi : une ligne par point de suivi d'une fiche (date, statut, avancement, "
            "réalisations, difficultés, prochaines étapes, auteur, commentaire)."
        ],
        [
            "Chaque feuille a des filtres sur sa ligne d'en-tête. Les textes sont ceux du "
            "plan, tels quels (Markdown compris)."
        ],
        [None],
        ["Colonnes de la feuille Fiches et clés des fichiers YAML"],
        *([f"{f.label} : {f.key}"] for f in columns),
    ]
    return Sheet("Lisez-moi", ["Lisez-moi"], lines, freeze="", widths={0: 110}, table=False)


# --------------------------------------------------------------------------- workbook


def workbook_bytes(plan: Plan) -> bytes:
    """The .xlsx file of ``plan`` (a loaded plan without errors), always the same bytes
    for the same plan."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets(plan):
        _write_sheet(book, sheet)
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return deterministic_archive(buffer.getvalue())


def _write_sheet(book: Any, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(sheet.name)
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    longest: dict[int, int] = {}
    for r, values in enumerate([sheet.headers, *sheet.rows], start=1):
        for c, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = ws.cell(row=r, column=c)
            _set(cell, value)
            cell.alignment = wrap
            if r == 1 and sheet.table or (not sheet.table and r == 2):
                cell.font = bold
            if r == 1 and sheet.table:
                cell.fill = fill
            text = str(cell.value)
            width = max((len(line) for line in text.splitlines()), default=0)
            longest[c - 1] = max(longest.get(c - 1, 0), width)
    chosen_widths: dict[int, float] = {}
    for c, width in longest.items():
        fixed = sheet.widths.get(c)
        chosen = fixed if fixed is not None else min(max(width, 6), 50) + 2
        ws.column_dimensions[get_column_letter(c + 1)].width = chosen
        chosen_widths[c] = chosen
    for r, values in enumerate([sheet.headers, *sheet.rows], start=1):
        texts = ["" if v is None else _cell_text(str(v)) for v in values]
        widths = [chosen_widths.get(c, 8.0) for c in range(len(values))]
        ws.row_dimensions[r].height = _height(texts, widths, bold=r == 1)
    if sheet.table:
        ws.freeze_panes = sheet.freeze
        last = get_column_letter(max(len(sheet.headers), 1))
        ws.auto_filter.ref = f"A1:{last}{len(sheet.rows) + 1}"
    else:
        ws.cell(row=1, column=1).font = Font(bold=True, size=14)


#: Points per line of wrapped text, and the tallest row (LibreOffice does not grow the rows
#: a program writes: without a height, wrapped text overlaps the next row).
LINE_HEIGHT, _MAX_HEIGHT = 15, 300


def _height(texts: list[str], widths: list[float], bold: bool = False, least: int = 1) -> float:
    """A row's height for its wrapped texts (spreadsheets do not grow rows written by a
    program): the most lines a cell needs at its column's width, at least ``least`` lines
    (room to write in)."""
    lines = least
    for text, width in zip(texts, widths, strict=False):
        per_line = max(int(width) - (3 if bold else 1), 1)
        needed = sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))
        lines = max(lines, needed if text else 1)
    return min(lines * LINE_HEIGHT, _MAX_HEIGHT)


def _set(cell: Any, value: Any) -> None:
    """A value in a cell: a number as a number, anything else as a string cell, never a
    formula (openpyxl would read « =… » as one)."""
    if isinstance(value, bool):
        value = "oui" if value else "non"
    if isinstance(value, int | float):
        cell.value = value
        return
    cell.value = _cell_text(str(value))
    cell.data_type = "s"
