"""Starting a plan: ``ctg new plan`` and ``ctg new fiche`` write skeletons that validate.

A new plan is a ``plan.yaml`` with the essentials (title, territory, period, form), a
three-level strategy to rename and an empty ``fiches/`` folder; a new fiche has every field
of the plan's form, empty, each under a comment in French saying what it holds (the files
are read and edited by coordinators, like the rendered documents they are French whatever
the language of ctg's messages). Nothing existing is ever replaced: each file is created at
once or not at all (:func:`ctgkit.fsutil.atomic_create`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .form import DEFAULT_FORM, Form, FormField, shipped_forms, shipped_names
from .fsutil import atomic_create
from .i18n import _
from .loader import FICHES_DIR, PLAN_FILE, Plan, fiche_files, load_plan
from .model import fold
from .safe_text import json_dumps
from .source import SourceError, parse_yaml

#: Words left out of a fiche's file name (« Création d'un réseau d'acteurs sociaux » →
#: creation-reseau-acteurs-sociaux).
STOP_WORDS = frozenset(
    "a au aux avec d de des du en et l la le les par pour sur un une dans afin ou".split()
)
#: Significant words of the title kept in a fiche's file name.
NAME_WORDS = 4


class ScaffoldError(Exception):
    """What was asked cannot be created (a usage error): nothing has been written."""


class PlanUnusable(Exception):
    """The plan's ``plan.yaml`` has errors that leave no form to follow: no fiche can be
    made. ``diagnostics``: its errors."""

    def __init__(self, diagnostics: Sequence[Any]) -> None:
        super().__init__(_("plan.yaml has errors: fix them first (ctg validate)"))
        self.diagnostics = list(diagnostics)


# --------------------------------------------------------------------------- YAML text


def scalar(text: str) -> str:
    """``text`` as a YAML value that reads back as exactly this string: plain when it can
    be, else double-quoted (JSON escapes are YAML escapes)."""
    if text and text == text.strip() and "\n" not in text:
        try:
            data = parse_yaml(f"v: {text}\n")
        except SourceError:
            data = None
        if isinstance(data, dict) and type(data.get("v")) is str and data["v"] == text:
            return text
    return json_dumps(text, indent=None)


def _number(number: str) -> str:
    return number if re.fullmatch(r"[1-9][0-9]*", number) else scalar(number)


def _one_line(text: str) -> str:
    """Plan text inside a comment: on one line."""
    return " ".join(text.split())


def canonical_form_name(name: str) -> str:
    """The shipped form called ``name`` (accents and case do not matter)."""
    found = shipped_forms().get(fold(name.strip()))
    if found is None:
        raise ScaffoldError(
            _("unknown form '{name}' (ctgkit ships: {names})").format(
                name=name, names=", ".join(shipped_names())
            )
        )
    return found.name


def parse_period(text: str) -> tuple[int, int]:
    """``2025-2029`` (or 2025–2029, 2025 2029, 2025/2029) as two years."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-|–|—|/|\s)\s*(\d{4})\s*", text)
    if match is None:
        raise ScaffoldError(
            _("--periode takes two years such as 2025-2029, got '{value}'").format(value=text)
        )
    return int(match.group(1)), int(match.group(2))


# --------------------------------------------------------------------------- new plan


@dataclass
class PlanSpec:
    """The essentials of a new plan."""

    title: str
    territory: str
    start: int | None = None
    end: int | None = None
    form: str = DEFAULT_FORM

    def check(self) -> None:
        if not self.title.strip():
            raise ScaffoldError(_("the title must not be empty"))
        if not self.territory.strip():
            raise ScaffoldError(_("the territory must not be empty"))
        if (self.start is None) != (self.end is None):
            raise ScaffoldError(_("give both years of the period (--debut and --fin)"))
        for year in (self.start, self.end):
            if year is not None and not 1900 <= year <= 2200:
                raise ScaffoldError(
                    _("{year} is not a year between 1900 and 2200").format(year=year)
                )
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ScaffoldError(
                _("the period ends ({end}) before it starts ({start})").format(
                    start=self.start, end=self.end
                )
            )
        self.form = canonical_form_name(self.form)


def default_title(territory: str | None) -> str:
    territory = (territory or "").strip()
    return (
        f"Convention Territoriale Globale – {territory}"
        if territory
        else ("Convention Territoriale Globale")
    )


#: The territory written when none is given.
UNKNOWN_TERRITORY = "Territoire à préciser"


