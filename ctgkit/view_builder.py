"""Plan → view model: one pass over an indexed, measured plan; then the view per format.

:func:`build_view` turns a plan (its tree indexed and its coverage computed once, by the
caller or here) into a :class:`ctgkit.view_model.PlanView`: anchors unique in the document,
one reference object per fiche, objective and actor shared by every place citing it, plan
Markdown parsed once into :class:`ctgkit.markup.Rich` values. :func:`coverage_view` builds
the matrix alone. What each output format receives is :mod:`ctgkit.view_format`'s job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from . import card, markup
from .actors import actors as plan_actors
from .coverage_model import PlanCoverage, compute, natural_key
from .form import Form
from .index import ActorRegistry, NodeInfo, PlanIndex
from .labels import banner, capitalised, state_text
from .loader import Plan
from .markup import Rich
from .model import Period, fold
from .render_errors import RenderError
from .view_model import (
    ActorRef,
    ActorRow,
    CoverageView,
    FicheCard,
    FicheRef,
    FicheTimeline,
    Gap,
    Level,
    MatrixFiche,
    MatrixGroup,
    MatrixRow,
    Node,
    NotTranscribed,
    ObjectiveRef,
    PlanView,
    Programme,
    Run,
    Section,
    SwotColumn,
    SwotTheme,
    Territory,
    TimelineEntry,
    TimelineRow,
    Uncovered,
    Year,
    YearCell,
)

# ------------------------------------------------------------------------- anchors


#: Ids the templates use for their own headings.
FIXED_IDS = frozenset(
    {
        "toc-title",
        "draft",
        "context",
        "key-figures",
        "swot",
        "timeline",
        "governance",
        "programmes",
        "strategy",
        "fiches",
        "annexes",
        "coverage",
        "uncovered",
        "not-transcribed",
        "fiches-without-objectives",
        "actors",
        "fiche-timeline",
    }
)
#: Suffixes of a fiche card's own ids (its title, its gaps); its fields add theirs.
CARD_PARTS = ("-title", "-gaps")


class Anchors:
    """Unique, stable HTML ids for one document: the same key always gets the same id, and
    two keys that slug alike (1.a and 1.A, two sections both titled « Contexte ») get
    different ones. ``parts`` are the suffixes a fiche card adds to its id (one per field
    of the form), kept free for every id."""

    def __init__(self, parts: tuple[str, ...] = CARD_PARTS) -> None:
        self._ids: dict[tuple[str, str], str] = {}
        self._used: set[str] = set(FIXED_IDS)
        self._parts = parts

    def __call__(self, kind: str, key: str, *, fresh: bool = False) -> str:
        """The id for ``key``; with ``fresh``, a new id even if the key was seen (two
        sections may share a title and still need an id each)."""
        found = None if fresh else self._ids.get((kind, key))
        if found is not None:
            return found
        base = f"{kind}-{markup.slug(key)}"
        candidate, number = base, 2
        used, parts = self._used, self._parts
        while candidate in used or not used.isdisjoint(map(candidate.__add__, parts)):
            candidate, number = f"{base}-{number}", number + 1
        used.add(candidate)
        used.update(map(candidate.__add__, parts))
        self._ids[(kind, key)] = candidate
        return candidate


def card_parts(form: Form | None) -> tuple[str, ...]:
    return (*CARD_PARTS, *(f"-{suffix}" for suffix in card.field_slugs(form).values()))


class Text:
    """Plan Markdown, parsed once into :class:`Rich` values every format renders."""

    def block(self, text: str | None, heading_base: int = 4) -> Rich:
        return markup.block(text, heading_base)

    def inline(self, text: str | None) -> Rich:
        return markup.inline(text)

    def flow(self, text: str | None, heading_base: int = 6) -> Rich:
        """Inline when the text is one paragraph (list items stay compact), else blocks."""
        if markup.is_one_paragraph(text):
            return markup.inline(text)
        return markup.block(text, heading_base)

    def linkless(self, text: str | None) -> Rich:
        """Inline text for use inside a link: its own links become plain text."""
        return markup.inline(text, "linkless")

    def linkless_cell(self, text: str | None) -> Rich:
        """Inline text for a link inside a table cell."""
        return markup.inline(text, "linkless_cell")

    def cell(self, text: str | None) -> Rich:
        return markup.inline(text, "cell")


@dataclass(frozen=True)
class Marks:
    """What the coverage pages say beyond the counts when the plan is at hand: codes and
    fiche numbers assigned by the transcriber, notes on nodes the source does not give."""

    editorial_codes: frozenset[str] = frozenset()
    editorial_numbers: frozenset[str] = frozenset()
    notes: dict[str, list[str]] = field(default_factory=dict)  # code -> lacune notes

    @classmethod
    def of(cls, plan: Plan, index: PlanIndex) -> Marks:
        assert plan.meta is not None
        notes: dict[str, list[str]] = {}
        for gap in plan.meta.gaps:
            info = index.get(gap.code) if gap.code else None
            if info is not None:
                notes.setdefault(info.code, []).append(gap.note)
        return cls(
            frozenset(info.code for info in index.order if index.is_editorial(info)),
            frozenset(f.fiche.number for f in plan.fiches if _editorial_number(f.fiche)),
            notes,
        )

    @property
    def any(self) -> bool:
        return bool(self.editorial_codes or self.editorial_numbers)


def _editorial_number(fiche: Any) -> bool:
    return bool(getattr(fiche, "editorial_number", False))


# ------------------------------------------------------------------------- the view


def build_view(
    plan: Plan,
    labels: dict[str, Any],
    cov: PlanCoverage | None = None,
    errors: int = 0,
    index: PlanIndex | None = None,
) -> PlanView:
    """The view of ``plan``: its tree indexed (``index``) and its coverage computed
    (``cov``) once, by the caller or here. ``errors`` (a plan rendered in spite of its
    errors) marks every document « non validé »."""
    meta = plan.meta
    if meta is None:
        raise RenderError(f"{plan.display_root}: plan.yaml could not be loaded")
    index = index or PlanIndex(meta)
    cov = cov or compute(plan, index)
    marks = Marks.of(plan, index)
    text = Text()
    language = meta.language
    anchors = Anchors(card_parts(plan.form))
    fiches = sorted(plan.fiches, key=lambda loaded: natural_key(loaded.fiche.number))
    fiche_titles = {f.fiche.number: f.fiche.title for f in fiches}
    registry = ActorRegistry(meta.actors)

    # One reference object per fiche, objective and actor, shared by every place citing it
    # (memoised per plan: the functions are local to this call).
    @cache
    def fiche_ref(number: str) -> FicheRef:
        return FicheRef(
            number,
            text.linkless(fiche_titles.get(number, "")),
            anchors("fiche", number),
            labels["fiche_number"].format(n=number),
            number in marks.editorial_numbers,
        )

    @cache
    def objective_ref(code: str) -> ObjectiveRef:
        info = index.get(code)
        shown = info.code if info else code
        return ObjectiveRef(
            shown,
            text.linkless(info.node.title if info else ""),
            anchors("obj", shown),
            info is not None and index.is_editorial(info),
        )

    @cache
    def actor_ref(name: str) -> ActorRef:
        actor = registry.find(name)
        shown = actor.name if actor is not None else " ".join(name.split())
        return ActorRef(text.linkless_cell(shown), anchors("actor", fold(shown)))

    tree_view = _TreeView(
        index,
        {row.code: row.fiches for row in cov.objectives},
        marks,
        text,
        anchors,
        fiche_ref,
        bool(fiches),
    )
    helpers = card.Helpers(
        text, labels, language, fiche_ref, objective_ref, actor_ref, markup.safe_url
    )
    fiche_cards = [_fiche_card(loaded, plan, text, labels, anchors, helpers) for loaded in fiches]
    actor_rows = _actors(plan, fiche_ref, anchors, text)
    period = meta.period
    tree = tree_view.runs(meta.strategy, None)  # before the matrix: its anchors come first
    coverage = coverage_view(cov, labels, text, anchors=anchors, marks=marks)
    return PlanView(
        lang=language,
        slug=plan.slug,
        title=text.inline(meta.title),
        title_text=" ".join(meta.title.split()),
        subtitle=text.inline(meta.subtitle),
        banner_text=banner(meta, labels, errors),
        state=capitalised(state_text(meta, labels)) if meta.state else labels["state_not_given"],
        editorial_note=labels["editorial_note"] if marks.any else None,
        territory=Territory(
            meta.territory.name,
            meta.territory.short_name,
            meta.territory.department,
            meta.territory.towns,
            meta.territory.population,
        ),
        period=f"{period.start} – {period.end}" if period else labels["period_unknown"],
        generation=(
            None
            if meta.generation is None
            else labels["generation_first"]
            if meta.generation == 1
            else labels["generation_value"].format(n=meta.generation)
        ),
        previous=meta.previous,
        signatories_label=labels["signatories" if meta.signed else "signatories_unsigned"],
        signatories=[s.model_dump(by_alias=False) for s in meta.signatories],
        key_figures=[k.model_dump(by_alias=False) for k in meta.key_figures],
        sections=[
            Section(
                section.title,
                anchors("section", section.title, fresh=True),
                text.block(
                    plan.texts.get((section.file or "").strip(), "")
                    if section.file
                    else section.text
                ),
            )
            for section in meta.sections
        ],
        swot=[
            SwotTheme(
                theme.theme,
                anchors("swot", theme.theme, fresh=True),
                [
                    SwotColumn(labels[key], [text.inline(i) for i in getattr(theme, key)])
                    for key in ("strengths", "weaknesses", "opportunities", "threats")
                ],
            )
            for theme in meta.swot
        ],
        timeline=[TimelineEntry(t.when, t.phase, text.cell(t.text)) for t in meta.timeline],
        governance=[g.model_dump(by_alias=False) for g in meta.governance],
        programmes=[
            Programme(
                p.name,
                p.short_name,
                text.block(p.description),
                [text.inline(a) for a in p.axes],
                markup.safe_url(p.url),
            )
            for p in meta.programmes
        ],
        levels=[Level(lv.name, lv.plural or lv.name) for lv in meta.levels],
        tree=tree,
        # Gaps about a node are printed on it; the others here.
        gaps=[
            Gap(g.code, text.inline(g.note))
            for g in meta.gaps
            if not (g.code and index.get(g.code) is not None)
        ],
        fiches=fiche_cards,
        coverage=coverage,
        actors=actor_rows,
        actor_kinds=any(row.kind for row in actor_rows),
        fiche_timeline=_timeline(fiches, period, fiche_ref, labels, language),
    )


class _TreeView:
    """The strategy tree as the templates show it. Methods of an object rather than
    functions local to :func:`build_view`, which would call each other: a reference cycle
    (holding the whole index) that only the cyclic garbage collector frees."""

    def __init__(
        self,
        index: PlanIndex,
        served: dict[str, list[str]],
        marks: Marks,
        text: Text,
        anchors: Anchors,
        fiche_ref: Callable[[str], FicheRef],
        any_fiche: bool,
    ) -> None:
        self.index, self.served, self.marks, self.text = index, served, marks, text
        self.anchors, self.fiche_ref, self.any_fiche = anchors, fiche_ref, any_fiche
        self.infos = {id(info.node): info for info in index.order}

    def node(self, info: NodeInfo) -> Node:
        index, text = self.index, self.text
        node, level = info.node, info.level
        untranscribed = index.untranscribed(info)
        numbers = self.served.get(node.code, []) if info.is_leaf and not untranscribed else []
        return Node(
            code=node.code,
            editorial=index.is_editorial(info),
            title=text.inline(node.title),
            anchor=self.anchors("obj", node.code),
            level=level + 1,
            heading=min(6, level + 3),
            level_name=index.level_name(level),
            theme=node.theme,
            description=text.block(node.description, heading_base=min(6, level + 4)),
            pistes=[text.inline(p) for p in node.pistes],
            notes=[text.inline(n) for n in self.marks.notes.get(node.code, [])],
            is_leaf=info.is_leaf,
            untranscribed=untranscribed,
            fiches=[self.fiche_ref(n) for n in numbers],
            # Before any fiche is written, no objective is « not served » yet.
            uncovered=self.any_fiche and info.is_leaf and not untranscribed and not numbers,
            children=self.runs(node.children, info),
        )

    def runs(self, nodes: list[Any], parent: NodeInfo | None) -> list[Run]:
        """Sibling nodes in plan order: consecutive leaves below the top level make one list
        (``leaves``); a branch, or a leaf at the top level, is a section of its own."""
        out: list[Run] = []
        for node in nodes:
            view = self.node(self.infos[id(node)])
            if view.is_leaf and parent is not None:
                if out and out[-1].leaves:
                    out[-1].leaves.append(view)
                else:
                    out.append(Run([view], None))
            else:
                out.append(Run([], view))
        return out


def relinked(view: CoverageView, base: str) -> CoverageView:
    """The same matrix with its in-page links (``#id``) pointing into ``base``."""

    def moved(items: list[Any]) -> list[Any]:
        out = []
        for item in items:
            # A shallow copy (dataclasses.replace would run __init__ again for each).
            copy = object.__new__(type(item))
            copy.__dict__.update(item.__dict__)
            if item.href:
                copy.__dict__["href"] = f"{base}{item.href}"
            out.append(copy)
        return out

    return replace(
        view,
        fiches=moved(view.fiches),
        rows=moved(view.rows),
        groups=moved(view.groups),
        uncovered=moved(view.uncovered),
        not_transcribed=moved(view.not_transcribed),
        fiches_without_objectives=moved(view.fiches_without_objectives),
    )


def _fiche_card(
    loaded: Any,
    plan: Plan,
    text: Text,
    labels: dict[str, Any],
    anchors: Anchors,
    helpers: card.Helpers,
) -> FicheCard:
    fiche = loaded.fiche
    form = plan.form if plan.form is not None else fiche.form
    anchor = anchors("fiche", fiche.number)
    items = card.card_items(fiche, form, helpers, anchor)
    return FicheCard(
        number=fiche.number,
        editorial=_editorial_number(fiche),
        label=labels["fiche_number"].format(n=fiche.number),
        title=text.inline(fiche.title),
        title_plain=text.linkless(fiche.title),
        anchor=anchor,
        items=items,
        blocks=card.blocks(items),
        gaps=card.other_gaps(fiche, form, helpers),
    )


def coverage_view(
    cov: PlanCoverage,
    labels: dict[str, Any],
    text: Text | None = None,
    link_base: str | None = "",
    anchors: Anchors | None = None,
    marks: Marks | None = None,
) -> CoverageView:
    """The matrix. Links point into the plan document: in-page (``link_base=""``), into
    another file (``"plan.html"``), or nowhere (``None``, a matrix printed on its own).
    ``marks`` (when the plan is at hand) adds the editorial marks and the notes on nodes
    not transcribed."""
    text = text or Text()
    pct = f"{100 * cov.ratio:.0f}"
    anchors = anchors or Anchors()
    marks = marks or Marks()

    def href(anchor: str) -> str | None:
        return None if link_base is None else f"{link_base}#{anchor}"

    summary = labels["coverage_summary"].format(covered=cov.covered, total=cov.total, pct=pct)
    if cov.not_transcribed:
        count = len(cov.not_transcribed)
        key = "not_transcribed_summary_one" if count == 1 else "not_transcribed_summary_many"
        summary += labels[key].format(n=count)
    numbers = [f.number for f in cov.fiches]
    return CoverageView(
        slug=cov.slug,
        title=text.inline(cov.title),
        level_name=cov.level_name,
        total=cov.total,
        covered=cov.covered,
        pct=pct,
        summary=summary,
        editorial_note=labels["editorial_note"] if marks.any else None,
        fiches=[
            MatrixFiche(
                f.number,
                f.number in marks.editorial_numbers,
                href(anchors("fiche", f.number)),
                text.cell(f.title),
            )
            for f in cov.fiches
        ],
        rows=[
            MatrixRow(
                row.code,
                row.code in marks.editorial_codes,
                href(anchors("obj", row.code)),
                text.cell(row.title),
                [number in row.fiches for number in numbers],
                len(row.fiches),
                not row.fiches,
            )
            for row in cov.objectives
        ],
        groups=[
            MatrixGroup(
                g.code,
                g.code in marks.editorial_codes,
                href(anchors("obj", g.code)),
                text.cell(g.title),
                g.level,
                g.total,
                g.covered,
                f"{100 * g.ratio:.0f}",
            )
            for g in cov.groups
        ],
        uncovered=[
            Uncovered(
                r.code,
                r.code in marks.editorial_codes,
                href(anchors("obj", r.code)),
                text.cell(r.title),
            )
            for r in cov.uncovered
        ],
        not_transcribed=[
            NotTranscribed(
                r.code,
                r.code in marks.editorial_codes,
                href(anchors("obj", r.code)),
                [text.cell(n) for n in marks.notes.get(r.code, [])],
            )
            for r in cov.not_transcribed
        ],
        fiches_without_objectives=[
            MatrixFiche(
                f.number,
                f.number in marks.editorial_numbers,
                href(anchors("fiche", f.number)),
                text.cell(f.title),
            )
            for f in cov.fiches_without_objectives
        ],
    )


def _actors(
    plan: Plan, fiche_ref: Callable[[str], FicheRef], anchors: Anchors, text: Text
) -> list[ActorRow]:
    """« Qui fait quoi »: the actors that pilot or join a fiche, by registry actor."""
    return [
        ActorRow(
            text.cell(row.name),
            row.short_name,
            row.kind,
            anchors("actor", fold(row.name)),
            [fiche_ref(n) for n in row.pilots],
            [fiche_ref(n) for n in row.partners],
        )
        for row in plan_actors(plan).actors
        if row.pilots or row.partners
    ]


def _timeline(
    fiches: list[Any],
    period: Period | None,
    fiche_ref: Callable[[str], FicheRef],
    labels: dict[str, Any],
    language: str,
) -> FicheTimeline | None:
    """Years the fiches run, from their dates (to the year, month or day) and the period;
    ``None`` when no fiche is dated."""
    dated = [
        loaded.fiche
        for loaded in fiches
        if getattr(loaded.fiche, "start", None) or getattr(loaded.fiche, "end", None)
    ]
    if not dated:
        return None
    years_seen = [d.year for f in dated for d in (f.start, f.end) if d is not None]
    bounds = [period.start, period.end] if period else []
    years = list(range(min(years_seen + bounds), max(years_seen + bounds) + 1))

    def in_period(year: int) -> bool:
        return period is None or period.start <= year <= period.end

    rows = []
    for fiche in dated:
        begin = (fiche.start or fiche.end).year
        finish = (fiche.end or fiche.start).year
        start, end = card.date(fiche.start, language), card.date(fiche.end, language)
        if start and end:
            dates = f"{start} – {end}"
        else:
            dates = f"{labels['start'] if start else labels['end']} : {start or end}"
        ref = fiche_ref(fiche.number)
        rows.append(
            TimelineRow(
                ref.number,
                ref.title,
                ref.anchor,
                ref.label,
                ref.editorial,
                dates,
                [YearCell(y, begin <= y <= finish, in_period(y)) for y in years],
            )
        )
    undated = [fiche_ref(f.fiche.number) for f in fiches if f.fiche not in dated]
    return FicheTimeline(
        [Year(y, in_period(y)) for y in years],
        rows,
        undated,
        any(not in_period(y) for y in years),
    )
