"""Returned campaign workbooks → dated ``suivi`` entries and ``mesures`` in the fiches.

:func:`merge` reads the workbooks of a follow-up campaign (any subset, in any order, renamed
or not: each is recognised by its hidden sheet), checks every cell that was filled, and
turns each answered row into a follow-up entry appended to the fiche's ``suivi`` (created if
missing) and each value into a measure appended to its indicator. Nothing is written here:
the result holds a :class:`~ctgkit.plan_changes.ChangeSet` to write, and everything the user
must be told.

Rules: a bad cell anywhere is a located error and then nothing is merged; an answer is never
merged over a newer entry (a ``suivi`` entry dated on or after it, a measure of the same
period or later), nor twice (importing a workbook again adds nothing); two pilotes of one
fiche who answered differently are a conflict, and neither answer is merged; with the
campaign's manifest, the pilotes who have not answered are named, and a workbook of another
campaign is refused.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .campaign_layout import (
    ACHIEVEMENTS,
    DATE,
    DIFFICULTIES,
    ENTRY_KEYS,
    FICHE,
    FICHE_ANSWER,
    FICHE_CONTEXT,
    FICHE_FILL,
    INDICATORS_SHEET,
    MANIFEST,
    MEASURE_DATE,
    MEASURE_NOTE,
    NEXT_STEPS,
    NOTE,
    POSITION,
    PROGRESS,
    RESPONDENT,
    SOURCE,
    STATUS,
    Stamp,
    expects_number,
    follow_up_sheet,
    indicator_context,
    indicator_fill,
    is_campaign_workbook,
    read_stamp,
    value_column,
)
from .card import number as shown_number
from .dates import PartialDate
from .diagnostics import Diagnostic
from .export import _cell_text
from .i18n import _, language, ngettext
from .loader import Plan, load_plan
from .model import FOLLOW_UP_STATUSES, fold
from .plan_changes import ChangeSet, check, new_diagnostics
from .rules.suivi import as_number, is_qualitative
from .workbook_read import (
    Cell,
    Row,
    WorkbookError,
    day,
    number,
    open_workbook,
    read_table,
    text,
    whole,
)

#: The largest manifest read (a campaign of a few hundred workbooks weighs some 100 kB).
MAX_MANIFEST_BYTES = 20 * 1024 * 1024


@dataclass
class Conflict:
    """Two (or more) pilotes of one fiche who answered differently: nothing of theirs is
    merged for that fiche (``indicator`` None) or that indicator."""

    fiche: str
    actors: list[str]
    fields: list[str]  # the columns whose answers differ
    indicator: str | None = None

    def __str__(self) -> str:
        actors = ", ".join(self.actors)
        fields = ", ".join(f"« {f} »" for f in self.fields)
        if self.indicator is None:
            return _(
                "fiche {fiche}: {actors} answered differently ({fields}); neither answer was "
                "merged: settle it with them and write the update in the fiche"
            ).format(fiche=self.fiche, actors=actors, fields=fields)
        return _(
            "fiche {fiche}, indicator « {indicator} »: {actors} gave different values "
            "({fields}); none was merged"
        ).format(fiche=self.fiche, indicator=self.indicator, actors=actors, fields=fields)


@dataclass
class CampaignMerge:
    """What merging returned workbooks would do. Write ``changes`` (with
    :func:`ctgkit.plan_changes.write`) only when :attr:`ok`."""

    changes: ChangeSet
    report: list[str] = field(default_factory=list)
    errors: list[WorkbookError] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # actors who have not answered
    diagnostics: list[Diagnostic] = field(default_factory=list)  # errors the merge would add
    warnings: list[Diagnostic] = field(default_factory=list)  # warnings the merge would add
    entries: int = 0  # follow-up entries added
    measures: int = 0  # measures added

    @property
    def ok(self) -> bool:
        """Nothing stops the merge: no bad cell or workbook, no error in the result."""
        return not self.errors and not self.diagnostics


# --------------------------------------------------------------------------- reading


@dataclass
class _Received:
    file: str
    stamp: Stamp
    answers: list[_FicheAnswer] = field(default_factory=list)
    measures: list[_MeasureAnswer] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)  # fiches left empty

    @property
    def actor(self) -> str:
        return self.stamp.actor or _("the coordination")


@dataclass
class _FicheAnswer:
    received: _Received
    fiche: str
    cell: Cell  # the fiche's number, to locate
    date: dt.date
    values: dict[str, Any]  # YAML key -> value (statut, avancement, texts)
    respondent: str | None

    @property
    def author(self) -> str | None:
        actor = self.received.stamp.actor
        if actor and self.respondent:
            return f"{actor} ({self.respondent})"
        return actor or self.respondent

    def content(self) -> tuple[Any, ...]:
        return tuple(_same(self.values.get(key)) for key in ENTRY_KEYS.values())


@dataclass
class _MeasureAnswer:
    received: _Received
    fiche: str
    position: int
    label: str
    cell: Cell
    date: dt.date | None
    value: Any
    source: str | None
    note: str | None


def _same(value: Any) -> Any:
    """A value as compared between answers and entries: text without its spacing, numbers
    as floats."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def merge(
    plan: Plan | str | os.PathLike[str],
    files: list[Path],
    *,
    manifest: Path | None = None,
    today: dt.date | None = None,
) -> CampaignMerge:
    """The returned workbooks ``files`` as changes to ``plan`` (nothing is written).

    ``manifest`` is the campaign's ``campagne.json`` (default: the one next to the first
    file, if any); with it, the workbooks must be of that campaign, and the actors who have
    not answered are listed. ``today`` fixes the date of the follow-up checks."""
    if not isinstance(plan, Plan):
        plan = load_plan(plan)
    result = CampaignMerge(ChangeSet(plan.root))
    if plan.meta is None or plan.form is None:
        result.diagnostics = [d for d in plan.diagnostics if d.is_error]
        return result
    files = [Path(f) for f in files]
    sent = None
    if manifest is not None:
        sent = _read_manifest(manifest, plan.slug, result.errors)
    elif files and (files[0].parent / MANIFEST).is_file():
        # Found, not given: a manifest of another plan or a damaged one is not used (each
        # workbook is still checked against the plan).
        found: list[WorkbookError] = []
        sent = _read_manifest(files[0].parent / MANIFEST, plan.slug, found)

    received: list[_Received] = []
    given: set[str] = set()  # fingerprints of the campaign's workbooks given, even faulty
    for path in files:
        shown = str(path)
        try:
            book = open_workbook(path, shown)
        except WorkbookError as exc:
            result.errors.append(exc)
            continue
        slug = _cell_text(plan.slug)  # as the hidden sheet holds it
        item = _read_workbook(book, shown, slug, sent, result.errors, given)
        if item is not None:
            received.append(item)
    _same_campaign(received, sent, result.errors)
    fiches = {loaded.fiche.number.strip(): loaded for loaded in plan.fiches}
    for item in received:
        _check_against_plan(item, fiches, result.errors)
    if sent is not None:
        for workbook in sent["workbooks"]:
            if workbook.get("fingerprint") not in given:
                actor = workbook.get("actor")
                result.missing.append(
                    str(actor) if actor is not None else _("the fiches without a pilot")
                )
    if result.errors:
        return result

    _merge_answers(plan, fiches, received, result, today)
    return result