def plan_yaml(spec: PlanSpec) -> str:
    """The text of a new ``plan.yaml``: valid as it is, commented in French."""
    if spec.start is not None and spec.end is not None:
        period = f"période: {{début: {spec.start}, fin: {spec.end}}}"
    else:
        period = "# période: {début: 2025, fin: 2029}    (à écrire quand elle est connue)"
    territory = scalar(spec.territory.strip())
    return f"""\
# Convention Territoriale Globale, créée par `ctg new plan`.
# Remplacez les textes « à préciser », complétez au fil de la transcription, puis vérifiez
# avec `ctg validate <dossier du plan>`. Chaque clé est expliquée dans docs/format.md.
# Les fiches actions vont dans fiches/, une par fichier : `ctg new fiche <dossier du plan>`.

# Repère du format des fichiers de ctgkit : ne pas modifier.
format: 2
# Le formulaire des fiches actions : général (par défaut) ou vienne-2019 (la fiche action
# de la CAF de la Vienne, 2019). Un plan peut y ajouter ses propres champs (docs/format.md,
# « Les formulaires »).
formulaire: {scalar(spec.form)}

# Titre de la convention, tel qu'il figurera sur les documents.
titre: {scalar(spec.title.strip())}
# Sous-titre (facultatif).
# sous_titre: Projet social de territoire

# Le territoire couvert : nom complet de l'intercommunalité ; sigle, département et nombre
# de communes membres sont facultatifs.
territoire:
  nom: {territory}
  # sigle: CC
  # département: Vienne
  # nombre_communes: 20

# Langue des documents produits : fr (français) ou en (anglais).
langue: fr
# Période de la convention : première et dernière année.
{period}
# Où en est le document : projet, proposition, adoptée ou signée.
état: projet
# 1 pour une CTG de 1ère génération, 2 pour la suivante…
génération: 1

# Les signataires de la convention : nom, sigle, rôle (commune, co-signataire…).
signataires:
  - nom: {territory}
  - nom: Caisse d'Allocations Familiales    # précisez le département : « … de la Vienne »
    sigle: CAF

# Le registre des acteurs : chaque pilote et partenaire des fiches, une fois, avec son sigle
# et ses autres noms. Type : collectivité, commune, département, CAF, MSA, État,
# association, entreprise, établissement ou autre.
acteurs:
  - nom: {territory}
    type: collectivité
  - nom: Caisse d'Allocations Familiales
    sigle: CAF
    type: CAF

# Les instances de la CTG (comité de pilotage, comité technique) : nom, rôle, membres,
# fréquence des réunions. Par exemple :
#   - {{nom: Comité de pilotage, rôle: Décide des orientations, fréquence: 1 fois par an}}
gouvernance: []

# Le nom de chaque niveau de l'arbre de la stratégie, du haut vers le bas (axe, enjeu,
# impact… ; objectif stratégique, orientation… ; objectif spécifique, opérationnel…).
niveaux:
  - {{nom: axe, pluriel: axes}}
  - {{nom: objectif stratégique, pluriel: objectifs stratégiques}}
  - {{nom: objectif spécifique, pluriel: objectifs spécifiques}}

# La stratégie : les axes, leurs objectifs, et ainsi de suite (`enfants`). Chaque nœud a un
# code, unique dans le plan, et un titre. Un nœud sans enfants est un objectif : les fiches
# le citent par son code, et `ctg coverage` dit si une fiche au moins le sert.
# Renommez ces trois nœuds et ajoutez les autres.
stratégie:
  - code: "1"
    titre: Premier axe (à préciser)
    enfants:
      - code: "1.1"
        titre: Premier objectif stratégique (à préciser)
        enfants:
          - code: 1.1.a
            titre: Premier objectif spécifique (à préciser)
"""


def create_plan(directory: str | Path, spec: PlanSpec) -> list[Path]:
    """Create a new plan in ``directory`` (created if needed; it may exist, but not hold a
    plan). Returns the paths created. Raises :class:`ScaffoldError` (nothing written)."""
    spec.check()
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise ScaffoldError(_("{path} exists and is not a folder").format(path=root))
    target = root / PLAN_FILE
    if target.exists() or target.is_symlink():
        raise ScaffoldError(
            _("{path} already exists; refusing to overwrite it").format(path=target)
        )
    text = plan_yaml(spec)
    _check_plan_text(text)
    try:
        atomic_create(target, text)
    except FileExistsError:
        raise ScaffoldError(
            _("{path} already exists; refusing to overwrite it").format(path=target)
        ) from None
    created = [target]
    fiches = root / FICHES_DIR
    if not fiches.exists() and not fiches.is_symlink():
        fiches.mkdir()
        created.append(fiches)
    return created


