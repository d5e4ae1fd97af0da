"""Properties of `ctg import` (an edited export, a campaign's returned workbooks, a damaged
workbook): it never crashes, refuses without writing a byte, or writes a plan that validates
and that a fresh export/import leaves alone.

The default (CI) profile runs a few examples per property so that the file stays short; the
``long`` profile (``HYPOTHESIS_PROFILE=long pytest -m long tests/test_import_properties.py``)
runs many more.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ctgkit.api import load_plan, validate
from ctgkit.export import MAX_CELL

from .conftest import FIXTURES, PLANS, copy_plan, invoke

CIVRAISIEN = PLANS / "civraisien-2019"
CAMPAIGN_PLAN = FIXTURES / "campaign-plan"
#: Long texts make long example reprs; hypothesis says so.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")
EDITABLE_SHEETS = ("Fiches", "Indicateurs", "Suivi")
#: Examples per property in the default (CI) profile: each is an import of a whole plan, so
#: few; the long run (``pytest -m long -s tests/test_import_properties.py``) runs many more.
EXAMPLES = 15
#: Examples per property in the long run (six properties).
LONG_EXAMPLES = 500
#: Exit codes seen by the long run (it prints them: a run that never writes proves little).
EXITS: Counter = Counter()


def examples(n: int = EXAMPLES) -> settings:
    return settings(settings.default, max_examples=n)


# --------------------------------------------------------------------------- values

TRICKY = [
    "1,5",
    "1e400",
    "-1e400",
    "nan",
    "NaN",
    "inf",
    "-0",
    "0x10",
    "1 200",
    "12,5 %",
    "50 %",
    "31/02/2025",
    "2025-13-01",
    "2025-02-30",
    "00/00/0000",
    "2025",
    "0",
    "-1",
    "101",
    "=1+1",
    "=A1",
    "=SUM(A1:A3)",
    "+1",
    "@x",
    "- x",
    "a: b",
    "#",
    "# x",
    "{{ }}",
    "{{ x }}",
    "'",
    '"',
    "''",
    '"x"',
    "\\",
    "\\x00",
    "\\u0007",
    "---",
    "...",
    "&a *b",
    "!tag",
    "%",
    "|",
    ">",
    "[",
    "]",
    "{",
    "}",
    "~",
    "null",
    "yes",
    "no",
    "oui",
    "non",
    "true",
    "1.",
    "1. x",
    "  1. x\n  1.1. y",
    "a : b",
    "x\ny",
    "x\r\ny",
    "x\rz",
    " \n ",
    "\t",
    "\u2028",
    "\ufeff",
    "é" * 3,
    "CCVE",
    "Mille Bulles",
    "CAF",
    "prévue",
    "en cours",
    "réalisée",
    "1\n2",
    "1.1",
    "A.1",
    "1.1.b",
    "2024-06-30",
    "30/06/2024",
    "30 %",
    "€",
    "12 €",
]


def _clean(value: object) -> object:
    """What a spreadsheet can hold: no control characters XML refuses."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200),
    st.sampled_from(TRICKY),
    st.lists(st.sampled_from(TRICKY), min_size=1, max_size=4).map("\n".join),
    st.builds(
        lambda piece, n: (piece * n)[:40_000],
        st.sampled_from(["é", "ab ", "x\n", "1"]),
        st.sampled_from([1000, 32_767, 32_768, 40_000]),
    ),
).map(_clean)