def _read_manifest(path: Path, slug: str, errors: list[WorkbookError]) -> dict[str, Any] | None:
    shown = str(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if info.st_size > MAX_MANIFEST_BYTES:
            raise OSError(errno.EFBIG, os.strerror(errno.EFBIG))
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        from .fsutil import reason

        errors.append(
            WorkbookError(
                _("cannot read the campaign manifest: {reason}").format(reason=reason(exc)),
                shown,
            )
        )
        return None
    except (ValueError, RecursionError):  # not JSON, not UTF-8, nested too deep
        data = None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("workbooks"), list)
        or not all(isinstance(w, dict) for w in data["workbooks"])
    ):
        errors.append(
            WorkbookError(_("this is not the manifest of a ctg campaign (campagne.json)"), shown)
        )
        return None
    if data.get("plan") != slug:
        errors.append(
            WorkbookError(
                _(
                    "this manifest is the one of a campaign of the plan « {other} », not of "
                    "« {plan} »"
                ).format(other=data.get("plan"), plan=slug),
                shown,
            )
        )
        return None
    data["_file"] = shown
    return data


def _read_workbook(
    book: Any,
    shown: str,
    slug: str,
    sent: dict[str, Any] | None,
    errors: list[WorkbookError],
    given: set[str],
) -> _Received | None:
    if not is_campaign_workbook(book):
        errors.append(
            WorkbookError(
                _(
                    "this is not a workbook of a ctg follow-up campaign (its hidden sheet "
                    "« _ctg » is missing)"
                ),
                shown,
            )
        )
        return None
    stamp = read_stamp(book)
    if stamp is None or not stamp.intact:
        errors.append(
            WorkbookError(
                _(
                    "the hidden sheet « _ctg » of this workbook was changed: ctg can no longer "
                    "tell what was sent; use the workbook as it was sent"
                ),
                shown,
            )
        )
        return None
    if stamp.plan != slug:
        errors.append(
            WorkbookError(
                _(
                    "this workbook belongs to a campaign of the plan « {other} », not of « {plan} »"
                ).format(other=stamp.plan, plan=slug),
                shown,
            )
        )
        return None
    if sent is not None and stamp.fingerprint not in {
        w.get("fingerprint") for w in sent["workbooks"]
    }:
        errors.append(
            WorkbookError(
                _(
                    "this workbook is not one of the campaign {manifest} ({year}, dated "
                    "{date}): it comes from another campaign ({other_year}, dated "
                    "{other_date}), or the campaign was made again since"
                ).format(
                    manifest=sent["_file"],
                    year=sent.get("year"),
                    date=sent.get("date"),
                    other_year=stamp.year,
                    other_date=stamp.date.isoformat(),
                ),
                shown,
            )
        )
        return None
    given.add(stamp.fingerprint)
    item = _Received(shown, stamp)
    count = len(errors)
    try:
        _read_fiches(book, item, errors)
    except WorkbookError as exc:
        errors.append(exc)
    try:
        _read_indicators(book, item, errors)
    except WorkbookError as exc:
        errors.append(exc)
    return item if len(errors) == count else None


