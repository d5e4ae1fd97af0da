"""Applying an edited workbook to a plan's YAML files (``ctg import``).

The workbook is one ``ctg export`` wrote, then edited in Excel or LibreOffice: its « Fiches »,
« Indicateurs » and « Suivi » sheets are read back (« Lisez-moi », « Objectifs » and
« Matrice » are derived from the plan and ignored). Each cell is compared with what
``ctg export`` writes for the plan as it is now (:func:`ctgkit.export.field_value` and the
sheets' rows): a cell that has not changed changes nothing, so an unedited workbook changes
no byte. A changed cell is read back into the field's YAML value according to the field's
kind, then applied in place by :mod:`ctgkit.yaml_edit` (comments and layout kept, only what
differs rewritten), through a :class:`ctgkit.plan_changes.ChangeSet`.

Every bad cell is a :class:`~ctgkit.workbook_read.WorkbookError` naming the sheet, the cell
and the field; all of them are collected (:class:`ImportErrors`) and then nothing is written.

Lists keep what did not change: the lines of a cell are aligned with the items the file holds
(:class:`difflib.SequenceMatcher`), and an item whose line is the same is kept exactly as the
file writes it (short or long form of an objective, a step's text folded over lines, a fiche
number written as a number…). A field whose current value a cell cannot show unambiguously
(an item spread over several lines, a text cut at 32,767 characters, the documents) can only
be edited in its YAML file: its cell must come back unchanged.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from .export import (
    _NOT_XML,
    MAX_CELL,
    NOT_COLUMNS,
    _cell_text,
    _fiches,
    _follow_up,
    _indicators,
    field_value,
)
from .form import Form, FormField, find_group, grid_values
from .i18n import _, ngettext
from .loader import FICHES_DIR, LoadedFiche, Plan, fiche_files
from .model import DIRECTIONS, FOLLOW_UP_STATUSES, fold
from .plan_changes import ChangeSet
from .workbook_read import (
    MAX_DIGITS,
    Cell,
    Row,
    Table,
    WorkbookError,
    iter_lines,
    number,
    open_workbook,
    read_table,
    text,
)
from .yaml_edit import Append, Delete, EditError, Set, apply

#: The sheets ``ctg import`` reads.
FICHES, INDICATORS, FOLLOW_UP = "Fiches", "Indicateurs", "Suivi"
#: The column of « Fiches » that names the fiche's file.
FILE_COLUMN = "Fichier"

#: A cell export cut to Excel's limit ends so.
_CUT = " […]"
#: The escapes export writes for characters a cell cannot hold (controls, lone surrogates).
_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")
_YEAR = re.compile(r"[+-]?\d+")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_FRENCH_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_FRENCH_MONTH = re.compile(r"(\d{1,2})/(\d{4})")
_OBJECTIVE = re.compile(r"(?P<code>.+?)\s*«\s*(?P<text>.*?)\s*»")
_STEP_NUMBERED = re.compile(r"(?P<label>(?:\S.*?)?\d)\.\s+(?P<text>.*)")
_STEP_LABELLED = re.compile(r"(?P<label>\S{1,20}) : (?P<text>.*)")
_STEP_DASH = re.compile(r"[-–•*]\s+(?P<text>.*)|[-–•*](?P<empty>)")
_BUDGET = re.compile(
    r"(?P<funder>.+?)(?: : (?P<amount>[-+]?[\d\s\u00a0\u202f.,]*\d[\d\s\u00a0\u202f.,]*?)"
    r"\s*(?:€|euros?)?)?(?: \((?P<nature>.*)\))?"
)
_MEASURE = re.compile(
    r"(?P<date>[^:]+?)\s*:\s*(?P<value>.*?)(?:\s*\((?P<source>[^()]*)\))?(?:\s+—\s+(?P<note>.*))?"
)
_TARGET = re.compile(r"(?P<year>[^:]+?)\s*:\s*(?P<value>.*)")
_YES = {"oui", "o", "yes", "y", "x", "vrai", "true", "1"}
_NO = {"non", "n", "no", "faux", "false", "0"}


class ImportErrors(Exception):
    """Every bad cell of the workbooks read (nothing is to be written)."""

    def __init__(self, errors: Sequence[WorkbookError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = list(errors)


# --------------------------------------------------------------------------- the report


@dataclass
class FicheReport:
    """One fiche the import adds or changes: its number, its file (relative to the plan),
    the YAML keys of the fields changed."""

    number: str
    file: str
    added: bool = False
    fields: list[str] = field(default_factory=list)


@dataclass
class EntryReport:
    """An indicator or a follow-up entry added, changed or absent from the workbook."""

    fiche: str
    name: str  # an indicator's label, a follow-up entry's date
    action: str  # "added", "changed", "absent"
    fields: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    fiches: list[FicheReport] = field(default_factory=list)
    unchanged: int = 0
    absent_fiches: list[str] = field(default_factory=list)  # files with no row
    indicators: list[EntryReport] = field(default_factory=list)
    follow_up: list[EntryReport] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (fiche number, message)

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.fiches or any(e.action != "absent" for e in (*self.indicators, *self.follow_up))
        )


def report_lines(report: ImportReport) -> list[str]:
    """The report, fiche by fiche (in the order of their numbers), in the user's language;
    the line that says what was written is the caller's."""
    from .coverage_model import natural_key

    by_fiche: dict[str, list[str]] = {}
    for fiche in report.fiches:
        if fiche.added:
            line = _("fiche {number} ({file}): added").format(number=fiche.number, file=fiche.file)
        else:
            line = ngettext(
                "fiche {number} ({file}): {fields} changed",
                "fiche {number} ({file}): {fields} changed",
                len(fiche.fields),
            ).format(number=fiche.number, file=fiche.file, fields=", ".join(fiche.fields))
        by_fiche.setdefault(fiche.number, []).append(line)
    for entry in report.indicators:
        if entry.action == "added":
            message = _("fiche {number}: indicator « {name} » added")
        elif entry.action == "changed":
            message = ngettext(
                "fiche {number}: indicator « {name} »: {fields} changed",
                "fiche {number}: indicator « {name} »: {fields} changed",
                len(entry.fields),
            )
        else:
            message = _("fiche {number}: indicator « {name} » absent from the workbook, kept")
        by_fiche.setdefault(entry.fiche, []).append(
            message.format(number=entry.fiche, name=entry.name, fields=", ".join(entry.fields))
        )
    for entry in report.follow_up:
        if entry.action == "added":
            message = _("fiche {number}: follow-up entry of {date} added")
        elif entry.action == "changed":
            message = ngettext(
                "fiche {number}: follow-up entry of {date}: {fields} changed",
                "fiche {number}: follow-up entry of {date}: {fields} changed",
                len(entry.fields),
            )
        else:
            message = _("fiche {number}: follow-up entry of {date} absent from the workbook, kept")
        by_fiche.setdefault(entry.fiche, []).append(
            message.format(number=entry.fiche, date=entry.name, fields=", ".join(entry.fields))
        )
    for fiche_number, note in report.notes:
        by_fiche.setdefault(fiche_number, []).append(note)
    lines = [line for number in sorted(by_fiche, key=natural_key) for line in by_fiche[number]]
    if report.unchanged:
        lines.append(
            ngettext("{n} fiche unchanged", "{n} fiches unchanged", report.unchanged).format(
                n=report.unchanged
            )
        )
    if report.absent_fiches:
        count = len(report.absent_fiches)
        lines.append(
            ngettext(
                "{n} fiche absent from the workbook, kept: {files}",
                "{n} fiches absent from the workbook, kept: {files}",
                count,
            ).format(n=count, files=", ".join(report.absent_fiches))
        )
    if not report.changes_anything:
        lines.append(_("no changes"))
    return lines


# --------------------------------------------------------------------------- cells


def unescape(written: str) -> str:
    """The characters ``ctg export`` wrote as ``\\xNN`` / ``\\uNNNN`` (those a cell cannot
    hold), back; any other backslash is text."""

    def back(match: re.Match[str]) -> str:
        char = chr(int(match.group(1) or match.group(2), 16))
        return char if _NOT_XML.fullmatch(char) else match.group()

    return _ESCAPE.sub(back, written)


