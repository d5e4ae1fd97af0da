"""Analyses → templates: a fiche as the card the documents print, derived from its form.

The card is the form's fields in form order (:class:`CardItem`), each value already
prepared for the templates: dates in words, amounts in euros, ticks grouped, actors by
their registry name. A plan's own fields and another CAF's form therefore print without
template changes. Empty is not unknown: an empty field is not printed; what the source
does not give is a gap of the fiche (``lacunes``), printed under the field it concerns or
in a block of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .dates import PartialDate
from .form import Form, FormField, grid_values
from .markup import Rich, slug
from .model import FicheBase, fold

NBSP = "\u00a0"

#: How each kind of field is printed: its template macro (``shape``) and whether it is a
#: row of the card's table or a section of its own (long content).
SHAPES: dict[str, tuple[str, bool]] = {
    "texte": ("text", False),
    "nombre": ("text", False),
    "montant": ("text", False),
    "date": ("text", False),
    "oui/non": ("text", False),
    "choix": ("text", False),
    "liste": ("list", False),
    "codes": ("objectives", False),
    "objectifs": ("objectives", False),
    "acteurs": ("actors", False),
    "markdown": ("markdown", True),
    "fiches": ("fiches", True),
    "documents": ("documents", True),
    "liste_markdown": ("list", True),
    "choix multiples": ("choices", True),
    "grille oui/non": ("grid", True),
    "étapes": ("steps", True),
    "indicateurs": ("indicators", True),
    "budget": ("budget", True),
}
#: Kinds that are not rows: the number and title head the card, gaps are spread over it.
NOT_ROWS = frozenset({"numéro", "titre", "hidden", "lacunes"})


@dataclass(frozen=True)
class CardItem:
    """One field of a fiche, ready to print."""

    key: str  # the YAML key
    label: str
    kind: str  # the form's kind (texte, montant, choix multiples, étapes…)
    shape: str  # the template macro that prints it (see SHAPES)
    block: bool  # a section of its own rather than a row of the card's table
    value: Any  # prepared for the template; empty when only gaps are printed
    gaps: list[Any] = field(default_factory=list)  # notes of the lacunes about this field
    anchor: str = ""


@dataclass(frozen=True)
class CardBlock:
    """Consecutive rows (one table) or one section, in form order."""

    rows: list[CardItem]
    section: CardItem | None = None


# The values of the structured kinds, as the card's macros print them (typed, like the
# rest of the view model; templates read them by attribute).


@dataclass
class ChoiceGroup:
    """Ticked items of a choix multiples field, by group of the form (``group`` None
    when the form has no groups)."""

    group: str | None
    ticked: list[str]


@dataclass
class GridLine:
    label: str
    value: str  # « oui » or « non », in the document's language


@dataclass
class Step:
    label: str | None
    marker: str | None  # « 1. », « Phase A : »
    text: Rich
    depth: int
    steps: list[Step]


@dataclass
class Measurement:
    date: str | None
    value: str | None
    note: str | None


@dataclass
class IndicatorRow:
    label: Rich
    unit: str | None
    baseline: str | None
    baseline_date: str | None
    target: str | None
    measurements: list[Measurement]


@dataclass
class Indicators:
    rows: list[IndicatorRow]
    has_figures: bool  # any unit, baseline, target or measurement: a table, else a list


@dataclass
class BudgetLine:
    funder: Rich
    amount: str
    nature: Rich


@dataclass
class Budget:
    lines: list[BudgetLine]
    total: str | None
    has_nature: bool


@dataclass
class Document:
    label: str
    url: str | None  # None when not a safe link


@dataclass
class Helpers:
    """What a card needs from the document it is printed in."""

    text: Any  # view_builder.Text: plan Markdown to Rich values
    labels: dict[str, Any]
    language: str
    fiche_ref: Callable[[str], Any]  # view_model.FicheRef
    objective_ref: Callable[[str], Any]  # view_model.ObjectiveRef
    actor_ref: Callable[[str], Any]  # view_model.ActorRef
    safe_url: Callable[[str | None], str | None]
    #: per choix multiples field: its groups and items by folded label (built once a plan)
    choices: dict[int, tuple[dict[str, str], dict[str, tuple[str, str]]]] = field(
        default_factory=dict
    )


# --------------------------------------------------------------------------- formats


def number(value: float | int | str | None, language: str = "fr") -> str | None:
    """« 1 500 », « 2,5 » (French spacing and comma); text is kept as written."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    written = format(value, ",")
    if language == "fr":
        written = written.replace(",", NBSP).replace(".", ",")
    return written