def _same_campaign(
    received: list[_Received], sent: dict[str, Any] | None, errors: list[WorkbookError]
) -> None:
    """Without a manifest, the workbooks must all come from one campaign."""
    if sent is not None or not received:
        return
    first = received[0]
    for item in received[1:]:
        if (item.stamp.year, item.stamp.date) != (first.stamp.year, first.stamp.date):
            errors.append(
                WorkbookError(
                    _(
                        "this workbook comes from the campaign {year} dated {date}, but {first} "
                        "from the campaign {first_year} dated {first_date}; merge one campaign "
                        "at a time"
                    ).format(
                        year=item.stamp.year,
                        date=item.stamp.date.isoformat(),
                        first=first.file,
                        first_year=first.stamp.year,
                        first_date=first.stamp.date.isoformat(),
                    ),
                    item.file,
                )
            )


def _read_fiches(book: Any, item: _Received, errors: list[WorkbookError]) -> None:
    stamp = item.stamp
    sheet = follow_up_sheet(stamp.year)
    table = read_table(
        book, sheet, FICHE_CONTEXT + FICHE_FILL, file=item.file, required=(FICHE, STATUS)
    )
    assert table is not None
    _locate_empty_cells(book, table)
    sent = [f.number for f in stamp.fiches]
    seen: dict[str, int] = {}
    for row in table.rows:
        fiche = _fiche_of(row, sent, seen, errors)
        if fiche is None:
            continue
        if all(row[name].empty for name in FICHE_ANSWER):
            item.silent.append(fiche)
            continue
        answer = _fiche_answer(row, item, fiche, errors)
        if answer is not None:
            item.answers.append(answer)
    for sent_number in sent:
        if sent_number not in seen:
            item.silent.append(sent_number)