def _check_plan_text(text: str) -> None:
    """What ctg writes must read back: a title it cannot write is refused, not saved."""
    from pydantic import ValidationError

    from .model import PlanFile

    try:
        PlanFile.model_validate(parse_yaml(text))
    except (SourceError, ValidationError) as exc:
        raise ScaffoldError(
            _("these values cannot be written in plan.yaml: {problem}").format(
                problem=_one_line(str(exc))[:200]
            )
        ) from None


# --------------------------------------------------------------------------- new fiche


def open_plan(path: str | Path) -> Plan:
    """The plan a fiche is added to; :class:`PlanUnusable` when it has no usable form."""
    plan = load_plan(path)
    if plan.meta is None or plan.form is None:
        raise PlanUnusable([d for d in plan.diagnostics if d.is_error])
    return plan


def used_numbers(plan: Plan) -> dict[str, str]:
    """Fiche number (as written) → the file that has it, for every fiche file of the plan,
    also those that do not validate (their number is taken all the same)."""
    used: dict[str, str] = {}
    for loaded in plan.fiches:
        used.setdefault(str(loaded.fiche.number).strip(), loaded.source.display)
    for path in fiche_files(plan.root):
        try:
            data = parse_yaml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, SourceError):
            continue
        if isinstance(data, dict) and data.get("numéro") is not None:
            used.setdefault(str(data["numéro"]).strip(), str(path))
    return used


def next_number(plan: Plan) -> str:
    """One more than the highest number of the plan's fiches (« 12 bis » counts as 12)."""
    highest = 0
    for number in used_numbers(plan):
        match = re.match(r"\d+", number)
        if match:
            highest = max(highest, int(match.group()))
    return str(highest + 1)


def file_name(number: str, title: str) -> str:
    """``19-creation-reseau-acteurs-sociaux.yaml``: the number on two digits, then the first
    significant words of the title, without accents."""
    words = [w for w in re.split(r"[^a-z0-9]+", fold(title)) if w and w not in STOP_WORDS]
    name = "-".join(words[:NAME_WORDS])[:60].strip("-") or "fiche"
    if re.fullmatch(r"\d+", number.strip()):
        prefix = f"{int(number):02d}"
    else:
        prefix = "-".join(re.split(r"[^a-z0-9]+", fold(number))).strip("-") or "fiche"
    return f"{prefix}-{name}.yaml"


@dataclass
class NewFiche:
    path: Path
    number: str
    objectives: list[str]


def create_fiche(
    plan: Plan | str | Path,
    title: str,
    number: str | None = None,
    objectives: Sequence[str] = (),
) -> NewFiche:
    """Add a fiche to ``plan``: the next free number unless ``number`` is given, a file
    name from the title, every field of the plan's form. Raises :class:`ScaffoldError` or
    :class:`PlanUnusable`; nothing is written then."""
    from .index import PlanIndex

    if not isinstance(plan, Plan):
        plan = open_plan(plan)
    assert plan.meta is not None and plan.form is not None
    title = title.strip()
    if not title:
        raise ScaffoldError(_("the title must not be empty"))
    used = used_numbers(plan)
    if number is None:
        number = next_number(plan)
    number = number.strip()
    if not number:
        raise ScaffoldError(_("the fiche number must not be empty"))
    if number in used:
        raise ScaffoldError(
            _("fiche number {number} is already used by {file}").format(
                number=number, file=used[number]
            )
        )
    index = PlanIndex(plan.meta)
    codes: list[str] = []
    for code in objectives:
        info = index.get(code)
        if info is None:
            raise ScaffoldError(
                _("unknown objective '{code}' (the plan's objectives: ctg coverage {plan})").format(
                    code=code, plan=plan.display_root
                )
            )
        if not info.is_leaf:
            raise ScaffoldError(
                _("'{code}' has objectives under it: cite those instead").format(code=code)
            )
        if info.code not in codes:
            codes.append(info.code)
    text = fiche_yaml(plan, number, title, codes)
    _check_fiche_text(plan.form, text)
    target = plan.root / FICHES_DIR / file_name(number, title)
    try:
        atomic_create(target, text)
    except FileExistsError:
        raise ScaffoldError(
            _("{path} already exists; refusing to overwrite it").format(path=target)
        ) from None
    return NewFiche(target, number, codes)


