"""The typed view model: what the templates receive, as dataclasses.

One :class:`PlanView` per plan holds everything the plan and coverage documents show; the
coverage matrix is a :class:`CoverageView` (also printed on its own by ``ctg coverage
--format md|html``, in a :class:`MatrixPage`). Plan text is carried as
:class:`ctgkit.markup.Rich` values (parsed once, rendered to HTML or Markdown); a fiche card
is the typed list of its form's fields (:class:`ctgkit.card.CardItem`), since plans define
their own. The values are built by :mod:`ctgkit.view_builder`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import card
from .markup import Rich


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


@dataclass
class MatrixPage:
    """The coverage matrix as a page of its own (``ctg coverage --format md|html``)."""

    lang: str
    title_text: str
    banner_text: str | None
    coverage: CoverageView