def _locate_empty_cells(book: Any, table: Any) -> None:
    """Give every row a cell, with its address, for each column of the sheet (an empty cell
    that must be filled is then named: ``Suivi 2025!E4``)."""
    wanted = {" ".join(name.split()).casefold(): name for name in table.headers}
    letters = {}
    for cell in next(book[table.name].iter_rows(max_row=1), ()):
        if isinstance(cell.value, str):
            name = wanted.get(" ".join(cell.value.split()).casefold())
            if name is not None:
                letters[name] = cell.column_letter
    for row in table.rows:
        for name, letter in letters.items():
            if name not in row.cells:
                row.cells[name] = Cell(table.name, f"{letter}{row.number}", None, table.file)


def _fiche_of(
    row: Row, sent: list[str], seen: dict[str, int], errors: list[WorkbookError]
) -> str | None:
    cell = row[FICHE]
    written = text(cell)
    if written is None:
        if any(not row[name].empty for name in FICHE_ANSWER):
            errors.append(
                cell.error(_("this row has no fiche number: write the number of its fiche"))
            )
        return None
    fiche = written.strip()
    if fiche not in sent:
        errors.append(
            cell.error(
                _(
                    "the fiche « {number} » was not sent in this workbook (its fiches: {sent})"
                ).format(number=fiche, sent=", ".join(sent))
            )
        )
        return None
    if fiche in seen:
        errors.append(
            cell.error(
                _(
                    "the fiche {number} already has a row (row {first}): keep one row per fiche"
                ).format(number=fiche, first=seen[fiche])
            )
        )
        return None
    seen[fiche] = row.number
    return fiche


def _fiche_answer(
    row: Row, item: _Received, fiche: str, errors: list[WorkbookError]
) -> _FicheAnswer | None:
    count = len(errors)
    values: dict[str, Any] = {}
    date = item.stamp.date
    try:
        date = day(row[DATE], DATE) or item.stamp.date
    except WorkbookError as exc:
        errors.append(exc)
    status_cell = row[STATUS]
    written = text(status_cell)
    choices = ", ".join(FOLLOW_UP_STATUSES)
    if written is None:
        errors.append(
            status_cell.error(
                _("{what}: choose the status of the fiche ({choices}), or empty the row").format(
                    what=STATUS, choices=choices
                )
            )
        )
    else:
        status = {fold(s): s for s in FOLLOW_UP_STATUSES}.get(fold(written))
        if status is None:
            errors.append(
                status_cell.error(
                    _("{what} « {value} » is not a status; choose one of: {choices}").format(
                        what=STATUS, value=written, choices=choices
                    )
                )
            )
        values["statut"] = status
    try:
        progress = _progress(row[PROGRESS])
        if progress is not None:
            values["avancement"] = progress
    except WorkbookError as exc:
        errors.append(exc)
    for column in (ACHIEVEMENTS, DIFFICULTIES, NEXT_STEPS, NOTE):
        value = text(row[column])
        if value is not None and value.strip():
            values[ENTRY_KEYS[column]] = value.strip()
    respondent = text(row[RESPONDENT])
    respondent = " ".join(respondent.split()) if respondent else None
    if len(errors) != count:
        return None
    return _FicheAnswer(item, fiche, row[FICHE], date, values, respondent or None)


def _progress(cell: Cell) -> int | None:
    """Avancement: a whole number from 0 to 100 (« 40 % » is read as 40)."""
    if cell.empty:
        return None
    value = cell.value
    if isinstance(value, str) and value.strip().endswith("%"):
        cell = Cell(cell.sheet, cell.coordinate, value.strip()[:-1].strip(), cell.file)
    try:
        progress = whole(cell, PROGRESS)
    except WorkbookError:
        progress = None
    if progress is None or not 0 <= progress <= 100:
        raise cell.error(
            _("{what} « {value} » must be a whole number from 0 to 100").format(
                what=PROGRESS, value=text(cell)
            )
        )
    return progress


