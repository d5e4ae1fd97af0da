"""In-place YAML edits (ctgkit.yaml_edit): exact texts, the bundled plans, properties, errors."""

from __future__ import annotations

import datetime as dt

import pytest

from ctgkit.source import parse_yaml
from ctgkit.yaml_edit import Append, Delete, EditError, Set, apply

from .conftest import PLANS

BUNDLED_FILES = sorted([*PLANS.glob("*/plan.yaml"), *PLANS.glob("*/fiches/*.yaml")])

FICHE = """\
# Fiche 1
numéro: 1
titre: Réseau d'acteurs  # à préciser
pilotes:
  - CAF  # source: fiche
  - MSA

partenaires: [CCAS, CIAS]
suivi:
  - date: 2021-03
    statut: prévue
# la suite
fin: 2021
"""


def test_no_edit_is_identity() -> None:
    assert apply(FICHE, []) == FICHE


def test_set_scalar_keeps_comment() -> None:
    out = apply(FICHE, [Set(("titre",), "Réseau: acteurs")])
    assert out == FICHE.replace("titre: Réseau d'acteurs  #", "titre: 'Réseau: acteurs'  #")


def test_list_diff_changes_one_line() -> None:
    out = apply(FICHE, [Set(("pilotes",), ["CAF", "Mairie"])])
    assert out == FICHE.replace("  - MSA\n", "  - Mairie\n")


def test_append_dict_to_list_of_dicts() -> None:
    out = apply(FICHE, [Append(("suivi",), {"date": dt.date(2025, 6, 30), "statut": "en cours"})])
    assert out == FICHE.replace(
        "    statut: prévue\n", "    statut: prévue\n  - date: 2025-06-30\n    statut: en cours\n"
    )


def test_missing_key_is_named() -> None:
    with pytest.raises(EditError) as caught:
        apply(FICHE, [Set(("suivi", 0, "x", "y"), 1)])
    assert str(caught.value) == "no key 'x' in 'suivi[0]'"


@pytest.mark.parametrize("path", BUNDLED_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bundled_files_unchanged_by_setting_their_own_values(path) -> None:
    text = path.read_text(encoding="utf-8")
    assert apply(text, []) == text
    data = parse_yaml(text)
    assert apply(text, [Set((key,), value) for key, value in data.items()]) == text


def test_delete_item() -> None:
    out = apply(FICHE, [Delete(("pilotes", 0))])
    assert out == FICHE.replace("  - CAF  # source: fiche\n", "")
