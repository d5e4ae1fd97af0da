"""Reading a workbook that people edited (``ctg import``, follow-up campaigns), safely.

A workbook coming back from a partner may be anything: an old ``.xls``, a LibreOffice
``.ods``, a renamed PDF, a zip bomb, a sheet with merged cells or 10,000 rows, a formula
where a value was expected. Each of these is a :class:`WorkbookError` naming the file, and
when it can the sheet and the cell (``Fiches!F7``), in plain words: never a traceback.

The sheets are read as tables: the first row holds the headers, each following non-empty row
is a :class:`Row` whose cells are looked up by header. Cell values are kept as openpyxl gives
them (str, int, float, bool, datetime, None); the ``text``/``whole``/``number``/``day``
helpers turn one into what a YAML field expects, or raise a located error.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import stat
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .i18n import _

#: The largest workbook read (bytes on disk). An exported plan weighs well under 1 MB.
MAX_WORKBOOK_BYTES = 50 * 1024 * 1024
#: The most bytes its archive may hold once uncompressed (a zip bomb is refused unread).
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
#: The most data rows read from one sheet (a plan has tens of fiches, hundreds of entries).
MAX_ROWS = 5_000
#: The most columns of one sheet.
MAX_COLUMNS = 200

_FORMULA = re.compile(r"^=")
_FRENCH_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


class WorkbookError(Exception):
    """A workbook that cannot be read, or a cell that does not hold what its column
    expects. ``str()`` is the located message: ``file: Sheet!B7 : message``."""

    def __init__(
        self, message: str, file: str = "", sheet: str | None = None, cell: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.sheet = sheet
        self.cell = cell

    @property
    def where(self) -> str:
        """``Fiches!F7``, ``Fiches`` or empty."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def __str__(self) -> str:
        located = ": ".join(part for part in (self.file, self.where) if part)
        return (
            _("{where}: {message}").format(where=located, message=self.message)
            if (located)
            else self.message
        )


@dataclass
class Cell:
    """One cell of a data row: its address (``F7``) and its value as openpyxl reads it."""

    sheet: str
    coordinate: str
    value: Any
    file: str = ""

    def error(self, message: str) -> WorkbookError:
        return WorkbookError(message, self.file, self.sheet, self.coordinate)

    @property
    def empty(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())


@dataclass
class Row:
    """A data row of a sheet: its number (as the spreadsheet shows it) and its cells by
    header. A header missing from the sheet gives an empty cell."""

    sheet: str
    number: int
    cells: dict[str, Cell] = field(default_factory=dict)
    file: str = ""

    def __getitem__(self, header: str) -> Cell:
        found = self.cells.get(header)
        if found is None:
            return Cell(self.sheet, "", None, self.file)
        return found

    def error(self, message: str) -> WorkbookError:
        return WorkbookError(message, self.file, self.sheet, str(self.number))


@dataclass
class Table:
    """A sheet read as a table."""

    name: str
    headers: list[str]
    rows: list[Row]
    file: str = ""