values = st.one_of(
    texts,
    st.integers(-(10**300), 10**300),
    st.sampled_from([10**20, -(10**20), 10**300, 2**63, 0, -1, 100, 101]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(min_value=dt.date(1900, 1, 1)),
    st.none(),
)


# --------------------------------------------------------------------------- helpers


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def errors_of(plan: Path) -> Counter:
    """The plan's errors, without their line and column (an edit may move them)."""
    return Counter((d.file, d.code, d.message) for d in validate(load_plan(plan)) if d.is_error)


def run_import(plan: Path, *books: Path):
    """`ctg import` in-process: an internal error raises here (``catch_exceptions=False``)."""
    result = invoke("import", str(plan), *(str(b) for b in books))
    EXITS[result.exit_code] += 1
    assert result.exit_code in (0, 1), (result.exit_code, result.output)
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result


def assert_consistent(result, plan: Path, before: dict[str, bytes], errors: Counter) -> None:
    """Exit 1 wrote nothing; exit 0 brought no new error."""
    if result.exit_code == 1:
        assert snapshot(plan) == before, result.output
        assert result.stderr.strip(), "a refusal says why"
    else:
        assert not (errors_of(plan) - errors), result.output


# --------------------------------------------------------------------------- 1. export fuzz


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[str, tuple[Path, Path, Counter, dict]]:
    """Per plan: its pristine copy, its export, its errors, the headers of each sheet."""
    made = {}
    for source in (CIVRAISIEN, CAMPAIGN_PLAN):
        folder = tmp_path_factory.mktemp(source.name)
        plan = copy_plan(source, folder / source.name)
        book = folder / "plan.xlsx"
        result = invoke("export", str(plan), "-o", str(book))
        assert result.exit_code == 0, result.output
        loaded = openpyxl.load_workbook(book)
        shape = {
            name: ([c.value for c in loaded[name][1]], loaded[name].max_row)
            for name in EDITABLE_SHEETS
        }
        made[source.name] = (plan, book, errors_of(plan), shape)
    return made


edit = st.tuples(
    st.sampled_from(EDITABLE_SHEETS),
    st.floats(min_value=0, max_value=1),  # row, as a fraction of the rows (+ one past)
    st.floats(min_value=0, max_value=1),  # column, as a fraction of the headers
    values,
)

#: Fiches columns whose text reads back as typed (modulo line ends and trailing spaces).
PLAIN_TEXT = ("Titre", "Description")
PEOPLE = ("Pilote(s) / porteur(s)", "Partenaires associés", "Pilotes", "Partenaires")


def _lines(value: str) -> list[str]:
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line.strip() for line in lines if line.strip()]


def _normal(value: str) -> str:
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def _apply(book_path: Path, shape: dict, edits: list) -> tuple[Path, list]:
    """The edits typed into a copy of the workbook; the (sheet, row, header, value) typed."""
    book = openpyxl.load_workbook(book_path)
    typed = []
    for sheet, row_at, column_at, value in edits:
        headers, max_row = shape[sheet]
        row = 2 + min(int(row_at * max_row), max_row - 1)  # 2 … max_row + 1
        index = min(int(column_at * len(headers)), len(headers) - 1)
        book[sheet].cell(row=row, column=index + 1).value = value
        if isinstance(value, str):
            value = value[:MAX_CELL]  # openpyxl keeps what a cell holds, as Excel does
        typed.append((sheet, row, headers[index], value))
    target = book_path.parent / "edited.xlsx"
    book.save(target)
    return target, typed


def _read_back(book_path: Path, typed: list) -> None:
    """Plain text and people typed into an existing fiche read back as typed."""
    last: dict[tuple[str, int, str], object] = {}
    for sheet, row, header, value in typed:
        last[(sheet, row, header)] = value
    book = openpyxl.load_workbook(book_path)
    fiches = book["Fiches"]
    headers = [c.value for c in fiches[1]]
    for (sheet, row, header), value in last.items():
        if sheet != "Fiches" or row > fiches.max_row or not isinstance(value, str):
            continue
        if "\\" in value or value.startswith("="):
            continue  # escapes and formulas have their own rules
        if header not in (*PLAIN_TEXT, *PEOPLE) or header not in headers:
            continue
        now = fiches.cell(row=row, column=headers.index(header) + 1).value
        if isinstance(now, str) and len(now) == MAX_CELL and now.endswith(" […]"):
            continue  # longer than a cell holds: the export cuts it, as documented
        if header in PLAIN_TEXT:
            if header == "Titre" and not value.strip():
                continue  # a fiche keeps its title (a blank one is refused)
            assert _normal(str(now or "")) == _normal(value), (header, row)
        elif _lines(value):
            assert _lines(str(now or "")) == _lines(value), (header, row)


def check_export_edit(exports, plan_name: str, edits: list) -> None:
    pristine, book, errors, shape = exports[plan_name]
    with tempfile.TemporaryDirectory(prefix="ctg-fuzz-") as temporary:
        folder = Path(temporary)
        plan = copy_plan(pristine, folder / pristine.name)
        shutil.copy(book, folder / "plan.xlsx")
        edited, typed = _apply(folder / "plan.xlsx", shape, edits)
        before = snapshot(plan)
        result = run_import(plan, edited)
        assert_consistent(result, plan, before, errors)
        if result.exit_code == 1:
            return
        # A fresh export of the result, imported at once, changes no byte.
        again = folder / "again.xlsx"
        exported = invoke("export", str(plan), "-o", str(again))
        assert exported.exit_code == 0, exported.output
        settled = snapshot(plan)
        second = run_import(plan, again)
        assert second.exit_code == 0, second.output
        assert snapshot(plan) == settled, second.output
        assert "written" not in second.stdout, second.stdout
        _read_back(again, typed)


@pytest.mark.parametrize("plan_name", [CIVRAISIEN.name, CAMPAIGN_PLAN.name])
def test_edited_export_imports_or_is_refused_cleanly(exports, plan_name: str) -> None:
    @examples()
    @given(st.lists(edit, min_size=1, max_size=5))
    def run(edits: list) -> None:
        check_export_edit(exports, plan_name, edits)

    run()


