"""Analyses → templates → files: publish a plan as Markdown and self-contained HTML.

One pass per plan: the plan is indexed and its coverage computed once, then turned once
into a typed view model (:class:`PlanView`, dataclasses) whose Markdown fields are parsed
once (:class:`ctgkit.markup.Rich`). Every output format renders from that same view: the
HTML templates get it as it is (autoescaped; rich fields give their HTML), the Markdown
templates get it with rich fields as Markdown and plain text escaped for Markdown. A user's
template directory overrides the default templates file by file.
"""

from __future__ import annotations

import tomllib
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateError

from . import card, markup
from .actors import actors as plan_actors
from .coverage_model import PlanCoverage, compute, natural_key
from .form import Form
from .index import ActorRegistry, NodeInfo, PlanIndex
from .loader import Plan
from .markup import Rich
from .model import Period, PlanFile, fold

FORMATS = ("md", "html")
#: output file name -> template name, per format
DOCUMENTS = {
    "plan": {"md": "plan.md.j2", "html": "plan.html.j2"},
    "coverage": {"md": "coverage.md.j2", "html": "coverage.html.j2"},
}


class RenderError(Exception):
    """A template or label catalog that cannot be used, or a render the library refuses."""


class DestinationError(RenderError):
    """An output directory inside a plan being rendered (links followed), or two plans
    that would be written to the same place. Nothing has been written."""


class PlanHasErrors(RenderError):
    """Plans with errors are not rendered unless asked to (``force``). Nothing has been
    written. ``diagnostics``: the errors."""

    def __init__(self, diagnostics: Sequence[Any]) -> None:
        self.diagnostics = list(diagnostics)
        count = len(self.diagnostics)
        files = sorted({str(d.file) for d in self.diagnostics})
        super().__init__(
            f"{count} error{'s' if count != 1 else ''} in {', '.join(files[:3])}"
            f"{' …' if len(files) > 3 else ''}; not rendered (force=True renders anyway, "
            "marked « document non validé »)"
        )


# ------------------------------------------------------------------------- templates


def default_templates_dir() -> Path:
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"  # a source checkout


@lru_cache(maxsize=8)
def _environment(templates: Path | None, fmt: str) -> Environment:
    # Cached: compiling the templates costs more than rendering one plan.
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


def load_labels(language: str, templates: Path | None = None) -> dict[str, Any]:
    """The label catalog for ``language``; a user's catalog overrides key by key."""
    return _load_labels(language, templates)


@lru_cache(maxsize=8)
def _load_labels(language: str, templates: Path | None) -> dict[str, Any]:
    # Cached per process: read once, not once per plan. Callers must not mutate it.
    labels: dict[str, Any] = {}
    for directory in (default_templates_dir(), templates):
        if directory is None:
            continue
        path = directory / "labels" / f"{language}.toml"
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise RenderError(f"{path}: cannot read label catalog: {exc}") from None
        if directory is templates and labels:
            _check_overrides(path, labels, data)
        for key, value in data.items():
            if isinstance(value, dict) and isinstance(labels.get(key), dict):
                labels[key] = {**labels[key], **value}
            else:
                labels[key] = value
    if not labels:
        raise RenderError(f"no label catalog for language '{language}'")
    return labels


def _check_overrides(path: Path, defaults: dict[str, Any], data: dict[str, Any]) -> None:
    """A user's label must be what the default is (text, or a table of texts) and use only
    the placeholders the default offers: ``{x}`` in « Fiche {x} » would fail while rendering."""
    import string

    def fields(text: str) -> set[str]:
        try:
            return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:  # an unmatched brace
            raise RenderError(f"{path}: {exc}") from None

    def check(where: str, default: Any, value: Any) -> None:
        if isinstance(default, dict):
            if not isinstance(value, dict):
                raise RenderError(f"{path}: '{where}' must be a table, like the default")
            for key, item in value.items():
                if key in default:
                    check(f"{where}.{key}", default[key], item)
                elif not isinstance(item, str):
                    raise RenderError(f"{path}: '{where}.{key}' must be text")
            return
        if isinstance(default, str):
            if not isinstance(value, str):
                raise RenderError(f"{path}: '{where}' must be text")
            unknown = sorted(fields(value) - fields(default))
            if unknown:
                allowed = ", ".join(f"{{{n}}}" for n in sorted(fields(default))) or "none"
                raise RenderError(
                    f"{path}: '{where}' uses the unknown placeholder "
                    f"{{{unknown[0]}}} (this label offers: {allowed})"
                )

    for key, value in data.items():
        if key in defaults:
            check(key, defaults[key], value)