def _normal(written: str) -> str:
    lines = written.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).rstrip("\n")


def expected_cell(value: Any) -> Any:
    """What ``ctg export`` puts in a cell for ``value``: None, a number, or text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | float):
        return value
    return _cell_text(str(value))


def same(cell: Cell, expected: Any) -> bool:
    """True when ``cell`` still holds what export wrote (``expected``, see
    :func:`expected_cell`): texts compared without regard to line ends and trailing
    spaces, numbers as numbers."""
    if expected is None:
        return cell.empty
    if cell.empty:
        return False
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        value = cell.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value == expected
        try:
            return number(cell, "") == expected
        except WorkbookError:
            return False
    return _normal(text(cell) or "") == _normal(str(expected))


def _is_cut(expected: Any) -> bool:
    return isinstance(expected, str) and len(expected) == MAX_CELL and expected.endswith(_CUT)


def _what(label: str) -> str:
    """A column's name as a message names the field (« Début » → « début »)."""
    return label[:1].lower() + label[1:]


def _text_of(cell: Cell) -> str | None:
    written = text(cell)
    return None if written is None else unescape(written)


# --------------------------------------------------------------------------- values


def _year_or_date(cell: Cell, what: str) -> int | str | dt.date | None:
    """A date cell as YAML writes it: a year (2024, a number), a month (« 2024-09 ») or a
    day (a date: 2024-09-30); a date cell or « 30/09/2024 » is a day."""
    from .dates import DateError, PartialDate

    if cell.empty:
        return None
    value = cell.value
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    written = (text(cell) or "").strip()
    parts: tuple[int, int | None, int | None] | None = None
    if isinstance(value, int | float) and not isinstance(value, bool) or _YEAR.fullmatch(written):
        try:
            year = int(float(written))
        except (ValueError, OverflowError):  # hundreds of digits: float() gives inf
            year = 0
        if not float(written).is_integer() or not 1900 <= year <= 2200:
            raise cell.error(_("{what} « {value} » is not a year").format(what=what, value=written))
        return year
    for pattern, order in (
        (_DAY, (1, 2, 3)),
        (_MONTH, (1, 2, None)),
        (_FRENCH_DAY, (3, 2, 1)),
        (_FRENCH_MONTH, (2, 1, None)),
    ):
        match = pattern.fullmatch(written)
        if match:
            parts = (
                int(match.group(order[0])),
                int(match.group(order[1])) if order[1] else None,
                int(match.group(order[2])) if order[2] else None,
            )
            break
    if parts is None:
        raise cell.error(
            _("{what} « {value} » is not a date (write 2024, 2024-09 or 2024-09-30)").format(
                what=what, value=written
            )
        )
    try:
        date = PartialDate._checked(*parts)
    except DateError as exc:
        raise cell.error(
            _("{what} « {value} »: {problem}").format(what=what, value=written, problem=exc)
        ) from None
    if date.day is not None:
        return date.first_day()
    return date.iso()


def _date_text(cell: Cell, what: str) -> str | None:
    """A date cell as its ISO text (2024, 2024-09, 2024-09-30), to match entries."""
    value = _year_or_date(cell, what)
    return None if value is None else str(value)


def _number_or_text(cell: Cell) -> float | int | str | None:
    """An indicator's value: a number (« 12,5 », « 1 200 ») or, for a qualitative one,
    text."""
    if cell.empty:
        return None
    try:
        return number(cell, "")
    except WorkbookError:
        return _text_of(cell)


def _amount(cell: Cell, what: str) -> float | int | None:
    if cell.empty:
        return None
    value = cell.value
    if isinstance(value, str):
        stripped = value.strip().removesuffix("€").strip()
        cell = Cell(cell.sheet, cell.coordinate, stripped, cell.file)
    return number(cell, what)


def _yes_no(cell: Cell, what: str) -> bool | None:
    if cell.empty:
        return None
    if isinstance(cell.value, bool):
        return cell.value
    written = (text(cell) or "").strip()
    folded = fold(written)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise cell.error(_("{what} « {value} » is not oui or non").format(what=what, value=written))


def _choice(cell: Cell, what: str, choices: Sequence[str], written: str | None = None) -> str:
    written = written if written is not None else (_text_of(cell) or "").strip()
    found = {fold(c): c for c in choices}.get(fold(written))
    if found is None:
        raise cell.error(
            _("{what} « {value} » is not one of the choices: {choices}").format(
                what=what, value=written, choices=", ".join(f"« {c} »" for c in choices)
            )
        )
    return found


def _fiche_number(written: str) -> int | str:
    return int(written) if re.fullmatch(rf"[1-9]\d{{0,{MAX_DIGITS - 1}}}", written) else written


# --------------------------------------------------------------------------- lists


def _merge(
    old_lines: Sequence[str],
    raw_items: Sequence[Any],
    new_lines: Sequence[str],
    make: Callable[[str], Any],
) -> list[Any]:
    """The new list: the file's own item where its line did not change, ``make(line)``
    for a new or changed line."""
    matcher = difflib.SequenceMatcher(None, list(old_lines), list(new_lines), autojunk=False)
    out: list[Any] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(raw_items[i1:i2])
        elif tag in ("replace", "insert"):
            out.extend(make(line) for line in new_lines[j1:j2])
    return out


def _raw_list(raw: Any) -> list[Any]:
    return list(raw) if isinstance(raw, list) else []


def _objective(line: str) -> Any:
    match = _OBJECTIVE.fullmatch(line)
    if match:
        return {"code": match.group("code"), "texte": match.group("text")}
    return line


def _budget(cell: Cell, what: str) -> Callable[[str], Any]:
    def make(line: str) -> Any:
        match = _BUDGET.fullmatch(line)
        item: dict[str, Any] = {"financeur": line}
        if match:
            item["financeur"] = match.group("funder").strip()
            if match.group("amount"):
                item["montant"] = number(
                    Cell(cell.sheet, cell.coordinate, match.group("amount"), cell.file), what
                )
            if match.group("nature"):
                item["nature"] = match.group("nature").strip()
        return item

    return make


def _gap(keys: Iterable[str]) -> Callable[[str], Any]:
    known = set(keys)

    def make(line: str) -> Any:
        head, sep, tail = line.partition(" : ")
        if sep and head.strip() in known:
            return {"champ": head.strip(), "note": tail.strip()}
        return {"note": line}

    return make


def _measure(cell: Cell, what: str) -> Callable[[str], Any]:
    def make(line: str) -> Any:
        match = _MEASURE.fullmatch(line)
        if not match or not match.group("value").strip():
            raise cell.error(
                _(
                    "{what}: « {line} » is not a measure (write one per line: "
                    "2024-06-30 : 12 (source) — comment)"
                ).format(what=what, line=line)
            )
        date = _year_or_date(
            Cell(cell.sheet, cell.coordinate, match.group("date"), cell.file), what
        )
        value = _number_or_text(
            Cell(cell.sheet, cell.coordinate, match.group("value").strip(), cell.file)
        )
        item: dict[str, Any] = {"date": date, "valeur": value}
        if match.group("source"):
            item["source"] = match.group("source").strip()
        if match.group("note"):
            item["commentaire"] = match.group("note").strip()
        return item

    return make


# --------------------------------------------------------------------------- steps


@dataclass
class _StepLine:
    label: str | None
    text: str
    children: list[_StepLine] = field(default_factory=list)

    @property
    def line(self) -> str:
        """Its own line as export writes it (without indentation)."""
        label = " ".join((self.label or "").split())
        marker = (f"{label}." if label[-1:].isdigit() else f"{label} :") if label else "-"
        return f"{marker} {' '.join(self.text.split())}"