# --------------------------------------------------------------------------- 2. campaign


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> tuple[Path, Path, Counter]:
    folder = tmp_path_factory.mktemp("campaign")
    plan = copy_plan(CAMPAIGN_PLAN, folder / "campaign-plan")
    output = folder / "campagne-2025"
    result = invoke(
        "campaign", str(plan), "--year", "2025", "--date", "2025-11-30", "-o", str(output)
    )
    assert result.exit_code == 0, result.output
    return plan, output, errors_of(plan)


_FILL_HEADER = "FFE699"


def _fill_columns(sheet) -> list[int]:
    return [c.column for c in sheet[1] if (c.fill.fgColor.rgb or "").endswith(_FILL_HEADER)]


answer = st.tuples(
    st.sampled_from(("Suivi 2025", "Indicateurs")),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
    values,
)


def check_campaign(campaign, chosen: list[int], answers: list[list]) -> None:
    pristine, sent, errors = campaign
    with tempfile.TemporaryDirectory(prefix="ctg-fuzz-") as temporary:
        folder = Path(temporary)
        plan = copy_plan(pristine, folder / pristine.name)
        returned = shutil.copytree(sent, folder / "campagne-2025")
        names = sorted(p.name for p in returned.glob("*.xlsx"))
        books = []
        for which, cells in zip(chosen, answers, strict=False):
            path = returned / names[which % len(names)]
            if path in books:
                continue
            book = openpyxl.load_workbook(path)
            for sheet_name, row_at, column_at, value in cells:
                sheet = book[sheet_name]
                columns = _fill_columns(sheet)
                rows = sheet.max_row - 1
                if rows < 1:
                    continue
                row = 2 + min(int(row_at * rows), rows - 1)
                column = columns[min(int(column_at * len(columns)), len(columns) - 1)]
                sheet.cell(row=row, column=column).value = value
            book.save(path)
            books.append(path)
        before = snapshot(plan)
        result = run_import(plan, *books)
        assert_consistent(result, plan, before, errors)
        if result.exit_code == 1:
            return
        settled = snapshot(plan)
        again = run_import(plan, *books)
        assert again.exit_code == 0, again.output
        assert snapshot(plan) == settled, again.output
        assert "written" not in again.stdout, again.stdout


def test_campaign_answers_merge_or_are_refused_cleanly(campaign) -> None:
    @examples()
    @given(
        st.lists(st.integers(0, 3), min_size=1, max_size=3, unique=True),
        st.lists(st.lists(answer, min_size=1, max_size=6), min_size=3, max_size=3),
    )
    def run(chosen: list[int], answers: list[list]) -> None:
        check_campaign(campaign, chosen, answers)

    run()


# --------------------------------------------------------------------------- 3. damage


def _sheet(book, data):
    """One of the editable sheets still in the workbook (None when all are deleted)."""
    left = [name for name in EDITABLE_SHEETS if name in book.sheetnames]
    return book[data.draw(st.sampled_from(left))] if left else None


def _delete_sheet(book, data) -> None:
    left = [name for name in (*EDITABLE_SHEETS, "Lisez-moi", "Objectifs") if name in book]
    if len(left) > 1:  # openpyxl cannot save a workbook without sheets
        del book[data.draw(st.sampled_from(left))]


def _rename_header(book, data) -> None:
    sheet = _sheet(book, data)
    if sheet is None:
        return
    column = data.draw(st.integers(1, sheet.max_column))
    sheet.cell(row=1, column=column).value = data.draw(
        st.sampled_from(["", None, "Titre", "Numéro", "x", "Fiche", "Fichier", 12])
    )


def _rows_above(book, data) -> None:
    sheet = _sheet(book, data)
    if sheet is None:
        return
    sheet.insert_rows(1, data.draw(st.integers(1, 3)))
    if data.draw(st.booleans()):
        sheet.cell(row=1, column=1).value = "Mon tableau"


def _formula(book, data) -> None:
    sheet = _sheet(book, data)
    if sheet is None:
        return
    row = data.draw(st.integers(1, max(2, sheet.max_row)))
    column = data.draw(st.integers(1, sheet.max_column))
    sheet.cell(row=row, column=column).value = data.draw(
        st.sampled_from(["=A1", "=1+1", "=SUM(A1:A3)", '="x"&"y"'])
    )