def state_text(meta: PlanFile, labels: dict[str, Any]) -> str:
    """« proposition du 24 janvier 2023 », « signée », « état non précisé »."""
    state = meta.state
    if state is None:
        return labels["state_unknown"]
    if state.date is None:
        return labels["states"].get(state.value, state.value)
    table = "state_on_day" if state.date.day is not None else "state_in"
    written = labels[table][state.value].format(date=card.date(state.date, meta.language))
    if meta.language == "fr":  # « de avril » → « d'avril »
        written = _elide(written)
    return written


def _elide(text: str) -> str:
    words = text.split(" ")
    out: list[str] = []
    for word in words:
        if out and out[-1] == "de" and word[:1] in "aeiouyàâéèêîôûAEIOU" and word:
            out[-1] = "d'" + word
        else:
            out.append(word)
    return " ".join(out)


def banner(meta: PlanFile, labels: dict[str, Any], errors: int = 0) -> str | None:
    """The « document de travail » banner of a plan that is not signed, and the « document
    non validé » mark of a plan rendered in spite of its errors."""
    parts = []
    if errors:
        key = "unvalidated_one" if errors == 1 else "unvalidated_many"
        parts.append(capitalised(labels[key].format(n=errors)))
    if not meta.signed:
        parts.append(labels["draft_banner"].format(state=state_text(meta, labels)))
    return " — ".join(parts) or None


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


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
        while candidate in self._used or any(candidate + p in self._used for p in self._parts):
            candidate, number = f"{base}-{number}", number + 1
        self._used.add(candidate)
        self._used.update(candidate + part for part in self._parts)
        self._ids[(kind, key)] = candidate
        return candidate


def card_parts(form: Form | None) -> tuple[str, ...]:
    return (*CARD_PARTS, *(f"-{suffix}" for suffix in card.field_slugs(form).values()))


class _Text:
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


# ------------------------------------------------------------------------- view model


@dataclass(frozen=True)
class FicheRef:
    number: str
    title: Rich  # without links: shown inside a link of ours
    anchor: str
    label: str
    editorial: bool


@dataclass(frozen=True)
class ObjectiveRef:
    code: str
    title: Rich
    anchor: str
    editorial: bool


@dataclass(frozen=True)
class ActorRef:
    name: Rich
    anchor: str


@dataclass
class Node:
    """One node of the strategy tree."""

    code: str
    editorial: bool
    title: Rich
    anchor: str
    level: int  # 1 = top
    heading: int  # its heading level in the document
    level_name: str
    theme: str | None
    description: Rich
    pistes: list[Rich]
    notes: list[Rich]
    is_leaf: bool
    untranscribed: bool
    fiches: list[FicheRef]
    uncovered: bool
    children: list[Run]


@dataclass
class Run:
    """Sibling nodes: consecutive leaves (a list) or one section."""

    leaves: list[Node]
    section: Node | None


@dataclass
class FicheCard:
    number: str
    editorial: bool
    label: str
    title: Rich
    title_plain: Rich  # for the table of contents (a link)
    anchor: str
    items: list[card.CardItem]
    blocks: list[card.CardBlock]
    gaps: list[Rich]


@dataclass
class Section:
    title: str
    anchor: str
    body: Rich


@dataclass
class SwotColumn:
    label: str
    entries: list[Rich]


@dataclass
class SwotTheme:
    theme: str
    anchor: str
    columns: list[SwotColumn]


@dataclass
class TimelineEntry:
    when: str | None
    phase: str | None
    text: Rich


@dataclass
class Programme:
    name: str
    short_name: str | None
    description: Rich
    axes: list[Rich]
    url: str | None


