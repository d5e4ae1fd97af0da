"""Generate a deterministic synthetic corpus of CTG plans shaped like civraisien-2019.

    python bench/generate.py N OUTDIR [--seed S] [--force] [--check]

writes OUTDIR/plan-0001/ … OUTDIR/plan-NNNN/, each a valid format-2 plan (``ctg validate``
gives 0 errors and 0 warnings):

- ``plan.yaml``: ``format: 2``, ``formulaire: vienne-2019``, territoire, période, état
  (signée), signataires, an actors registry (``acteurs``) naming every pilote and
  partenaire, gouvernance, two programmes (one with sigle CLS, one with PCAET), 14 chiffres
  clés, 7 sections (3 in ``narrative/*.md``, 4 inline), an 11-step chronologie, 3 niveaux,
  ``préfixe_code: "A."`` and a stratégie of 5 axes (A.3) × 2–3 strategic objectives (A.3.1)
  × 5–9 specific objectives (3.1.c), about 90 leaves;
- ``narrative/*.md``: three Markdown texts of the real plan's sizes;
- ``fiches/NN-slug.yaml``: 17–23 fiches citing 3–12 objectives each, with consistent
  declared axes and strategic objectives, pilotes, partenaires, dates inside the period
  (years, some to the month), impacts with the exact labels of the Vienne 2019 form
  (``ctgkit/forms/vienne-2019.yaml``), nested étapes, indicateurs, évaluation,
  participation, links to existing fiches and documents of the CLS.

Field sizes and counts follow the reference plan plans/civraisien-2019 (about 32 kB of
plan.yaml and 3.9 kB per fiche); the text is pseudo-French built from a word list.

Plan number i depends only on (seed, i): the first 100 plans of a 1,300-plan corpus are
the 100 plans of a 100-plan corpus. A ``.corpus.json`` marker records what was generated,
so that an existing complete corpus is reused (see :func:`ensure_corpus`).

Importable: :func:`generate_plan` returns the files of one plan as ``{relative path: text}``,
:func:`write_corpus` writes a corpus, :func:`ensure_corpus` writes it unless it is there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import sys
import textwrap
import time
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ctgkit.form import shipped_forms

#: Bump when the output changes, so that cached corpora are regenerated.
#: 2: format 2 (French keys, the Vienne 2019 form, `état`, `acteurs`, dates to the month).
GENERATOR_VERSION = 2
DEFAULT_SEED = 2019
MARKER = ".corpus.json"
WIDTH = 96  # the reference plan wraps its folded text near 96 columns

#: The reference plan's fiche form, as ctgkit ships it: the impact grid, the choices and the
#: participation lines come from it.
_VIENNE = {
    f.key: f for f in next(f for f in shipped_forms().values() if f.name == "vienne-2019").fields
}
IMPACT_GROUPS: dict[str, list[str]] = _VIENNE["impacts"].groups
DURATIONS: tuple[str, ...] = tuple(_VIENNE["durée"].choices)
STATUSES: tuple[str, ...] = tuple(_VIENNE["cette_action_est"].choices)
PARTICIPATION_LINES: tuple[str, ...] = tuple(line.key for line in _VIENNE["participation"].lines)

# --------------------------------------------------------------------------- word lists

VERBS = (
    "Développer",
    "Améliorer",
    "Renforcer",
    "Créer",
    "Favoriser",
    "Accompagner",
    "Soutenir",
    "Valoriser",
    "Mobiliser",
    "Organiser",
    "Recenser",
    "Informer",
    "Animer",
    "Structurer",
    "Coordonner",
    "Promouvoir",
    "Faciliter",
    "Encourager",
    "Diversifier",
    "Mutualiser",
    "Pérenniser",
    "Sensibiliser",
    "Identifier",
    "Construire",
    "Impliquer",
    "Consolider",
    "Expérimenter",
    "Adapter",
    "Proposer",
    "Mettre en place",
    "Étendre",
    "Repenser",
    "Augmenter",
    "Diffuser",
    "Former",
    "Fédérer",
    "Rapprocher",
    "Outiller",
)
NOUNS = (
    "l'accès aux droits",
    "les solidarités de proximité",
    "la mobilité des jeunes",
    "l'offre d'accueil des moins de 3 ans",
    "les lieux ressources",
    "le réseau d'acteurs",
    "la coordination des partenaires",
    "l'inclusion numérique",
    "les familles monoparentales",
    "le tissu associatif",
    "l'engagement bénévole",
    "les espaces de vie sociale",
    "la parentalité",
    "l'insertion professionnelle",
    "les circuits courts",
    "le lien intergénérationnel",
    "les personnes âgées isolées",
    "les assistantes maternelles",
    "le relais petite enfance",
    "les accueils de loisirs",
    "le secteur jeunes",
    "la communication vers la population",
    "les dispositifs existants",
    "les élus locaux",
    "les acteurs économiques",
    "le patrimoine naturel",
    "l'économie circulaire",
    "les services de proximité",
    "le transport à la demande",
    "l'itinérance des services",
    "les établissements scolaires",
    "les professionnels de la petite enfance",
    "l'accompagnement des aidants",
    "la connaissance de l'offre",
    "les habitants",
    "les nouveaux arrivants",
    "les jeunes de 12 à 25 ans",
    "le guichet unique",
    "l'animation de la vie sociale",
    "les temps libres des familles",
    "le départ en vacances",
    "les structures d'insertion",
    "la santé mentale",
    "la prévention",
    "le logement",
    "l'aide alimentaire",
    "la culture et les loisirs",
    "les pratiques sportives",
    "le conseil de développement",
    "la maison France services",
    "l'habitat inclusif",
    "les enfants en situation de handicap",
    "les gens du voyage",
    "la médiation sociale",
    "les communes rurales",
    "les pôles territoriaux",
    "le centre social",
    "la ludothèque",
    "la formation des bénévoles",
    "le service civique",
    "le BAFA",
    "la mission locale",
    "les entreprises locales",
    "l'emploi partagé",
    "la restauration collective",
    "les zones blanches",
    "l'offre de soins",
    "la téléconsultation",
    "les permanences",
)
COMPLEMENTS = (
    "sur le territoire",
    "à l'échelle des pôles",
    "en direction des familles",
    "pour les jeunes de 12 à 25 ans",
    "dès 2020",
    "(CAF, MSA, CCAS)",
    "à l'échelle intercommunale",
    "en lien avec les partenaires institutionnels",
    "dans les communes éloignées des centres",
    "avec les acteurs de terrain",
    "auprès du tout public",
    "en priorisant certains territoires",
    "par le biais de dispositifs existants",
    "(ex : visioguichet, télémédecine, etc.)",
    "selon une logique d'« aller vers »",
    "d'ici la fin de la convention",
    "avec des moyens itinérants (mini-bus, camping-car, etc.)",
    "au plus près des habitants",
    "en cohérence avec le projet social de territoire",
    "de façon concertée",
    "dans le respect de la confidentialité",
    "à travers des temps de rencontre",
    "en s'appuyant sur les bénévoles",
    "au sein des établissements",
    "et du tout public",
)
CONNECTORS = (
    "afin de",
    "pour",
    "et",
    "en lien avec",
    "par le biais de",
    "notamment",
    "ainsi que",
    "tout en",
    "en favorisant",
    "de manière à",
    "en veillant à",
    "à travers",
)
ACTORS = (
    "CAF",
    "MSA",
    "CCAS",
    "CIAS",
    "Mission Locale",
    "Pôle emploi",
    "Espace de vie sociale",
    "MDS",
    "PMI",
    "Éducation Nationale",
    "Conseil départemental",
    "Conseil régional",
    "ARS",
    "Fédération des centres sociaux",
    "associations locales",
    "communes",
    "écoles",
    "collèges",
    "APE",
    "RPE",
    "LAEP",
    "ALSH",
    "EHPAD",
    "Résidence autonomie",
    "CESV",
    "Chambre d'agriculture",
    "offices de tourisme",
    "entreprises",
    "bénévoles",
    "habitants",
    "Maison France services",
    "Secours populaire",
    "Restos du cœur",
    "CPAM",
    "UDAF",
    "Familles rurales",
    "Centre social",
    "Ludothèque",
    "Médiathèque intercommunale",
    "Conseil de développement",
    "MFR",
    "Lycée agricole",
    "Génération Mouvement",
    "ADMR",
)
#: The kind of each actor of ACTORS, for the plan's registry (`acteurs`); others: no kind.
ACTOR_KINDS: dict[str, str] = {
    "CAF": "CAF",
    "MSA": "MSA",
    "CCAS": "établissement",
    "CIAS": "établissement",
    "Mission Locale": "association",
    "Pôle emploi": "État",
    "Espace de vie sociale": "association",
    "MDS": "département",
    "PMI": "département",
    "Éducation Nationale": "État",
    "Conseil départemental": "département",
    "Conseil régional": "collectivité",
    "ARS": "État",
    "Fédération des centres sociaux": "association",
    "associations locales": "association",
    "communes": "commune",
    "écoles": "établissement",
    "collèges": "établissement",
    "EHPAD": "établissement",
    "entreprises": "entreprise",
    "Secours populaire": "association",
    "Restos du cœur": "association",
    "CPAM": "État",
    "UDAF": "association",
    "Familles rurales": "association",
    "Centre social": "association",
    "ADMR": "association",
}
SYLLABLES = (
    "ci",
    "vrai",
    "gen",
    "çay",
    "cou",
    "hé",
    "char",
    "roux",
    "sa",
    "vi",
    "gné",
    "mont",
    "mo",
    "ril",
    "lon",
    "bré",
    "ssuire",
    "lou",
    "dun",
    "thou",
    "ars",
    "chau",
    "vi",
    "gny",
    "ro",
    "chel",
    "aul",
    "nay",
    "lus",
    "si",
    "gnan",
    "ven",
    "dé",
    "ru",
    "ffec",
    "la",
)
WHEN = (
    "Janvier",
    "Février",
    "Mars",
    "Avril",
    "Mai",
    "Juin",
    "Juillet",
    "Septembre",
    "Octobre",
    "Novembre",
    "Décembre",
)
PHASES = (
    "Diagnostic partagé",
    "Définition de la stratégie",
    "Écriture des fiches actions",
    "Mise en œuvre de la Convention Territoriale Globale",
    "Évaluation",
)
KEY_LABELS = (
    "communes",
    "habitants",
    "hab/km²",
    "de 60 ans et plus",
    "de plus de 75 ans",
    "des foyers fiscaux sont non-imposés",
    "familles allocataires",
    "élèves de la maternelle au lycée",
    "places en multi-accueil",
    "assistantes maternelles",
    "familles monoparentales",
    "jeunes de 15 à 24 ans sans diplôme",
    "de la population couverte par la CAF",
    "résidences principales sans confort",
    "associations agréées espace de vie sociale",
)


# --------------------------------------------------------------------------- text


def sentence(rng: random.Random, target: int, verb: bool = True) -> str:
    """Pseudo-French text of about ``target`` characters (never much shorter)."""
    if verb:
        parts = [rng.choice(VERBS), rng.choice(NOUNS)]
    else:
        noun = rng.choice(NOUNS)
        parts = [noun[0].upper() + noun[1:]]
    length = sum(len(p) + 1 for p in parts)
    while length < target:
        roll = rng.random()
        if roll < 0.35:
            part = rng.choice(COMPLEMENTS)
        elif roll < 0.75:
            part = f"{rng.choice(CONNECTORS)} {rng.choice(NOUNS)}"
        else:
            part = f"{rng.choice(CONNECTORS)} {rng.choice(VERBS).lower()} {rng.choice(NOUNS)}"
        if rng.random() < 0.12:
            part += ","
        parts.append(part)
        length += len(part) + 1
    text = " ".join(parts).rstrip(",")
    return text


def around(rng: random.Random, mean: float, low: int, high: int) -> int:
    """A length drawn around ``mean`` (triangular), clipped to [low, high]."""
    value = rng.triangular(low, high, 3 * mean - low - high)
    return int(min(high, max(low, value)))


def paragraph(rng: random.Random, target: int) -> str:
    sentences = []
    length = 0
    while length < target:
        one = sentence(rng, around(rng, 140, 60, 260), verb=rng.random() < 0.5) + "."
        sentences.append(one)
        length += len(one) + 1
    return " ".join(sentences)


def markdown(rng: random.Random, target: int, headings: bool = True) -> str:
    """Markdown prose of about ``target`` characters: paragraphs, headings, lists, bold."""
    blocks: list[str] = []
    length = 0
    while length < target:
        roll = rng.random()
        if headings and roll < 0.15 and blocks:
            block = "### " + sentence(rng, around(rng, 40, 15, 70), verb=False)
        elif roll < 0.35:
            items = [
                "- "
                + "\n  ".join(textwrap.wrap(sentence(rng, around(rng, 80, 30, 160)), WIDTH - 2))
                for _ in range(rng.randint(2, 5))
            ]
            block = "\n".join(items)
        else:
            text = paragraph(rng, min(around(rng, 450, 150, 900), max(100, target - length)))
            if rng.random() < 0.25:
                words = text.split(" ")
                at = rng.randrange(len(words) - 2)
                words[at] = f"**{words[at]}"
                words[at + 1] = f"{words[at + 1]}**"
                text = " ".join(words)
            block = "\n".join(textwrap.wrap(text, WIDTH, break_on_hyphens=False))
        blocks.append(block)
        length += len(block) + 2
    return "\n\n".join(blocks)


def place_name(rng: random.Random) -> str:
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return word.capitalize()


def slugify(text: str, words: int = 5) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    tokens = [t for t in re.split(r"[^a-z0-9]+", ascii_text.lower()) if len(t) > 2]
    return "-".join(tokens[:words]) or "fiche"


# --------------------------------------------------------------------------- YAML writer


class Flow(dict):
    """A small mapping written in flow style: ``{start: 2019, end: 2023}``."""


_SPECIAL_START = set("-?:,[]{}#&*!|>'\"%@`") | {" "}
_NUMBERISH = re.compile(
    r"^(?:[-+]?(?:\d[\d_]*)?(?:\.\d*)?(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN)|\d{4}-\d\d?-\d\d?.*)$"
)
_RESERVED = {"true", "false", "null", "~", "yes", "no", "on", "off", "y", "n", ""}


def _plain_ok(text: str) -> bool:
    return not (
        text[:1] in _SPECIAL_START
        or text[-1:] in {" ", ":"}
        or ": " in text
        or " #" in text
        or "\n" in text
        or "\t" in text
        or text.lower() in _RESERVED
        or _NUMBERISH.match(text)
    )


def _foldable(text: str) -> bool:
    # Folding joins lines with one space: safe for text without leading, trailing or double
    # spaces (a line starting with a space would be kept as is, with its newline).
    return text == text.strip() and "  " not in text and "\n" not in text and "\t" not in text


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value if _plain_ok(value) else _quote(value)


def _text(value: Any, column: int, indent: int, out: list[str], head: str) -> None:
    """Append ``head`` + the scalar; long strings become folded (>-) or literal (|-) blocks."""
    if isinstance(value, str) and "\n" in value:
        out.append(head + "|-")
        pad = " " * indent
        out.extend(pad + line if line else "" for line in value.split("\n"))
        return
    if isinstance(value, str) and column + len(value) > WIDTH and _foldable(value):
        out.append(head + ">-")
        pad = " " * indent
        out.extend(
            pad + line for line in textwrap.wrap(value, WIDTH - indent, break_on_hyphens=False)
        )
        return
    out.append(head + _scalar(value))


def _flow(mapping: dict) -> str:
    return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in mapping.items()) + "}"


def emit(data: Any, indent: int = 0, out: list[str] | None = None) -> list[str]:
    """Block-style YAML lines for ``data`` (dicts, lists, str, int, bool, None, date)."""
    out = [] if out is None else out
    pad = " " * indent
    if isinstance(data, dict):
        for key, value in data.items():
            head = f"{pad}{key}: "
            if isinstance(value, Flow):
                out.append(head + _flow(value))
            elif isinstance(value, dict):
                if value:
                    out.append(f"{pad}{key}:")
                    emit(value, indent + 2, out)
                else:
                    out.append(head + "{}")
            elif isinstance(value, list):
                if value:
                    out.append(f"{pad}{key}:")
                    emit(value, indent + 2, out)
                else:
                    out.append(head + "[]")
            else:
                _text(value, len(head), indent + 2, out, head)
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, Flow):
                out.append(f"{pad}- {_flow(item)}")
            elif isinstance(item, dict):
                first = len(out)
                emit(item, indent + 2, out)
                out[first] = f"{pad}- " + out[first][indent + 2 :]
            elif isinstance(item, list):
                raise TypeError("lists of lists are not written")
            else:
                _text(item, indent + 2, indent + 2, out, f"{pad}- ")
    else:
        raise TypeError(f"cannot write {type(data).__name__} at the top level")
    return out


def to_yaml(data: dict, header: str | None = None) -> str:
    lines = [f"# {header}"] if header else []
    return "\n".join(emit(data, 0, lines)) + "\n"


# --------------------------------------------------------------------------- one plan


def plan_slug(index: int, total: int = 0) -> str:
    return f"plan-{index:0{max(4, len(str(total)))}d}"


def _strategy(rng: random.Random) -> tuple[list[dict], list[tuple[str, str, list[str]]]]:
    """The tree, and (axis code, strategic code, [leaf codes]) for each strategic objective."""
    axes = []
    groups = []
    for a in range(1, 6):
        children = []
        for s in range(1, rng.choice((2, 3, 3)) + 1):
            leaves = []
            for k in range(rng.choice((5, 6, 6, 7, 7, 8, 9))):
                leaf: dict[str, Any] = {
                    "code": f"{a}.{s}.{chr(ord('a') + k)}",
                    "titre": sentence(rng, around(rng, 110, 30, 290)),
                }
                if rng.random() < 0.08:
                    leaf["pistes"] = [
                        sentence(rng, around(rng, 70, 30, 140)) for _ in range(rng.randint(1, 3))
                    ]
                leaves.append(leaf)
            children.append(
                {
                    "code": f"A.{a}.{s}",
                    "titre": sentence(rng, around(rng, 66, 30, 130)),
                    "enfants": leaves,
                }
            )
            groups.append((f"A.{a}", f"A.{a}.{s}", [leaf["code"] for leaf in leaves]))
        examples = "\n".join(
            "- " + "\n  ".join(textwrap.wrap(sentence(rng, around(rng, 95, 50, 180)), WIDTH - 8))
            for _ in range(rng.randint(1, 3))
        )
        axes.append(
            {
                "code": f"A.{a}",
                "titre": sentence(rng, around(rng, 56, 40, 85)),
                "description": "Et concrètement, quelques exemples d'actions :\n\n" + examples,
                "enfants": children,
            }
        )
    return axes, groups


def _plan_file(
    rng: random.Random, index: int
) -> tuple[dict, dict[str, str], list, tuple[int, int], dict[str, str]]:
    name = place_name(rng)
    short = "CC" + name[:2].upper()
    start = rng.randint(2017, 2024)
    period = (start, start + rng.choice((3, 4, 4, 4, 5)))
    narrative = {
        "narrative/projet-social.md": markdown(rng, around(rng, 1400, 900, 2000), headings=False),
        "narrative/diagnostic.md": markdown(rng, around(rng, 11000, 7000, 14000)),
        "narrative/pourquoi-une-ctg.md": markdown(rng, around(rng, 700, 400, 1000), headings=False),
    }
    sections = [
        {"titre": "Projet social de territoire", "fichier": "narrative/projet-social.md"},
        {"titre": "La Convention Territoriale, c'est quoi ?", "texte": markdown(rng, 600, False)},
        {
            "titre": f"Pourquoi une CTG sur le territoire de {name} ?",
            "fichier": "narrative/pourquoi-une-ctg.md",
        },
        {
            "titre": "Le diagnostic et l'élaboration des axes stratégiques",
            "fichier": "narrative/diagnostic.md",
        },
        {"titre": "Les objectifs prioritaires retenus", "texte": markdown(rng, 450, False)},
        {"titre": "Les partenaires signataires", "texte": markdown(rng, 280, False)},
        {"titre": "Les objectifs stratégiques et spécifiques", "texte": markdown(rng, 300, False)},
    ]
    strategy, groups = _strategy(rng)
    timeline = []
    for step in range(11):
        entry: dict[str, Any] = {}
        if rng.random() < 0.7:
            year = period[0] - 1 + step * 2 // 11
            entry["quand"] = f"{rng.choice(WHEN)} {year}"
        if rng.random() < 0.8:
            entry["phase"] = PHASES[min(len(PHASES) - 1, step * len(PHASES) // 11)]
        entry["texte"] = sentence(rng, around(rng, 110, 40, 300))
        timeline.append(entry)
    data: dict[str, Any] = {
        "format": 2,
        "formulaire": "vienne-2019",
        "titre": f"Convention Territoriale Globale de {name}",
        "sous_titre": "Projet social de territoire",
        "territoire": {
            "nom": f"Communauté de Communes de {name}",
            "sigle": short,
            "département": rng.choice(
                ("Vienne", "Deux-Sèvres", "Charente", "Tarn", "Creuse", "Indre")
            ),
            "nombre_communes": rng.randint(12, 60),
        },
        "langue": "fr",
        "période": Flow(début=period[0], fin=period[1]),
        "état": Flow(valeur="signée", date=f"{period[0] - 1}-{rng.randint(1, 12):02d}"),
        "génération": rng.choice((1, 1, 2)),
        "précédent": None,
        "signataires": [
            {"nom": f"Communauté de Communes de {name}", "sigle": short},
            {"nom": "Caisse d'Allocations Familiales", "sigle": "CAF"},
            {"nom": "Mutualité Sociale Agricole", "sigle": "MSA"},
        ],
        # The registry (`acteurs`) is completed by plan_documents with every name the fiches
        # use, as the reference plan's registry lists each pilote and partenaire.
        "acteurs": [],
        "gouvernance": [
            {
                "nom": "Comité de pilotage",
                "membres": sentence(rng, 60, False),
                "rôle": "instance décisionnelle",
                "fréquence": "1 x/an",
            },
            {
                "nom": "Comité d'acteurs",
                "membres": sentence(rng, 55, False),
                "rôle": "instance consultative/technique",
            },
            {
                "nom": "Comité technique",
                "membres": sentence(rng, 110, False),
                "rôle": "instance méthodologique",
                "fréquence": "2 x/an",
            },
            {
                "nom": "Groupes de travail",
                "membres": sentence(rng, 70, False),
                "rôle": "instance opérationnelle",
            },
            {"nom": "Coordination", "membres": f"Communauté de Communes de {name}"},
        ],
        "programmes": [
            {
                "nom": "Contrat Local de Santé",
                "sigle": "CLS",
                "description": markdown(rng, 180, False)
                + "\n\n**Les signataires du Contrat Local de Santé**\n\n- La Caisse d'Allocations "
                "Familiales (CAF)\n- La Mutualité Sociale Agricole (MSA)\n\nSoutien technique & "
                "optimisation de financements",
                "axes": [sentence(rng, around(rng, 45, 20, 75)) for _ in range(5)],
            },
            {
                "nom": "Plan Climat Air Energie Territorial",
                "sigle": "PCAET",
                "description": sentence(rng, around(rng, 480, 300, 600)),
            },
        ],
        "chiffres_clés": [
            Flow(valeur=str(rng.randint(2, 9000)) + rng.choice(("", " %", "")), libellé=label)
            for label in rng.sample(KEY_LABELS, 14)
        ],
        "sections": sections,
        "chronologie": timeline,
        "niveaux": [
            Flow(nom="axe", pluriel="axes"),
            Flow(nom="objectif stratégique", pluriel="objectifs stratégiques"),
            Flow(nom="objectif spécifique", pluriel="objectifs spécifiques"),
        ],
        "préfixe_code": "A.",
        "stratégie": strategy,
        "lacunes": [{"code": groups[0][2][-1], "note": sentence(rng, 220)}],
    }
    titles = {
        code: leaf["titre"]
        for axis in strategy
        for so in axis["enfants"]
        for code, leaf in ((leaf["code"], leaf) for leaf in so["enfants"])
    }
    return data, narrative, groups, period, titles


def _steps(rng: random.Random, depth: int, prefix: str, count: int) -> list:
    steps: list = []
    for i in range(1, count + 1):
        label = f"{prefix}{i}"
        text = sentence(rng, around(rng, 135 if depth == 0 else 120, 40, 420))
        if depth > 0 and rng.random() < 0.3:
            steps.append(text)  # shorthand: a bare string
            continue
        step: dict[str, Any] = {"numéro": label, "texte": text}
        nested = 0
        if depth == 0 and rng.random() < 0.35:
            nested = rng.randint(1, 5)
        elif depth == 1 and rng.random() < 0.08:
            nested = rng.randint(1, 2)
        if nested:
            step["étapes"] = _steps(rng, depth + 1, label + ".", nested)
        steps.append(step)
    return steps


def _fiche(
    rng: random.Random,
    number: int,
    total: int,
    groups: list,
    period: tuple[int, int],
    titles: dict[str, str],
) -> tuple[str, dict]:
    # Which strategic objectives it serves, then 3–12 leaves among theirs.
    chosen = sorted(rng.sample(range(len(groups)), rng.choice((1, 1, 2, 2, 2, 3))))
    pool = [leaf for g in chosen for leaf in groups[g][2]]
    wanted = min(len(pool), rng.randint(3, 12))
    picked = set(rng.sample(range(len(pool)), wanted))
    leaves = [pool[i] for i in range(len(pool)) if i in picked]
    for g in chosen:  # every declared strategic objective gets at least one leaf
        if not set(groups[g][2]) & set(leaves):
            leaves.append(groups[g][2][0])
    order = {leaf: i for i, leaf in enumerate(leaf for g in groups for leaf in g[2])}
    leaves.sort(key=order.__getitem__)
    serving = [g for g in chosen if set(groups[g][2]) & set(leaves)]
    axes = list(dict.fromkeys(groups[g][0] for g in serving))
    strategic = [groups[g][1] for g in serving]
    if rng.random() < 0.1:  # written without the code prefix, as fiche 17 does
        strategic = [code.removeprefix("A.") for code in strategic]
    objectives: list[Any] = [
        {"code": leaf, "texte": titles[leaf]} if rng.random() < 0.12 else leaf for leaf in leaves
    ]

    title = sentence(rng, around(rng, 72, 25, 135))
    fiche: dict[str, Any] = {"numéro": number, "titre": title}
    if rng.random() < 0.08:
        fiche["description"] = markdown(rng, around(rng, 900, 400, 1900), headings=False)
    fiche["axes"] = axes
    fiche["objectifs_stratégiques"] = strategic
    fiche["objectifs"] = objectives
    fiche["pilotes"] = rng.sample(ACTORS, rng.choice((1, 1, 1, 2, 2, 3, 4)))
    partners = rng.sample(ACTORS, rng.randint(3, 12))
    if rng.random() < 0.3:
        partners.append(sentence(rng, around(rng, 45, 20, 80), verb=False))
    fiche["partenaires"] = partners
    if rng.random() < 0.3:
        fiche["durée"] = rng.choice(DURATIONS)
    if rng.random() < 0.9:
        start = rng.randint(period[0], period[1])
        end = rng.randint(start, period[1])
        # Dates to the month now and then, as other CTGs write them (« septembre 2024 »).
        month = rng.randint(1, 12) if rng.random() < 0.25 else None
        fiche["début"] = f"{start}-{month:02d}" if month else start
        fiche["fin"] = f"{end}-{rng.randint(1, 12):02d}" if month and end > start else end
    if rng.random() < 0.3:
        fiche["cette_action_est"] = rng.choice(STATUSES)
    impacts: dict[str, list[str]] = {}
    items = [(g, item) for g, group in IMPACT_GROUPS.items() for item in group]
    for group, item in sorted(rng.sample(items, rng.randint(8, 24)), key=items.index):
        impacts.setdefault(group, []).append(item)
    fiche["impacts"] = impacts
    if rng.random() < 0.95:
        fiche["étapes"] = _steps(rng, 0, "", rng.randint(2, 7))
    indicators: list[Any] = []
    for _ in range(rng.randint(3, 8)):
        label = sentence(rng, around(rng, 55, 20, 130), verb=False)
        if rng.random() < 0.2:
            year = rng.randint(period[0], period[1])
            indicators.append(
                {
                    "libellé": label,
                    "unité": rng.choice(("personnes", "familles", "actions", "%")),
                    "valeur_référence": rng.randint(0, 40),
                    "cible": rng.randint(40, 200),
                    "mesures": [
                        Flow(
                            date=dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                            valeur=rng.randint(0, 120),
                        )
                    ],
                }
            )
        else:
            indicators.append(label)
    fiche["indicateurs"] = indicators
    fiche["évaluation"] = [
        sentence(rng, around(rng, 45, 20, 90), verb=False) for _ in range(rng.randint(1, 4))
    ]
    if rng.random() < 0.9:
        stages = rng.sample(PARTICIPATION_LINES, rng.randint(1, 5))
        fiche["participation"] = {
            s: rng.choice((True, True, False, None)) for s in PARTICIPATION_LINES if s in stages
        }
    if rng.random() < 0.2 and total > 1:
        others = [n for n in range(1, total + 1) if n != number]
        fiche["fiches_liées"] = sorted(rng.sample(others, rng.randint(1, 2)))
    if rng.random() < 0.15:
        fiche["documents"] = [
            {
                "programme": "CLS",
                "référence": f"fiche action n°{rng.randint(1, 20)}",
                "titre": sentence(rng, 45),
            }
        ]
    if rng.random() < 0.1:  # the reference fiches use « & » now and then
        fiche["partenaires"][-1] += " & " + rng.choice(ACTORS)
    return f"{number:02d}-{slugify(title)}.yaml", fiche


def plan_documents(index: int, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The content of plan number ``index`` (1-based): ``{relative path: data}``, where data
    is a dict for YAML files and a str for Markdown files."""
    rng = random.Random(f"ctgkit-bench/{seed}/{index}")
    data, narrative, groups, period, titles = _plan_file(rng, index)
    documents: dict[str, Any] = {"plan.yaml": data}
    documents.update(narrative)
    count = rng.randint(17, 23)
    for number in range(1, count + 1):
        name, fiche = _fiche(rng, number, count, groups, period, titles)
        documents[f"fiches/{name}"] = fiche
    data["acteurs"] = _registry(
        name
        for path, fiche in documents.items()
        if path.startswith("fiches/")
        for name in (*fiche["pilotes"], *fiche["partenaires"])
    )
    return documents


