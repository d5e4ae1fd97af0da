"""Rules over the follow-up of fiches (`suivi`) and the series of their indicators.

The value helpers here (:func:`as_number`, :func:`is_numeric`, :func:`months_between`) are
shared with the bilan (:mod:`ctgkit.suivi`), so that what validate accepts is what the bilan
computes with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from ..dates import PartialDate
from ..diagnostics import Severity
from ..i18n import _
from ..loader import LoadedFiche
from ..model import CLOSED_STATUSES, QUALITATIVE_UNITS, fold
from .context import Finding, PlanContext
from .registry import rule

E, W = Severity.ERROR, Severity.WARNING

#: Follow-up may be reported this many years after the end of the convention.
GRACE_YEARS = 1
#: A fiche of a running plan with no follow-up entry for longer than this is stale.
STALE_MONTHS = 18


# ------------------------------------------------------------------------- values


def as_number(value: Any) -> float | None:
    """The number ``value`` is, as coordinators write numbers (``12``, ``12.5``, ``12,5``,
    ``65 %``, ``1 200``), or None for text that is not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        cleaned = value.strip().removesuffix("%").strip()
        cleaned = cleaned.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        cleaned = cleaned.replace(",", ".")
        try:
            number = float(cleaned)
        except ValueError:
            return None
        return number if number == number and abs(number) != float("inf") else None
    return None


def is_qualitative(indicator: Any) -> bool:
    """An indicator whose unit says its values are words (« texte », « qualitatif »)."""
    unit = indicator.unit
    return unit is not None and fold(unit) in {fold(u) for u in QUALITATIVE_UNITS}


def is_numeric(indicator: Any) -> bool:
    """Its values must be numbers: its unit is not a qualitative one, and at least one of
    its values (baseline, targets, measures) is a number. A series written wholly in words
    is qualitative."""
    if is_qualitative(indicator):
        return False
    return any(as_number(value) is not None for _path, value, _what in _values(indicator))


def months_between(start: dt.date, end: dt.date) -> float:
    """Whole months from ``start`` to ``end`` (fractional by days), negative if earlier."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months + (end.day - start.day) / 31


def latest_entry(fiche: Any, until: PartialDate | None = None) -> tuple[int, Any] | None:
    """``(position, entry)`` of the fiche's latest follow-up entry (dated no later than
    ``until``'s year when given); ties go to the one written last."""
    best = None
    for position, entry in enumerate(fiche.follow_up):
        if until is not None and entry.date.year > until.year:
            continue
        if best is None or entry.date.first_day() >= best[1].date.first_day():
            best = (position, entry)
    return best


def has_follow_up(plan: Any) -> bool:
    return any(loaded.fiche.follow_up for loaded in plan.fiches)


def _indicators(loaded: LoadedFiche) -> Iterator[tuple[int, Any]]:
    yield from enumerate(getattr(loaded.fiche, "indicators", []) or [])


def _values(indicator: Any) -> Iterator[tuple[tuple[Any, ...], Any, str]]:
    """``(path below the indicator, value, what)`` of each value of an indicator."""
    if indicator.baseline is not None:
        yield ("valeur_référence",), indicator.baseline, "valeur_référence"
    if indicator.target is not None:
        yield ("cible",), indicator.target, "cible"
    for year, value in indicator.targets.items():
        yield ("cibles", year), value, "cibles"
    for position, measure in enumerate(indicator.measurements):
        yield ("mesures", position, "valeur"), measure.value, "mesures"


# ------------------------------------------------------------------------- rules


