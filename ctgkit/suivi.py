"""Analyses: the yearly bilan of a plan from its follow-up (``ctg bilan``).

For a year Y, every fiche's state at the end of Y (its latest `suivi` entry dated in Y or
before), the fiches counted by status for each axis, every indicator against its target
for Y (or the final one) with its series, the fiches with no news in Y (to chase), the
objectives with neither a fiche nor progress, and — when Y is the last year of the
convention — the evaluation view: per objective, attained, partly, not, or not assessable,
from the indicators of the fiches serving it.

Plans without follow-up get a true bilan too: every fiche « aucun suivi ».
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .coverage_model import natural_key
from .dates import PartialDate
from .index import PlanIndex
from .loader import Plan
from .model import CLOSED_STATUSES, FOLLOW_UP_STATUSES
from .rules.suivi import as_number, has_follow_up, is_numeric

#: The key of ``by_status`` that counts fiches without any follow-up entry (JSON).
NO_FOLLOW_UP = "none"
#: Statuses that mean the action moved.
PROGRESS_STATUSES = ("en cours", "réalisée")
#: Verdicts of the evaluation view (JSON-like tokens; the documents print them in French).
ATTAINED, PARTLY, NOT_ATTAINED, NOT_ASSESSABLE = "attained", "partly", "not", "not-assessable"


@dataclass
class Entry:
    """One follow-up entry, as the bilan shows it (plain data: picklable, no models)."""

    date: PartialDate
    status: str
    progress: float | None
    achievements: str | None
    difficulties: str | None
    next_steps: str | None
    author: str | None
    note: str | None


@dataclass
class FicheProgress:
    number: str
    title: str
    status: str | None  # None: no follow-up up to the year
    updated: PartialDate | None
    progress: float | None
    latest: Entry | None
    entries: int  # entries up to the year
    axes: list[str]  # codes of the axes it serves, plan order ([] : none)
    objectives: list[str]  # leaf codes it serves, as the tree writes them
    pilotes: list[str]
    updated_this_year: bool
    to_chase: bool
    start: PartialDate | None = None
    end: PartialDate | None = None

    @property
    def moved(self) -> bool:
        return self.status in PROGRESS_STATUSES or bool(self.progress)


@dataclass
class Point:
    date: PartialDate
    value: float | str
    source: str | None = None
    note: str | None = None


@dataclass
class IndicatorSeries:
    fiche: str
    fiche_title: str
    label: str
    unit: str | None
    direction: str | None
    numeric: bool
    baseline: float | str | None
    baseline_date: PartialDate | None
    target: float | str | None  # for the year, or the final one
    target_year: int | None  # the year of ``target``; None for the final `cible`
    measures: list[Point]  # up to the year, in date order
    latest: float | str | None
    latest_date: PartialDate | None
    attainment: float | None

    @property
    def followed(self) -> bool:
        """Has something to show beyond its label: a target, a baseline or measures."""
        return self.target is not None or self.baseline is not None or bool(self.measures)


@dataclass
class AxisCounts:
    code: str | None  # None: fiches serving no axis
    title: str
    counts: dict[str, int]  # every status, then NO_FOLLOW_UP

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class ObjectiveState:
    code: str
    title: str
    fiches: list[str]
    reason: str  # "no-fiche" | "no-progress"


@dataclass
class ObjectiveVerdict:
    code: str
    title: str
    fiches: list[str]
    verdict: str  # ATTAINED, PARTLY, NOT_ATTAINED, NOT_ASSESSABLE
    measured: int  # indicators with a target
    reached: int  # of which reached


@dataclass
class PlanBilan:
    slug: str
    title: str
    language: str
    year: int
    period: tuple[int, int] | None
    has_follow_up: bool
    axis_level: str  # what the plan calls its top level (axe, enjeu…)
    objective_level: str
    by_status: dict[str, int]
    axes: list[AxisCounts]
    fiches: list[FicheProgress]
    indicators: list[IndicatorSeries]
    stale: list[str]  # fiche numbers with no update in the year (to chase)
    neglected: list[ObjectiveState]
    evaluation: list[ObjectiveVerdict] | None = field(default=None)

    @property
    def final(self) -> bool:
        return self.evaluation is not None

    def to_json(self) -> dict[str, Any]:
        """The JSON contract (see docs/bilan.md): keys in English, fiche numbers as text."""
        return {
            "slug": self.slug,
            "year": self.year,
            "by_status": dict(self.by_status),
            "fiches": [
                {
                    "number": f.number,
                    "title": f.title,
                    "status": f.status,
                    "updated": f.updated.iso() if f.updated else None,
                    "progress": _plain(f.progress),
                }
                for f in self.fiches
            ],
            "indicators": [
                {
                    "fiche": i.fiche,
                    "label": i.label,
                    "unit": i.unit,
                    "target": _plain(i.target),
                    "latest": _plain(i.latest),
                    "attainment": i.attainment,
                }
                for i in self.indicators
            ],
            "stale": list(self.stale),
        }


def _plain(value: Any) -> Any:
    """12.0 → 12 (JSON readers see the number the plan wrote)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def default_year(plan: Plan, today: dt.date | None = None) -> int:
    """The year a bilan is about when none is given: this year, within the period (a plan
    that has ended gets its final bilan)."""
    year = (today or dt.date.today()).year
    period = plan.meta.period if plan.meta else None
    if period is not None:
        year = min(max(year, period.start), period.end)
    return year


