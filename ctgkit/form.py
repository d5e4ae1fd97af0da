"""Fiche forms as data: the shipped forms (``ctgkit/forms/*.yaml``), a plan's own fields,
and the pydantic model of a fiche built from them.

One source of truth: validation (the model), the JSON Schema given to editors
(``ctg schema fiche --plan``), the checks of choices and grids, and the rendered fiche card
all come from a :class:`Form`. Models are cached per form, so a thousand plans on one form
build one model.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, create_model

from .i18n import _
from .model import (
    STANDARD_FIELDS,
    Base,
    Date,
    FicheBase,
    FieldSpec,
    FormFile,
    FormSpec,
    Markdown,
    YesNo,
    choice,
    fold,
)

FORMS_DIR = Path(__file__).resolve().parent / "forms"
DEFAULT_FORM = "général"
#: Keys of a plan's own fields: lowercase French words, accents kept, ``_`` between words.
KEY_SYNTAX = re.compile(r"[a-zà-öø-ÿœæ][a-zà-öø-ÿœæ0-9]*(?:_[a-zà-öø-ÿœæ0-9]+)*")


class FormError(Exception):
    """A form that cannot be used: unknown name, bad field definition. ``path`` is where
    in plan.yaml (a data path under ``formulaire``)."""

    def __init__(self, message: str, path: tuple[Any, ...] = ("formulaire",)) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


@dataclass(frozen=True)
class FormField:
    """One field of a form, in form order."""

    key: str  # YAML key
    attr: str  # attribute of the fiche model
    kind: str  # standard kind (see model.STANDARD_FIELDS) or a form type (texte, choix…)
    label: str
    help: str = ""
    required: bool = False
    standard: bool = True
    choices: tuple[str, ...] = ()
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    lines: tuple[tuple[str, str], ...] = ()  # (key, label) of a grille oui/non

    @property
    def group_map(self) -> dict[str, tuple[str, ...]]:
        return dict(self.groups)


@dataclass
class Form:
    name: str
    title: str
    fields: list[FormField]
    by_key: dict[str, FormField] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_key = {f.key: f for f in self.fields}

    @property
    def signature(self) -> tuple[Any, ...]:
        return (self.name, tuple(self.fields))

    def model(self) -> type[FicheBase]:
        """The pydantic model of a fiche on this form (cached per form)."""
        model = _MODELS.get(self.signature)
        if model is None:
            model = _MODELS[self.signature] = _build_model(self)
        return model

    def of_kind(self, *kinds: str) -> list[FormField]:
        return [f for f in self.fields if f.kind in kinds]


# --------------------------------------------------------------------------- loading


@cache
def shipped_forms() -> dict[str, FormFile]:
    """The forms shipped with ctgkit, by folded name."""
    from .source import parse_yaml

    forms = {}
    for path in sorted(FORMS_DIR.glob("*.yaml")):
        data = FormFile.model_validate(parse_yaml(path.read_text(encoding="utf-8")))
        forms[fold(data.name)] = data
    return forms


def shipped_names() -> list[str]:
    return [f.name for f in shipped_forms().values()]


def resolve(spec: FormSpec) -> Form:
    """The form a plan's fiches follow: a shipped form plus the plan's own fields."""
    base = shipped_forms().get(fold(spec.base))
    if base is None:
        names = ", ".join(shipped_names())
        raise FormError(
            _("unknown form '{name}' (ctgkit ships: {names})").format(name=spec.base, names=names),
            ("formulaire", "base"),
        )
    fields = [_field(f, ("shipped", i), i) for i, f in enumerate(base.fields)]
    position = {f.key: i for i, f in enumerate(fields)}
    for index, extra in enumerate(spec.fields):
        where = ("formulaire", "champs", index)
        if extra.key in position:
            if extra.type is not None:
                raise FormError(
                    _(
                        "the form already has a field '{key}'; to change its label, help or "
                        "make it required, give them without `type`"
                    ).format(key=extra.key),
                    (*where, "type"),
                )
            # A field of the base form re-labelled, given help, or made required.
            current = fields[position[extra.key]]
            fields[position[extra.key]] = replace(
                current,
                label=extra.label or current.label,
                help=extra.help or current.help,
                required=current.required or extra.required,
            )
            continue
        position[extra.key] = len(fields)
        fields.append(_field(extra, where, len(fields)))
    name = base.name if not spec.fields else f"{base.name}+{len(spec.fields)}"
    return Form(name, base.title, fields)


def _field(spec: FieldSpec, where: tuple[Any, ...], index: int = 0) -> FormField:
    standard = STANDARD_FIELDS.get(spec.key)
    if spec.type is None:
        if standard is None:
            raise FormError(
                _(
                    "field '{key}' is not a standard field: give its `type` (texte, markdown, "
                    "liste, nombre, montant, date, oui/non, choix, choix multiples, "
                    "grille oui/non)"
                ).format(key=spec.key),
                (*where, "nom"),
            )
        return FormField(
            key=standard.key,
            attr=standard.attr,
            kind=standard.kind,
            label=spec.label or standard.label,
            help=spec.help or standard.help,
            required=standard.required or spec.required,
            standard=True,
        )
    if standard is not None:
        raise FormError(
            _("'{key}' is a standard field; a form field of its own needs another name").format(
                key=spec.key
            ),
            (*where, "nom"),
        )
    if not KEY_SYNTAX.fullmatch(spec.key):
        raise FormError(
            _("field name '{key}' must be lowercase words joined by _ (e.g. public_cible)").format(
                key=spec.key
            ),
            (*where, "nom"),
        )
    kind = spec.type
    if kind == "choix" and not spec.choices:
        raise FormError(
            _("field '{key}' of type choix needs `choix`").format(key=spec.key), (*where, "type")
        )
    if kind == "choix multiples" and not (spec.choices or spec.groups):
        raise FormError(
            _("field '{key}' of type choix multiples needs `choix` or `groupes`").format(
                key=spec.key
            ),
            (*where, "type"),
        )
    if kind == "grille oui/non" and not spec.lines:
        raise FormError(
            _("field '{key}' of type grille oui/non needs `lignes`").format(key=spec.key),
            (*where, "type"),
        )
    for position, line in enumerate(spec.lines):
        if not KEY_SYNTAX.fullmatch(line.key):
            raise FormError(
                _("line name '{key}' must be lowercase words joined by _").format(key=line.key),
                (*where, "lignes", position, "nom"),
            )
    return FormField(
        key=spec.key,
        # Unique even for keys that fold alike (`été` and `ete` are two keys).
        attr=f"f{index}_" + _identifier(spec.key),
        kind=kind,
        label=spec.label or spec.key.replace("_", " ").capitalize(),
        help=spec.help or "",
        required=spec.required,
        standard=False,
        choices=tuple(spec.choices),
        groups=tuple((g, tuple(items)) for g, items in spec.groups.items()),
        lines=tuple((line.key, line.label or line.key.replace("_", " ")) for line in spec.lines),
    )


def _identifier(key: str) -> str:
    folded = fold(key).replace(" ", "_")
    return re.sub(r"[^a-z0-9_]", "_", folded)


def _normal_key(key: str) -> str:
    return fold(key).replace(" ", "_").replace("-", "_")


@functools.lru_cache(maxsize=64)
def _normal_keys(fields: tuple[str, ...]) -> tuple[str, ...]:
    """The keys of a form, folded once (not once per unknown key)."""
    return tuple(_normal_key(field) for field in fields)


def suggest_key(name: str, fields: list[str]) -> str | None:
    """The key of ``fields`` meant by an unknown key ``name``, or None when none is close.

    In order: the same word with other accents or case (``debut`` → ``début``), the French key
    of a format-1 English key (``partners`` → ``partenaires``), a close spelling (one slip —
    two when both have nine letters or more: ``pilote`` → ``pilotes``, ``fiche_liee`` →
    ``fiches_liées``). Mere resemblance is not enough: ``étapes`` is never answered with
    ``axes``, ``actions`` with ``sections``, nor ``titre_court`` with ``titre``.
    """
    from .keys import OLD_FICHE_KEYS, OLD_PLAN_KEYS, edit_distance

    folded = _normal_key(name)
    targets = _normal_keys(tuple(fields))
    for candidate, target in zip(fields, targets, strict=True):
        if target == folded:
            return candidate
    old = OLD_PLAN_KEYS.get(name) or OLD_FICHE_KEYS.get(name)
    if old is not None and old in fields:
        return old
    best: tuple[int, int, str] | None = None
    for position, (candidate, target) in enumerate(zip(fields, targets, strict=True)):
        allowed = 1 if min(len(folded), len(target)) < 9 else 2
        distance = edit_distance(folded, target, allowed)
        if distance <= allowed and (best is None or (distance, position) < best[:2]):
            best = (distance, position, candidate)
    return best[2] if best is not None else None


# --------------------------------------------------------------------------- models


_MODELS: dict[tuple[Any, ...], type[FicheBase]] = {}


def _build_model(form: Form) -> type[FicheBase]:
    definitions = {f.attr: _definition(f) for f in form.fields}
    model = create_model(  # type: ignore[call-overload]
        "Fiche_" + _identifier(form.name), __base__=FicheBase, **definitions
    )
    model.__doc__ = f"Une fiche action sur le formulaire « {form.name} » ({form.title})."
    model.form = form
    return model


def _definition(form_field: FormField) -> tuple[Any, Any]:
    meta: dict[str, Any] = {"alias": form_field.key, "title": form_field.label}
    if form_field.help:
        meta["description"] = form_field.help
    if form_field.standard:
        standard = STANDARD_FIELDS[form_field.key]
        annotation = standard.annotation
        if form_field.required and not standard.required:
            return annotation, Field(..., **meta)
        default = standard.default
        if isinstance(default, list):
            return annotation, Field(default_factory=list, **meta)
        return annotation, Field(default, **meta)
    annotation, default = _custom_type(form_field)
    if form_field.required:
        return annotation, Field(..., **meta)
    if default == []:
        return annotation, Field(default_factory=list, **meta)
    if default == {}:
        return annotation, Field(default_factory=dict, **meta)
    return annotation, Field(default, **meta)


def _finite(value: Any) -> Any:
    import math

    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(_("expected a finite number"))
    return value


def _empty_groups(value: Any) -> Any:
    # "Groupe:" with nothing under it means nothing ticked in that group.
    if isinstance(value, dict):
        return {k: ([] if v is None else v) for k, v in value.items()}
    return value


def _custom_type(form_field: FormField) -> tuple[Any, Any]:
    kind = form_field.kind
    if kind == "texte":
        return str | None, None
    if kind == "markdown":
        return Markdown | None, None
    if kind == "liste":
        return list[str], []
    if kind in ("nombre", "montant"):
        extra = {"format": "euros"} if kind == "montant" else {}
        return (
            Annotated[float | None, BeforeValidator(_finite), Field(json_schema_extra=extra)],
            None,
        )
    if kind == "date":
        return Date | None, None
    if kind == "oui/non":
        return YesNo, None
    if kind == "choix":
        return (
            Annotated[Literal[form_field.choices] | None, choice(form_field.choices)],  # type: ignore[valid-type]
            None,
        )
    if kind == "choix multiples" and not form_field.groups:
        item = Annotated[Literal[form_field.choices], choice(form_field.choices)]  # type: ignore[valid-type]
        return list[item], []  # type: ignore[valid-type]
    if kind == "choix multiples":
        # Groups and items are checked by a rule (CTG050), which can say "wrong group"; the
        # schema still lists them for editors.
        schema_props = {
            group: {"type": ["array", "null"], "items": {"enum": list(items)}}
            for group, items in form_field.groups
        }
        return (
            Annotated[
                dict[str, list[str]],
                BeforeValidator(_empty_groups),
                Field(json_schema_extra={"properties": schema_props}),
            ],
            {},
        )
    if kind == "grille oui/non":
        grid = create_model(  # type: ignore[call-overload]
            "Grille_" + _identifier(form_field.key),
            __base__=Base,
            **{
                _line_attr(i, key): (YesNo, Field(None, alias=key, title=label))
                for i, (key, label) in enumerate(form_field.lines)
            },
        )
        return grid | None, None
    raise AssertionError(kind)


def grid_values(form_field: FormField, value: Any) -> list[tuple[str, str, bool | None]]:
    """``(key, label, yes/no/None)`` for each line of a grille oui/non value."""
    return [
        (key, label, getattr(value, _line_attr(i, key)) if value is not None else None)
        for i, (key, label) in enumerate(form_field.lines)
    ]


def _line_attr(index: int, key: str) -> str:
    # Unique even for line keys that fold alike (`à` and `a`).
    return f"l{index}_" + _identifier(key)


def find_in_groups(form_field: FormField, label: str) -> tuple[str, str] | None:
    """``(group, item)`` of a choix multiples field for a typed ``label``, or None."""
    return _group_index(form_field.groups)[1].get(fold(label))


@lru_cache(maxsize=64)
def _group_index(
    groups: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Folded group -> group, folded item -> (group, item): built once per grid."""
    return (
        {fold(group): group for group, _items in groups},
        {fold(item): (group, item) for group, items in groups for item in items},
    )


def find_group(form_field: FormField, label: str) -> str | None:
    return _group_index(form_field.groups)[0].get(fold(label))