def open_workbook(path: str | os.PathLike[str], display: str | None = None) -> Any:
    """The workbook at ``path`` as an openpyxl ``Workbook`` (formulas kept as formulas, so
    that a formula cell can be refused), or :class:`WorkbookError`."""
    path = Path(path)
    shown = display if display is not None else str(path)
    try:
        info = path.stat()
    except OSError as exc:
        from .fsutil import reason

        raise WorkbookError(
            _("cannot read the workbook: {reason}").format(reason=reason(exc)), shown
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise WorkbookError(_("this is a folder, not a workbook (.xlsx)"), shown)
    if not stat.S_ISREG(info.st_mode):
        raise WorkbookError(_("this is not a regular file; give an .xlsx workbook"), shown)
    if info.st_size > MAX_WORKBOOK_BYTES:
        raise WorkbookError(
            _("the workbook is too large ({size} MB; the limit is {limit} MB)").format(
                size=f"{info.st_size / 1e6:.1f}", limit=MAX_WORKBOOK_BYTES // (1024 * 1024)
            ),
            shown,
        )
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        from .fsutil import reason

        raise WorkbookError(
            _("cannot read the workbook: {reason}").format(reason=reason(exc)), shown
        ) from None
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise WorkbookError(
            _(
                "this is an old Excel 97-2003 workbook (.xls); open it in Excel or LibreOffice "
                "and save it as « Classeur Excel (.xlsx) »"
            ),
            shown,
        )
    if not head.startswith(b"PK"):
        raise WorkbookError(_("this is not an Excel workbook (.xlsx)"), shown)
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
                raise WorkbookError(
                    _(
                        "this is an OpenDocument spreadsheet (.ods); save it from LibreOffice "
                        "as « Classeur Excel 2007-365 (.xlsx) »"
                    ),
                    shown,
                )
            if "xl/workbook.xml" not in names:
                raise WorkbookError(_("this is not an Excel workbook (.xlsx)"), shown)
            total = sum(entry.file_size for entry in archive.infolist())
            if total > MAX_UNCOMPRESSED_BYTES:
                raise WorkbookError(
                    _("the workbook holds too much data once unpacked ({size} MB)").format(
                        size=f"{total / 1e6:.0f}"
                    ),
                    shown,
                )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise WorkbookError(
            _("this is not an Excel workbook (.xlsx), or it is damaged"), shown
        ) from None
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
            return load_workbook(path, data_only=False, read_only=False)
    except Exception:  # noqa: BLE001  (openpyxl raises anything on a damaged archive)
        raise WorkbookError(_("this Excel workbook is damaged and cannot be read"), shown) from None


def read_table(
    book: Any,
    sheet: str,
    known: Sequence[str],
    *,
    file: str = "",
    required: Sequence[str] = (),
    optional_sheet: bool = False,
) -> Table | None:
    """The sheet ``sheet`` of ``book`` as a table whose headers must all be in ``known``
    (matched without regard to case and surrounding spaces), ``required`` ones present.

    Refused with a located error: a missing sheet (unless ``optional_sheet``: None), an
    unknown, empty or repeated header, a merged cell, a formula, more than ``MAX_ROWS`` rows.
    """
    if sheet not in book.sheetnames:
        if optional_sheet:
            return None
        raise WorkbookError(
            _("the sheet « {sheet} » is missing (sheets found: {found})").format(
                sheet=sheet, found=", ".join(f"« {name} »" for name in book.sheetnames) or "-"
            ),
            file,
        )
    ws = book[sheet]
    if getattr(ws, "merged_cells", None) and ws.merged_cells.ranges:
        first = sorted(str(r) for r in ws.merged_cells.ranges)[0]
        raise WorkbookError(
            _("merged cells ({range}) cannot be read; unmerge them").format(range=first),
            file,
            sheet,
            first.split(":")[0],
        )
    if ws.max_column > MAX_COLUMNS:
        raise WorkbookError(
            _("the sheet has too many columns ({count}; the limit is {limit})").format(
                count=ws.max_column, limit=MAX_COLUMNS
            ),
            file,
            sheet,
        )
    normal = {_fold(name): name for name in known}
    headers: list[tuple[int, str]] = []
    seen: dict[str, str] = {}
    rows_iter = ws.iter_rows()
    first_row = next(rows_iter, ())
    for cell in first_row:
        value = cell.value
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        name = normal.get(_fold(str(value)))
        if name is None:
            raise WorkbookError(
                _("unknown column « {header} » (the columns of this sheet are: {known})").format(
                    header=str(value).strip(), known=", ".join(f"« {k} »" for k in known)
                ),
                file,
                sheet,
                cell.coordinate,
            )
        if name in seen:
            raise WorkbookError(
                _("the column « {header} » appears twice (also in {other})").format(
                    header=name, other=seen[name]
                ),
                file,
                sheet,
                cell.coordinate,
            )
        seen[name] = cell.coordinate
        headers.append((cell.column, name))
    for name in required:
        if name not in seen:
            raise WorkbookError(
                _("the column « {header} » is missing").format(header=name), file, sheet, "1"
            )
    by_column = dict(headers)
    rows: list[Row] = []
    for cells in rows_iter:
        row_number = cells[0].row if cells else 0
        row = Row(sheet, row_number, file=file)
        for cell in cells:
            if cell.value is None:
                continue
            name = by_column.get(cell.column)
            if cell.data_type == "f" or (
                isinstance(cell.value, str) and cell.data_type != "s" and _FORMULA.match(cell.value)
            ):
                raise WorkbookError(
                    _("this cell holds a formula; write its value instead"),
                    file,
                    sheet,
                    cell.coordinate,
                )
            if name is None:
                if isinstance(cell.value, str) and not cell.value.strip():
                    continue
                raise WorkbookError(
                    _("this cell is outside the columns of the sheet (no header above it)"),
                    file,
                    sheet,
                    cell.coordinate,
                )
            row.cells[name] = Cell(sheet, cell.coordinate, cell.value, file)
        if not any(not c.empty for c in row.cells.values()):
            continue
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise WorkbookError(
                _("the sheet has too many rows (more than {limit})").format(limit=MAX_ROWS),
                file,
                sheet,
                str(row_number),
            )
    return Table(sheet, [name for _col, name in headers], rows, file)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


# --------------------------------------------------------------------------- cell values


def text(cell: Cell) -> str | None:
    """The cell as text (None when empty): a number is written as the spreadsheet shows it
    (12, not 12.0), a date as 2025-06-30; line ends are normalised to ``\\n`` and trailing
    spaces of the whole text removed."""
    value = cell.value
    if cell.empty:
        return None
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").rstrip()


#: Digits of the longest whole number read from a cell: more is no count, amount or year (and
#: Python refuses to convert a string of more than 4,300 digits).
MAX_DIGITS = 18


def whole(cell: Cell, what: str) -> int | None:
    """The cell as a whole number (None when empty), else a located error naming ``what``."""
    if cell.empty:
        return None
    value = cell.value
    if isinstance(value, bool):
        raise cell.error(
            _("{what} « {value} » is not a whole number").format(what=what, value=value)
        )
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    written = text(cell) or ""
    if re.fullmatch(r"[+-]?\d+", written.strip()):
        if len(written.strip().lstrip("+-")) > MAX_DIGITS:
            raise cell.error(_("{what} « {value} » is too large").format(what=what, value=written))
        return int(written)
    raise cell.error(_("{what} « {value} » is not a whole number").format(what=what, value=written))


def year(cell: Cell, what: str) -> int | None:
    """The cell as a year (four digits), else a located error."""
    if cell.empty:
        return None
    written = text(cell) or ""
    value = None
    try:
        value = whole(cell, what)
    except WorkbookError:
        pass
    if value is None or not 1900 <= value <= 2200:
        raise cell.error(_("{what} « {value} » is not a year").format(what=what, value=written))
    return value


def number(cell: Cell, what: str) -> int | float | None:
    """The cell as a number (None when empty): ``12,5`` and ``1 200`` as a French writer
    types them are read too; anything else is a located error."""
    if cell.empty:
        return None
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            raise cell.error(_("{what} « {value} » is not a number").format(what=what, value=value))
        return int(value) if isinstance(value, float) and value.is_integer() else value
    written = (text(cell) or "").strip()
    compact = re.sub(r"[\s\u00a0\u202f]", "", written).replace(",", ".")
    if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", compact):
        parsed = float(compact)
        if not math.isfinite(parsed):  # hundreds of digits: float() gives inf
            raise cell.error(_("{what} « {value} » is too large").format(what=what, value=written))
        return int(parsed) if parsed.is_integer() and "." not in compact else parsed
    raise cell.error(_("{what} « {value} » is not a number").format(what=what, value=written))


def day(cell: Cell, what: str) -> dt.date | None:
    """The cell as a date (None when empty): a date cell, ``2025-06-30`` or ``30/06/2025``;
    anything else is a located error."""
    if cell.empty:
        return None
    value = cell.value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    written = (text(cell) or "").strip()
    match = _ISO_DATE.match(written)
    parts = (match.group(1), match.group(2), match.group(3)) if match else None
    if parts is None:
        french = _FRENCH_DATE.match(written)
        if french:
            parts = (french.group(3), french.group(2), french.group(1))
    if parts is not None:
        try:
            return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            pass
    raise cell.error(
        _("{what} « {value} » is not a date (write it 2025-06-30 or 30/06/2025)").format(
            what=what, value=written
        )
    )


def iter_lines(cell: Cell) -> Iterator[str]:
    """The non-empty lines of a text cell (a list written one item per line)."""
    for line in (text(cell) or "").split("\n"):
        if line.strip():
            yield line.strip()