def _parse_steps(written: str) -> list[_StepLine]:
    root: list[_StepLine] = []
    stack: list[tuple[int, list[_StepLine]]] = [(-1, root)]
    for raw_line in written.split("\n"):
        if not raw_line.strip():
            continue
        expanded = raw_line.expandtabs(2)
        indent = len(expanded) - len(expanded.lstrip())
        content = expanded.strip()
        dash = _STEP_DASH.fullmatch(content)
        numbered = _STEP_NUMBERED.fullmatch(content)
        labelled = _STEP_LABELLED.fullmatch(content)
        if dash:
            node = _StepLine(None, (dash.group("text") or "").strip())
        elif numbered:
            node = _StepLine(numbered.group("label"), numbered.group("text").strip())
        elif labelled and not labelled.group("label")[-1:].isdigit():
            node = _StepLine(labelled.group("label"), labelled.group("text").strip())
        else:
            node = _StepLine(None, content)
        while stack[-1][0] >= indent:
            stack.pop()
        stack[-1][1].append(node)
        stack.append((indent, node.children))
    return root


def _model_step_line(step: Any) -> str:
    return _StepLine(step.label, str(step.text)).line


def _merge_steps(nodes: list[_StepLine], raw_list: list[Any], models: list[Any]) -> list[Any]:
    old = [_model_step_line(m) for m in models]
    new = [n.line for n in nodes]
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    out: list[Any] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or tag == "replace":
            pairs = min(i2 - i1, j2 - j1)
            for k in range(pairs):
                out.append(
                    _merge_step(nodes[j1 + k], raw_list[i1 + k], models[i1 + k], tag == "equal")
                )
            out.extend(_fresh_step(n) for n in nodes[j1 + pairs : j2])
        elif tag == "insert":
            out.extend(_fresh_step(n) for n in nodes[j1:j2])
    return out


def _fresh_step(node: _StepLine) -> Any:
    children = [_fresh_step(n) for n in node.children]
    if node.label is None and not children:
        return node.text
    step: dict[str, Any] = {}
    if node.label is not None:
        step["numéro"] = node.label
    step["texte"] = node.text
    if children:
        step["étapes"] = children
    return step


def _merge_step(node: _StepLine, raw: Any, model: Any, same_line: bool) -> Any:
    raw_children = _raw_list(raw.get("étapes")) if isinstance(raw, dict) else []
    children = _merge_steps(node.children, raw_children, list(model.steps))
    if children == raw_children:
        children = raw_children
    if isinstance(raw, dict):
        step = dict(raw)
        if not same_line:
            if node.label is not None:
                if str(raw.get("numéro")) != node.label:
                    step["numéro"] = node.label
            else:
                step.pop("numéro", None)
            step["texte"] = node.text
            if "numéro" in step and list(step)[0] != "numéro":
                step = {"numéro": step.pop("numéro"), **step}
        if children:
            step["étapes"] = children
        elif step.get("étapes"):
            del step["étapes"]
        if set(step) == {"texte"} and not isinstance(raw, dict):
            return step["texte"]
        return step
    if same_line and not children:
        return raw
    fresh = _fresh_step(_StepLine(node.label, raw if same_line else node.text))
    if children:
        if isinstance(fresh, str):
            fresh = {"texte": fresh}
        fresh["étapes"] = children
    return fresh


# --------------------------------------------------------------------------- edits


@dataclass
class _Edit:
    """One yaml_edit operation on one file, and the cell that asked for it."""

    operation: Any
    cell: Cell


@dataclass
class _Target:
    """A fiche the import may edit: its file, its YAML data and, for a fiche that exists,
    its model."""

    path: Path
    relative: str
    number: str
    data: dict[str, Any]
    loaded: LoadedFiche | None = None
    new_text: str | None = None  # a fiche this import creates

    def key(self, key: str) -> str:
        """The key as the file writes it (the same word in another Unicode form)."""
        if key in self.data:
            return key
        wanted = unicodedata.normalize("NFC", key)
        for written in self.data:
            if isinstance(written, str) and unicodedata.normalize("NFC", written) == wanted:
                return written
        return key


#: How the rows of a fiche pair with its items: row index -> item index, the items
#: matched, the rows to pass over (already reported).
_Matched = tuple[dict[int, int], set[int], set[int]]


class _ListSheet(NamedTuple):
    """A sheet of one row per item of a list of the fiches (Indicateurs, Suivi), and the
    methods of :class:`Importer` that read it."""

    name: str  # the sheet
    attribute: str  # the list in the fiche's model, and in the ImportReport
    key: str  # the list's key in the fiche's file
    export: Callable[[list[Any]], Any]  # the sheet as ctg export writes it
    match: Callable[[Importer, list[Row], list[Any]], _Matched]  # rows to items
    update: Callable[..., None]  # a row applied to its item
    new: Callable[[Importer, Table, _Target, Row], Any]  # the item an unmatched row adds