def _registry(names: Iterable[str]) -> list[dict[str, Any]]:
    """`acteurs`: one actor per name the fiches use (first use first), with its kind."""
    actors = []
    for name in dict.fromkeys(names):
        actor: dict[str, Any] = {"nom": name}
        kind = ACTOR_KINDS.get(name)
        if kind:
            actor["type"] = kind
        actors.append(actor)
    return actors


def generate_plan(index: int, seed: int = DEFAULT_SEED) -> dict[str, str]:
    """The files of plan number ``index`` (1-based): ``{relative path: text}``."""
    files = {}
    for path, content in plan_documents(index, seed).items():
        if isinstance(content, str):
            files[path] = content + "\n"
        elif path == "plan.yaml":
            files[path] = to_yaml(
                content, f"Synthetic CTG plan {index} (bench/generate.py, seed {seed})"
            )
        else:
            files[path] = to_yaml(content, f"Fiche action CTG n°{content['numéro']} — synthetic")
    return files


# --------------------------------------------------------------------------- corpus


def _marker(n: int, seed: int) -> dict[str, Any]:
    return {"generator_version": GENERATOR_VERSION, "plans": n, "seed": seed}


def write_corpus(
    n: int, outdir: str | os.PathLike[str], seed: int = DEFAULT_SEED
) -> dict[str, int]:
    """Write ``n`` plans under ``outdir`` (emptied first); return files and bytes written."""
    out = Path(outdir)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    files = size = 0
    for index in range(1, n + 1):
        root = out / plan_slug(index, n)
        for relative, text in generate_plan(index, seed).items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            raw = text.encode("utf-8")
            path.write_bytes(raw)
            files += 1
            size += len(raw)
    (out / MARKER).write_text(
        json.dumps({**_marker(n, seed), "files": files, "bytes": size}) + "\n"
    )
    return {"files": files, "bytes": size}