def _merged(book, data) -> None:
    sheet = _sheet(book, data)
    if sheet is None:
        return
    top = data.draw(st.integers(1, max(2, sheet.max_row)))
    left = data.draw(st.integers(1, sheet.max_column))
    height = data.draw(st.integers(0, 2))
    width = data.draw(st.integers(0 if height else 1, 2))
    sheet.merge_cells(
        start_row=top, start_column=left, end_row=top + height, end_column=left + width
    )


DAMAGES = [_delete_sheet, _rename_header, _rows_above, _formula, _merged]


def check_damage(exports, plan_name: str, data) -> None:
    pristine, book_path, errors, _shape = exports[plan_name]
    with tempfile.TemporaryDirectory(prefix="ctg-fuzz-") as temporary:
        folder = Path(temporary)
        plan = copy_plan(pristine, folder / pristine.name)
        target = folder / "plan.xlsx"
        damages = data.draw(st.lists(st.sampled_from(DAMAGES), min_size=1, max_size=3))
        book = openpyxl.load_workbook(book_path)
        for damage in damages:
            damage(book, data)
        book.save(target)
        raw = target.read_bytes()
        how = data.draw(st.sampled_from(["none", "append", "truncate"]))
        if how == "append":
            raw += data.draw(st.binary(min_size=1, max_size=200))
        elif how == "truncate":
            # (a fraction: the saved size varies by a few bytes with the time of saving)
            raw = raw[: int(data.draw(st.floats(0, 1, exclude_max=True)) * len(raw))]
        target.write_bytes(raw)
        before = snapshot(plan)
        result = invoke("import", str(plan), str(target))
        EXITS[result.exit_code] += 1
        assert result.exit_code in (0, 1, 2), result.output
        assert "Traceback" not in result.output and "internal error" not in result.output
        if result.exit_code != 0:
            assert snapshot(plan) == before, result.output
            # located: the message names the workbook (or a sheet / cell of it)
            assert target.name in result.stderr or "sheet" in result.stderr, result.stderr
        else:
            # damage that does not touch what the import reads may be harmless
            assert not (errors_of(plan) - errors), result.output


@pytest.mark.parametrize("plan_name", [CIVRAISIEN.name, CAMPAIGN_PLAN.name])
def test_damaged_workbook_is_refused_cleanly(exports, plan_name: str) -> None:
    @examples()
    @given(st.data())
    def run(data) -> None:
        check_damage(exports, plan_name, data)

    run()


# --------------------------------------------------------------------------- long run


def _collecting(check, failures: dict[str, list]):
    """``check`` that records a failure (by kind) instead of raising, so that the run goes on
    after the first bug."""

    def run(case) -> None:
        try:
            check(case)
        except Exception as exc:  # noqa: BLE001 - every failure is a finding
            frames = traceback.extract_tb(exc.__traceback__)
            where = next(
                (
                    f"{Path(f.filename).name}:{f.lineno}"
                    for f in reversed(frames)
                    if "ctgkit" in f.filename or "tests" in f.filename
                ),
                "?",
            )
            message = str(exc).splitlines()[0][:160] if str(exc) else ""
            message = re.sub(r"/tmp/\S+", "PATH", message)
            key = f"{type(exc).__name__} at {where}: {message}"
            failures.setdefault(key, []).append(repr(case)[:1500])

    return run


@pytest.mark.long
def test_long_run(exports, campaign) -> None:
    """Every property above with many examples; prints the count, the exit codes and every
    distinct failure (kind, count, first example)."""
    profile = settings(
        settings.get_profile("long"),
        max_examples=LONG_EXAMPLES,
        phases=[Phase.explicit, Phase.generate],  # failures are collected, not replayed
        database=None,
    )
    failures: dict[str, list] = {}
    EXITS.clear()
    started = time.monotonic()
    for name in (CIVRAISIEN.name, CAMPAIGN_PLAN.name):
        edits = st.lists(edit, min_size=1, max_size=5)
        check = _collecting(lambda e, name=name: check_export_edit(exports, name, e), failures)
        profile(given(edits)(check))()
        check = _collecting(lambda d, name=name: check_damage(exports, name, d), failures)
        profile(given(st.data())(check))()
    check = _collecting(lambda case: check_campaign(campaign, *case), failures)
    profile(
        given(
            st.tuples(
                st.lists(st.integers(0, 3), min_size=1, max_size=3, unique=True),
                st.lists(st.lists(answer, min_size=1, max_size=6), min_size=3, max_size=3),
            )
        )(check)
    )()
    elapsed = time.monotonic() - started
    print(f"\nlong run: {sum(EXITS.values())} imports in {elapsed:.0f} s, exits {dict(EXITS)}")
    for key, entries in failures.items():
        print(f"\nFAILURE x{len(entries)}: {key}\n  first example: {entries[0]}")
    assert not failures, f"{len(failures)} kinds of failure; see the output above"