@dataclass
class Level:
    name: str
    plural: str


@dataclass
class Gap:
    code: str | None
    note: Rich


@dataclass
class Territory:
    name: str
    short_name: str | None
    department: str | None
    towns: Any
    population: Any


@dataclass
class ActorRow:
    name: Rich
    short_name: str | None
    kind: str | None
    anchor: str
    leads: list[FicheRef]
    joins: list[FicheRef]


@dataclass
class YearCell:
    year: int
    active: bool
    in_period: bool


@dataclass
class Year:
    year: int
    in_period: bool


@dataclass
class TimelineRow:
    number: str
    title: Rich
    anchor: str
    label: str
    editorial: bool
    dates: str
    cells: list[YearCell]


@dataclass
class FicheTimeline:
    years: list[Year]
    rows: list[TimelineRow]
    undated: list[FicheRef]
    has_out: bool


@dataclass
class MatrixFiche:
    number: str
    editorial: bool
    href: str | None
    title: Rich


@dataclass
class MatrixRow:
    code: str
    editorial: bool
    href: str | None
    title: Rich
    cells: list[bool]
    count: int
    uncovered: bool


@dataclass
class MatrixGroup:
    code: str
    editorial: bool
    href: str | None
    title: Rich
    level: int
    total: int
    covered: int
    pct: str


@dataclass
class Uncovered:
    code: str
    editorial: bool
    href: str | None
    title: Rich


@dataclass
class NotTranscribed:
    code: str
    editorial: bool
    href: str | None
    notes: list[Rich]


@dataclass
class CoverageView:
    """The matrix as ``ctg render`` and ``ctg coverage --format md|html`` show it."""

    slug: str
    title: Rich
    level_name: str
    total: int
    covered: int
    pct: str
    summary: str
    editorial_note: str | None
    fiches: list[MatrixFiche]
    rows: list[MatrixRow]
    groups: list[MatrixGroup]
    uncovered: list[Uncovered]
    not_transcribed: list[NotTranscribed]
    fiches_without_objectives: list[MatrixFiche]


@dataclass
class PlanView:
    """Everything the plan and coverage templates show, computed once per plan."""

    lang: str
    slug: str
    title: Rich
    title_text: str
    subtitle: Rich
    banner_text: str | None
    state: str
    editorial_note: str | None
    territory: Territory
    period: str
    generation: str | None
    previous: Any
    signatories_label: str
    signatories: list[dict[str, Any]]
    key_figures: list[dict[str, Any]]
    sections: list[Section]
    swot: list[SwotTheme]
    timeline: list[TimelineEntry]
    governance: list[dict[str, Any]]
    programmes: list[Programme]
    levels: list[Level]
    tree: list[Run]
    gaps: list[Gap]
    fiches: list[FicheCard]
    coverage: CoverageView  # links within plan.*; the coverage page links into plan.*
    actors: list[ActorRow]
    actor_kinds: bool
    fiche_timeline: FicheTimeline | None