def _read_indicators(book: Any, item: _Received, errors: list[WorkbookError]) -> None:
    stamp = item.stamp
    year = stamp.year
    table = read_table(
        book,
        INDICATORS_SHEET,
        indicator_context(year) + indicator_fill(year),
        file=item.file,
        required=(FICHE, POSITION, value_column(year)),
    )
    assert table is not None
    _locate_empty_cells(book, table)
    sent = {(i.fiche, i.position): i for i in stamp.indicators}
    seen: dict[tuple[str, int], int] = {}
    value_name = value_column(year)
    fills = indicator_fill(year)
    for row in table.rows:
        if all(row[name].empty for name in fills):
            continue
        count = len(errors)
        fiche = text(row[FICHE])
        try:
            position = whole(row[POSITION], POSITION)
        except WorkbookError as exc:
            errors.append(exc)
            continue
        key = ((fiche or "").strip(), position or 0)
        indicator = sent.get(key)
        if indicator is None:
            errors.append(
                row.error(
                    _(
                        "this row is not an indicator sent in this workbook (fiche « {fiche} », "
                        "n° « {position} »); do not change the grey columns"
                    ).format(fiche=fiche or "", position=position or "")
                )
            )
            continue
        if key in seen:
            errors.append(
                row.error(
                    _(
                        "the indicator {position} of the fiche {fiche} already has a row "
                        "(row {first}): keep one row per indicator"
                    ).format(position=position, fiche=key[0], first=seen[key])
                )
            )
            continue
        seen[key] = row.number
        value_cell = row[value_name]
        value = None
        if value_cell.empty:
            errors.append(
                value_cell.error(
                    _("{what}: give the value, or empty the row").format(what=value_name)
                )
            )
        else:
            value = value_cell  # converted once the plan's indicator is known
        date = None
        try:
            date = day(row[MEASURE_DATE], MEASURE_DATE)
        except WorkbookError as exc:
            errors.append(exc)
        if len(errors) != count:
            continue
        source = text(row[SOURCE])
        note = text(row[MEASURE_NOTE])
        item.measures.append(
            _MeasureAnswer(
                item,
                key[0],
                key[1],
                indicator.label,
                value_cell,
                date,
                value,
                source.strip() if source and source.strip() else None,
                note.strip() if note and note.strip() else None,
            )
        )


# --------------------------------------------------------------------------- the plan


def _check_against_plan(
    item: _Received, fiches: dict[str, Any], errors: list[WorkbookError]
) -> None:
    """Every answered fiche and indicator must still be in the plan; each value must be
    what its indicator takes (a number, or text for a qualitative one)."""
    for answer in item.answers:
        if answer.fiche not in fiches:
            errors.append(
                answer.cell.error(
                    _("the fiche {number} is no longer in the plan").format(number=answer.fiche)
                )
            )
    for measure in item.measures:
        loaded = fiches.get(measure.fiche)
        if loaded is None:
            errors.append(
                measure.cell.error(
                    _("the fiche {number} is no longer in the plan").format(number=measure.fiche)
                )
            )
            continue
        indicators = list(getattr(loaded.fiche, "indicators", []) or [])
        index = _find_indicator(indicators, measure.position, measure.label)
        if index is None:
            errors.append(
                measure.cell.error(
                    _(
                        "the indicator « {label} » of the fiche {number} is no longer in the plan"
                    ).format(label=measure.label, number=measure.fiche)
                )
            )
            continue
        measure.position = index + 1
        try:
            measure.value = _indicator_value(
                measure.value, indicators[index], value_column(item.stamp.year)
            )
        except WorkbookError as exc:
            errors.append(exc)


def _find_indicator(indicators: list[Any], position: int, label: str) -> int | None:
    """The index of the indicator sent as ``position``/``label``: the same label at that
    place, else the first with that label."""
    wanted = fold(label)

    def label_of(indicator: Any) -> str:  # as the workbook holds it
        return fold(_cell_text(" ".join(indicator.label.split())))

    if 0 < position <= len(indicators) and label_of(indicators[position - 1]) == wanted:
        return position - 1
    for index, indicator in enumerate(indicators):
        if label_of(indicator) == wanted:
            return index
    return None