def ensure_corpus(n: int, outdir: str | os.PathLike[str], seed: int = DEFAULT_SEED) -> bool:
    """Write the corpus unless a complete one of the same generator version is there.
    True when it was (re)generated."""
    marker = Path(outdir) / MARKER
    try:
        found = json.loads(marker.read_text())
    except (OSError, ValueError):
        found = None
    if isinstance(found, dict) and all(found.get(k) == v for k, v in _marker(n, seed).items()):
        return False
    write_corpus(n, outdir, seed)
    return True


def check_corpus(outdir: str | os.PathLike[str], seed: int = DEFAULT_SEED, sample: int = 0) -> int:
    """Re-read the written files and compare them with what the generator meant to write
    (YAML through the C safe loader); return the number of mismatches. With ``sample``,
    check only the first ``sample`` plans."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=False)
    problems = 0
    plans = sorted(p for p in Path(outdir).iterdir() if p.is_dir() and p.name.startswith("plan-"))
    for root in plans[: sample or None]:
        index = int(root.name.removeprefix("plan-"))
        expected = plan_documents(index, seed)
        found = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        if found != sorted(expected):
            print(f"{root}: files differ from the generator's", file=sys.stderr)
            problems += 1
            continue
        for relative, content in expected.items():
            text = (root / relative).read_text(encoding="utf-8")
            same = (
                text == content + "\n" if isinstance(content, str) else yaml.load(text) == content
            )
            if not same:
                print(f"{root / relative}: does not read back as generated", file=sys.stderr)
                problems += 1
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of plans")
    parser.add_argument("outdir", type=Path, help="output directory (emptied first)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="regenerate even if up to date")
    parser.add_argument("--check", action="store_true", help="re-parse every written YAML file")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    started = time.perf_counter()
    if args.force:
        write_corpus(args.n, args.outdir, args.seed)
        made = True
    else:
        made = ensure_corpus(args.n, args.outdir, args.seed)
    info = json.loads((args.outdir / MARKER).read_text())
    state = "generated" if made else "up to date"
    print(
        f"{args.outdir}: {info['plans']} plans, {info['files']} files, {info['bytes']:,} bytes "
        f"({state}, {time.perf_counter() - started:.1f} s)"
    )
    if args.check and check_corpus(args.outdir, args.seed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