def build_view(
    plan: Plan,
    labels: dict[str, Any],
    cov: PlanCoverage | None = None,
    errors: int = 0,
) -> PlanView:
    """The view of ``plan``: its tree indexed and its coverage computed once. ``errors``
    (a plan rendered in spite of its errors) marks every document « non validé »."""
    meta = plan.meta
    if meta is None:
        raise RenderError(f"{plan.display_root}: plan.yaml could not be loaded")
    index = PlanIndex(meta)
    cov = cov or compute(plan, index)
    marks = Marks.of(plan, index)
    text = _Text()
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

    served = {row.code: row.fiches for row in cov.objectives}
    infos = {id(info.node): info for info in index.order}

    def node_view(info: NodeInfo) -> Node:
        node, level = info.node, info.level
        untranscribed = index.untranscribed(info)
        numbers = served.get(node.code, []) if info.is_leaf and not untranscribed else []
        return Node(
            code=node.code,
            editorial=index.is_editorial(info),
            title=text.inline(node.title),
            anchor=anchors("obj", node.code),
            level=level + 1,
            heading=min(6, level + 3),
            level_name=index.level_name(level),
            theme=node.theme,
            description=text.block(node.description, heading_base=min(6, level + 4)),
            pistes=[text.inline(p) for p in node.pistes],
            notes=[text.inline(n) for n in marks.notes.get(node.code, [])],
            is_leaf=info.is_leaf,
            untranscribed=untranscribed,
            fiches=[fiche_ref(n) for n in numbers],
            # Before any fiche is written, no objective is « not served » yet.
            uncovered=bool(fiches) and info.is_leaf and not untranscribed and not numbers,
            children=runs(node.children, info),
        )

    def runs(nodes: list[Any], parent: NodeInfo | None) -> list[Run]:
        """Sibling nodes in plan order: consecutive leaves below the top level make one list
        (``leaves``); a branch, or a leaf at the top level, is a section of its own."""
        out: list[Run] = []
        for node in nodes:
            view = node_view(infos[id(node)])
            if view.is_leaf and parent is not None:
                if out and out[-1].leaves:
                    out[-1].leaves.append(view)
                else:
                    out.append(Run([view], None))
            else:
                out.append(Run([], view))
        return out

    helpers = card.Helpers(
        text, labels, language, fiche_ref, objective_ref, actor_ref, markup.safe_url
    )
    fiche_cards = [_fiche_card(loaded, plan, text, labels, anchors, helpers) for loaded in fiches]
    actor_rows = _actors(plan, fiche_ref, anchors, text)
    period = meta.period
    tree = runs(meta.strategy, None)  # before the matrix: the tree's anchors come first
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


def _relinked(view: CoverageView, base: str) -> CoverageView:
    """The same matrix with its in-page links (``#id``) pointing into ``base``."""

    def moved(items: list[Any]) -> list[Any]:
        return [replace(i, href=f"{base}{i.href}" if i.href else i.href) for i in items]

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
    text: _Text,
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
    text: _Text | None = None,
    link_base: str | None = "",
    anchors: Anchors | None = None,
    marks: Marks | None = None,
) -> CoverageView:
    """The matrix. Links point into the plan document: in-page (``link_base=""``), into
    another file (``"plan.html"``), or nowhere (``None``, a matrix printed on its own).
    ``marks`` (when the plan is at hand) adds the editorial marks and the notes on nodes
    not transcribed."""
    text = text or _Text()
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
    plan: Plan, fiche_ref: Callable[[str], FicheRef], anchors: Anchors, text: _Text
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


# ------------------------------------------------------------------------- per format


#: Values written as they are in Markdown: ids, links, our own labels.
_VERBATIM = frozenset(
    {"anchor", "href", "url", "labels", "lang", "format", "shape", "kind", "cells", "years"}
)


def for_format(value: Any, fmt: str) -> Any:
    """The view for the templates of ``fmt``. HTML: as it is (autoescape does the rest).
    Markdown: rich fields as Markdown, plain text escaped so that it stays plain text."""
    return value if fmt == "html" else _as_markdown(value)


