"""The plan format (format 2) as pydantic models.

YAML keys are French (``titre``, ``début``, ``partenaires``): each model field carries its
French key as its alias, and the Python attributes stay English. ``plan.yaml`` is
:class:`PlanFile`; a fiche's model is built from the plan's form by :mod:`ctgkit.form`
out of the standard fields declared here (:data:`STANDARD_FIELDS`) and the form's own.

The models only check shapes and types; cross-references (codes, fiche numbers, actors,
choices of a grid, dates against the period) are rules in :mod:`ctgkit.rules`, so that each
problem gets its own stable code. Field descriptions are the JSON Schema descriptions that
editors show while people type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    field_validator,
)

from .dates import DateError, PartialDate
from .i18n import _

#: The format this version of ctgkit reads; ``ctg migrate`` writes it.
FORMAT_VERSION = 2

Markdown = Annotated[str, Field(json_schema_extra={"format": "markdown"})]
Year = Annotated[int, Field(ge=1900, le=2200, description="Une année, par exemple 2024.")]
Code = Annotated[
    str, Field(min_length=1, description="Un code d'objectif tel que le plan l'écrit.")
]


def _parse_date(value: Any) -> PartialDate:
    try:
        return PartialDate.parse(value)
    except DateError as exc:
        raise ValueError(str(exc)) from None


#: ``2024``, ``2024-09`` or ``2024-09-30``.
Date = Annotated[
    PartialDate,
    PlainValidator(_parse_date),
    PlainSerializer(lambda d: d.iso(), return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1900, "maximum": 2200},
                {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"},
            ],
            "description": "Une année (2024), un mois (2024-09) ou un jour (2024-09-30).",
        }
    ),
]


class Base(BaseModel):
    # Typos must not pass silently; numbers typed where text is expected are fine and keep
    # the author's spelling (see source.SourceFloat); a measure cannot be .nan or .inf.
    model_config = ConfigDict(
        extra="forbid",
        coerce_numbers_to_str=True,
        allow_inf_nan=False,
        validate_by_alias=True,
        validate_by_name=False,
        serialize_by_alias=True,
        # Nested models are compiled into the validator of the model that is validated
        # (PlanFile, a form's fiche model) instead of each into its own at import: measured
        # 25 ms of the 240 ms a single `ctg validate` takes.
        defer_build=True,
    )


def shorthand(key: str, model: Any) -> BeforeValidator:
    """Let a list item be written as a bare string instead of ``{key: string}``."""

    def expand(value: Any) -> Any:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return {key: value}
        return value

    # The JSON Schema (for editors) must accept both forms too.
    return BeforeValidator(expand, json_schema_input_type=Union[str, model])  # noqa: UP007


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Fold a label for forgiving comparison: case, accents, apostrophes, spaces.

    Memoised (bounded): the same names and labels are folded over and over (each actor a
    fiche cites, each ticked choice, each anchor), and Unicode decomposition is slow."""
    import unicodedata

    text = text.replace("’", "'").replace("‘", "'").replace("\u00a0", " ")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.replace("œ", "oe").split())


def choice(choices: tuple[str, ...]) -> BeforeValidator:
    """Accept a choice typed with other case, accents or spacing; keep the form's spelling."""
    folded = {fold(c): c for c in choices}

    def normalise(value: Any) -> Any:
        if isinstance(value, str):
            return folded.get(fold(value), value)
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
#: A flag: true/false, or OUI/NON as coordinators write them.
Flag = Annotated[
    bool,
    BeforeValidator(_yes_no, json_schema_input_type=bool | Literal["oui", "non", "OUI", "NON"]),
]
#: A fiche number: written 3 or "3", kept as text.
FicheNumber = Annotated[str, Field(json_schema_extra={"type": ["string", "integer"]})]


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(_("expected a finite number"))
    return value


# --------------------------------------------------------------------------- pydantic errors

#: Fields whose numbers are years (their range errors say so).
YEAR_KEYS = frozenset({"début", "fin"})