def amount(value: float | int | None, language: str = "fr") -> str | None:
    """« 1 500 € », « 1 500,50 € »."""
    if value is None:
        return None
    whole = float(value).is_integer()
    written = format(int(value), ",") if whole else format(float(value), ",.2f")
    if language == "fr":
        return written.replace(",", NBSP).replace(".", ",") + NBSP + "€"
    return "€" + written


def date(value: PartialDate | None, language: str = "fr") -> str | None:
    if value is None:
        return None
    return value.french() if language == "fr" else value.english()


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def is_empty(value: Any) -> bool:
    if isinstance(value, Rich):
        return not value
    if value is None or value == "" or value == []:
        return True
    if isinstance(value, dict):
        return all(is_empty(v) for v in value.values())
    return False


# --------------------------------------------------------------------------- the card


def card_items(fiche: FicheBase, form: Form, helpers: Helpers, anchor: str) -> list[CardItem]:
    """The printed fields of ``fiche``, in form order; empty ones left out."""
    gaps_by_field: dict[str, list[str]] = {}
    for gap in getattr(fiche, "gaps", []):
        if gap.field and gap.field in form.by_key:
            gaps_by_field.setdefault(gap.field, []).append(gap.note)
    items = []
    suffixes = field_slugs(form)
    for form_field in form.fields:
        if form_field.kind in NOT_ROWS:
            continue
        value = _prepare(form_field, getattr(fiche, form_field.attr, None), helpers)
        gaps = gaps_by_field.get(form_field.key, [])
        if is_empty(value) and not gaps:
            continue
        shape, block = SHAPES.get(form_field.kind, ("text", False))
        label = helpers.labels.get("fields", {}).get(form_field.key, form_field.label)
        items.append(
            CardItem(
                key=form_field.key,
                label=label,
                kind=form_field.kind,
                shape=shape,
                block=block,
                value=None if is_empty(value) else value,
                # A row of a table holds one line; a section may hold paragraphs.
                gaps=[helpers.text.flow(g) if block else helpers.text.cell(g) for g in gaps],
                anchor=f"{anchor}-{suffixes[form_field.key]}",
            )
        )
    return items


def field_slugs(form: Form | None) -> dict[str, str]:
    """An id suffix per field of ``form``, distinct even for keys that slug alike (`été`
    and `ete`)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for form_field in form.fields if form is not None else []:
        base = candidate = slug(form_field.key)
        number = 2
        while candidate in used:
            candidate, number = f"{base}-{number}", number + 1
        used.add(candidate)
        out[form_field.key] = candidate
    return out


def other_gaps(fiche: FicheBase, form: Form, helpers: Helpers) -> list[Any]:
    """The fiche's lacunes that name no field of its form."""
    return [
        helpers.text.flow(gap.note)
        for gap in getattr(fiche, "gaps", [])
        if not (gap.field and gap.field in form.by_key)
    ]


def blocks(items: list[CardItem]) -> list[CardBlock]:
    """Rows grouped into tables between the sections, keeping form order."""
    out: list[CardBlock] = []
    for item in items:
        if item.block:
            out.append(CardBlock([], item))
        elif out and out[-1].section is None:
            out[-1].rows.append(item)
        else:
            out.append(CardBlock([item]))
    return out