def _as_markdown(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """``memo``: dataclass instances converted once (a card's items are also in its blocks,
    references to one fiche or objective are one object)."""
    if value is None or type(value) in (bool, int):
        return value
    if isinstance(value, Rich):
        return value.md()
    if isinstance(value, str):
        return markup.escape_md(" ".join(value.split()) if "\n" in value else value, plain=True)
    memo = {} if memo is None else memo
    if isinstance(value, list | tuple):
        return [_as_markdown(item, memo) for item in value]
    if isinstance(value, dict):
        return {k: v if k in _VERBATIM else _as_markdown(v, memo) for k, v in value.items()}
    names = _field_names(type(value))
    if names is None:
        return value
    done = memo.get(id(value))
    if done is not None:
        return done
    # A shallow copy with converted fields (dataclasses.replace would run __init__ again).
    copy = memo[id(value)] = object.__new__(type(value))
    copy.__dict__.update(
        {
            name: getattr(value, name) if verbatim else _as_markdown(getattr(value, name), memo)
            for name, verbatim in names
        }
    )
    return copy


@cache
def _field_names(cls: type) -> tuple[tuple[str, bool], ...] | None:
    if not is_dataclass(cls):
        return None
    return tuple((f.name, f.name in _VERBATIM) for f in fields(cls))


def context(view: Any, fmt: str, labels: dict[str, Any]) -> dict[str, Any]:
    """The template context: the view's fields, the labels and the format."""
    shown = for_format(view, fmt)
    out = {f.name: getattr(shown, f.name) for f in fields(shown)}
    out.update(labels=labels, format=fmt)
    if isinstance(view, PlanView):
        out["coverage_page"] = _relinked(out["coverage"], f"plan.{fmt}")
    return out


def build_context(
    plan: Plan, fmt: str, labels: dict[str, Any], cov: PlanCoverage | None = None
) -> dict[str, Any]:
    """Everything the templates of ``fmt`` show (see :class:`PlanView`)."""
    return context(build_view(plan, labels, cov), fmt, labels)


# ------------------------------------------------------------------------- rendering


def render_documents(
    plan: Plan,
    formats: Sequence[str] = FORMATS,
    templates: Path | None = None,
    cov: PlanCoverage | None = None,
    errors: int = 0,
) -> dict[str, str]:
    """``{file name: content}`` for each document (plan, coverage) in each format, all
    from one view of the plan. ``errors``: see :func:`build_view`."""
    meta = plan.meta
    if meta is None:
        raise RenderError(f"{plan.display_root}: plan.yaml could not be loaded")
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        raise RenderError(f"unknown format '{unknown[0]}' (use md or html)")
    labels = load_labels(meta.language, templates)
    view = build_view(plan, labels, cov, errors)
    outputs: dict[str, str] = {}
    for fmt in formats:
        page = context(view, fmt, labels)
        env = _environment(templates, fmt)
        for document, names in DOCUMENTS.items():
            if document == "coverage":
                # The coverage page is its own file: its links go to the plan document.
                page = {**page, "coverage": page["coverage_page"]}
            rendered = _render_template(env, names[fmt], page, templates)
            outputs[f"{document}.{fmt}"] = tidy_markdown(rendered) if fmt == "md" else rendered
    return outputs


@dataclass
class MatrixPage:
    """The coverage matrix as a page of its own (``ctg coverage --format md|html``)."""

    lang: str
    title_text: str
    banner_text: str | None
    coverage: CoverageView


def render_matrix(
    cov: PlanCoverage,
    fmt: str,
    language: str = "fr",
    templates: Path | None = None,
    plan: Plan | None = None,
) -> str:
    """The coverage matrix alone (``ctg coverage --format md|html``). With ``plan``, the
    page also carries the « document de travail » banner and the editorial marks."""
    labels = load_labels(language, templates)
    env = _environment(templates, fmt)
    marks = None
    banner_text = None
    if plan is not None and plan.meta is not None:
        marks = Marks.of(plan, PlanIndex(plan.meta))
        banner_text = banner(plan.meta, labels)
    page = MatrixPage(
        language,
        cov.title,
        banner_text,
        coverage_view(cov, labels, link_base=None, marks=marks),
    )
    rendered = _render_template(
        env, DOCUMENTS["coverage"][fmt], context(page, fmt, labels), templates
    )
    return tidy_markdown(rendered) if fmt == "md" else rendered


def _render_template(
    env: Environment, name: str, context: dict[str, Any], templates: Path | None
) -> str:
    """Render ``name``; a broken template becomes a located ``RenderError``.

    Jinja's own errors (syntax, undefined names, missing includes) are the user's whatever
    template they come from. Other exceptions raised while a template runs (``{{ 1/0 }}``,
    a template file that is not UTF-8) are the user's only when they have overridden
    templates; with the packaged ones they are our bug and propagate."""
    try:
        return env.get_template(name).render(context)
    except TemplateError as exc:
        raise RenderError(_template_error(name, exc)) from None
    except (UnicodeDecodeError, OSError) as exc:
        if templates is None:
            raise
        raise RenderError(f"template {_culprit(exc) or name}: cannot read: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - code in a user's template
        if templates is None:
            raise
        where = _culprit(exc) or name
        raise RenderError(f"template {where}: {type(exc).__name__}: {exc}") from None


def _culprit(exc: BaseException) -> str | None:
    """``file:line`` of the innermost template frame of ``exc`` (Jinja rewrites tracebacks
    so that template code shows as its own file and line)."""
    found = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        code = frame.f_code
        if code.co_filename.endswith(".j2"):
            found = f"{code.co_filename}:{line}"
        elif code.co_name == "get_source" and isinstance(frame.f_locals.get("filename"), str):
            found = frame.f_locals["filename"]  # a template file that could not be read
    return found


def tidy_markdown(text: str) -> str:
    """One blank line before each heading and between blocks, never more (outside fences)."""
    lines = text.splitlines()
    out: list[str] = []
    fenced = False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and line.startswith("#") and out and out[-1].strip():
            out.append("")
        if not fenced and not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line.rstrip() if not fenced else line)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out) + "\n"