def _check_fiche_text(form: Form, text: str) -> None:
    from pydantic import ValidationError

    try:
        form.model().model_validate(parse_yaml(text))
    except (SourceError, ValidationError) as exc:
        raise ScaffoldError(
            _("these values cannot be written in a fiche: {problem}").format(
                problem=_one_line(str(exc))[:200]
            )
        ) from None


def fiche_yaml(plan: Plan, number: str, title: str, objectives: Sequence[str] = ()) -> str:
    """The text of a new fiche on the plan's form: every field, empty, under its comment."""
    assert plan.meta is not None and plan.form is not None
    form = plan.form
    levels = plan.meta.levels
    lines = [
        f"# Fiche action n°{_one_line(number)} du plan « {_one_line(plan.meta.title)} »,",
        f"# créée par `ctg new fiche` sur le formulaire « {form.name} ».",
        "# Remplissez les champs que la fiche renseigne ; un champ vide (rien après les",
        "# deux-points, ou []) n'est pas imprimé. Chaque clé est expliquée dans docs/format.md ;",
        "# vérifiez la fiche avec `ctg validate <dossier du plan>`.",
        "",
    ]
    for form_field in form.fields:
        if form_field.key == "numéro_éditorial":
            continue
        if form_field.key != "numéro":
            lines.append("")
        lines.extend(_field_lines(form_field, number, title, objectives, levels))
    return "\n".join(lines) + "\n"


def _plural(levels: Sequence[Any], depth: int, default: str) -> str:
    if depth < len(levels):
        level = levels[depth]
        return level.plural or level.name
    return default


def _field_lines(
    field: FormField, number: str, title: str, objectives: Sequence[str], levels: Sequence[Any]
) -> list[str]:
    key = field.key
    if key == "numéro":
        return ["# Numéro de la fiche, unique dans le plan.", f"numéro: {_number(number)}"]
    if key == "titre":
        return ["# Intitulé de l'action.", f"titre: {scalar(title)}"]
    if key == "axes":
        return [
            *_comment(
                f"Les {_plural(levels, 0, 'axes')} (premier niveau de la stratégie) que sert "
                "la fiche, par leur code : facultatif, vérifié d'après les objectifs."
            ),
            "axes: []",
        ]
    if key == "objectifs_stratégiques":
        return [
            *_comment(
                f"Les {_plural(levels, 1, 'objectifs stratégiques')} (deuxième niveau) que "
                "sert la fiche, par leur code : facultatif, vérifié d'après les objectifs."
            ),
            "objectifs_stratégiques: []",
        ]
    if key == "objectifs":
        head = [
            "# Les objectifs que sert l'action (nœuds sans enfants de la stratégie), par leur",
            "# code, un par ligne (- 1.1.a) ; `ctg coverage <dossier du plan>` les liste.",
        ]
        if objectives:
            return [*head, "objectifs:", *(f"  - {scalar(code)}" for code in objectives)]
        return [*head, "objectifs: []"]
    text = STANDARD_COMMENTS.get(key) if field.standard else None
    if text is None:
        text = _custom_comment(field)
    return [*_comment(text), *_empty_value(field)]


def _comment(text: str, indent: str = "") -> list[str]:
    """``text`` as comment lines of at most 88 characters (its own line breaks kept)."""
    import textwrap

    out = []
    for line in text.splitlines():
        keep = len(line) - len(line.lstrip())
        out.extend(
            textwrap.wrap(
                line,
                88,
                initial_indent=f"{indent}# ",
                subsequent_indent=f"{indent}# " + " " * keep,
                break_on_hyphens=False,
            )
            or [f"{indent}#"]
        )
    return out


def _empty_value(field: FormField) -> list[str]:
    key = field.key
    if field.kind == "grille oui/non":
        return [f"{key}:"] + [
            f"  {line_key}:    # {_one_line(label)} : oui ou non" for line_key, label in field.lines
        ]
    if field.kind == "choix multiples" and field.groups:
        out = [f"{key}:"]
        for group, items in field.groups:
            out.extend(_comment(_one_line(" ; ".join(items)), "  "))
            out.append(f"  {scalar(group)}: []")
        return out
    if field.kind in LIST_KINDS:
        return [f"{key}: []"]
    return [f"{key}:"]


#: Kinds whose empty value is an empty list.
LIST_KINDS = frozenset(
    {
        "liste",
        "codes",
        "objectifs",
        "acteurs",
        "fiches",
        "documents",
        "liste_markdown",
        "choix multiples",
        "étapes",
        "indicateurs",
        "budget",
        "lacunes",
        "hidden",
    }
)