def _indicator_value(cell: Cell, indicator: Any, what: str) -> Any:
    """The measure as the indicator takes it: text for a qualitative one; a number when its
    series has numbers or it has a unit (« 12,5 », « 65 % » accepted); otherwise a number
    when the cell is one, else its text."""
    written = (text(cell) or "").strip()
    if is_qualitative(indicator):
        return written
    probe = cell
    if isinstance(cell.value, str) and written.endswith("%"):
        probe = Cell(cell.sheet, cell.coordinate, written[:-1].strip(), cell.file)
    if expects_number(indicator):
        return number(probe, what)
    try:
        return number(probe, what)
    except WorkbookError:
        return written


# --------------------------------------------------------------------------- merging


def _merge_answers(
    plan: Plan,
    fiches: dict[str, Any],
    received: list[_Received],
    result: CampaignMerge,
    today: dt.date | None,
) -> None:
    from .source import SourceError, parse_yaml
    from .yaml_edit import EditError

    assert plan.form is not None
    follow_up_key = next((f.key for f in plan.form.fields if f.attr == "follow_up"), "suivi")
    indicators_key = next(
        (f.key for f in plan.form.fields if f.attr == "indicators"), "indicateurs"
    )
    year = received[0].stamp.year if received else 0
    report = result.report
    for item in received:
        report.append(
            _("{file} ({actor}): {answers}, {values}").format(
                file=item.file,
                actor=item.actor,
                answers=ngettext(
                    "{n} fiche answered", "{n} fiches answered", len(item.answers)
                ).format(n=len(item.answers)),
                values=ngettext("{n} value", "{n} values", len(item.measures)).format(
                    n=len(item.measures)
                ),
            )
        )
    edits: dict[str, list[tuple[str, Any]]] = {}  # fiche -> [(kind, data)]

    # Follow-up entries, fiche by fiche.
    by_fiche: dict[str, list[_FicheAnswer]] = {}
    for item in received:
        for answer in item.answers:
            by_fiche.setdefault(answer.fiche, []).append(answer)
        for number_ in item.silent:
            report.append(
                _("fiche {fiche}: no answer from {actor}").format(fiche=number_, actor=item.actor)
            )
    for fiche_number in sorted(by_fiche, key=_natural):
        answers = by_fiche[fiche_number]
        fiche = fiches[fiche_number].fiche
        chosen = _agree(answers, result, fiche_number)
        if chosen is None:
            continue
        answer, authors = chosen
        entry = _entry(answer, authors)
        when = PartialDate.parse(entry["date"])
        names = ", ".join(dict.fromkeys(a.received.actor for a in answers))
        if _not_added(
            report,
            any(_entry_matches(existing, entry) for existing in fiche.follow_up),
            [e.date for e in fiche.follow_up],
            when,
            _("fiche {fiche}: the answer of {actor} is already in the plan; nothing added"),
            _(
                "fiche {fiche}: a more recent update ({date}) is already in the plan; the "
                "answer of {actor} is ignored"
            ),
            fiche=fiche_number,
            actor=names,
        ):
            continue
        edits.setdefault(fiche_number, []).append(("entry", entry))
        result.entries += 1
        report.append(
            _("fiche {fiche}: update « {status} » of {date} added ({author})").format(
                fiche=fiche_number,
                status=entry["statut"],
                date=when.iso(),
                author=entry.get("auteur") or names,
            )
        )
        if when.year != year:
            report.append(
                _(
                    "fiche {fiche}: this update is dated {date}, outside {year}, the year of the "
                    "campaign"
                ).format(fiche=fiche_number, date=when.iso(), year=year)
            )

    # Measures, indicator by indicator.
    by_indicator: dict[tuple[str, int], list[_MeasureAnswer]] = {}
    for item in received:
        for measure in item.measures:
            by_indicator.setdefault((measure.fiche, measure.position), []).append(measure)
    for key in sorted(by_indicator, key=lambda k: (_natural(k[0]), k[1])):
        measures = by_indicator[key]
        fiche_number, position = key
        indicator = fiches[fiche_number].fiche.indicators[position - 1]
        label = " ".join(indicator.label.split())
        measure = _agree_measures(measures, result, fiche_number, label, year)
        if measure is None:
            continue
        data = _measure(measure, year, measures)
        when = PartialDate.parse(data["date"])
        names = ", ".join(dict.fromkeys(m.received.actor for m in measures))
        if _not_added(
            report,
            any(_measure_matches(existing, data) for existing in indicator.measurements),
            [m.date for m in indicator.measurements],
            when,
            _(
                "fiche {fiche}, indicator « {indicator} »: the value of {actor} is already "
                "in the plan; nothing added"
            ),
            _(
                "fiche {fiche}, indicator « {indicator} »: a measure of {date} is already "
                "in the plan; the value of {actor} is ignored"
            ),
            fiche=fiche_number,
            indicator=label,
            actor=names,
        ):
            continue
        edits.setdefault(fiche_number, []).append(("measure", (position - 1, data)))
        result.measures += 1
        report.append(
            _("fiche {fiche}, indicator « {indicator} »: {value} ({date}) added").format(
                fiche=fiche_number,
                indicator=label,
                value=_shown(data["valeur"]),
                date=when.iso(),
            )
        )

    for fiche_number, pending in edits.items():
        loaded = fiches[fiche_number]
        path = loaded.source.path
        before = result.changes.text(path)
        try:
            raw = parse_yaml(before)
            after = _apply(before, raw, pending, follow_up_key, indicators_key)
        except (EditError, SourceError) as exc:
            result.errors.append(
                WorkbookError(
                    _("cannot add the answers to this fiche: {reason}").format(
                        reason=getattr(exc, "message", str(exc))
                    ),
                    loaded.source.display,
                )
            )
            continue
        result.changes.set(path, after)

    if result.missing:
        report.append(_("no answer yet from: {actors}").format(actors=", ".join(result.missing)))
    for conflict in result.conflicts:
        report.append(str(conflict))
    files = len(result.changes.effective)
    if files:
        report.append(
            _("to add: {entries} and {measures}, in {files}").format(
                entries=ngettext(
                    "{n} follow-up entry", "{n} follow-up entries", result.entries
                ).format(n=result.entries),
                measures=ngettext("{n} measure", "{n} measures", result.measures).format(
                    n=result.measures
                ),
                files=ngettext("{n} fiche file", "{n} fiche files", files).format(n=files),
            )
        )
    else:
        report.append(_("nothing to add to the plan"))
    if files and not result.errors:
        from .api import validate

        before_diagnostics = validate(plan, today=today)
        after = check(result.changes, plan.display_root, today=today)
        result.diagnostics = new_diagnostics(before_diagnostics, after, errors=True)
        result.warnings = new_diagnostics(before_diagnostics, after, errors=False)