def _template_error(name: str, exc: TemplateError) -> str:
    """'file:line: message' for a broken (user) template."""
    where = getattr(exc, "filename", None) or getattr(exc, "name", None) or name
    line = getattr(exc, "lineno", None)
    # Errors raised while a template runs (undefined names) carry no position of their own.
    location = f"{where}:{line}" if line else _culprit(exc) or where
    return f"template {location}: {exc.message or exc}"


# ------------------------------------------------------------------------- files


def check_destination(outdir: Path, plan_dirs: Sequence[Path]) -> None:
    """Raise :class:`DestinationError` unless ``outdir/<plan>/`` can be written for every
    plan without writing inside any of the plans (symbolic links followed)."""
    resolved = {Path(p).resolve(): Path(p) for p in plan_dirs}

    def refuse_inside(target: Path) -> None:
        place = target.resolve()
        for candidate in (place, *place.parents):
            if candidate in resolved:
                raise DestinationError(
                    f"output directory {target} is inside the plan directory "
                    f"{resolved[candidate]}; refusing to write there"
                )

    refuse_inside(outdir)
    targets: dict[Path, Path] = {}
    slugs: dict[str, Path] = {}
    for real, plan in resolved.items():
        target = outdir / real.name
        refuse_inside(target)  # e.g. the plans' own parent: <outdir>/<plan> is the plan
        if real.name in slugs:
            raise DestinationError(
                f"two plans would be written to {target}: {slugs[real.name]} and {plan}"
            )
        slugs[real.name] = plan
        targets[target.resolve()] = plan
    for real, plan in resolved.items():  # a plan inside a folder that would be written
        if any(parent in targets for parent in real.parents):
            raise DestinationError(
                f"output directory {outdir} would write into the plan directory {plan}; "
                "refusing to write there"
            )


def write_documents(target: Path, documents: dict[str, str | bytes]) -> list[Path]:
    """Write ``{name: content}`` into ``target``, each file atomically (a reader sees the
    old file or the new one)."""
    from .fsutil import atomic_write  # the one place output files are written

    written = []
    for name, content in documents.items():
        path = target / name
        atomic_write(path, content)
        written.append(path)
    return written


class Staging:
    """Rendered documents kept on disk until every plan of a run is known to be good, then
    published into the output directory; removed in every case. Keeps memory flat over
    thousands of plans, and writes nothing to the output when one plan fails."""

    def __init__(self, outdir: Path) -> None:
        base = outdir
        while not base.exists() and base != base.parent:
            base = base.parent
        import tempfile

        # Hidden, unique per run: two runs into one folder do not share it.
        self.root = Path(tempfile.mkdtemp(prefix=".ctg-render-", dir=base))
        self.outdir = outdir

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *_exc: object) -> None:
        import shutil

        shutil.rmtree(self.root, ignore_errors=True)

    def publish(self, slug: str, names: Sequence[str]) -> list[Path]:
        folder = self.root / slug
        return write_documents(
            self.outdir / slug, {name: (folder / name).read_bytes() for name in names}
        )


def stage(root: Path, slug: str, documents: dict[str, str]) -> list[str]:
    """Keep ``documents`` of plan ``slug`` in the staging directory ``root``."""
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in documents.items():
        (folder / name).write_bytes(content.encode("utf-8"))
    return list(documents)