#: What each standard field holds, as the comment above it says (French: the file is the
#: coordinators').
STANDARD_COMMENTS: dict[str, str] = {
    "description": "L'action en quelques phrases (Markdown accepté : **gras**, listes à tirets…).",
    "pilotes": (
        "Pilote(s), porteur(s) : des acteurs du registre du plan (`acteurs` dans plan.yaml),\n"
        "par leur nom ou leur sigle, par ex. [CAF, CCCP]."
    ),
    "partenaires": "Partenaires associés : des acteurs du registre du plan, par ex. [MSA, CCAS].",
    "public": "Public visé : à qui s'adresse l'action.",
    "communes": "Communes concernées, par ex. [Civray, Gençay].",
    "périmètre": "Territoire concerné, par ex. tout le territoire, un pôle.",
    "début": "Début de l'action : une année (2025), un mois (2025-09) ou un jour (2025-09-30).",
    "fin": "Fin de l'action : une année, un mois ou un jour.",
    "budget": (
        "Plan de financement : qui paie, combien (en euros, sans « € »), à quel titre.\n"
        "Par ex. :\n"
        "  - {financeur: CAF, montant: 12000, nature: fonds locaux}"
    ),
    "moyens": "Moyens humains et matériels.",
    "étapes": (
        "Les étapes, dans l'ordre ; une étape peut en contenir d'autres. Par ex. :\n"
        "  - Recenser les acteurs du territoire\n"
        '  - numéro: "2"\n'
        "    texte: Organiser une première rencontre\n"
        "    étapes: [Choisir la date, Inviter les partenaires]"
    ),
    "indicateurs": (
        "Les indicateurs de réussite : un libellé, ou un bloc avec unité, sens (hausse,\n"
        "baisse, stable), valeur de référence, cible et mesures. Par ex. :\n"
        "  - Nombre de participants aux rencontres\n"
        "  - {libellé: Familles accueillies, unité: familles, sens: hausse, "
        "valeur_référence: 40, cible: 60}"
    ),
    "évaluation": "Les méthodes d'évaluation envisagées, par ex. [Questionnaires de satisfaction].",
    "fiches_liées": "Les numéros d'autres fiches du plan en lien avec celle-ci, par ex. [3, 7].",
    "documents": (
        "Renvois vers d'autres documents (une fiche du CLS…) : sigle d'un des `programmes`\n"
        "du plan, référence, titre, adresse. Par ex. :\n"
        "  - {programme: CLS, référence: fiche action n°10}"
    ),
    "notes": "Remarques libres.",
    "lacunes": (
        "Ce que la source ne donne pas pour cette fiche : le champ concerné, ce qui manque.\n"
        "Par ex. :\n"
        "  - {champ: budget, note: La fiche ne donne pas le budget.}"
    ),
    "suivi": (
        "Le suivi : où en est l'action, point par point (date ; statut : prévue, en cours,\n"
        "réalisée, reportée ou abandonnée ; avancement en % ; réalisations, difficultés,\n"
        "prochaines étapes ; auteur). Par ex. :\n"
        "  - {date: 2026-06, statut: en cours, avancement: 30, auteur: CAF}"
    ),
}

#: What a value of each type of a form's own field looks like.
TYPE_HINTS: dict[str, str] = {
    "texte": "une ligne de texte",
    "markdown": "un texte, Markdown accepté",
    "liste": "une liste de textes, par ex. [a, b]",
    "nombre": "un nombre",
    "montant": "un montant en euros, sans « € »",
    "date": "une année (2025), un mois (2025-09) ou un jour (2025-09-30)",
    "oui/non": "oui ou non",
}


def _custom_comment(field: FormField) -> str:
    """The comment of a field the form adds (its label and help, the values it takes)."""
    parts = [_one_line(field.label)]
    if field.help:
        parts.append(_one_line(field.help))
    if field.choices and field.kind == "choix":
        parts.append("une valeur parmi : " + ", ".join(field.choices))
    elif field.choices:
        parts.append("des valeurs parmi : " + ", ".join(field.choices))
    elif field.kind == "choix multiples" and not field.help:
        parts.append("les cases cochées, par groupe, écrites comme sur le formulaire")
    elif field.kind in TYPE_HINTS:
        parts.append(TYPE_HINTS[field.kind])
    if field.required:
        parts.append("obligatoire")
    return " — ".join(p.rstrip(".") for p in parts) + "."