def _not_added(
    report: list[str],
    present: bool,
    dates: list[PartialDate],
    when: PartialDate,
    said_present: str,
    said_newer: str,
    **fields: str,
) -> bool:
    """Whether an answer dated ``when`` is not added to the plan, and why (in ``report``):
    it is ``present`` already, or one of the plan's ``dates`` is as recent
    (``said_newer`` gets the newest as ``{date}``)."""
    if present:
        report.append(said_present.format(**fields))
        return True
    newer = [d for d in dates if d.last_day() >= when.first_day()]
    if newer:
        report.append(said_newer.format(date=max(newer).iso(), **fields))
        return True
    return False


def _natural(number_: str) -> Any:
    from .coverage_model import natural_key

    return natural_key(number_)


def _shown(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return shown_number(value, language()) or ""
    return str(value)


def _agree(
    answers: list[_FicheAnswer], result: CampaignMerge, fiche: str
) -> tuple[_FicheAnswer, list[str]] | None:
    """One answer for the fiche, with every author who gave it; None (a conflict recorded)
    when the answers differ."""
    differing = [
        column
        for column, key in ENTRY_KEYS.items()
        if len({_same(a.values.get(key)) for a in answers}) > 1
    ]
    if differing:
        actors = list(dict.fromkeys(a.received.actor for a in answers))
        if len(actors) == 1:
            actors = [f"{actors[0]} ({a.received.file})" for a in answers]
        result.conflicts.append(Conflict(fiche, actors, differing))
        return None
    latest = max(answers, key=lambda a: a.date)
    authors = [a.author for a in answers if a.author]
    return latest, list(dict.fromkeys(authors))


def _agree_measures(
    measures: list[_MeasureAnswer], result: CampaignMerge, fiche: str, label: str, year: int
) -> _MeasureAnswer | None:
    differing = []
    if len({_same(m.value) for m in measures}) > 1:
        differing.append(value_column(year))
    if len({m.date for m in measures}) > 1:
        differing.append(MEASURE_DATE)
    if differing:
        actors = list(dict.fromkeys(m.received.actor for m in measures))
        if len(actors) == 1:
            actors = [f"{actors[0]} ({m.received.file})" for m in measures]
        result.conflicts.append(Conflict(fiche, actors, differing, indicator=label))
        return None
    return measures[0]


def _entry(answer: _FicheAnswer, authors: list[str]) -> dict[str, Any]:
    """The ``suivi`` entry, keys in the model's order."""
    entry: dict[str, Any] = {"date": answer.date, "statut": answer.values["statut"]}
    for key in ("avancement", "réalisations", "difficultés", "prochaines_étapes"):
        if answer.values.get(key) is not None:
            entry[key] = answer.values[key]
    if authors:
        entry["auteur"] = ", ".join(authors)
    if answer.values.get("commentaire") is not None:
        entry["commentaire"] = answer.values["commentaire"]
    return entry


def _measure(measure: _MeasureAnswer, year: int, all_: list[_MeasureAnswer]) -> dict[str, Any]:
    """The ``mesures`` item: dated by its cell, else by the campaign's year."""
    data: dict[str, Any] = {
        "date": measure.date if measure.date is not None else year,
        "valeur": measure.value,
    }
    sources = list(dict.fromkeys(m.source for m in all_ if m.source))
    notes = list(dict.fromkeys(m.note for m in all_ if m.note))
    if sources:
        data["source"] = " ; ".join(sources)
    if notes:
        data["commentaire"] = " ; ".join(notes)
    return data


def _entry_matches(existing: Any, entry: dict[str, Any]) -> bool:
    """An entry of the plan that is this answer (imported before): same date and content."""
    if existing.date != PartialDate.parse(entry["date"]):
        return False
    pairs = (
        (existing.status, entry.get("statut")),
        (existing.progress, entry.get("avancement")),
        (existing.achievements, entry.get("réalisations")),
        (existing.difficulties, entry.get("difficultés")),
        (existing.next_steps, entry.get("prochaines_étapes")),
        (existing.note, entry.get("commentaire")),
    )
    return all(_same(a) == _same(b) for a, b in pairs)


def _measure_matches(existing: Any, data: dict[str, Any]) -> bool:
    if existing.date != PartialDate.parse(data["date"]):
        return False
    mine, theirs = as_number(data["valeur"]), as_number(existing.value)
    if mine is not None and theirs is not None:
        return mine == theirs
    return _same(str(existing.value)) == _same(str(data["valeur"]))


def _apply(
    text_: str,
    raw: Any,
    pending: list[tuple[str, Any]],
    follow_up_key: str,
    indicators_key: str,
) -> str:
    """The fiche's new text: the entries appended to its ``suivi`` (made a list if missing
    or empty), each measure appended to its indicator's ``mesures`` (an indicator written
    as one line becomes a mapping with its ``libellé``). Comments and every other byte are
    kept (:mod:`ctgkit.yaml_edit`)."""
    from .yaml_edit import Append, Set, apply

    edits: list[Any] = []
    data = raw if isinstance(raw, dict) else {}
    indicators = data.get(indicators_key) or []
    for kind, payload in pending:
        if kind == "entry":
            edits.append(Append((follow_up_key,), payload))
            continue
        index, measure = payload
        item = indicators[index]
        if isinstance(item, dict):
            edits.append(Append((indicators_key, index, "mesures"), measure))
        else:
            edits.append(Set((indicators_key, index), {"libellé": item, "mesures": [measure]}))
    return apply(text_, edits)
