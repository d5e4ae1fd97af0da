"""``ctg bilan`` output: JSON (the dashboards' contract), text for the terminal, and the
bilan document in Markdown and self-contained HTML (Jinja templates, overridable file by
file like ``ctg render``'s).

The HTML charts are inline SVG computed here (geometry only: rectangles, lines, points)
and drawn by the template partial ``_bilan_charts.html.j2``: no JavaScript, printable, each
with a title and the table of its data beside it. The document links every fiche and
objective to its anchor in the published plan (``plan.html`` next to it, as ``ctg render``
writes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import card, markup
from .i18n import _, ngettext
from .loader import Plan
from .markup import Rich
from .safe_text import json_dumps, printable
from .suivi import (
    ATTAINED,
    NO_FOLLOW_UP,
    NOT_ASSESSABLE,
    NOT_ATTAINED,
    PARTLY,
    IndicatorSeries,
    PlanBilan,
)

FORMATS = ("md", "html", "json")
#: output file name per format
DOCUMENTS = {"md": "bilan.md", "html": "bilan.html", "json": "bilan.json"}
TEMPLATES = {"md": "bilan.md.j2", "html": "bilan.html.j2"}

#: How the documents (French) name each status; None is a fiche without follow-up.
STATUS_TEXT = {
    "prévue": "prévue",
    "en cours": "en cours",
    "réalisée": "réalisée",
    "reportée": "reportée",
    "abandonnée": "abandonnée",
    NO_FOLLOW_UP: "aucun suivi",
}
#: Fill colours of the status chart (print-friendly, distinct in greyscale).
STATUS_FILL = {
    "prévue": "#9db4d3",
    "en cours": "#1d4e89",
    "réalisée": "#2e7d32",
    "reportée": "#e08a00",
    "abandonnée": "#9b2c00",
    NO_FOLLOW_UP: "#d9d9d9",
}
VERDICT_TEXT = {
    ATTAINED: "atteint",
    PARTLY: "partiellement atteint",
    NOT_ATTAINED: "non atteint",
    NOT_ASSESSABLE: "non évaluable",
}
DIRECTION_TEXT = {"hausse": "à la hausse", "baisse": "à la baisse", "stable": "stable"}


# ------------------------------------------------------------------------- JSON, text


def to_json(bilans: list[PlanBilan]) -> str:
    return json_dumps({"plans": [b.to_json() for b in bilans]}) + "\n"


def _status_word(status: str | None) -> str:
    """The status as the terminal says it (the format's French words stay as they are)."""
    if status is None or status == NO_FOLLOW_UP:
        return _("no follow-up")
    return status


def render_text(bilans: list[PlanBilan]) -> str:
    """The terminal report: one block per plan."""
    lines: list[str] = []
    for bilan in bilans:
        if lines:
            lines.append("")
        lines.append(
            printable(
                _("Bilan {year} — {title} ({slug})").format(
                    year=bilan.year, title=bilan.title, slug=bilan.slug
                )
            )
        )
        if not bilan.has_follow_up:
            lines.append(
                _(
                    "No follow-up is recorded in this plan yet: every fiche is listed as "
                    "« {none} »."
                ).format(none=_status_word(None))
            )
        counts = ", ".join(
            f"{_status_word(status)} {count}" for status, count in bilan.by_status.items()
        )
        lines.append(_("Fiches by status: {counts}").format(counts=counts))
        lines.append("")
        lines.append(_("Fiches:"))
        for fiche in bilan.fiches:
            parts = [_status_word(fiche.status)]
            if fiche.updated is not None:
                parts.append(_("updated {date}").format(date=fiche.updated.iso()))
            if fiche.progress is not None:
                parts.append(f"{fiche.progress:g} %")
            lines.append(
                printable(f"  {fiche.number:>4}  {_short(fiche.title, 60)}  — {', '.join(parts)}")
            )
        measured = [i for i in bilan.indicators if i.target is not None or i.measures]
        if measured:
            lines.append("")
            lines.append(_("Indicators:"))
            for series in measured:
                lines.append(printable("  " + _indicator_line(series)))
        lines.append("")
        if bilan.stale:
            lines.append(
                ngettext(
                    "To chase (no update in {year}): {n} fiche: {numbers}",
                    "To chase (no update in {year}): {n} fiches: {numbers}",
                    len(bilan.stale),
                ).format(year=bilan.year, n=len(bilan.stale), numbers=", ".join(bilan.stale))
            )
        else:
            lines.append(_("Every fiche has news for {year}.").format(year=bilan.year))
        no_fiche = [o for o in bilan.neglected if o.reason == "no-fiche"]
        no_progress = [o for o in bilan.neglected if o.reason == "no-progress"]
        if no_fiche:
            lines.append(
                _("Objectives served by no fiche ({n}): {codes}").format(
                    n=len(no_fiche), codes=", ".join(o.code for o in no_fiche)
                )
            )
        else:
            lines.append(_("Every objective is served by a fiche."))
        if bilan.has_follow_up and no_progress:
            lines.append(
                _("Objectives whose fiches have not progressed ({n}): {codes}").format(
                    n=len(no_progress), codes=", ".join(o.code for o in no_progress)
                )
            )
        if bilan.evaluation is not None:
            tally: dict[str, int] = {}
            for verdict in bilan.evaluation:
                tally[verdict.verdict] = tally.get(verdict.verdict, 0) + 1
            lines.append(
                _(
                    "Evaluation ({n} objectives): attained {attained}, partly {partly}, "
                    "not attained {not_attained}, not assessable {not_assessable}"
                ).format(
                    n=len(bilan.evaluation),
                    attained=tally.get(ATTAINED, 0),
                    partly=tally.get(PARTLY, 0),
                    not_attained=tally.get(NOT_ATTAINED, 0),
                    not_assessable=tally.get(NOT_ASSESSABLE, 0),
                )
            )
    return "\n".join(printable(line) for line in lines) + "\n"


def _indicator_line(series: IndicatorSeries) -> str:
    unit = f" {series.unit}" if series.unit else ""
    latest = "—" if series.latest is None else f"{_fmt(series.latest)}{unit}"
    target = "—" if series.target is None else f"{_fmt(series.target)}{unit}"
    ratio = "" if series.attainment is None else f" ({100 * series.attainment:.0f} %)"
    return _("fiche {fiche}: {label}: latest {latest}, target {target}{ratio}").format(
        fiche=series.fiche,
        label=_short(series.label, 50),
        latest=latest,
        target=target,
        ratio=ratio,
    )


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ------------------------------------------------------------------------- charts


@dataclass
class Segment:
    status: str
    label: str
    x: float
    width: float
    count: int
    fill: str


@dataclass
class BarRow:
    code: str
    title: str
    y: float
    segments: list[Segment]
    total: int


@dataclass
class LegendItem:
    label: str
    fill: str
    x: float


@dataclass
class StatusChart:
    id: str
    title: str
    width: int
    height: int
    label_width: int
    bar_height: int
    rows: list[BarRow]
    legend: list[LegendItem]
    legend_y: float


@dataclass
class ChartPoint:
    x: float
    y: float
    label: str


@dataclass
class SeriesChart:
    id: str
    title: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    polyline: str
    points: list[ChartPoint]
    target_y: float | None
    target_label: str | None
    baseline_y: float | None
    baseline_label: str | None
    y_ticks: list[ChartPoint]
    x_ticks: list[ChartPoint]


def status_chart(bilan: PlanBilan, chart_id: str) -> StatusChart:
    width, label_width, bar_height, gap, top = 640, 90, 24, 10, 8
    bar_space = width - label_width - 40
    longest = max((a.total for a in bilan.axes), default=0) or 1
    rows = []
    for position, axis in enumerate(bilan.axes):
        x = float(label_width)
        segments = []
        for status, count in axis.counts.items():
            if not count:
                continue
            span = bar_space * count / longest
            segments.append(
                Segment(
                    status,
                    STATUS_TEXT[status],
                    round(x, 1),
                    round(span, 1),
                    count,
                    STATUS_FILL[status],
                )
            )
            x += span
        rows.append(
            BarRow(
                axis.code or "—",
                axis.title,
                top + position * (bar_height + gap),
                segments,
                axis.total,
            )
        )
    legend_y = top + len(rows) * (bar_height + gap) + 6
    legend = [
        LegendItem(STATUS_TEXT[status], STATUS_FILL[status], 4 + i * 106)
        for i, status in enumerate(STATUS_TEXT)
    ]
    title = f"Fiches par statut et par {bilan.axis_level}, fin {bilan.year}"
    return StatusChart(
        chart_id, title, width, int(legend_y + 26), label_width, bar_height, rows, legend, legend_y
    )


def series_chart(series: IndicatorSeries, chart_id: str) -> SeriesChart | None:
    """A small line chart of a numeric indicator: its measures (from the baseline), the
    target and the baseline as horizontal lines. None when there is nothing to draw."""
    if not series.numeric:
        return None
    dated: list[tuple[Any, float, str]] = []
    if isinstance(series.baseline, float) and series.baseline_date is not None:
        dated.append((series.baseline_date, series.baseline, "référence"))
    for point in series.measures:
        if isinstance(point.value, float):
            dated.append((point.date, point.value, ""))
    if not dated:
        return None
    width, height, left, right, top, bottom = 360, 160, 52, 16, 14, 30
    values = [v for _, v, _ in dated]
    baseline = series.baseline if isinstance(series.baseline, float) else None
    target = series.target if isinstance(series.target, float) else None
    bounds = values + [v for v in (baseline, target) if v is not None]
    low, high = min(bounds), max(bounds)
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.1
    low, high = low - pad, high + pad
    days = [d.first_day().toordinal() for d, _, _ in dated]
    first, last = min(days), max(days)
    if first == last:
        first, last = first - 180, last + 180
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_of(day: int) -> float:
        return round(left + plot_w * (day - first) / (last - first), 1)

    def y_of(value: float) -> float:
        return round(top + plot_h * (high - value) / (high - low), 1)

    points = [
        ChartPoint(x_of(day), y_of(value), f"{card.date(date, 'fr')} : {_number(value)}")
        for (date, value, _), day in zip(dated, days, strict=True)
    ]
    first_year, last_year = dated[0][0].year, max(d.year for d, _, _ in dated)
    x_ticks = [ChartPoint(left, height - 8, str(first_year))]
    if last_year != first_year:
        x_ticks.append(ChartPoint(width - right, height - 8, str(last_year)))
    y_ticks = [
        ChartPoint(left - 6, y_of(v) + 4, _number(v)) for v in sorted({min(bounds), max(bounds)})
    ]
    unit = f" {series.unit}" if series.unit else ""
    return SeriesChart(
        id=chart_id,
        title=f"{series.label} : mesures{' et cible' if target is not None else ''}",
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        points=points,
        target_y=y_of(target) if target is not None else None,
        target_label=f"cible {_number(target)}{unit}" if target is not None else None,
        baseline_y=y_of(baseline) if baseline is not None else None,
        baseline_label=f"référence {_number(baseline)}{unit}" if baseline is not None else None,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
    )


def _number(value: Any) -> str:
    if value is None:
        return "—"
    return card.number(value, "fr") or "—"


# ------------------------------------------------------------------------- view


@dataclass
class Link:
    text: str
    href: str | None


@dataclass
class FicheLine:
    number: str
    title: str
    href: str | None
    status: str
    status_class: str
    updated: str
    progress: str
    author: str | None
    achievements: Rich
    difficulties: Rich
    next_steps: Rich
    note: Rich
    has_details: bool
    to_chase: bool
    pilotes: str


@dataclass
class MeasureRow:
    date: str
    value: str
    source: str
    note: str


@dataclass
class IndicatorView:
    id: str
    fiche: Link
    label: str
    unit: str
    direction: str
    baseline: str
    target: str
    target_label: str
    latest: str
    attainment: str
    rows: list[MeasureRow]
    chart: SeriesChart | None


@dataclass
class ObjectiveLine:
    code: str
    title: Rich
    href: str | None
    fiches: list[Link]
    reason: str
    verdict: str
    verdict_class: str
    detail: str


@dataclass
class AxisRow:
    code: str
    title: str
    href: str | None
    counts: list[int]
    total: int


@dataclass
class BilanPage:
    lang: str
    slug: str
    title_text: str
    year: int
    period_text: str
    banner_text: str | None
    has_follow_up: bool
    plan_href: str
    axis_level: str
    objective_level: str
    status_names: list[str]
    totals: list[dict[str, Any]]
    status_chart: StatusChart
    axis_rows: list[AxisRow]
    fiches: list[FicheLine]
    indicators: list[IndicatorView]
    unfollowed_indicators: int
    chase: list[FicheLine]
    no_fiche: list[ObjectiveLine]
    no_progress: list[ObjectiveLine]
    evaluation: list[ObjectiveLine] | None
    evaluation_totals: list[dict[str, Any]]


def _anchors(plan: Plan, templates: Path | None) -> tuple[dict[str, str], dict[str, str]]:
    """Fiche number → id and objective code → id in the published plan: taken from the
    very view ``ctg render`` builds, so the ids are the plan document's."""
    from .rendering import build_view, load_labels

    assert plan.meta is not None
    view = build_view(plan, load_labels(plan.meta.language, templates))
    fiches = {card_.number.strip(): card_.anchor for card_ in view.fiches}
    objectives: dict[str, str] = {}

    def walk(runs: list[Any]) -> None:
        for run in runs:
            for node in [*run.leaves, *([run.section] if run.section else [])]:
                objectives.setdefault(node.code, node.anchor)
                walk(node.children)

    walk(view.tree)
    return fiches, objectives


def build_page(plan: Plan, bilan: PlanBilan, fmt: str, templates: Path | None = None) -> BilanPage:
    from .rendering import banner, load_labels

    assert plan.meta is not None
    fiche_ids, objective_ids = _anchors(plan, templates)
    plan_file = f"plan.{fmt}"

    def fiche_href(number: str) -> str | None:
        anchor = fiche_ids.get(number)
        return f"{plan_file}#{anchor}" if anchor else None

    def objective_href(code: str) -> str | None:
        anchor = objective_ids.get(code)
        return f"{plan_file}#{anchor}" if anchor else None

    lines = []
    for fiche in bilan.fiches:
        entry = fiche.latest
        lines.append(
            FicheLine(
                number=fiche.number,
                title=fiche.title,
                href=fiche_href(fiche.number),
                status=STATUS_TEXT[fiche.status or NO_FOLLOW_UP],
                status_class="status-" + markup.slug(fiche.status or "aucun suivi"),
                updated=card.date(fiche.updated, "fr") or "—",
                progress=f"{_number(fiche.progress)} %" if fiche.progress is not None else "—",
                author=entry.author if entry else None,
                achievements=markup.block(entry.achievements if entry else None, 4),
                difficulties=markup.block(entry.difficulties if entry else None, 4),
                next_steps=markup.block(entry.next_steps if entry else None, 4),
                note=markup.block(entry.note if entry else None, 4),
                has_details=bool(
                    entry
                    and (entry.achievements or entry.difficulties or entry.next_steps or entry.note)
                ),
                to_chase=fiche.to_chase,
                pilotes=", ".join(fiche.pilotes),
            )
        )
    by_number = {line.number: line for line in lines}

    indicators = []
    for position, series in enumerate(i for i in bilan.indicators if i.followed):
        unit = series.unit or ""
        rows = []
        if series.baseline is not None:
            rows.append(
                MeasureRow(
                    card.date(series.baseline_date, "fr") or "—",
                    _number(series.baseline),
                    "valeur de référence",
                    "",
                )
            )
        rows += [
            MeasureRow(
                card.date(p.date, "fr") or "—", _number(p.value), p.source or "", p.note or ""
            )
            for p in series.measures
        ]
        target_label = (
            f"cible {series.target_year}" if series.target_year is not None else "cible finale"
        )
        indicators.append(
            IndicatorView(
                id=f"indicateur-{position + 1}",
                fiche=Link(f"Fiche n°{series.fiche}", fiche_href(series.fiche)),
                label=series.label,
                unit=unit,
                direction=DIRECTION_TEXT.get(series.direction or "", ""),
                baseline=_number(series.baseline),
                target=_number(series.target),
                target_label=target_label,
                latest=_number(series.latest),
                attainment=(
                    f"{_number(round(100 * series.attainment))} %"
                    if series.attainment is not None
                    else "—"
                ),
                rows=rows,
                chart=series_chart(series, f"graphique-indicateur-{position + 1}")
                if fmt == "html"
                else None,
            )
        )

    def objective_line(
        code: str,
        title: str,
        numbers: list[str],
        reason: str = "",
        verdict: str = "",
        detail: str = "",
    ) -> ObjectiveLine:
        return ObjectiveLine(
            code,
            markup.inline(title, "linkless"),
            objective_href(code),
            [Link(f"n°{n}", fiche_href(n)) for n in numbers],
            reason,
            VERDICT_TEXT.get(verdict, ""),
            "verdict-" + verdict if verdict else "",
            detail,
        )

    no_fiche = [
        objective_line(o.code, o.title, o.fiches) for o in bilan.neglected if o.reason == "no-fiche"
    ]
    no_progress = [
        objective_line(o.code, o.title, o.fiches)
        for o in bilan.neglected
        if o.reason == "no-progress"
    ]
    evaluation = None
    evaluation_totals: list[dict[str, Any]] = []
    if bilan.evaluation is not None:
        evaluation = [
            objective_line(
                v.code,
                v.title,
                v.fiches,
                verdict=v.verdict,
                detail=(
                    f"{v.reached} indicateur{'s' if v.reached > 1 else ''} sur {v.measured} "
                    "à la cible"
                    if v.measured
                    else ("aucune fiche" if not v.fiches else "aucun indicateur avec cible")
                ),
            )
            for v in bilan.evaluation
        ]
        for verdict, text in VERDICT_TEXT.items():
            count = sum(1 for v in bilan.evaluation if v.verdict == verdict)
            evaluation_totals.append({"label": text, "count": count, "class": "verdict-" + verdict})

    period = bilan.period
    labels = load_labels(plan.meta.language, templates)
    return BilanPage(
        lang="fr",
        slug=bilan.slug,
        title_text=bilan.title,
        year=bilan.year,
        period_text=f"{period[0]}–{period[1]}" if period else "période non précisée",
        banner_text=banner(plan.meta, labels),
        has_follow_up=bilan.has_follow_up,
        plan_href=plan_file,
        axis_level=bilan.axis_level,
        objective_level=bilan.objective_level,
        status_names=[STATUS_TEXT[s] for s in bilan.by_status],
        totals=[
            {"label": STATUS_TEXT[s], "count": c, "class": "status-" + markup.slug(STATUS_TEXT[s])}
            for s, c in bilan.by_status.items()
        ],
        status_chart=status_chart(bilan, "graphique-statuts"),
        axis_rows=[
            AxisRow(
                a.code or "—",
                " ".join(a.title.split()) or f"fiches sans {bilan.axis_level}",
                objective_href(a.code) if a.code else None,
                list(a.counts.values()),
                a.total,
            )
            for a in bilan.axes
        ],
        fiches=lines,
        indicators=indicators,
        unfollowed_indicators=sum(1 for i in bilan.indicators if not i.followed),
        chase=[by_number[n] for n in bilan.stale],
        no_fiche=no_fiche,
        no_progress=no_progress,
        evaluation=evaluation,
        evaluation_totals=evaluation_totals,
    )


# ------------------------------------------------------------------------- templates


@lru_cache(maxsize=8)
def _environment(templates: Path | None, fmt: str) -> Any:
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

    from .rendering import default_templates_dir

    search = [FileSystemLoader(str(templates))] if templates else []
    search.append(FileSystemLoader(str(default_templates_dir())))
    return Environment(
        loader=ChoiceLoader(search),
        autoescape=fmt == "html",
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_documents(
    plan: Plan,
    bilan: PlanBilan,
    formats: tuple[str, ...] = ("md", "html"),
    templates: Path | None = None,
) -> dict[str, str]:
    """``{file name: content}``: bilan.md, bilan.html, bilan.json as asked."""
    from jinja2 import TemplateError

    from .rendering import RenderError, for_format, tidy_markdown

    outputs: dict[str, str] = {}
    for fmt in formats:
        if fmt == "json":
            outputs[DOCUMENTS[fmt]] = to_json([bilan])
            continue
        page = for_format(build_page(plan, bilan, fmt, templates), fmt)
        context = {name: getattr(page, name) for name in page.__dataclass_fields__}
        name = TEMPLATES[fmt]
        try:
            rendered = _environment(templates, fmt).get_template(name).render(context)
        except TemplateError as exc:
            where = getattr(exc, "filename", None) or getattr(exc, "name", None) or name
            line = getattr(exc, "lineno", None)
            location = f"{where}:{line}" if line else where
            raise RenderError(
                _("template {name}: {problem}").format(name=location, problem=exc.message or exc)
            ) from None
        except Exception as exc:  # noqa: BLE001 - code in a user's template
            if templates is None:
                raise
            problem = f"{type(exc).__name__}: {exc}"
            raise RenderError(
                _("template {name}: {problem}").format(name=name, problem=problem)
            ) from None
        outputs[DOCUMENTS[fmt]] = tidy_markdown(rendered) if fmt == "md" else rendered
    return outputs