class Importer:
    """Reads workbooks one by one (:meth:`read`), then gives the report and the changes
    (:meth:`finish`). Nothing is written here: see :func:`ctgkit.plan_changes.write`."""

    def __init__(self, plan: Plan) -> None:
        assert plan.meta is not None and plan.form is not None
        self.plan = plan
        self.form: Form = plan.form
        self.root = plan.root
        self.columns = [f for f in self.form.fields if f.kind not in NOT_COLUMNS]
        self.by_label = {f.label: f for f in self.columns}
        self.errors: list[WorkbookError] = []
        self.report = ImportReport()
        self.by_file: dict[str, LoadedFiche] = {
            loaded.source.path.relative_to(plan.root).as_posix(): loaded for loaded in plan.fiches
        }
        self.files = {path.relative_to(plan.root).as_posix() for path in fiche_files(plan.root)}
        self.broken = {
            d.file for d in plan.diagnostics if d.is_error
        }  # display names of files with errors
        self.targets: dict[str, _Target] = {}  # by relative path
        self.by_number: dict[str, _Target] = {}
        for relative, loaded in self.by_file.items():
            target = self._target(loaded)
            self.targets[relative] = target
            self.by_number.setdefault(target.number, target)
        self.edits: dict[str, list[_Edit]] = {}
        self.seen: dict[tuple[str, tuple[Any, ...]], tuple[Any, Cell]] = {}
        self.rows_seen: dict[str, str] = {}  # fiche file -> its row in this workbook
        self.present: set[str] = set()  # fiche files with a row in a workbook read
        self.appended: dict[tuple[str, str], list[Any]] = {}  # (file, key) -> items added
        # (file, index) of the indicators and follow-up entries found in a workbook read, by
        # sheet (a sheet no workbook has is not looked at: its entries are not « absent »)
        self.found: dict[str, set[tuple[str, int]]] = {}
        self.taken_numbers: set[str] | None = None
        self.fiche_reports: dict[str, FicheReport] = {}
        self.unchanged: set[str] = set()  # fiches whose row changes no field
        self.touched: set[str] = set()  # fiches with an edit (fields, indicators, follow-up)

    # ----------------------------------------------------------------- reading

    def read(self, path: str | Path, display: str | None = None) -> None:
        """Read one workbook: its cells become pending edits, its bad cells errors."""
        shown = display if display is not None else str(path)
        try:
            book = open_workbook(path, shown)
            fiches = read_table(
                book,
                FICHES,
                [f.label for f in self.columns] + [FILE_COLUMN],
                file=shown,
                required=[FILE_COLUMN],
            )
            indicators = read_table(
                book,
                INDICATORS,
                _indicators([]).headers,
                file=shown,
                required=["Fiche", "Libellé"],
                optional_sheet=True,
            )
            follow_up = read_table(
                book,
                FOLLOW_UP,
                _follow_up([]).headers,
                file=shown,
                required=["Fiche", "Date"],
                optional_sheet=True,
            )
        except WorkbookError as exc:
            self.errors.append(exc)
            return
        assert fiches is not None
        for table in (fiches, indicators, follow_up):
            if table is not None:
                _complete(book, table)
        self._fiches(fiches)
        if indicators is not None:
            self._read_list(indicators, _INDICATOR_LIST)
        if follow_up is not None:
            self._read_list(follow_up, _FOLLOW_UP_LIST)

    def _collect(self, function: Callable[..., None], *args: Any) -> None:
        try:
            function(*args)
        except WorkbookError as exc:
            self.errors.append(exc)

    # ----------------------------------------------------------------- Fiches

    def _fiches(self, table: Table) -> None:
        self.rows_seen = {}
        for row in table.rows:
            self._collect(self._fiche_row, table, row)
        present = self.present
        for relative in sorted(self.files - present):
            if relative not in self.report.absent_fiches:
                self.report.absent_fiches.append(relative)
        self.report.absent_fiches = [f for f in self.report.absent_fiches if f not in present]

    def _fiche_row(self, table: Table, row: Row) -> None:
        cell = row[FILE_COLUMN]
        written = _text_of(cell)
        if written is None or not written.strip():
            self._new_fiche(table, row)
            return
        relative = self._fiche_file(cell, written.strip())
        where = f"{cell.sheet}!{cell.coordinate}"
        if relative in self.rows_seen:
            raise cell.error(
                _("this fiche already has a row ({where}); keep only one").format(
                    where=self.rows_seen[relative]
                )
            )
        self.rows_seen[relative] = where
        self.present.add(relative)
        target = self.targets.get(relative)
        loaded = target.loaded if target is not None else None
        if target is None or loaded is None:
            raise cell.error(
                _("{file} cannot be read (ctg validate tells why): fix it first").format(
                    file=relative
                )
            )
        exported = _fiches(self.plan, [loaded], self.columns)
        expected = dict(zip(exported.headers, exported.rows[0], strict=True))
        changed: list[str] = []
        for header in table.headers:
            if header == FILE_COLUMN:
                continue
            form_field = self.by_label[header]
            field_cell = row[header]
            before = expected_cell(expected.get(header))
            if same(field_cell, before):
                continue
            try:
                if loaded.source.display in self.broken:
                    raise field_cell.error(
                        _(
                            "{file} has errors (ctg validate): fix them before importing "
                            "changes to this fiche"
                        ).format(file=relative)
                    )
                if self._field(target, form_field, field_cell, before) is not _UNCHANGED:
                    changed.append(form_field.key)
            except WorkbookError as exc:
                self.errors.append(exc)
        if changed:
            report = self.fiche_reports.get(relative)
            if report is None:
                report = self.fiche_reports[relative] = FicheReport(target.number, relative)
                self.report.fiches.append(report)
            report.fields.extend(k for k in changed if k not in report.fields)
            self.unchanged.discard(relative)
        elif relative not in self.fiche_reports:
            self.unchanged.add(relative)

    def _fiche_file(self, cell: Cell, written: str) -> str:
        pure = PurePosixPath(written.replace("\\", "/"))
        relative = pure.as_posix()
        if (
            pure.is_absolute()
            or ".." in pure.parts
            or not pure.parts
            or pure.parts[0] != FICHES_DIR
            or pure.suffix not in (".yaml", ".yml")
        ):
            raise cell.error(
                _(
                    "« {value} » is not a fiche file of the plan (fiches/….yaml); leave it "
                    "empty for a new fiche"
                ).format(value=written)
            )
        if relative not in self.files:
            raise cell.error(
                _("the plan has no fiche file « {value} »; leave it empty for a new fiche").format(
                    value=written
                )
            )
        return relative

    def _field(self, target: _Target, form_field: FormField, cell: Cell, before: Any) -> Any:
        """Record the edit a changed cell asks for: the field's new value (``_DELETED``), or
        ``_UNCHANGED`` when the file already holds it."""
        what = _what(form_field.label)
        if _is_cut(before):
            raise cell.error(
                _(
                    "this text was cut to fit in a cell ({limit} characters): edit it in "
                    "{file}, not in the workbook"
                ).format(limit=MAX_CELL, file=target.relative)
            )
        if form_field.kind == "indicateurs" and before is not None:
            # A list of the fiche's indicators, derived from the « Indicateurs » sheet (which
            # may have been edited, making this cell stale): not read, said so.
            self.report.notes.append(
                (
                    target.number,
                    _(
                        "fiche {number}: {where}: the indicators of a fiche that has some are "
                        "edited in the « Indicateurs » sheet; this cell was not read"
                    ).format(number=target.number, where=f"{cell.sheet}!{cell.coordinate}"),
                )
            )
            return _UNCHANGED
        if form_field.kind == "documents" or form_field.kind not in _KINDS:
            raise cell.error(
                _(
                    "{what} cannot be edited in the workbook (its cell cannot be read back "
                    "without ambiguity): edit it in {file}"
                ).format(what=what, file=target.relative)
            )
        key = target.key(form_field.key)
        raw = target.data.get(key)
        current = getattr(target.loaded.fiche, form_field.attr, None) if target.loaded else None
        if cell.empty:
            if form_field.required:
                raise cell.error(_("{what} must not be empty").format(what=what))
            if raw is None:
                return _UNCHANGED
            self._validate_fiche(target, form_field, cell, _DELETED)
            self._edit(target, Delete((key,)), cell, _DELETED)
            return _DELETED
        value = _KINDS[form_field.kind](self, form_field, cell, raw, current, what)
        if before is not None and form_field.kind not in _SCALAR_KINDS:
            # The cell as export wrote it must read back as the value the file holds, or
            # this field cannot be edited from a cell.
            written_before = Cell(cell.sheet, cell.coordinate, before, cell.file)
            try:
                again = _KINDS[form_field.kind](
                    self, form_field, written_before, raw, current, what
                )
            except WorkbookError:
                again = _UNREADABLE
            if not _same_data(again, raw):
                raise cell.error(
                    _(
                        "{what} cannot be edited in the workbook for this fiche (its value "
                        "does not fit in a cell without ambiguity): edit it in {file}"
                    ).format(what=what, file=target.relative)
                )
        if _same_data(value, raw):
            return _UNCHANGED
        self._validate_fiche(target, form_field, cell, value)
        self._edit(target, Set((key,), value), cell, value)
        return value

    def _validate_fiche(
        self, target: _Target, form_field: FormField, cell: Cell, value: Any
    ) -> None:
        """The fiche with this one new value must still be a fiche (right types, known
        choices); else a located error naming the field."""
        from pydantic import ValidationError

        from .model import error_message

        data = dict(target.data)
        key = target.key(form_field.key)
        if value is _DELETED:
            data.pop(key, None)
        else:
            data[key] = value
        try:
            self.form.model().model_validate(data)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                loc = tuple(error["loc"])
                if loc[:1] == (key,):
                    raise cell.error(
                        _("{what}: {problem}").format(
                            what=_what(form_field.label), problem=error_message(error, loc)
                        )
                    ) from None

    # ----------------------------------------------------------------- new fiches

    def _new_fiche(self, table: Table, row: Row) -> None:
        from .scaffold import fiche_yaml, file_name, next_number, used_numbers

        title_field = self.form.by_key["titre"]
        number_field = self.form.by_key["numéro"]
        title_cell = row[title_field.label]
        file_cell = row[FILE_COLUMN]
        title = (_text_of(title_cell) or "").strip()
        anchor = title_cell if title_cell.coordinate else file_cell
        if not title:
            raise (anchor if anchor.coordinate else row).error(
                _(
                    "this row has no file (« Fichier ») and no title: a new fiche needs a "
                    "title (« {title} »)"
                ).format(title=title_field.label)
            )
        same_title = next(
            (
                t.relative
                for t in self.targets.values()
                if t.loaded is not None and fold(str(t.loaded.fiche.title)) == fold(title)
            ),
            None,
        )
        if same_title is not None:
            raise anchor.error(
                _(
                    "the plan already has a fiche with this title ({file}): if this row is "
                    "that fiche, write its file in « Fichier »; if not, change the title"
                ).format(file=same_title)
            )
        if self.taken_numbers is None:
            self.taken_numbers = set(used_numbers(self.plan))
        number_cell = row[number_field.label]
        number_text = (_text_of(number_cell) or "").strip()
        if number_text:
            if number_text in self.taken_numbers:
                raise number_cell.error(
                    _("fiche number {number} is already used").format(number=number_text)
                )
        else:
            highest = next_number(self.plan)
            candidate = int(highest)
            while str(candidate) in self.taken_numbers:
                candidate += 1
            number_text = str(candidate)
        name = file_name(number_text, title)
        relative = f"{FICHES_DIR}/{name}"
        path = self.root / FICHES_DIR / name
        if relative in self.files or relative in self.targets or path.exists():
            raise anchor.error(
                _("{file} already exists: give this fiche another number or title").format(
                    file=relative
                )
            )
        self.taken_numbers.add(number_text)
        from .source import parse_yaml

        skeleton = fiche_yaml(self.plan, number_text, title)
        target = _Target(path, relative, number_text, parse_yaml(skeleton), None, new_text=skeleton)
        self.targets[relative] = target
        self.by_number.setdefault(number_text, target)
        self.rows_seen[relative] = f"{anchor.sheet}!{anchor.coordinate}"
        self.present.add(relative)
        self.report.fiches.append(FicheReport(number_text, relative, added=True))
        for header in table.headers:
            if header in (FILE_COLUMN, title_field.label, number_field.label):
                continue
            cell = row[header]
            if cell.empty:
                continue
            try:
                form_field = self.by_label[header]
                value = self._field(target, form_field, cell, None)
                if value is not _UNCHANGED:
                    # the next cells are checked against the fiche as it will be
                    target.data[target.key(form_field.key)] = value
            except WorkbookError as exc:
                self.errors.append(exc)

    # ----------------------------------------------------------------- edits

    def _edit(self, target: _Target, operation: Any, cell: Cell, value: Any) -> None:
        """Record one edit of a fiche's file; the same field given two different values (by
        two workbooks) is an error naming both cells."""
        path = tuple(operation.path)
        if not isinstance(operation, Append):
            known = self.seen.get((target.relative, path))
            if known is not None and not _same_data(known[0], value):
                other = known[1]
                raise cell.error(
                    _("{where} gives another value for this field ({file})").format(
                        where=f"{other.file}: {other.sheet}!{other.coordinate}",
                        file=target.relative,
                    )
                )
            self.seen[(target.relative, path)] = (value, cell)
        self.touched.add(target.relative)
        self.edits.setdefault(target.relative, []).append(_Edit(operation, cell))

    # ----------------------------------------------------------------- Indicateurs

    def _fiche_of(self, row: Row) -> _Target:
        cell = row["Fiche"]
        written = (_text_of(cell) or "").strip()
        if not written:
            raise (cell if cell.coordinate else row).error(
                _("the fiche number (« Fiche ») is missing")
            )
        target = self.by_number.get(written)
        if target is None:
            raise cell.error(_("the plan has no fiche number {number}").format(number=written))
        if target.loaded is not None and target.loaded.source.display in self.broken:
            raise cell.error(
                _(
                    "{file} has errors (ctg validate): fix them before importing changes to "
                    "this fiche"
                ).format(file=target.relative)
            )
        return target

    def _by_fiche(self, table: Table) -> dict[str, tuple[_Target, list[Row]]]:
        grouped: dict[str, tuple[_Target, list[Row]]] = {}
        for row in table.rows:
            try:
                target = self._fiche_of(row)
            except WorkbookError as exc:
                self.errors.append(exc)
                continue
            grouped.setdefault(target.relative, (target, []))[1].append(row)
        return grouped

    def _read_list(self, table: Table, sheet: _ListSheet) -> None:
        """Read the Indicateurs or the Suivi sheet (``sheet`` says which), fiche by fiche."""
        self.found.setdefault(sheet.name, set())
        grouped = self._by_fiche(table)
        for relative, target in self.targets.items():
            rows = grouped.get(relative, (target, []))[1]
            self._collect(self._fiche_list, table, target, rows, sheet)

    def _fiche_list(
        self, table: Table, target: _Target, rows: list[Row], sheet: _ListSheet
    ) -> None:
        if target.loaded:
            models = list(getattr(target.loaded.fiche, sheet.attribute, []) or [])
        else:
            models = []
        key = target.key(sheet.key)
        raws = _raw_list(target.data.get(key))
        if target.loaded is not None:
            exported = sheet.export([target.loaded])
            expected_rows = [dict(zip(exported.headers, r, strict=True)) for r in exported.rows]
        else:
            expected_rows = []
        matched, used, skipped = sheet.match(self, rows, models)
        added: list[Any] = []
        for r, row in enumerate(rows):
            if r in skipped:
                continue
            try:
                if r in matched:
                    i = matched[r]
                    sheet.update(self, table, target, row, i, raws[i], expected_rows[i], key)
                else:
                    added.append(sheet.new(self, table, target, row))
            except WorkbookError as exc:
                self.errors.append(exc)
        self.found[sheet.name].update((target.relative, i) for i in used)
        if added:
            report = getattr(self.report, sheet.attribute)
            self._append_all(target, key, added, rows[0]["Fiche"], report)

    def _match_indicators(self, rows: list[Row], models: list[Any]) -> _Matched:
        """Rows to indicators: by label, then by position."""
        matched: dict[int, int] = {}  # row index -> indicator index
        used: set[int] = set()
        for r, row in enumerate(rows):
            label = _text_of(row["Libellé"])
            for i, model in enumerate(models):
                if (
                    i not in used
                    and label is not None
                    and _normal(label) == _normal(expected_cell(model.label) or "")
                ):
                    matched[r] = i
                    used.add(i)
                    break
        _match_by_position(matched, used, range(len(rows)), len(models))
        return matched, used, set()

    def _append_all(
        self, target: _Target, key: str, items: list[Any], cell: Cell, report: list[EntryReport]
    ) -> None:
        """Add ``items`` to the list ``key`` of the fiche (created if missing), and say so in
        ``report``; an item that another workbook already added is not added twice."""
        done = self.appended.setdefault((target.relative, key), [])
        items = [item for item in items if not any(_same_data(item, d) for d in done)]
        if not items:
            return
        for item in items:
            name = item.get("libellé", item.get("date")) if isinstance(item, dict) else item
            report.append(EntryReport(target.number, str(name), "added"))
        if isinstance(target.data.get(key), list) or done:
            for item in items:
                self._edit(target, Append((key,), item), cell, item)
        else:
            self._edit(target, Set((key,), items), cell, items)
        done.extend(items)

    def _indicator_values(
        self,
        table: Table,
        row: Row,
        raw: dict[str, Any],
        expected: dict[str, Any] | None,
        file: str,
    ) -> tuple[dict[str, Any], list[str]]:
        """The indicator's new mapping (from ``raw``) and the keys its row changes."""
        return self._row_values(
            table,
            row,
            raw,
            expected,
            _INDICATOR_KEYS,
            lambda _row, header, cell, what, before, current: self._indicator_value(
                header, cell, what, before, current, file
            ),
        )

    def _indicator_value(
        self, header: str, cell: Cell, what: str, before: Any, current: Any, file: str
    ) -> Any:
        if cell.empty:
            if header == "Libellé":
                raise cell.error(_("{what} must not be empty").format(what=what))
            return _DELETED
        if header in ("Unité", "Libellé"):
            return (_text_of(cell) or "").strip()
        if header == "Sens":
            return _choice(cell, what, DIRECTIONS)
        if header in ("Valeur de référence", "Cible"):
            return _number_or_text(cell)
        if header == "Date de référence":
            return _year_or_date(cell, what)
        if header == "Cibles par année":
            return self._targets_value(cell, current, what, before, file)
        return self._measures_value(cell, current, what, before, file)  # Mesures

    def _row_values(
        self,
        table: Table,
        row: Row,
        raw: dict[str, Any],
        expected: dict[str, Any] | None,
        keys: dict[str, str],
        value_of: Callable[[Row, str, Cell, str, Any, Any], Any],
    ) -> tuple[dict[str, Any], list[str]]:
        """An item's new mapping (from ``raw``) and the keys its row changes: each cell that
        differs from ``expected`` (what the export wrote; None for a new item) is read by
        ``value_of(row, header, cell, what, before, current)``, _DELETED to remove its key."""
        out = dict(raw)
        changed: list[str] = []
        for header in table.headers:
            if header == "Fiche":
                continue
            key = keys[header]
            cell = row[header]
            before = expected_cell(expected.get(header)) if expected is not None else None
            if expected is not None and same(cell, before):
                continue
            value = value_of(row, header, cell, _what(header), before, raw.get(key))
            if value is _DELETED:
                if key in out:
                    del out[key]
                    changed.append(key)
            elif not _same_data(value, out.get(key)):
                out[key] = value
                changed.append(key)
        return out, changed

    def _targets_value(self, cell: Cell, raw: Any, what: str, before: Any, file: str) -> Any:
        raw_map = raw if isinstance(raw, dict) else {}
        from .card import number as shown

        def read(source: Cell) -> dict[Any, Any]:
            out: dict[Any, Any] = {}
            for line in iter_lines(source):
                match = _TARGET.fullmatch(line)
                year_cell = Cell(
                    source.sheet,
                    source.coordinate,
                    match.group("year") if match else line,
                    source.file,
                )
                if not match or not _YEAR.fullmatch(match.group("year").strip()):
                    raise source.error(
                        _(
                            "{what}: « {line} » is not a yearly target (write one per line: "
                            "2024 : 12)"
                        ).format(what=what, line=line)
                    )
                year = _year_or_date(year_cell, what)
                value = _number_or_text(
                    Cell(source.sheet, source.coordinate, match.group("value").strip(), source.file)
                )
                written = next(
                    (
                        k
                        for k, v in raw_map.items()
                        if str(k) == str(year) and shown(v) == shown(value)
                    ),
                    None,
                )
                if written is not None:
                    out[written] = raw_map[written]
                else:
                    out[year] = value
            return out

        value = read(cell)
        if before is not None:
            try:
                again = read(Cell(cell.sheet, cell.coordinate, before, cell.file))
            except WorkbookError:
                again = _UNREADABLE
        if before is not None and not _same_data(again, raw_map):
            raise cell.error(_uneditable_indicator().format(what=what, file=file))
        return value

    def _measures_value(self, cell: Cell, raw: Any, what: str, before: Any, file: str) -> Any:
        from .export import _measurement
        from .model import Measurement

        raws = _raw_list(raw)
        old: list[str] = []
        for item in raws:
            try:
                old.append(_measurement(Measurement.model_validate(item)))
            except Exception:  # noqa: BLE001  (an invalid measure: the file says why)
                old.append("\0")
        make = _measure(cell, what)
        value = _merge(old, raws, list(iter_lines(cell)), make)
        if before is not None:
            try:
                again = _merge(
                    old,
                    raws,
                    list(iter_lines(Cell(cell.sheet, cell.coordinate, before, cell.file))),
                    make,
                )
            except WorkbookError:
                again = _UNREADABLE
            if not _same_data(again, raws):
                raise cell.error(_uneditable_indicator().format(what=what, file=file))
        return value

    def _indicator(
        self,
        table: Table,
        target: _Target,
        row: Row,
        index: int,
        raw: Any,
        expected: dict[str, Any],
        key: str,
    ) -> None:
        from .model import Indicator

        as_map = dict(raw) if isinstance(raw, dict) else {"libellé": raw}
        new, changed = self._indicator_values(table, row, as_map, expected, target.relative)
        if not changed:
            return
        self._check_item(Indicator, new, table, row, _INDICATOR_HEADERS)
        label = str(new.get("libellé", ""))
        if not isinstance(raw, dict) and set(new) == {"libellé"}:
            self._edit(target, Set((key, index), new["libellé"]), row["Libellé"], new)
        elif not isinstance(raw, dict):
            self._edit(target, Set((key, index), new), row["Libellé"], new)
        else:
            self._edit_keys(target, (key, index), row, new, changed, _INDICATOR_HEADERS)
        self.report.indicators.append(EntryReport(target.number, label, "changed", changed))

    def _new_indicator(self, table: Table, target: _Target, row: Row) -> Any:
        from .model import Indicator

        if row["Libellé"].empty:
            cell = row["Libellé"]
            raise (cell if cell.coordinate else row).error(
                _("a new indicator needs a label (« Libellé »)")
            )
        new, _changed = self._indicator_values(table, row, {}, None, target.relative)
        self._check_item(Indicator, new, table, row, _INDICATOR_HEADERS)
        return new["libellé"] if set(new) == {"libellé"} else new

    def _check_item(
        self, model: Any, item: dict[str, Any], table: Table, row: Row, headers: dict[str, str]
    ) -> None:
        """An indicator or a follow-up entry must be valid on its own (types, choices)."""
        from pydantic import ValidationError

        from .model import error_message

        try:
            model.model_validate(item)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            loc = tuple(error["loc"])
            header = headers.get(str(loc[0])) if loc else None
            cell = row[header] if header else row["Fiche"]
            raise (cell if cell.coordinate else row).error(
                _("{what}: {problem}").format(
                    what=_what(header or "Fiche"), problem=error_message(error, loc)
                )
            ) from None

    def _edit_keys(
        self,
        target: _Target,
        path: tuple[str, int],
        row: Row,
        new: dict[str, Any],
        changed: list[str],
        headers: dict[str, str],
    ) -> None:
        """Set (or delete) the ``changed`` keys of the item at ``path``, each located at its
        cell of ``row``."""
        for name in changed:
            cell = row[headers[name]]
            if name in new:
                self._edit(target, Set((*path, name), new[name]), cell, new[name])
            else:
                self._edit(target, Delete((*path, name)), cell, _DELETED)

    # ----------------------------------------------------------------- Suivi

    def _match_entries(self, rows: list[Row], models: list[Any]) -> _Matched:
        """Rows to follow-up entries: by date, then by position; a row whose date cannot be
        read is reported and passed over."""
        dates: list[str | None] = []
        for row in rows:
            try:
                dates.append(_date_text(row["Date"], _what("Date")))
            except WorkbookError as exc:
                self.errors.append(exc)
                dates.append(None)
        by_date: dict[str, list[int]] = {}
        for i, model in enumerate(models):
            by_date.setdefault(model.date.iso(), []).append(i)
        matched: dict[int, int] = {}
        used: set[int] = set()
        for r, date in enumerate(dates):
            if date is None:
                continue
            for i in by_date.get(date, []):
                if i not in used:
                    matched[r] = i
                    used.add(i)
                    break
        dated = [r for r, date in enumerate(dates) if date is not None]
        _match_by_position(matched, used, dated, len(models))
        unreadable = {r for r, row in enumerate(rows) if dates[r] is None and not row["Date"].empty}
        return matched, used, unreadable

    def _entry_values(
        self, table: Table, row: Row, raw: dict[str, Any], expected: dict[str, Any] | None
    ) -> tuple[dict[str, Any], list[str]]:
        return self._row_values(table, row, raw, expected, _FOLLOW_UP_KEYS, _entry_value)

    def _entry(
        self,
        table: Table,
        target: _Target,
        row: Row,
        index: int,
        raw: Any,
        expected: dict[str, Any],
        key: str,
    ) -> None:
        from .model import FollowUp

        as_map = dict(raw) if isinstance(raw, dict) else {}
        new, changed = self._entry_values(table, row, as_map, expected)
        if not changed:
            return
        self._check_item(FollowUp, new, table, row, _FOLLOW_UP_HEADERS)
        self._edit_keys(target, (key, index), row, new, changed, _FOLLOW_UP_HEADERS)
        self.report.follow_up.append(
            EntryReport(target.number, str(new.get("date", "")), "changed", changed)
        )

    def _new_entry(self, table: Table, target: _Target, row: Row) -> Any:
        from .model import FollowUp

        for header in ("Date", "Statut"):
            cell = row[header]
            if cell.empty:
                raise (cell if cell.coordinate else row["Fiche"]).error(
                    _("a new follow-up entry needs its « {column} »").format(column=header)
                )
        new, _changed = self._entry_values(table, row, {}, None)
        self._check_item(FollowUp, new, table, row, _FOLLOW_UP_HEADERS)
        return new

    # ----------------------------------------------------------------- the end

    def finish(self) -> tuple[ImportReport, ChangeSet]:
        """The report and the new texts; :class:`ImportErrors` when a cell is bad."""
        from .plan_changes import read

        changes = ChangeSet(self.root)
        if not self.errors:
            for relative, target in self.targets.items():
                edits = self.edits.get(relative, [])
                bom = ""
                if target.new_text is not None:
                    text_now = target.new_text
                elif not edits:
                    continue
                else:
                    assert target.loaded is not None
                    try:
                        on_disk = read(target.path)
                    except OSError:
                        on_disk = None
                    text_now = target.loaded.source.text
                    if on_disk is not None and on_disk.startswith("\ufeff"):
                        bom = "\ufeff"
                    if on_disk != bom + text_now:
                        self.errors.append(
                            WorkbookError(
                                _(
                                    "the file changed on disk while ctg was reading the plan; "
                                    "run ctg import again"
                                ),
                                relative,
                            )
                        )
                        continue
                for edit in edits:
                    try:
                        text_now = apply(text_now, [edit.operation])
                    except EditError as exc:
                        self.errors.append(
                            edit.cell.error(
                                _(
                                    "{file} cannot be changed here ({problem}): edit it by hand"
                                ).format(file=relative, problem=exc)
                            )
                        )
                        break
                if target.new_text is not None:
                    changes.create(target.path, text_now)
                else:
                    changes.set(target.path, bom + text_now)
        if self.errors:
            raise ImportErrors(_sorted(self.errors))
        self._absent()
        self.report.unchanged = len(self.unchanged - self.touched)
        return self.report, changes

    def _absent(self) -> None:
        """Report the indicators and follow-up entries no workbook has a row for (kept)."""
        for relative, target in self.targets.items():
            if target.loaded is None:
                continue
            fiche = target.loaded.fiche
            if INDICATORS in self.found:
                for i, indicator in enumerate(getattr(fiche, "indicators", []) or []):
                    if (relative, i) not in self.found[INDICATORS]:
                        self.report.indicators.append(
                            EntryReport(target.number, indicator.label, "absent")
                        )
            if FOLLOW_UP in self.found:
                for i, entry in enumerate(getattr(fiche, "follow_up", []) or []):
                    if (relative, i) not in self.found[FOLLOW_UP]:
                        self.report.follow_up.append(
                            EntryReport(target.number, entry.date.iso(), "absent")
                        )

    def _target(self, loaded: LoadedFiche) -> _Target:
        data = loaded.source.data if isinstance(loaded.source.data, dict) else {}
        return _Target(
            loaded.source.path,
            loaded.source.path.relative_to(self.root).as_posix(),
            str(loaded.fiche.number).strip(),
            data,
            loaded,
        )