@rule(
    "CTG060",
    "follow-up-outside-period",
    E,
    "A follow-up entry, a measure or a yearly target is dated outside the convention period.",
)
def follow_up_outside_period(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: a `suivi` entry or an indicator's measure (`mesures`) dated before the period
    starts or more than one year after it ends, or a yearly target (`cibles`) for a year
    outside the period. Plans without `période` are not checked. The baseline
    (`date_référence`) may be older: it is where the series starts.
    Why: follow-up records what happened during the convention; a date outside it is almost
    always a typing slip (2032 for 2023), and it would put the entry in the wrong yearly
    bilan. The year after the end is allowed: the final bilan is often written then.
    Example: `suivi: [{date: 2032-03, statut: en cours}]` in a 2019–2023 plan.
    """
    period = ctx.plan.meta.period if ctx.plan.meta else None
    if period is None or period.end < period.start:  # CTG042 reports the period itself
        return
    first, last = period.start, period.end + GRACE_YEARS

    def outside(date: PartialDate) -> bool:
        return date.year < first or date.year > last

    for loaded in ctx.plan.fiches:
        for position, entry in enumerate(loaded.fiche.follow_up):
            if outside(entry.date):
                yield Finding(
                    loaded.source,
                    ("suivi", position, "date"),
                    _(
                        "follow-up dated {date}, outside the convention period {start}-{end} "
                        "(follow-up is accepted until {last})"
                    ).format(date=entry.date, start=period.start, end=period.end, last=last),
                )
        for index, indicator in _indicators(loaded):
            for position, measure in enumerate(indicator.measurements):
                if outside(measure.date):
                    yield Finding(
                        loaded.source,
                        ("indicateurs", index, "mesures", position, "date"),
                        _(
                            "measure dated {date}, outside the convention period {start}-{end} "
                            "(measures are accepted until {last})"
                        ).format(date=measure.date, start=period.start, end=period.end, last=last),
                    )
            for year in indicator.targets:
                if not period.start <= year <= period.end:
                    yield Finding(
                        loaded.source,
                        ("indicateurs", index, "cibles", year),
                        _("target for {year}, outside the convention period {start}-{end}").format(
                            year=year, start=period.start, end=period.end
                        ),
                        key=True,
                    )


@rule("CTG061", "not-a-number", E, "An indicator value is text in a series of numbers.")
def not_a_number(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: a baseline, target or measure written in words in an indicator whose other values
    are numbers. `12,5`, `65 %` and `1 200` are read as numbers. An indicator whose values
    are all words, or whose `unité` is `texte` or `qualitatif`, is qualitative: any text.
    Why: the bilan compares each measure with the baseline and the target and draws the
    series; a value like « en hausse » or « 12 familles » cannot be placed on it.
    Example: `mesures: [{date: 2021, valeur: 150}, {date: 2022, valeur: une dizaine}]`.
    """
    for loaded in ctx.plan.fiches:
        for index, indicator in _indicators(loaded):
            if not is_numeric(indicator):
                continue
            for path, value, _what in _values(indicator):
                if as_number(value) is None:
                    message = (
                        _(
                            "'{value}' is not a number, and the indicator '{label}' counts "
                            "{unit} (write a number such as 12 or 12.5; a qualitative "
                            "indicator has `unité: texte`)"
                        )
                        if indicator.unit
                        else _(
                            "'{value}' is not a number, and the other values of the indicator "
                            "'{label}' are numbers (write a number such as 12 or 12.5)"
                        )
                    )
                    yield Finding(
                        loaded.source,
                        ("indicateurs", index, *path),
                        message.format(value=value, label=indicator.label, unit=indicator.unit),
                    )


@rule("CTG062", "progress-out-of-range", E, "A fiche's progress is below 0 or over 100 %.")
def progress_out_of_range(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: a follow-up entry's `avancement` below 0 or over 100.
    Why: progress is the share of the action done, in %; 120 is a slip (12? 100?).
    Indicator values in % are not limited: a rate can exceed 100 (an occupancy, a growth).
    Example: `avancement: 150`.
    """
    for loaded in ctx.plan.fiches:
        for position, entry in enumerate(loaded.fiche.follow_up):
            if entry.progress is not None and not 0 <= entry.progress <= 100:
                yield Finding(
                    loaded.source,
                    ("suivi", position, "avancement"),
                    _("progress {value} % is not between 0 and 100 %").format(
                        value=f"{entry.progress:g}"
                    ),
                )


@rule(
    "CTG063",
    "target-wrong-direction",
    E,
    "A target lies on the wrong side of the baseline for the indicator's direction.",
)
def target_wrong_direction(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: an indicator with `sens: hausse` whose target (`cible`, or one of `cibles`) is
    below its `valeur_référence`, or with `sens: baisse` whose target is above it.
    Why: either the direction or the target is mistaken, and the attainment the bilan
    computes would be negative for the hoped-for change.
    Example: `{sens: baisse, valeur_référence: 30, cible: 45, unité: jours}` for a waiting
    time meant to fall.
    """
    for loaded in ctx.plan.fiches:
        for index, indicator in _indicators(loaded):
            if indicator.direction not in ("hausse", "baisse"):
                continue
            baseline = as_number(indicator.baseline)
            if baseline is None:
                continue
            targets: list[tuple[tuple[Any, ...], Any]] = []
            if indicator.target is not None:
                targets.append((("cible",), indicator.target))
            targets += [(("cibles", year), value) for year, value in indicator.targets.items()]
            for path, value in targets:
                target = as_number(value)
                if target is None:
                    continue
                wrong = target < baseline if indicator.direction == "hausse" else target > baseline
                if wrong:
                    message = (
                        _(
                            "target {target} is below the baseline {baseline}, but the "
                            "indicator '{label}' should rise (sens: hausse)"
                        )
                        if indicator.direction == "hausse"
                        else _(
                            "target {target} is above the baseline {baseline}, but the "
                            "indicator '{label}' should fall (sens: baisse)"
                        )
                    )
                    yield Finding(
                        loaded.source,
                        ("indicateurs", index, *path),
                        message.format(
                            target=f"{target:g}", baseline=f"{baseline:g}", label=indicator.label
                        ),
                    )


@rule(
    "CTG064",
    "reopened-without-note",
    W,
    "A follow-up entry comes after « réalisée » or « abandonnée » without a note.",
)
def reopened_without_note(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: a `suivi` entry dated after an entry whose `statut` is `réalisée` or `abandonnée`,
    without a `commentaire`.
    Why: a finished or abandoned action that is reported again was reopened, or one of the
    two statuses is wrong; the COPIL needs to know which. A `commentaire` on the later
    entry saying why silences the warning.
    Example: `réalisée` in 2022-06, then `en cours` in 2023 with no `commentaire`.
    """
    for loaded in ctx.plan.fiches:
        entries = sorted(
            enumerate(loaded.fiche.follow_up), key=lambda pair: (pair[1].date.first_day(), pair[0])
        )
        closed = None
        for position, entry in entries:
            if closed is not None and entry.date.first_day() > closed.date.last_day():
                if not (entry.note and entry.note.strip()):
                    yield Finding(
                        loaded.source,
                        ("suivi", position, "statut"),
                        _(
                            "follow-up after the fiche was marked '{closed}' on {date}; add a "
                            "`commentaire` saying why it is reported again"
                        ).format(closed=closed.status, date=closed.date),
                    )
            if entry.status in CLOSED_STATUSES:
                closed = entry


@rule(
    "CTG065",
    "stale-fiche",
    W,
    "In a plan with follow-up, a fiche has had no update for over 18 months.",
)
def stale_fiche(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: while the plan runs (today within its period), a fiche whose last `suivi` entry —
    or, without any, its start (`début`, else the period's start) — is more than 18 months
    old, and which is neither `réalisée` nor `abandonnée`. Only plans where at least one fiche
    has follow-up are checked, and only with a `période`; `ctg validate --today 2026-11-30`
    fixes « today » so that a run can be repeated.
    Why: the yearly bilan needs every fiche's news; this is the list of pilotes to ask before
    the COPIL.
    Example: a fiche last updated in 2022-03, checked on 2023-11-30.
    """
    plan = ctx.plan
    period = plan.meta.period if plan.meta else None
    if period is None or not has_follow_up(plan):
        return
    today = ctx.today
    if not period.start <= today.year <= period.end:
        return
    for loaded in plan.fiches:
        fiche = loaded.fiche
        latest = latest_entry(fiche)
        if latest is not None:
            position, entry = latest
            if entry.status in CLOSED_STATUSES:
                continue
            since, path = entry.date.last_day(), ("suivi", position, "date")
        else:
            start = fiche.start.first_day() if fiche.start else dt.date(period.start, 1, 1)
            since, path = start, ("numéro",)
        if since > today:
            continue
        months = months_between(since, today)
        if months > STALE_MONTHS:
            if latest is None:
                message = _(
                    "fiche {number} has no follow-up, {months} months after it started "
                    "(today is {today})"
                )
            else:
                message = _(
                    "fiche {number} has had no follow-up for {months} months (last: {date}, "
                    "today is {today})"
                )
            yield Finding(
                loaded.source,
                path,
                message.format(
                    number=fiche.number,
                    months=int(months),
                    date=latest[1].date if latest else "",
                    today=today.isoformat(),
                ),
            )