def attainment(
    latest: Any, target: Any, baseline: Any, direction: str | None = None
) -> float | None:
    """(latest − baseline) / (target − baseline); latest / target without a baseline
    (target / latest for an indicator meant to fall: 1 when it is down to its target); None
    without a target, without a measure, or when the ratio is undefined (target equal to
    the baseline, a zero divisor). Rounded to 4 decimals."""
    now, goal, start = as_number(latest), as_number(target), as_number(baseline)
    if now is None or goal is None:
        return None
    if start is None:
        if direction == "baisse":
            return round(goal / now, 4) if now else None
        return round(now / goal, 4) if goal else None
    if goal == start:
        return None
    return round((now - start) / (goal - start), 4)


def compute(plan: Plan, year: int | None = None, today: dt.date | None = None) -> PlanBilan:
    """The bilan of ``plan`` for ``year`` (default: :func:`default_year`). The plan is
    expected to be valid (``ctg bilan`` refuses plans with errors)."""
    meta = plan.meta
    if meta is None:
        raise ValueError(f"{plan.display_root}: plan.yaml could not be loaded")
    year = year if year is not None else default_year(plan, today)
    index = PlanIndex(meta)
    axis_order = {index.canonical(n.code): i for i, n in enumerate(meta.strategy)}
    followed = has_follow_up(plan)
    loaded = sorted(plan.fiches, key=lambda f: natural_key(f.fiche.number))

    fiches: list[FicheProgress] = []
    indicators: list[IndicatorSeries] = []
    for item in loaded:
        fiche = item.fiche
        fiches.append(_fiche_progress(fiche, year, index, axis_order))
        for indicator in getattr(fiche, "indicators", []) or []:
            indicators.append(_series(fiche, indicator, year))

    by_status = {status: 0 for status in (*FOLLOW_UP_STATUSES, NO_FOLLOW_UP)}
    for f in fiches:
        by_status[f.status or NO_FOLLOW_UP] += 1

    axes = [
        AxisCounts(node.code, node.title or "", {k: 0 for k in by_status}) for node in meta.strategy
    ]
    without_axis = AxisCounts(None, "", {k: 0 for k in by_status})
    by_code = {a.code: a for a in axes}
    for f in fiches:
        for code in f.axes or [None]:
            (by_code.get(code) or without_axis).counts[f.status or NO_FOLLOW_UP] += 1
    if without_axis.total:
        axes.append(without_axis)

    served: dict[str, list[FicheProgress]] = {}
    for f in fiches:
        for code in f.objectives:
            served.setdefault(index.canonical(code), []).append(f)
    neglected = []
    for info in index.leaves:
        serving = served.get(index.canonical(info.code), [])
        if not serving:
            neglected.append(ObjectiveState(info.code, info.node.title or "", [], "no-fiche"))
        elif followed and not any(f.moved for f in serving):
            numbers = [f.number for f in serving]
            neglected.append(
                ObjectiveState(info.code, info.node.title or "", numbers, "no-progress")
            )

    evaluation = None
    period = meta.period
    if period is not None and year == period.end:
        by_fiche: dict[str, list[IndicatorSeries]] = {}
        for series in indicators:
            by_fiche.setdefault(series.fiche, []).append(series)
        evaluation = []
        for info in index.leaves:
            serving = served.get(index.canonical(info.code), [])
            numbers = [f.number for f in serving]
            measured = [
                s
                for number in numbers
                for s in by_fiche.get(number, [])
                if as_number(s.target) is not None
            ]
            evaluation.append(_verdict(info.code, info.node.title or "", numbers, measured))

    return PlanBilan(
        slug=plan.slug,
        title=" ".join(meta.title.split()),
        language=meta.language,
        year=year,
        period=(period.start, period.end) if period else None,
        has_follow_up=followed,
        axis_level=index.level_name(0),
        objective_level=index.level_name(max(index.depth - 1, 0)),
        by_status=by_status,
        axes=axes,
        fiches=fiches,
        indicators=indicators,
        stale=[f.number for f in fiches if f.to_chase],
        neglected=neglected,
        evaluation=evaluation,
    )


