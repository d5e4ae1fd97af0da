"""Format 1 (English keys) → format 2 (French keys): the one table of renamed keys.

``ctg migrate`` applies it; the loader uses it to answer a key typed in the old English
with its French name. Each entry maps an old key to its new key and, for a mapping or a
list of mappings, the table of the keys inside it. The documentation's key table
(docs/format.md) follows this module.
"""

from __future__ import annotations

from typing import Any

#: A table: old key -> (new key, table of the nested mapping(s) or None)
Table = dict[str, tuple[str, Any]]


def _plain(**renames: str) -> Table:
    return {old: (new, None) for old, new in renames.items()}


TERRITORY = _plain(
    name="nom", short_name="sigle", department="département", towns="nombre_communes"
)
PERIOD = _plain(start="début", end="fin")
NAMED = _plain(name="nom", short_name="sigle", role="rôle")
GOVERNANCE = _plain(name="nom", role="rôle", members="membres", frequency="fréquence")
PROGRAMME = _plain(name="nom", short_name="sigle")
KEY_FIGURE = _plain(value="valeur", label="libellé")
SECTION = _plain(title="titre", file="fichier", text="texte")
SWOT = _plain(
    theme="thème",
    strengths="forces",
    weaknesses="faiblesses",
    opportunities="opportunités",
    threats="menaces",
)
TIMELINE = _plain(when="quand", text="texte")
LEVEL = _plain(name="nom", plural="pluriel")
NODE: Table = _plain(title="titre", theme="thème")
NODE["children"] = ("enfants", NODE)
GAP: Table = {}

PLAN: Table = {
    "title": ("titre", None),
    "subtitle": ("sous_titre", None),
    "territory": ("territoire", TERRITORY),
    "language": ("langue", None),
    "period": ("période", PERIOD),
    "generation": ("génération", None),
    "previous": ("précédent", None),
    "signatories": ("signataires", NAMED),
    "governance": ("gouvernance", GOVERNANCE),
    "programmes": ("programmes", PROGRAMME),
    "key_figures": ("chiffres_clés", KEY_FIGURE),
    "sections": ("sections", SECTION),
    "swot": ("swot", SWOT),
    "timeline": ("chronologie", TIMELINE),
    "levels": ("niveaux", LEVEL),
    "code_prefix": ("préfixe_code", None),
    "strategy": ("stratégie", NODE),
    "gaps": ("lacunes", GAP),
}

OBJECTIVE = _plain(text="texte")
STEP: Table = _plain(text="texte", label="numéro")
STEP["steps"] = ("étapes", STEP)
MEASUREMENT = _plain(value="valeur", note="commentaire")
INDICATOR: Table = _plain(
    label="libellé", unit="unité", baseline="valeur_référence", target="cible"
)
INDICATOR["measurements"] = ("mesures", MEASUREMENT)
DOCUMENT = _plain(ref="référence", title="titre")
PARTICIPATION = _plain(
    needs_analysis="analyse_des_besoins",
    management="gestion",
    resources="mobilisation_des_ressources",
)

FICHE: Table = {
    "number": ("numéro", None),
    "title": ("titre", None),
    "strategic_objectives": ("objectifs_stratégiques", None),
    "objectives": ("objectifs", OBJECTIVE),
    "partners": ("partenaires", None),
    "duration": ("durée", None),
    "start": ("début", None),
    "end": ("fin", None),
    "status": ("cette_action_est", None),
    "steps": ("étapes", STEP),
    "indicators": ("indicateurs", INDICATOR),
    "evaluation": ("évaluation", None),
    "participation": ("participation", PARTICIPATION),
    "linked_fiches": ("fiches_liées", None),
    "documents": ("documents", DOCUMENT),
}

#: Fiche keys of format 1 that only the Vienne 2019 form has.
VIENNE_ONLY = ("duration", "status", "impacts", "participation")


def old_names(table: Table) -> dict[str, str]:
    """Every old key of ``table`` and the tables below it -> its new key."""
    found: dict[str, str] = {}
    seen: set[int] = set()
    stack = [table]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for old, (new, inner) in current.items():
            found.setdefault(old, new)
            if inner:
                stack.append(inner)
    return found


OLD_PLAN_KEYS = old_names(PLAN)
OLD_FICHE_KEYS = old_names(FICHE)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from ``a`` to ``b``; any value
    above ``limit`` means « more than ``limit`` ». Only the band of cells within ``limit``
    of the diagonal is computed: cost grows with the length times ``limit``, not with the
    square of the length (30,000 unknown keys are answered at once)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if a == b:
        return 0
    over = limit + 1
    width = len(b)
    previous2: list[int] = []
    previous = [j if j <= limit else over for j in range(width + 1)]
    for i in range(1, len(a) + 1):
        low, high = max(1, i - limit), min(width, i + limit)
        current = [over] * (width + 1)
        current[0] = i if i <= limit else over
        best = current[0]
        char = a[i - 1]
        for j in range(low, high + 1):
            cost = 0 if char == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value if value <= limit else over
            best = min(best, current[j])
        if best > limit:
            return over
        previous2, previous = previous, current
    return previous[width]