_INDICATOR_LIST = _ListSheet(
    INDICATORS,
    "indicators",
    "indicateurs",
    _indicators,
    Importer._match_indicators,
    Importer._indicator,
    Importer._new_indicator,
)
_FOLLOW_UP_LIST = _ListSheet(
    FOLLOW_UP,
    "follow_up",
    "suivi",
    _follow_up,
    Importer._match_entries,
    Importer._entry,
    Importer._new_entry,
)


def _uneditable_indicator() -> str:
    return _(
        "{what} cannot be edited in the workbook for this indicator (its value does not fit "
        "in a cell without ambiguity): edit it in {file}"
    )


def _complete(book: Any, table: Table) -> None:
    """Give every row a cell for each column of the sheet, the empty ones too, so that a
    message about an empty cell names it (``Fiches!B7``)."""
    from openpyxl.utils import get_column_letter

    wanted = {" ".join(h.split()).casefold(): h for h in table.headers}
    letters: dict[str, str] = {}
    for cell in next(book[table.name].iter_rows(max_row=1), ()):
        if isinstance(cell.value, str):
            name = wanted.get(" ".join(cell.value.split()).casefold())
            if name is not None:
                letters[name] = get_column_letter(cell.column)
    for row in table.rows:
        for header, letter in letters.items():
            if header not in row.cells:
                row.cells[header] = Cell(table.name, f"{letter}{row.number}", None, table.file)