def _fiche_progress(
    fiche: Any, year: int, index: PlanIndex, axis_order: dict[str, int]
) -> FicheProgress:
    entries = sorted(
        (
            (entry.date.first_day(), position, entry)
            for position, entry in enumerate(fiche.follow_up)
            if entry.date.year <= year
        ),
        key=lambda triple: (triple[0], triple[1]),
    )
    latest = entries[-1][2] if entries else None
    axes: dict[str, str] = {}
    leaves: list[str] = []
    for ref in fiche.objectives:
        info = index.get(ref.code) if index.well_formed(ref.code) else None
        if info is None:
            continue
        if info.is_leaf and info.code not in leaves:
            leaves.append(info.code)
        if info.ancestors:
            top = index.nodes.get(info.ancestors[0])
            if top is not None:
                axes[info.ancestors[0]] = top.code
    for code in fiche.axes:
        info = index.get(code) if index.well_formed(code) else None
        if info is not None and info.level == 0:
            axes[index.canonical(info.code)] = info.code
    ordered_axes = [axes[k] for k in sorted(axes, key=lambda k: axis_order.get(k, 1 << 30))]
    status = latest.status if latest else None
    updated_this_year = any(entry.date.year == year for _, _, entry in entries)
    started_later = fiche.start is not None and fiche.start.year > year
    closed = status in CLOSED_STATUSES
    return FicheProgress(
        number=fiche.number.strip(),
        title=" ".join(fiche.title.split()),
        status=status,
        updated=latest.date if latest else None,
        progress=latest.progress if latest else None,
        latest=_entry(latest) if latest else None,
        entries=len(entries),
        axes=ordered_axes,
        objectives=leaves,
        pilotes=list(fiche.pilotes),
        updated_this_year=updated_this_year,
        to_chase=not updated_this_year and not closed and not started_later,
        start=fiche.start,
        end=fiche.end,
    )


def _entry(entry: Any) -> Entry:
    return Entry(
        entry.date,
        entry.status,
        entry.progress,
        entry.achievements,
        entry.difficulties,
        entry.next_steps,
        entry.author,
        entry.note,
    )


def _target_for(indicator: Any, year: int) -> tuple[Any, int | None]:
    """The target for ``year`` (`cibles`), else the final one: `cible`, else the last year
    of `cibles`."""
    if year in indicator.targets:
        return indicator.targets[year], year
    if indicator.target is not None:
        return indicator.target, None
    if indicator.targets:
        last = max(indicator.targets)
        return indicator.targets[last], last
    return None, None


def _series(fiche: Any, indicator: Any, year: int) -> IndicatorSeries:
    numeric = is_numeric(indicator)
    measures = sorted(
        (
            (m.date.first_day(), position, m)
            for position, m in enumerate(indicator.measurements)
            if m.date.year <= year
        ),
        key=lambda triple: (triple[0], triple[1]),
    )
    points = [Point(m.date, _value(m.value, numeric), m.source, m.note) for _, _, m in measures]
    target, target_year = _target_for(indicator, year)
    latest = points[-1] if points else None
    baseline = _value(indicator.baseline, numeric)
    target = _value(target, numeric)
    return IndicatorSeries(
        fiche=fiche.number.strip(),
        fiche_title=" ".join(fiche.title.split()),
        label=" ".join(indicator.label.split()),
        unit=indicator.unit,
        direction=indicator.direction,
        numeric=numeric,
        baseline=baseline,
        baseline_date=indicator.baseline_date,
        target=target,
        target_year=target_year,
        measures=points,
        latest=latest.value if latest else None,
        latest_date=latest.date if latest else None,
        attainment=(
            attainment(latest.value, target, baseline, indicator.direction)
            if latest and numeric
            else None
        ),
    )


def _value(value: Any, numeric: bool) -> Any:
    if value is None or not numeric:
        return value
    number = as_number(value)
    return number if number is not None else value


def _verdict(
    code: str, title: str, fiches: list[str], measured: list[IndicatorSeries]
) -> ObjectiveVerdict:
    if not measured:
        return ObjectiveVerdict(code, title, fiches, NOT_ASSESSABLE, 0, 0)
    ratios = [s.attainment for s in measured]
    reached = sum(1 for r in ratios if r is not None and r >= 1)
    if reached == len(measured):
        verdict = ATTAINED
    elif any(r is not None and r > 0 for r in ratios):
        verdict = PARTLY
    else:
        verdict = NOT_ATTAINED
    return ObjectiveVerdict(code, title, fiches, verdict, len(measured), reached)