def _prepare(form_field: FormField, value: Any, helpers: Helpers) -> Any:
    """The value of one field as its template macro prints it."""
    kind, text, labels, language = form_field.kind, helpers.text, helpers.labels, helpers.language
    if is_empty(value):
        return None
    if kind == "texte":
        return text.cell(str(value))
    if kind == "markdown":
        return text.block(value, heading_base=5)
    if kind == "liste":
        return [text.cell(str(v)) for v in value]
    if kind == "liste_markdown":
        return [text.flow(v) for v in value]
    if kind == "nombre":
        return number(value, language)
    if kind == "montant":
        return amount(value, language)
    if kind == "date":
        return date(value, language)
    if kind == "oui/non":
        return labels["yes" if value else "no"]
    if kind == "choix":
        return labels.get("choices", {}).get(value) or capitalised(value)
    if kind == "choix multiples":
        return _choices(form_field, value, helpers)
    if kind == "grille oui/non":
        return [
            GridLine(label, labels["yes" if given else "no"])
            for _key, label, given in grid_values(form_field, value)
            if given is not None
        ] or None
    if kind == "codes":
        return [helpers.objective_ref(code) for code in value]
    if kind == "objectifs":
        return [helpers.objective_ref(ref.code) for ref in value]
    if kind == "acteurs":
        refs: dict[str, Any] = {}  # one per registry actor, in order
        for name in value:
            ref = helpers.actor_ref(name)
            refs.setdefault(ref.anchor, ref)
        return list(refs.values())
    if kind == "étapes":
        return _steps(value, text, 0)
    if kind == "indicateurs":
        return _indicators(value, helpers)
    if kind == "budget":
        return _budget(value, helpers)
    if kind == "fiches":
        return [helpers.fiche_ref(str(n).strip()) for n in value]
    if kind == "documents":
        return _documents(value, helpers)
    return text.inline(str(value))


def _choices(form_field: FormField, value: Any, helpers: Helpers) -> list[ChoiceGroup] | None:
    """Ticked items by group, in form order; items the form does not know are kept as typed."""
    if not form_field.groups:
        return [ChoiceGroup(None, list(value))]
    ticked: dict[str, list[str]] = {group: [] for group, _ in form_field.groups}
    unknown: dict[str, list[str]] = {}
    # One fold per label typed: folding every item of the form for each one was most of
    # the time spent rendering a fiche.
    known = helpers.choices.get(id(form_field))
    if known is None:
        known = helpers.choices[id(form_field)] = (
            {fold(g): g for g, _ in reversed(form_field.groups)},
            {fold(i): (g, i) for g, items in reversed(form_field.groups) for i in reversed(items)},
        )
    groups, items_of = known
    for label, items in value.items():
        group = groups.get(fold(label))
        for item in items or []:
            found = items_of.get(fold(item))
            if group is not None and found is not None and found[0] == group:
                ticked[group].append(found[1])
            elif group is not None:
                ticked[group].append(item)
            else:
                unknown.setdefault(label, []).append(item)
    order = {item: i for _, items in form_field.groups for i, item in enumerate(items)}
    out = [
        ChoiceGroup(group, sorted(items, key=lambda i: order.get(i, len(order))))
        for group, items in ticked.items()
        if items
    ]
    out += [ChoiceGroup(group, items) for group, items in unknown.items()]
    return out or None


def _steps(items: list[Any], text: Any, depth: int) -> list[Step]:
    return [
        Step(
            step.label,
            _step_marker(step.label),
            text.flow(step.text),
            depth,
            _steps(step.steps, text, depth + 1),
        )
        for step in items
    ]


def _step_marker(label: str | None) -> str | None:
    label = " ".join((label or "").split())
    if not label:
        return None
    return f"{label}." if label[-1].isdigit() else f"{label} :"


def _indicators(items: list[Any], helpers: Helpers) -> Indicators:
    language = helpers.language
    rows = [
        IndicatorRow(
            helpers.text.cell(i.label),
            i.unit,
            number(i.baseline, language),
            date(i.baseline_date, language),
            number(i.target, language),
            [
                Measurement(date(m.date, language), number(m.value, language), m.note)
                for m in i.measurements
            ],
        )
        for i in items
    ]
    has_figures = any(
        i.unit or i.baseline is not None or i.target is not None or i.measurements for i in items
    )
    return Indicators(rows, has_figures)


def _budget(lines: list[Any], helpers: Helpers) -> Budget:
    language = helpers.language
    amounts = [line.amount for line in lines if line.amount is not None]
    return Budget(
        [
            BudgetLine(
                helpers.text.cell(line.funder),
                amount(line.amount, language) or "",
                helpers.text.cell(line.nature or ""),
            )
            for line in lines
        ],
        amount(sum(amounts), language) if amounts else None,
        any(line.nature for line in lines),
    )


def _documents(docs: list[Any], helpers: Helpers) -> list[Document]:
    out = []
    for doc in docs:
        label = " ".join(p for p in (doc.programme, doc.ref) if p)
        if doc.title:
            label = f"{label} « {doc.title} »" if label else doc.title
        out.append(Document(label or (doc.url or ""), helpers.safe_url(doc.url)))
    return out