def _sorted(errors: list[WorkbookError]) -> list[WorkbookError]:
    """Errors in workbook order: by file, sheet, then row and column of their cell."""

    def key(error: WorkbookError) -> tuple[Any, ...]:
        match = re.fullmatch(r"([A-Z]*)(\d*)", error.cell or "")
        column, row = (match.group(1), match.group(2)) if match else ("", "")
        return (
            error.file,
            _SHEET_ORDER.get(error.sheet or "", -1),
            int(row) if row else 0,
            len(column),
            column,
        )

    return sorted(errors, key=key)


_SHEET_ORDER = {FICHES: 0, INDICATORS: 1, FOLLOW_UP: 2}


class _Deleted:
    def __repr__(self) -> str:
        return "<deleted>"


_DELETED: Any = _Deleted()
_UNCHANGED: Any = object()
_UNREADABLE: Any = object()

_INDICATOR_KEYS = {
    "Libellé": "libellé",
    "Unité": "unité",
    "Sens": "sens",
    "Valeur de référence": "valeur_référence",
    "Date de référence": "date_référence",
    "Cible": "cible",
    "Cibles par année": "cibles",
    "Mesures": "mesures",
}
_INDICATOR_HEADERS = {v: k for k, v in _INDICATOR_KEYS.items()}
_FOLLOW_UP_KEYS = {
    "Date": "date",
    "Statut": "statut",
    "Avancement (%)": "avancement",
    "Réalisations": "réalisations",
    "Difficultés": "difficultés",
    "Prochaines étapes": "prochaines_étapes",
    "Auteur": "auteur",
    "Commentaire": "commentaire",
}
_FOLLOW_UP_HEADERS = {v: k for k, v in _FOLLOW_UP_KEYS.items()}


