"""Controlled vocabularies of the official fiche action form.

The impact grid ("Impacts potentiels des actions") lists seven groups of determinants;
a fiche ticks some of them. Labels are kept exactly as printed on the form. Matching is
forgiving about case, accents, apostrophes and spacing, because people retype them.
"""

from __future__ import annotations

import unicodedata

IMPACT_GROUPS: dict[str, tuple[str, ...]] = {
    "Conditions socio-économiques": (
        "Insertion dans l'emploi",
        "Sécurité financière",
        "Sécurité alimentaire",
        "Niveau d'éducation",
    ),
    "Conditions de vie": (
        "Milieu familial (structure familiale, parentalité, soutien)",
        "Milieu de garde de l'enfant",
        "Milieu scolaire",
        "Milieu du travail",
        "Milieu de l'hébergement et du logement",
    ),
    "Compétences personnelles et sociales": (
        "Apprentissages de base",
        "Montée en compétences (savoirs et savoirs-faire)",
        "Degré d'autonomie",
        "Degré d'engagement",
    ),
    "Environnement social": (
        "Intégration sociale",
        "Norme et climat social",
        "Solidarités",
        "Participation des habitants / coopération",
    ),
    "Environnement physique": (
        "Aménagement",
        "Climat et changements climatiques",
        "Énergies",
        "Pollutions (air, eau, sol, habitat)",
    ),
    "Gouvernance locale": (
        "Développement et renforcement de partenariats intersectoriels",
        "Planification et politiques locales",
    ),
    "Mode de vie et systèmes": (
        "Connaissance des services",
        "Accessibilité des services",
        "Accès aux droits (sociaux, santé, etc.)",
        "Accès à la culture et aux loisirs",
        "Mobilité",
        "Réseaux",
        "Mode de consommation",
        "Système productif local (production)",
        "Inclusion numérique",
        "Résilience",
    ),
}

#: The five stages of the "Participation habitante" table, in form order.
PARTICIPATION_STAGES: tuple[str, ...] = (
    "needs_analysis",
    "organisation",
    "direction",
    "management",
    "resources",
)

DURATION_KINDS: tuple[str, ...] = ("annuelle", "pluriannuelle")
STATUSES: tuple[str, ...] = ("nouvelle", "en cours d'élaboration", "déjà engagée")


def fold(text: str) -> str:
    """Fold a label for forgiving comparison: case, accents, apostrophes, spaces."""
    text = text.replace("’", "'").replace("‘", "'").replace("\u00a0", " ")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.replace("œ", "oe").split())


_GROUP_BY_FOLD = {fold(group): group for group in IMPACT_GROUPS}
_ITEM_BY_FOLD = {
    fold(item): (group, item) for group, items in IMPACT_GROUPS.items() for item in items
}


def find_group(label: str) -> str | None:
    """The canonical group label for ``label``, or None."""
    return _GROUP_BY_FOLD.get(fold(label))


def find_item(label: str) -> tuple[str, str] | None:
    """``(group, item)`` canonical labels for a determinant ``label``, or None."""
    return _ITEM_BY_FOLD.get(fold(label))


def find_choice(value: str, choices: tuple[str, ...]) -> str | None:
    folded = fold(value)
    for choice in choices:
        if fold(choice) == folded:
            return choice
    return None
