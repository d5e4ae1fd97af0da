"""The plan format as pydantic models: ``plan.yaml`` (:class:`PlanFile`) and one
``fiches/*.yaml`` per fiche action (:class:`Fiche`).

The models only check shapes and types; cross-references (codes, fiche numbers,
vocabularies, years against the period) are rules in :mod:`ctgkit.rules`, so that each
problem gets its own stable code. Field docs double as the JSON Schema descriptions that
editors show while people type.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from .vocab import DURATION_KINDS, STATUSES, find_choice

Markdown = Annotated[str, Field(json_schema_extra={"format": "markdown"})]
Year = Annotated[int, Field(ge=1900, le=2200, description="A calendar year, e.g. 2020.")]
Code = Annotated[str, Field(min_length=1, description="An objective code as the plan writes it.")]


class Base(BaseModel):
    # Typos must not pass silently; numbers typed where text is expected are fine.
    # Numbers typed as text keep the author's spelling (see source.SourceFloat); a measure
    # cannot be .nan or .inf.
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, allow_inf_nan=False)


def _shorthand(key: str, model: Any) -> BeforeValidator:
    """Let a list item be written as a bare string instead of ``{key: string}``."""

    def expand(value: Any) -> Any:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return {key: value}
        return value

    # The JSON Schema (for editors) must accept both forms too.
    return BeforeValidator(expand, json_schema_input_type=Union[str, model])  # noqa: UP007


def _choice(choices: tuple[str, ...]) -> BeforeValidator:
    def normalise(value: Any) -> Any:
        if isinstance(value, str):
            return find_choice(value, choices) or value
        return value

    return BeforeValidator(normalise)


def _yes_no(value: Any) -> Any:
    if isinstance(value, str):
        folded = value.strip().casefold()
        if folded in {"oui", "yes", "o", "x"}:
            return True
        if folded in {"non", "no", "n"}:
            return False
    return value


YesNo = Annotated[
    bool | None,
    BeforeValidator(
        _yes_no, json_schema_input_type=bool | None | Literal["oui", "non", "OUI", "NON"]
    ),
]
#: A fiche number: written 3 or "3", kept as text.
FicheNumber = Annotated[str, Field(json_schema_extra={"type": ["string", "integer"]})]


# --------------------------------------------------------------------------- plan.yaml


class Territory(Base):
    name: str = Field(description="Full name, e.g. Communauté de Communes du Civraisien en Poitou.")
    short_name: str | None = Field(None, description="Acronym, e.g. CCCP.")
    department: str | None = Field(None, description="Département, e.g. Vienne.")
    towns: int | None = Field(None, ge=1, description="Number of member towns (communes).")
    population: str | None = Field(None, description="Population as the source states it.")


class Period(Base):
    start: Year
    end: Year


class Signatory(Base):
    name: str
    short_name: str | None = None
    role: str | None = Field(None, description="e.g. co-signataire, commune membre.")


class GovernanceBody(Base):
    name: str = Field(description="e.g. Comité de pilotage.")
    role: str | None = Field(None, description="What the body does (instance décisionnelle…).")
    members: str | None = Field(None, description="Who sits in it.")
    frequency: str | None = Field(None, description="How often it meets, e.g. 1 x/an.")


class Programme(Base):
    """Another plan the CTG articulates with (CLS, PCAET…)."""

    name: str
    short_name: str | None = Field(None, description="The name fiches use to point at it (CLS).")
    description: Markdown | None = None
    axes: list[str] = Field(default_factory=list, description="The programme's own axes.")
    url: str | None = None


class Section(Base):
    """A narrative section (context, diagnostic…), inline or in a Markdown file."""

    title: str
    file: str | None = Field(None, description="Markdown file, relative to the plan directory.")
    text: Markdown | None = None


class TimelineEntry(Base):
    when: str | None = Field(None, description="Date or period as written, e.g. Mai 2018.")
    phase: str | None = Field(None, description="The phase this belongs to.")
    text: Markdown


class KeyFigure(Base):
    value: str
    label: str


class SwotTheme(Base):
    theme: str
    strengths: list[Markdown] = Field(default_factory=list, description="Forces.")
    weaknesses: list[Markdown] = Field(default_factory=list, description="Faiblesses.")
    opportunities: list[Markdown] = Field(default_factory=list, description="Opportunités.")
    threats: list[Markdown] = Field(default_factory=list, description="Menaces.")


class Level(Base):
    name: str = Field(description="What the plan calls this level, e.g. axe, enjeu, objectif.")
    plural: str | None = Field(None, description="Plural label, e.g. axes.")


class Node(Base):
    """One node of the strategy tree: an axis, an objective…"""

    code: Code = Field(description="Unique in the plan, written as the plan's fiches cite it.")
    title: Markdown
    theme: str | None = Field(None, description="Thematic heading the node is listed under.")
    description: Markdown | None = None
    pistes: list[Markdown] = Field(
        default_factory=list, description="Pistes de travail (working leads)."
    )
    children: list[Node] = Field(default_factory=list)


class Gap(Base):
    """Something the source does not give, recorded instead of invented."""

    code: str | None = Field(None, description="Where it would sit in the tree.")
    note: Markdown


class PlanFile(Base):
    """``plan.yaml``: metadata, governance and the strategy tree of one CTG."""

    title: str
    subtitle: str | None = None
    territory: Territory
    language: Literal["fr", "en"] = Field("fr", description="Language of the plan's texts.")
    period: Period = Field(description="Convention period, start and end years.")
    generation: int | None = Field(None, ge=1, description="1 for a first-generation CTG…")
    previous: str | None = Field(None, description="Slug of the previous generation's plan.")
    signatories: list[Signatory] = Field(default_factory=list)
    governance: list[GovernanceBody] = Field(default_factory=list)
    programmes: list[Programme] = Field(default_factory=list)
    key_figures: list[KeyFigure] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    swot: list[SwotTheme] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(default_factory=list)
    levels: list[Level] = Field(min_length=1, description="Tree levels, top first.")
    code_prefix: str | None = Field(
        None,
        description="Optional prefix fiches may add or drop: with 'A.', A.3.1 and 3.1 are the "
        "same code.",
    )
    strategy: list[Node] = Field(min_length=1, description="The strategy tree.")
    gaps: list[Gap] = Field(default_factory=list)


# --------------------------------------------------------------------------- fiches


class ObjectiveRef(Base):
    code: Code
    text: str | None = Field(
        None, description="The objective's text as the fiche quotes it (checked against the plan)."
    )


class Step(Base):
    text: Markdown
    label: str | None = Field(None, description="The source's own numbering, e.g. 2.1.")
    steps: list[Annotated[Step, _shorthand("text", "Step")]] = Field(default_factory=list)


class Measurement(Base):
    date: dt.date | Year | str
    value: float | str
    note: str | None = None


class Indicator(Base):
    label: str
    unit: str | None = None
    baseline: float | str | None = None
    target: float | str | None = None
    measurements: list[Measurement] = Field(default_factory=list)


class DocumentLink(Base):
    """A pointer to an outside document, e.g. a fiche of the Contrat Local de Santé."""

    programme: str | None = Field(None, description="short_name of one of the plan's programmes.")
    ref: str | None = Field(None, description="e.g. fiche action n°10.")
    title: str | None = None
    url: str | None = None


class Participation(Base):
    """Participation habitante: OUI/NON for each stage; empty when the form says nothing."""

    needs_analysis: YesNo = Field(None, description="L'analyse des besoins.")
    organisation: YesNo = Field(None, description="L'organisation de l'action.")
    direction: YesNo = Field(None, description="La direction des activités prévues.")
    management: YesNo = Field(None, description="La gestion de l'action.")
    resources: YesNo = Field(None, description="La mobilisation des ressources.")


class Fiche(Base):
    """``fiches/*.yaml``: one fiche action on the official form."""

    number: FicheNumber = Field(description="Fiche number, unique in the plan.")
    title: str
    description: Markdown | None = Field(None, description="What the action is, in prose.")
    axes: list[Code] = Field(default_factory=list, description="Declared axes (top level).")
    strategic_objectives: list[Code] = Field(
        default_factory=list, description="Declared second-level objectives."
    )
    objectives: list[Annotated[ObjectiveRef, _shorthand("code", ObjectiveRef)]] = Field(
        default_factory=list, description="Leaf objectives the fiche serves."
    )
    pilotes: list[str] = Field(default_factory=list, description="Pilote(s), porteur(s).")
    partners: list[str] = Field(default_factory=list, description="Partenaires associés.")
    duration: Annotated[Literal["annuelle", "pluriannuelle"] | None, _choice(DURATION_KINDS)] = None
    start: Year | None = None
    end: Year | None = None
    status: Annotated[
        Literal["nouvelle", "en cours d'élaboration", "déjà engagée"] | None, _choice(STATUSES)
    ] = None
    impacts: dict[str, list[str]] = Field(
        default_factory=dict, description="Ticked determinants, by group, as printed on the form."
    )
    steps: list[Annotated[Step, _shorthand("text", Step)]] = Field(default_factory=list)
    indicators: list[Annotated[Indicator, _shorthand("label", Indicator)]] = Field(
        default_factory=list
    )
    evaluation: list[Markdown] = Field(default_factory=list, description="Méthodes d'évaluation.")
    participation: Participation | None = None
    linked_fiches: list[FicheNumber] = Field(
        default_factory=list, description="Numbers of related fiches."
    )
    documents: list[DocumentLink] = Field(default_factory=list)

    @field_validator("impacts", mode="before")
    @classmethod
    def _empty_groups(cls, value: Any) -> Any:
        # "Group:" with nothing under it means nothing ticked in that group.
        if isinstance(value, dict):
            return {k: ([] if v is None else v) for k, v in value.items()}
        return value