def describe_value(value: Any) -> str:
    """A value as a message quotes it: 'texte' (cut at 40 characters), a list, nothing…"""
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return _("'{value}'").format(value=str(value).lower())
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    text = str(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return _("'{value}'").format(value=text)


def error_message(error: Any, path: tuple[Any, ...] = ()) -> str:
    """Our message, in the user's language, for one pydantic error (an item of
    ``ValidationError.errors()``), chosen by its ``type``; pydantic's own English text is
    never shown. ``path`` is where the value is in the YAML data (its last key names years).
    """
    kind = str(error.get("type", ""))
    value = error.get("input")
    context = error.get("ctx") or {}
    got = describe_value(value)
    last = path[-1] if path else None
    if kind == "missing":
        return _("missing required field '{name}'").format(name=last if path else "?")
    if kind == "extra_forbidden":
        return _("unknown field '{name}'").format(name=last if path else "?")
    if last in YEAR_KEYS and kind.startswith(("int", "greater", "less")):
        return _("expected a year such as 2020, got {value}").format(value=got)
    if kind == "value_error":
        # Our own validators' messages, already in the user's language.
        message = str(context.get("error") or error.get("msg", ""))
        message = message.removeprefix("Value error, ") or _("invalid value")
        return _("{message}, got {value}").format(message=message, value=got)
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("expected a mapping of fields, got {value}").format(value=got)
    if kind == "list_type":
        return _("expected a list, got {value}").format(value=got)
    if kind == "string_type":
        return _("expected text, got {value}").format(value=got)
    if kind.startswith("int_"):
        return _("expected a whole number, got {value}").format(value=got)
    if kind.startswith("float_") or kind == "finite_number":
        return _("expected a number, got {value}").format(value=got)
    if kind.startswith("bool_"):
        return _("expected OUI/NON (true/false), got {value}").format(value=got)
    if kind == "literal_error":
        return _("{value} is not one of {expected}").format(
            value=got, expected=_choices(context.get("expected", ""))
        )
    if kind.startswith(("date_", "datetime_")):
        return _("expected a date such as 2021-06-30, got {value}").format(value=got)
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        limit = next((context[k] for k in ("ge", "gt", "le", "lt") if k in context), "?")
        bound = {
            "greater_than_equal": _("at least {limit}"),
            "greater_than": _("more than {limit}"),
            "less_than_equal": _("at most {limit}"),
            "less_than": _("less than {limit}"),
        }[kind].format(limit=limit)
        return _("{value} is out of range (it must be {bound})").format(value=got, bound=bound)
    if kind in {"too_short", "string_too_short"}:
        if int(context.get("min_length", 1) or 1) <= 1:
            return _("must not be empty")
        return _("too short: at least {count} expected").format(count=context["min_length"])
    if kind in {"too_long", "string_too_long"}:
        return _("too long: at most {count} allowed").format(count=context.get("max_length", "?"))
    if kind == "enum":
        return _("{value} is not one of {expected}").format(
            value=got, expected=_choices(context.get("expected", ""))
        )
    return _("invalid value ({kind}), got {value}").format(kind=kind or "?", value=got)


def _choices(expected: str) -> str:
    """pydantic's « 'a', 'b' or 'c' » with the « or » in the user's language."""
    head, sep, tail = str(expected).rpartition(" or ")
    if not sep:
        return str(expected)
    return _("{choices} or {last}").format(choices=head, last=tail)


# --------------------------------------------------------------------------- plan.yaml


class Territory(Base):
    name: str = Field(
        alias="nom",
        description="Nom complet, par ex. Communauté de Communes du Civraisien en Poitou.",
    )
    short_name: str | None = Field(None, alias="sigle", description="Sigle, par ex. CCCP.")
    department: str | None = Field(None, alias="département", description="Par ex. Vienne.")
    towns: int | None = Field(
        None, ge=1, alias="nombre_communes", description="Nombre de communes membres."
    )
    population: str | None = Field(None, description="Population telle que la source l'écrit.")


class Period(Base):
    start: Year = Field(alias="début")
    end: Year = Field(alias="fin")


PLAN_STATES = ("projet", "proposition", "adoptée", "signée")


class PlanState(Base):
    """Où en est le document : projet, proposition (à arbitrer), adoptée, signée."""

    value: Annotated[Literal["projet", "proposition", "adoptée", "signée"], choice(PLAN_STATES)] = (
        Field(alias="valeur")
    )
    date: Date | None = Field(None, description="Date de cet état (2024, 2024-06, 2024-06-12).")

    @property
    def signed(self) -> bool:
        return self.value == "signée"


def _state_shorthand(value: Any) -> Any:
    return {"valeur": value} if isinstance(value, str) else value


class Signatory(Base):
    name: str = Field(alias="nom")
    short_name: str | None = Field(None, alias="sigle")
    role: str | None = Field(
        None, alias="rôle", description="Par ex. co-signataire, commune membre."
    )


ACTOR_KINDS = (
    "collectivité",
    "commune",
    "département",
    "CAF",
    "MSA",
    "État",
    "association",
    "entreprise",
    "établissement",
    "autre",
)


class Actor(Base):
    """Un acteur du plan : pilotes et partenaires des fiches le nomment par l'un de ses noms."""

    name: str = Field(alias="nom", description="Nom de l'acteur, tel qu'il sera imprimé.")
    short_name: str | None = Field(None, alias="sigle", description="Sigle, par ex. CCCP.")
    other_names: list[str] = Field(
        default_factory=list,
        alias="autres_noms",
        description="Autres noms employés dans les fiches pour le même acteur.",
    )
    kind: Annotated[Literal[ACTOR_KINDS] | None, choice(ACTOR_KINDS)] = Field(  # type: ignore[valid-type]
        None, alias="type", description="Nature de l'acteur."
    )

    def names(self) -> list[str]:
        return [self.name, *([self.short_name] if self.short_name else []), *self.other_names]


class GovernanceBody(Base):
    name: str = Field(alias="nom", description="Par ex. Comité de pilotage.")
    role: str | None = Field(None, alias="rôle", description="Ce que fait l'instance.")
    members: str | None = Field(None, alias="membres", description="Qui y siège.")
    frequency: str | None = Field(None, alias="fréquence", description="Par ex. 1 x/an.")


class Programme(Base):
    """Un autre plan avec lequel la CTG s'articule (CLS, PCAET…)."""

    name: str = Field(alias="nom")
    short_name: str | None = Field(
        None, alias="sigle", description="Le nom que citent les fiches (CLS)."
    )
    description: Markdown | None = None
    axes: list[str] = Field(default_factory=list, description="Les axes du programme.")
    url: str | None = None


class Section(Base):
    """Une partie rédigée (contexte, diagnostic…), dans le YAML ou dans un fichier Markdown."""

    title: str = Field(alias="titre")
    file: str | None = Field(
        None, alias="fichier", description="Fichier Markdown, relatif au dossier du plan."
    )
    text: Markdown | None = Field(None, alias="texte")


class TimelineEntry(Base):
    when: str | None = Field(
        None, alias="quand", description="Date ou période telle qu'écrite, par ex. Mai 2018."
    )
    phase: str | None = Field(None, description="La phase à laquelle l'étape appartient.")
    text: Markdown = Field(alias="texte")


class KeyFigure(Base):
    value: str = Field(alias="valeur")
    label: str = Field(alias="libellé")


class SwotTheme(Base):
    theme: str = Field(alias="thème")
    strengths: list[Markdown] = Field(default_factory=list, alias="forces")
    weaknesses: list[Markdown] = Field(default_factory=list, alias="faiblesses")
    opportunities: list[Markdown] = Field(default_factory=list, alias="opportunités")
    threats: list[Markdown] = Field(default_factory=list, alias="menaces")


class Level(Base):
    name: str = Field(alias="nom", description="Le nom du niveau, par ex. axe, enjeu, objectif.")
    plural: str | None = Field(None, alias="pluriel", description="Par ex. axes.")


class Node(Base):
    """Un nœud de la stratégie : un axe, un objectif… Sans enfants, c'est un objectif."""

    code: Code = Field(description="Unique dans le plan, écrit comme les fiches le citent.")
    title: Markdown | None = Field(
        None, alias="titre", description="Obligatoire, sauf pour un nœud consigné dans `lacunes`."
    )
    theme: str | None = Field(None, alias="thème", description="Rubrique thématique du nœud.")
    description: Markdown | None = None
    pistes: list[Markdown] = Field(default_factory=list, description="Pistes de travail.")
    editorial: Flag = Field(
        False,
        alias="code_éditorial",
        description="Code attribué à la transcription, absent de la source.",
    )
    children: list[Node] = Field(default_factory=list, alias="enfants")


class Gap(Base):
    """Ce que la source ne donne pas, consigné au lieu d'être inventé."""

    code: str | None = Field(None, description="Le code du nœud concerné, s'il y en a un.")
    note: Markdown


FIELD_TYPES = (
    "texte",
    "markdown",
    "liste",
    "nombre",
    "montant",
    "date",
    "oui/non",
    "choix",
    "choix multiples",
    "grille oui/non",
)


class GridLine(Base):
    key: str = Field(alias="nom")
    label: str | None = Field(None, alias="libellé")


class FieldSpec(Base):
    """Un champ de formulaire : un champ standard (par son nom) ou un champ propre."""

    key: str = Field(
        alias="nom", description="La clé YAML du champ, en minuscules, mots séparés par _."
    )
    label: str | None = Field(None, alias="libellé", description="Le libellé imprimé.")
    type: Annotated[Literal[FIELD_TYPES] | None, choice(FIELD_TYPES)] = Field(  # type: ignore[valid-type]
        None, description="Type du champ ; omis pour un champ standard."
    )
    required: Flag = Field(False, alias="obligatoire")
    help: str | None = Field(None, alias="aide", description="Texte d'aide montré dans l'éditeur.")
    choices: list[str] = Field(default_factory=list, alias="choix")
    groups: dict[str, list[str]] = Field(default_factory=dict, alias="groupes")
    lines: list[GridLine] = Field(default_factory=list, alias="lignes")


class FormSpec(Base):
    """Le formulaire des fiches : un formulaire livré, complété des champs propres au plan."""

    base: str = Field("général", description="Le formulaire de départ : général ou vienne-2019.")
    fields: list[FieldSpec] = Field(default_factory=list, alias="champs")


class FormFile(Base):
    """Un formulaire livré avec ctgkit (ctgkit/forms/*.yaml)."""

    name: str = Field(alias="nom")
    title: str = Field(alias="titre")
    fields: list[FieldSpec] = Field(alias="champs")


class PlanFile(Base):
    """``plan.yaml`` : métadonnées, gouvernance et stratégie d'une CTG."""

    format: Literal[2] = Field(description="La version du format : 2.")
    title: str = Field(alias="titre")
    subtitle: str | None = Field(None, alias="sous_titre")
    territory: Territory = Field(alias="territoire")
    language: Literal["fr", "en"] = Field(
        "fr", alias="langue", description="Langue des textes du plan."
    )
    period: Period | None = Field(
        None, alias="période", description="Période de la convention, en années."
    )
    state: Annotated[
        PlanState | None,
        BeforeValidator(
            _state_shorthand,
            json_schema_input_type=Union[PlanState, Literal[PLAN_STATES], None],  # noqa: UP007
        ),
    ] = Field(
        None, alias="état", description="projet, proposition, adoptée ou signée, avec sa date."
    )
    generation: int | None = Field(
        None, ge=1, alias="génération", description="1 pour une CTG de 1ère génération…"
    )
    previous: str | None = Field(
        None, alias="précédent", description="Dossier du plan de la génération précédente."
    )
    signatories: list[Signatory] = Field(default_factory=list, alias="signataires")
    actors: list[Actor] = Field(default_factory=list, alias="acteurs")
    governance: list[GovernanceBody] = Field(default_factory=list, alias="gouvernance")
    programmes: list[Programme] = Field(default_factory=list)
    key_figures: list[KeyFigure] = Field(default_factory=list, alias="chiffres_clés")
    sections: list[Section] = Field(default_factory=list)
    swot: list[SwotTheme] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(default_factory=list, alias="chronologie")
    levels: list[Level] = Field(
        min_length=1, alias="niveaux", description="Les niveaux de l'arbre, du haut vers le bas."
    )
    code_prefix: str | None = Field(
        None,
        alias="préfixe_code",
        description="Préfixe que les fiches peuvent omettre : "
        "avec 'A.', A.3.1 et 3.1 sont le même code.",
    )
    editorial_codes: Flag = Field(
        False,
        alias="codes_éditoriaux",
        description="Tous les codes ont été attribués à la transcription.",
    )
    form: Annotated[
        FormSpec,
        BeforeValidator(
            lambda v: {"base": v} if isinstance(v, str) else v,
            json_schema_input_type=Union[str, FormSpec],  # noqa: UP007
        ),
    ] = Field(default_factory=FormSpec, alias="formulaire", description="Le formulaire des fiches.")
    strategy: list[Node] = Field(
        min_length=1, alias="stratégie", description="L'arbre de la stratégie."
    )
    gaps: list[Gap] = Field(default_factory=list, alias="lacunes")

    @property
    def signed(self) -> bool:
        return self.state is not None and self.state.signed


# --------------------------------------------------------------------------- fiches


class ObjectiveRef(Base):
    code: Code
    text: str | None = Field(
        None, alias="texte", description="Le texte de l'objectif tel que la fiche le cite."
    )


class Step(Base):
    text: Markdown = Field(alias="texte")
    label: str | None = Field(
        None, alias="numéro", description="La numérotation de la source, par ex. 2.1."
    )
    steps: list[Annotated[Step, shorthand("texte", "Step")]] = Field(
        default_factory=list, alias="étapes"
    )


#: The units that make an indicator qualitative: its values are words, not numbers.
QUALITATIVE_UNITS = ("texte", "qualitatif", "oui/non")
#: Which way an indicator should go.
DIRECTIONS = ("hausse", "baisse", "stable")
#: Where a fiche stands, in a follow-up entry.
FOLLOW_UP_STATUSES = ("prévue", "en cours", "réalisée", "reportée", "abandonnée")
#: Statuses after which a fiche is closed: a later entry must say why (CTG064).
CLOSED_STATUSES = ("réalisée", "abandonnée")

#: A value of an indicator: a number, or text (checked by CTG061 against the unit).
IndicatorValue = Annotated[float | str, BeforeValidator(_finite)]


class Measurement(Base):
    """Une mesure d'un indicateur : sa date, sa valeur, d'où elle vient."""

    date: Date = Field(description="Date de la mesure : 2024, 2024-09 ou 2024-09-30.")
    value: IndicatorValue = Field(alias="valeur", description="La valeur mesurée.")
    source: str | None = Field(None, description="D'où vient la valeur (CAF, enquête…).")
    note: str | None = Field(None, alias="commentaire")


class Indicator(Base):
    """Un indicateur de réussite : libellé, unité, sens, valeur de référence, cibles, mesures."""

    label: str = Field(alias="libellé")
    unit: str | None = Field(
        None, alias="unité", description="places, familles, %, jours… ; « texte » si qualitatif."
    )
    direction: Annotated[Literal[DIRECTIONS] | None, choice(DIRECTIONS)] = Field(  # type: ignore[valid-type]
        None, alias="sens", description="Le sens souhaité : hausse, baisse ou stable."
    )
    baseline: IndicatorValue | None = Field(
        None, alias="valeur_référence", description="La valeur de départ."
    )
    baseline_date: Date | None = Field(
        None, alias="date_référence", description="La date de la valeur de référence."
    )
    target: IndicatorValue | None = Field(
        None, alias="cible", description="La valeur visée à la fin de la convention."
    )
    targets: dict[Year, IndicatorValue] = Field(
        default_factory=dict,
        alias="cibles",
        description="Cibles par année, par ex. {2022: 40, 2024: 80}.",
    )
    measurements: list[Measurement] = Field(
        default_factory=list, alias="mesures", description="Les mesures, datées."
    )


def _percent(value: Any) -> Any:
    """« 50 % », « 50% » and « 12,5 » are numbers as coordinators write them."""
    if isinstance(value, str):
        cleaned = value.strip().removesuffix("%").strip().replace(",", ".")
        try:
            return float(cleaned)
        except ValueError:
            return value
    return _finite(value)


class FollowUp(Base):
    """Une entrée du suivi d'une fiche : où elle en est à une date."""

    date: Date = Field(description="Date du point : 2024, 2024-06 ou 2024-06-30.")
    status: Annotated[Literal[FOLLOW_UP_STATUSES], choice(FOLLOW_UP_STATUSES)] = Field(  # type: ignore[valid-type]
        alias="statut", description="prévue, en cours, réalisée, reportée ou abandonnée."
    )
    progress: Annotated[float | None, BeforeValidator(_percent)] = Field(
        None, alias="avancement", description="Avancement en %, de 0 à 100."
    )
    achievements: Markdown | None = Field(
        None, alias="réalisations", description="Ce qui a été fait."
    )
    difficulties: Markdown | None = Field(
        None, alias="difficultés", description="Les difficultés rencontrées."
    )
    next_steps: Markdown | None = Field(
        None, alias="prochaines_étapes", description="Ce qui est prévu ensuite."
    )
    author: str | None = Field(
        None, alias="auteur", description="Qui a renseigné ce point (un acteur du plan)."
    )
    note: Markdown | None = Field(
        None,
        alias="commentaire",
        description="Une remarque ; obligatoire pour rouvrir une fiche réalisée ou abandonnée.",
    )


class BudgetLine(Base):
    funder: str = Field(
        alias="financeur", description="Qui finance : CAF, intercommunalité, commune…"
    )
    amount: Annotated[float | None, BeforeValidator(_finite)] = Field(
        None,
        alias="montant",
        description="Montant en euros.",
        json_schema_extra={"format": "euros"},
    )
    nature: str | None = Field(None, description="Par ex. prestation de service, fonds locaux.")


class DocumentLink(Base):
    """Un renvoi vers un autre document, par ex. une fiche du Contrat Local de Santé."""

    programme: str | None = Field(None, description="Sigle de l'un des programmes du plan.")
    ref: str | None = Field(None, alias="référence", description="Par ex. fiche action n°10.")
    title: str | None = Field(None, alias="titre")
    url: str | None = None


class FicheGap(Base):
    """Ce que la source ne donne pas pour cette fiche."""

    field: str | None = Field(None, alias="champ", description="La clé du champ concerné.")
    note: Markdown


class FicheBase(Base):
    """Common base of every fiche model (see :func:`ctgkit.form.fiche_model`)."""

    #: The form the model was built from (set by ctgkit.form).
    form: ClassVar[Any] = None

    def value(self, key: str) -> Any:
        """The value of the form field ``key`` (its YAML key)."""
        return getattr(self, self.form.by_key[key].attr)


@dataclass(frozen=True)
class StandardField:
    key: str  # the YAML key
    attr: str  # the Python attribute
    kind: str  # how it is shown and checked (see ctgkit.form)
    annotation: Any
    default: Any
    label: str
    help: str = ""
    required: bool = False


def _list(item: Any) -> Any:
    return list[item]


STANDARD_FIELDS: dict[str, StandardField] = {
    f.key: f
    for f in (
        StandardField(
            "numéro",
            "number",
            "numéro",
            FicheNumber,
            ...,
            "Numéro",
            "Numéro de la fiche, unique dans le plan.",
            True,
        ),
        StandardField(
            "numéro_éditorial",
            "editorial_number",
            "hidden",
            Flag,
            False,
            "Numéro éditorial",
            "Numéro attribué à la transcription, absent de la source.",
        ),
        StandardField("titre", "title", "titre", str, ..., "Titre", "Intitulé de l'action.", True),
        StandardField(
            "description",
            "description",
            "markdown",
            Markdown | None,
            None,
            "Description",
            "Ce qu'est l'action.",
        ),
        StandardField(
            "axes",
            "axes",
            "codes",
            _list(Code),
            [],
            "Axes",
            "Les axes (premier niveau) que la fiche déclare.",
        ),
        StandardField(
            "objectifs_stratégiques",
            "strategic_objectives",
            "codes",
            _list(Code),
            [],
            "Objectifs stratégiques",
            "Les objectifs de deuxième niveau que la fiche déclare.",
        ),
        StandardField(
            "objectifs",
            "objectives",
            "objectifs",
            _list(Annotated[ObjectiveRef, shorthand("code", ObjectiveRef)]),
            [],
            "Objectifs",
            "Les objectifs que l'action sert (des feuilles de l'arbre).",
        ),
        StandardField(
            "pilotes",
            "pilotes",
            "acteurs",
            _list(str),
            [],
            "Pilotes",
            "Pilote(s), porteur(s) : des acteurs du plan.",
        ),
        StandardField(
            "partenaires",
            "partners",
            "acteurs",
            _list(str),
            [],
            "Partenaires",
            "Partenaires associés : des acteurs du plan.",
        ),
        StandardField(
            "public",
            "public",
            "markdown",
            Markdown | None,
            None,
            "Public visé",
            "À qui s'adresse l'action.",
        ),
        StandardField(
            "communes",
            "communes",
            "liste",
            _list(str),
            [],
            "Communes concernées",
            "Les communes où l'action a lieu.",
        ),
        StandardField(
            "périmètre",
            "area",
            "texte",
            str | None,
            None,
            "Périmètre",
            "Le territoire concerné, par ex. tout le territoire, un pôle.",
        ),
        StandardField(
            "début", "start", "date", Date | None, None, "Début", "2024, 2024-09 ou 2024-09-30."
        ),
        StandardField(
            "fin", "end", "date", Date | None, None, "Fin", "2024, 2024-09 ou 2024-09-30."
        ),
        StandardField(
            "budget",
            "budget",
            "budget",
            _list(BudgetLine),
            [],
            "Budget",
            "Lignes du plan de financement : financeur, montant en €, nature.",
        ),
        StandardField(
            "moyens",
            "means",
            "markdown",
            Markdown | None,
            None,
            "Moyens",
            "Moyens humains et matériels.",
        ),
        StandardField(
            "étapes",
            "steps",
            "étapes",
            _list(Annotated[Step, shorthand("texte", Step)]),
            [],
            "Étapes",
            "Les étapes, dans l'ordre ; elles peuvent s'imbriquer.",
        ),
        StandardField(
            "indicateurs",
            "indicators",
            "indicateurs",
            _list(Annotated[Indicator, shorthand("libellé", Indicator)]),
            [],
            "Indicateurs",
            "Les indicateurs de réussite.",
        ),
        StandardField(
            "évaluation",
            "evaluation",
            "liste_markdown",
            _list(Markdown),
            [],
            "Évaluation",
            "Les méthodes d'évaluation.",
        ),
        StandardField(
            "fiches_liées",
            "linked_fiches",
            "fiches",
            _list(FicheNumber),
            [],
            "Fiches liées",
            "Numéros des fiches en lien.",
        ),
        StandardField(
            "documents",
            "documents",
            "documents",
            _list(DocumentLink),
            [],
            "Documents",
            "Renvois vers d'autres documents (CLS, PCAET…).",
        ),
        StandardField(
            "notes", "notes", "markdown", Markdown | None, None, "Notes", "Remarques libres."
        ),
        StandardField(
            "lacunes",
            "gaps",
            "lacunes",
            _list(FicheGap),
            [],
            "Lacunes",
            "Ce que la source ne donne pas.",
        ),
        StandardField(
            "suivi",
            "follow_up",
            "hidden",
            _list(FollowUp),
            [],
            "Suivi",
            "L'état d'avancement, daté : date, statut, avancement, réalisations…",
        ),
    )
}


class _ImpactsValidator:
    """Groups written with nothing under them mean nothing ticked in that group."""

    @staticmethod
    def empty_groups(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ([] if v is None else v) for k, v in value.items()}
        return value


__all__ = [
    "ACTOR_KINDS",
    "CLOSED_STATUSES",
    "DIRECTIONS",
    "FOLLOW_UP_STATUSES",
    "QUALITATIVE_UNITS",
    "FIELD_TYPES",
    "FORMAT_VERSION",
    "PLAN_STATES",
    "STANDARD_FIELDS",
    "Actor",
    "Base",
    "BudgetLine",
    "Date",
    "DocumentLink",
    "FicheBase",
    "FicheGap",
    "FieldSpec",
    "FollowUp",
    "FormFile",
    "FormSpec",
    "Gap",
    "Indicator",
    "Measurement",
    "Node",
    "ObjectiveRef",
    "PlanFile",
    "PlanState",
    "StandardField",
    "Step",
    "YesNo",
    "field_validator",
]