def _match_by_position(
    matched: dict[int, int], used: set[int], rows: Iterable[int], count: int
) -> None:
    """Pair each of ``rows`` not matched yet with the item of its position, if free."""
    for r in rows:
        if r not in matched and r < count and r not in used:
            matched[r] = r
            used.add(r)


def _entry_value(row: Row, header: str, cell: Cell, what: str, before: Any, current: Any) -> Any:
    """The value of a cell of the Suivi sheet (_DELETED: none)."""
    if cell.empty:
        if header in ("Date", "Statut"):
            raise (cell if cell.coordinate else row).error(
                _("{what} must not be empty").format(what=what)
            )
        return _DELETED
    if header == "Date":
        return _year_or_date(cell, what)
    if header == "Statut":
        return _choice(cell, what, FOLLOW_UP_STATUSES)
    if header == "Avancement (%)":
        written = cell.value
        if isinstance(written, str):
            cell = Cell(cell.sheet, cell.coordinate, written.strip().removesuffix("%"), cell.file)
        value = number(cell, what)
        if value is not None and not 0 <= value <= 100:
            raise cell.error(
                _("{what} « {value} » is not between 0 and 100").format(what=what, value=value)
            )
        return value
    return _text_of(cell)


def _same_data(a: Any, b: Any) -> bool:
    """YAML data compared as YAML reads it (1 and 1.0 alike, a str and its number not)."""
    if a is _UNREADABLE or b is _UNREADABLE:
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same_data(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_data(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


# --------------------------------------------------------------------------- kinds

_SCALAR_KINDS = frozenset(
    {"numéro", "titre", "texte", "markdown", "choix", "nombre", "montant", "date", "oui/non"}
)


def _k_number(imp: Importer, f: FormField, cell: Cell, raw: Any, current: Any, what: str) -> Any:
    written = (_text_of(cell) or "").strip()
    if raw is not None and str(raw).strip() == written:
        return raw
    return _fiche_number(written)


def _k_text(imp: Importer, f: FormField, cell: Cell, raw: Any, current: Any, what: str) -> Any:
    written = _text_of(cell) or ""
    if isinstance(raw, str) and _normal(raw) == _normal(written):
        return raw
    return written


def _k_choice(imp: Importer, f: FormField, cell: Cell, raw: Any, current: Any, what: str) -> Any:
    found = _choice(cell, what, f.choices)
    return raw if isinstance(raw, str) and fold(raw) == fold(found) else found


def _k_numeric(imp: Importer, f: FormField, cell: Cell, raw: Any, current: Any, what: str) -> Any:
    value = _amount(cell, what) if f.kind == "montant" else number(cell, what)
    return raw if isinstance(raw, int | float) and raw == value else value


def _k_date(imp: Importer, f: FormField, cell: Cell, raw: Any, current: Any, what: str) -> Any:
    value = _year_or_date(cell, what)
    if current is not None and str(value) == current.iso():
        return raw
    return value


def _k_yes_no(imp: Importer, f: FormField, cell: Cell, raw: Any, current: Any, what: str) -> Any:
    value = _yes_no(cell, what)
    return raw if current is not None and current == value else value


def _k_lines(imp: Importer, f: FormField, cell: Cell, raw: Any, current: Any, what: str) -> Any:
    raws = _raw_list(raw)
    old = [str(item) for item in (current or [])]
    make: Callable[[str], Any] = _fiche_number if f.kind == "fiches" else str
    return _merge(old, raws, list(iter_lines(cell)), make)


def _k_objectives(
    imp: Importer, f: FormField, cell: Cell, raw: Any, current: Any, what: str
) -> Any:
    raws = _raw_list(raw)
    old = [field_value(f, [ref]) or "" for ref in (current or [])]
    return _merge(old, raws, list(iter_lines(cell)), _objective)


def _k_multiple(imp: Importer, f: FormField, cell: Cell, raw: Any, current: Any, what: str) -> Any:
    if not f.groups:
        raws = _raw_list(raw)
        old = [str(item) for item in (current or [])]
        return _merge(
            old, raws, list(iter_lines(cell)), lambda line: _choice(cell, what, f.choices, line)
        )
    raw_map: dict[str, Any] = raw if isinstance(raw, dict) else {}
    out: dict[str, Any] = {}
    seen: set[str] = set()
    lines = list(iter_lines(cell))
    groups = f.group_map
    for line in lines:
        group = written_group = None
        for match in re.finditer(r"\s*:\s*", line):
            head = line[: match.start()].strip()
            group = find_group(f, head) or (head if head in raw_map else None)
            if group is not None:
                written_group = next((k for k in raw_map if fold(str(k)) == fold(group)), group)
                rest = line[match.end() :]
                break
        if group is None or written_group is None:
            raise cell.error(
                _(
                    "{what}: « {line} » does not start with one of the groups of the form "
                    "(write one group per line: Groupe : choix ; choix)"
                ).format(what=what, line=line)
            )
        if written_group in seen:
            raise cell.error(
                _("{what}: the group « {group} » is written twice").format(what=what, group=group)
            )
        seen.add(written_group)
        items = [item.strip() for item in rest.split(";") if item.strip()]
        allowed = groups.get(group, ())
        chosen = []
        for item in items:
            found = {fold(c): c for c in allowed}.get(fold(item))
            if found is None and allowed:
                raise cell.error(
                    _("{what}: « {item} » is not a choice of the group « {group} »").format(
                        what=what, item=item, group=group
                    )
                )
            chosen.append(found or item)
        before = raw_map.get(written_group)
        if isinstance(before, list) and [fold(str(x)) for x in before] == [fold(x) for x in chosen]:
            out[written_group] = before
        else:
            out[written_group] = chosen
    # Groups the file writes with nothing ticked are not in the cell: keep them.
    merged: dict[str, Any] = {}
    for group, items in raw_map.items():
        if group in out:
            merged[group] = out.pop(group)
        elif not items:
            merged[group] = items
    merged.update(out)
    return merged


def _k_grid(imp: Importer, f: FormField, cell: Cell, raw: Any, current: Any, what: str) -> Any:
    raw_map: dict[str, Any] = raw if isinstance(raw, dict) else {}
    by_label = {fold(label): key for key, label in f.lines}
    by_key = {fold(key): key for key, _label in f.lines}
    given: dict[str, bool] = {}
    for line in iter_lines(cell):
        head, sep, tail = line.rpartition(":")
        key = by_label.get(fold(head)) or by_key.get(fold(head)) if sep else None
        if key is None:
            raise cell.error(
                _(
                    "{what}: « {line} » is not a line of the grid (write one per line: "
                    "{example} : oui)"
                ).format(what=what, line=line, example=f.lines[0][1] if f.lines else "…")
            )
        answer = fold(tail.strip())
        if answer in _YES:
            given[key] = True
        elif answer in _NO:
            given[key] = False
        else:
            raise cell.error(
                _("{what}: « {value} » is not oui or non").format(what=what, value=tail.strip())
            )
    values = {key: value for key, _label, value in grid_values(f, current)}
    out: dict[str, Any] = {}
    for key, value in raw_map.items():
        if key in given:
            answer = given.pop(key)
            out[key] = value if values.get(key) == answer else answer
        elif value is None or values.get(key) is None:
            out[key] = value  # a line left empty in the file
        # else: the line was removed from the cell: the answer is removed
    for key, _label in f.lines:
        if key in given:
            out[key] = given[key]
    return out


def _k_steps(imp: Importer, f: FormField, cell: Cell, raw: Any, current: Any, what: str) -> Any:
    written = _text_of(cell) or ""
    return _merge_steps(_parse_steps(written), _raw_list(raw), list(current or []))


def _k_indicator_labels(
    imp: Importer, f: FormField, cell: Cell, raw: Any, current: Any, what: str
) -> Any:
    # Only for a fiche without indicators (see Importer._field): their labels, one per line.
    return list(iter_lines(cell))


def _k_budget(imp: Importer, f: FormField, cell: Cell, raw: Any, current: Any, what: str) -> Any:
    raws = _raw_list(raw)
    old = [field_value(f, [line]) or "" for line in (current or [])]
    return _merge(old, raws, list(iter_lines(cell)), _budget(cell, what))


def _k_gaps(imp: Importer, f: FormField, cell: Cell, raw: Any, current: Any, what: str) -> Any:
    raws = _raw_list(raw)
    old = [field_value(f, [gap]) or "" for gap in (current or [])]
    return _merge(old, raws, list(iter_lines(cell)), _gap(imp.form.by_key))


_KINDS: dict[str, Callable[..., Any]] = {
    "numéro": _k_number,
    "titre": _k_text,
    "texte": _k_text,
    "markdown": _k_text,
    "choix": _k_choice,
    "nombre": _k_numeric,
    "montant": _k_numeric,
    "date": _k_date,
    "oui/non": _k_yes_no,
    "liste": _k_lines,
    "liste_markdown": _k_lines,
    "acteurs": _k_lines,
    "codes": _k_lines,
    "fiches": _k_lines,
    "objectifs": _k_objectives,
    "choix multiples": _k_multiple,
    "grille oui/non": _k_grid,
    "étapes": _k_steps,
    "budget": _k_budget,
    "lacunes": _k_gaps,
    "indicateurs": _k_indicator_labels,
}


# --------------------------------------------------------------------------- entry point


def import_workbooks(
    plan: Plan, files: Sequence[str | Path], display: Sequence[str] | None = None
) -> tuple[ImportReport, ChangeSet]:
    """Read ``files`` (workbooks made by ``ctg export`` and edited) against ``plan``:
    the report and the changes to write. :class:`ImportErrors` lists every bad cell."""
    importer = Importer(plan)
    for position, path in enumerate(files):
        importer.read(path, display[position] if display is not None else None)
    return importer.finish()


def new_errors(plan: Plan, changes: ChangeSet, ignore: Iterable[str] = ()) -> list[Any]:
    """The errors the plan would have after ``changes`` that it does not have now, in the
    files' real names."""
    from .api import validate
    from .plan_changes import check, new_diagnostics

    if not changes:
        return []
    ignored = frozenset(ignore)
    before = validate(plan, ignored)
    after = check(changes, plan.display_root, ignored)
    return new_diagnostics(before, after, errors=True)


__all__ = [
    "FicheReport",
    "EntryReport",
    "ImportErrors",
    "ImportReport",
    "Importer",
    "expected_cell",
    "import_workbooks",
    "new_errors",
    "report_lines",
    "same",
    "unescape",
]
