"""In-place YAML edits (ctgkit.yaml_edit): the texts they give, on snippets and on the bundled
plans, their round trip (hypothesis), their refusals."""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from ctgkit import i18n
from ctgkit.source import SourceError, SourceFloat, parse_yaml
from ctgkit.yaml_edit import Append, Delete, Edit, EditError, Set, apply

from .conftest import PLANS

BUNDLED_FILES = sorted([*PLANS.glob("*/plan.yaml"), *PLANS.glob("*/fiches/*.yaml")])
FICHES = sorted(PLANS.glob("*/fiches/*.yaml"))
TEXTS = {path: path.read_text(encoding="utf-8") for path in BUNDLED_FILES}


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}" if path.name != "plan.yaml" else path.parent.name


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines removed and added, by a line diff."""
    removed, added = [], []
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if tag != "equal":
            removed.extend(old[i1:i2])
            added.extend(new[j1:j2])
    return removed, added


def same_type(a: Any, b: Any) -> bool:
    """Of the same type (the loader's floats remember their text: a float subclass)."""
    return type(a) is type(b) or (
        type(a) in (float, SourceFloat) and type(b) in (float, SourceFloat)
    )


FICHE = """\
# Fiche 1
numéro: 1
titre: Réseau d'acteurs  # à préciser
pilotes:
  - CAF  # source: fiche
  - MSA

partenaires: [CCAS, CIAS]
étapes:
  - numéro: "1"
    texte: Recenser
  - numéro: "2"
    texte: >-
      Proposer de meilleurs moyens pour diffuser l'information sur les actions et ressources
      existantes afin de mieux orienter les bénéficiaires
suivi:
  - date: 2021-03
    statut: prévue
  # le prochain point
# la suite
fin: 2021
"""


# ---------------------------------------------------------------- unchanged text


def test_no_edit_returns_the_text_itself() -> None:
    for text in (FICHE, FICHE.replace("\n", "\r\n"), FICHE.rstrip("\n"), "\ufeff" + FICHE):
        assert apply(text, []) == text


def test_setting_the_current_value_changes_nothing() -> None:
    data = parse_yaml(FICHE)
    edits: list[Edit] = [Set((key,), value) for key, value in data.items()]
    edits += [Set(("étapes", 1, "texte"), data["étapes"][1]["texte"]), Set(("fin",), 2021)]
    assert apply(FICHE, edits) == FICHE


def test_a_string_is_not_the_number_it_looks_like() -> None:
    assert apply(FICHE, [Set(("fin",), "2021")]) == FICHE.replace("fin: 2021", 'fin: "2021"')
    text = apply(FICHE, [Set(("étapes", 0, "numéro"), 1)])
    assert text == FICHE.replace('numéro: "1"', "numéro: 1")


# ---------------------------------------------------------------- scalars


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("Réseau des acteurs", "Réseau des acteurs"),
        ("oui", "oui"),  # YAML 1.2: a string
        ("1.2.c", "1.2.c"),
        ("2020", '"2020"'),  # the file quotes with double quotes ("1")
        ("true", '"true"'),
        ("null", '"null"'),
        ("~", '"~"'),
        ("- x", '"- x"'),
        ("a: b", '"a: b"'),
        ("#x", '"#x"'),
        ("'", '"\'"'),
        (" espace", '" espace"'),
        ("espace ", '"espace "'),
        ("", '""'),
        ("tab\there", '"tab\\there"'),
        ("bell\x07", '"bell\\a"'),
        ("nbsp\u00a0", '"nbsp\u00a0"'),
        ("2025-06-30", '"2025-06-30"'),
        (dt.date(2025, 6, 30), "2025-06-30"),
        (2020, "2020"),
        (12.5, "12.5"),
        (True, "true"),
        (None, ""),
    ],
)
def test_scalar_is_written_as_a_person_would(value: Any, written: str) -> None:
    text = apply(FICHE, [Set(("titre",), value)])
    expected_line = "titre:" + (" " + written if written else "") + "  # à préciser\n"
    assert text == FICHE.replace("titre: Réseau d'acteurs  # à préciser\n", expected_line)
    assert parse_yaml(text)["titre"] == value
    assert same_type(parse_yaml(text)["titre"], value)


def test_quotes_the_node_had_are_kept() -> None:
    text = "a: 'x'\nb: \"y\"\n"
    assert apply(text, [Set(("a",), "2"), Set(("b",), "3")]) == "a: '2'\nb: \"3\"\n"
    # single quotes when the file has no preference
    assert apply("a: x\n", [Set(("a",), "1.0")]) == "a: '1.0'\n"
    # control characters need double quotes
    assert apply(text, [Set(("a",), "\x1b")]) == 'a: "\\e"\nb: "y"\n'


def test_quotes_that_need_no_doubling_are_chosen() -> None:
    text = "a: 'x'\nb: x\n"
    out = apply(text, [Set(("a",), "l'accueil : ici"), Set(("b",), 'un "mot" : là')])
    assert out == 'a: "l\'accueil : ici"\nb: \'un "mot" : là\'\n'


def test_multiline_text_becomes_a_literal_block() -> None:
    text = apply(FICHE, [Set(("titre",), "Ligne un\nLigne deux")])
    assert "titre: |-  # à préciser\n  Ligne un\n  Ligne deux\npilotes:" in text
    text = apply(FICHE, [Set(("titre",), "Ligne un\nLigne deux\n")])
    assert "titre: |  # à préciser\n  Ligne un\n  Ligne deux\npilotes:" in text
    text = apply(FICHE, [Set(("titre",), "  en retrait\nsuite")])
    assert "titre: |2-  # à préciser\n    en retrait\n  suite\npilotes:" in text
    text = apply(FICHE, [Set(("étapes", 0, "texte"), "a\n\nb")])
    assert "    texte: |-\n      a\n\n      b\n  - numéro" in text
    assert parse_yaml(text)["étapes"][0]["texte"] == "a\n\nb"


def test_literal_block_keeps_its_indentation_and_header_comment() -> None:
    text = "note: |  # garder\n    un\n    deux\nfin: 1\n"
    assert apply(text, [Set(("note",), "trois\n")]) == "note: |  # garder\n    trois\nfin: 1\n"
    assert apply(text, [Set(("note",), "court")]) == "note: court  # garder\nfin: 1\n"


def test_folded_text_stays_folded_at_its_width() -> None:
    long = (
        "Proposer de meilleurs moyens pour diffuser l'information sur les actions et ressources "
        "existantes afin de mieux orienter toutes les personnes"
    )
    text = apply(FICHE, [Set(("étapes", 1, "texte"), long)])
    removed, added = changed_lines(FICHE, text)
    assert removed == ["      existantes afin de mieux orienter les bénéficiaires\n"]
    assert added == ["      existantes afin de mieux orienter toutes les personnes\n"]
    short = apply(FICHE, [Set(("étapes", 1, "texte"), "Proposer")])
    assert "    texte: Proposer\nsuivi:" in short


def test_long_new_text_stays_on_one_line() -> None:
    value = "mot " * 40 + "fin"
    assert apply(FICHE, [Set(("titre",), value)]).count("\n") == FICHE.count("\n")


# ---------------------------------------------------------------- lists


def test_one_changed_item_changes_one_line_and_keeps_its_comment() -> None:
    text = apply(FICHE, [Set(("pilotes",), ["CAF de la Vienne", "MSA"])])
    assert text == FICHE.replace("  - CAF  # source", "  - CAF de la Vienne  # source")


def test_list_diff_inserts_and_removes_lines() -> None:
    text = apply(FICHE, [Set(("pilotes",), ["Mairie", "CAF", "MSA", "CCAS"])])
    assert text == FICHE.replace(
        "pilotes:\n  - CAF  # source: fiche\n  - MSA\n",
        "pilotes:\n  - Mairie\n  - CAF  # source: fiche\n  - MSA\n  - CCAS\n",
    )
    text = apply(FICHE, [Set(("pilotes",), ["MSA"])])
    assert text == FICHE.replace("  - CAF  # source: fiche\n", "")


def test_insert_before_an_item_goes_above_its_comment_lines() -> None:
    text = "l:\n  - a\n  # about b\n  - b\n"
    assert apply(text, [Set(("l",), ["a", "x", "b"])]) == "l:\n  - a\n  - x\n  # about b\n  - b\n"


def test_list_of_mappings_is_edited_item_by_item() -> None:
    data = parse_yaml(FICHE)
    steps = copy.deepcopy(data["étapes"])
    steps[0]["texte"] = "Recenser les acteurs"
    text = apply(FICHE, [Set(("étapes",), steps)])
    assert text == FICHE.replace("texte: Recenser\n", "texte: Recenser les acteurs\n")


def test_flow_list_stays_flow_when_it_fits() -> None:
    text = apply(FICHE, [Set(("partenaires",), ["CCAS", "Mairie", "CIAS"])])
    assert "partenaires: [CCAS, Mairie, CIAS]\n" in text
    text = apply(FICHE, [Set(("partenaires",), ["x" * 50, "y" * 50])])
    assert f"partenaires:\n  - {'x' * 50}\n  - {'y' * 50}\nétapes:" in text


def test_sequence_indentation_of_the_file_is_followed() -> None:
    text = "a:\n- x\nb:\n    c: 1\n"
    assert apply(text, [Set(("n",), {"l": ["p"], "m": {"k": 1}})]) == (
        text + "n:\n    l:\n    - p\n    m:\n        k: 1\n"
    )


# ---------------------------------------------------------------- mappings


def test_mapping_set_to_a_new_dict_is_edited_key_by_key() -> None:
    text = "p:\n  a: 1  # un\n  b: 2\n  c: 3\nq: 0\n"
    out = apply(text, [Set(("p",), {"a": 1, "c": 4, "d": "nouveau"})])
    assert out == "p:\n  a: 1  # un\n  c: 4\n  d: nouveau\nq: 0\n"


def test_missing_key_is_added_at_the_end_of_its_mapping() -> None:
    text = apply(FICHE, [Set(("étapes", 0, "durée"), "6 mois")])
    assert '    texte: Recenser\n    durée: 6 mois\n  - numéro: "2"' in text
    text = apply(FICHE, [Set(("auteur",), "CCCP")])
    assert text == FICHE + "auteur: CCCP\n"
    assert apply("p: {a: 1}\n", [Set(("p", "b"), [1, 2])]) == "p: {a: 1, b: [1, 2]}\n"


def test_integer_keys_of_yearly_targets() -> None:
    text = "cibles: {2022: 200}\n"
    assert apply(text, [Set(("cibles", 2022), 210)]) == "cibles: {2022: 210}\n"
    assert apply(text, [Set(("cibles", 2023), 250)]) == "cibles: {2022: 200, 2023: 250}\n"


def test_nested_dict_value_in_block_style() -> None:
    text = apply("a: 1\n", [Set(("b",), {"c": [{"d": 1, "e": "x\ny"}], "f": {}})])
    assert text == "a: 1\nb:\n  c:\n    - d: 1\n      e: |-\n        x\n        y\n  f: {}\n"
    assert parse_yaml(text)["b"] == {"c": [{"d": 1, "e": "x\ny"}], "f": {}}


# ---------------------------------------------------------------- append


SUIVI_POINT = {"date": dt.date(2025, 6, 30), "statut": "en cours"}


def test_append_goes_after_the_last_item_before_the_next_keys_comments() -> None:
    text = apply(FICHE, [Append(("suivi",), SUIVI_POINT)])
    assert text == FICHE.replace(
        "    statut: prévue\n", "    statut: prévue\n  - date: 2025-06-30\n    statut: en cours\n"
    )
    text = apply(FICHE, [Append(("pilotes",), "CCAS")])
    assert "  - MSA\n  - CCAS\n\npartenaires" in text


def test_append_to_a_missing_key_an_empty_value_or_an_empty_list() -> None:
    expected = "a: 1\nsuivi:\n  - date: 2025-06-30\n    statut: en cours\n"
    assert apply("a: 1\n", [Append(("suivi",), SUIVI_POINT)]) == expected
    assert apply("a: 1\nsuivi:\n", [Append(("suivi",), SUIVI_POINT)]) == expected
    assert apply("a: 1\nsuivi: []\n", [Append(("suivi",), SUIVI_POINT)]) == expected


def test_append_to_flow_lists() -> None:
    assert apply(FICHE, [Append(("partenaires",), "MSA")]).count("[CCAS, CIAS, MSA]\n") == 1
    text = "mesures:\n  - {date: 2021-12, valeur: 150}\n"
    out = apply(text, [Append(("mesures",), {"date": "2022-12", "valeur": 210})])
    assert out == text + "  - {date: 2022-12, valeur: 210}\n"


def test_several_appends_to_the_same_list_keep_their_order() -> None:
    edits = [Append(("pilotes",), name) for name in ("A", "B", "C")]
    assert "  - MSA\n  - A\n  - B\n  - C\n\npartenaires" in apply(FICHE, edits)


# ---------------------------------------------------------------- delete


def test_delete_key_and_item() -> None:
    assert apply(FICHE, [Delete(("titre",))]) == FICHE.replace(
        "titre: Réseau d'acteurs  # à préciser\n", ""
    )
    assert apply(FICHE, [Delete(("pilotes", 1))]) == FICHE.replace("  - MSA\n", "")
    assert apply(FICHE, [Delete(("partenaires", 0))]).count("partenaires: [CIAS]\n") == 1
    text = apply(FICHE, [Delete(("étapes", 1))])
    assert parse_yaml(text)["étapes"] == [{"numéro": "1", "texte": "Recenser"}]
    assert "    texte: Recenser\nsuivi:" in text


def test_delete_the_first_key_of_an_item() -> None:
    text = apply(FICHE, [Delete(("étapes", 0, "numéro"))])
    assert "étapes:\n  - texte: Recenser\n  - numéro" in text


def test_delete_the_last_entry_leaves_an_empty_collection() -> None:
    assert apply("a:\n  b: 1\nc: 2\n", [Delete(("a", "b"))]) == "a: {}\nc: 2\n"
    assert apply("a:\n  - 1\nc: 2\n", [Delete(("a", 0))]) == "a: []\nc: 2\n"


# ---------------------------------------------------------------- line endings, BOM


def test_crlf_file_stays_crlf() -> None:
    text = FICHE.replace("\n", "\r\n")
    out = apply(
        text,
        [
            Append(("suivi",), {**SUIVI_POINT, "réalisations": "un\ndeux"}),
            Set(("pilotes",), ["A", "B", "C"]),
            Set(("auteur",), "x"),
        ],
    )
    assert "\n" not in out.replace("\r\n", "")
    assert "    réalisations: |-\r\n      un\r\n      deux\r\n" in out
    assert parse_yaml(out)["suivi"][1]["réalisations"] == "un\ndeux"


def test_file_without_final_newline() -> None:
    text = FICHE.rstrip("\n")
    out = apply(text, [Set(("auteur",), "x")])
    assert out == text + "\nauteur: x"
    assert apply(text, [Set(("fin",), 2022)]) == text.replace("fin: 2021", "fin: 2022")
    out = apply(text, [Delete(("fin",))])
    assert out == text[: text.index("\n# la suite")] + "\n# la suite"
    assert apply(text, [Set(("auteur",), "un\ndeux\n")]).endswith('\nauteur: "un\\ndeux\\n"')


def test_bom_is_kept() -> None:
    out = apply("\ufeffa: 1\n", [Set(("a",), 2)])
    assert out == "\ufeffa: 2\n"


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("edit", "message", "position"),
    [
        (Set(("inconnu", "x"), 1), "no key 'inconnu' at the top of the file", (2, 1)),
        (Set(("étapes", 0, "x", "y"), 1), "no key 'x' in 'étapes[0]'", (10, 5)),
        (Delete(("étapes", 0, "x")), "no key 'x' in 'étapes[0]'", (10, 5)),
        (
            Set(("pilotes", 2), "x"),
            "no item 2 in the list 'pilotes' (it has 2 items)",
            (5, 3),
        ),
        (
            Set(("pilotes", "x"), 1),
            "'pilotes' is a list: give an item number, not the key 'x'",
            (5, 3),
        ),
        (
            Set(("étapes", 0, 1), 1),
            "'étapes[0]' is a set of keys, not a list: the number 1 cannot be used in it",
            (10, 5),
        ),
        (
            Set(("fin", "x"), 1),
            "'fin' holds a single value, not keys or a list: 'x' cannot be looked up in it",
            (21, 6),
        ),
        (Append(("titre",), "x"), "'titre' is not a list: nothing can be appended to it", (3, 8)),
        (Delete(()), "the whole document cannot be deleted", None),
        (Set(("fin",), object()), "cannot write a value of type object at 'fin'", None),
        (Set(("fin",), {"a": {1.5: 2}}), "a key must be a text or a whole number, not 1.5", None),
        (Set(("fin",), "\ud800"), "the text for 'fin' holds an invalid character", None),
    ],
)
def test_refusals(edit: Edit, message: str, position: tuple[int, int] | None) -> None:
    # (the edits around it can be made: the refusal is about this one, and no text comes back)
    assert apply(FICHE, [Set(("numéro",), 2), Set(("fin",), 2030)]) != FICHE
    with pytest.raises(EditError) as caught:
        apply(FICHE, [Set(("numéro",), 2), edit, Set(("fin",), 2030)])
    assert str(caught.value).startswith(message)
    assert caught.value.path == edit.path
    if position is not None:
        assert (caught.value.line, caught.value.column) == position
    else:
        assert (caught.value.line, caught.value.column) == (None, None)


@pytest.mark.parametrize(
    ("text", "edit"),
    [
        ("a: &x 1\nb: 2\n", Set(("a",), 3)),
        ("a: !!str 1\nb: 2\n", Set(("a",), "3")),
        ("a: &x\n  b: 1\n", Set(("a",), [1])),
        ("a:\n  - &x 1\n  - 2\n", Delete(("a", 0))),
    ],
)
def test_anchors_and_tags_are_not_rewritten(text: str, edit: Edit) -> None:
    with pytest.raises(EditError, match=r"anchor \(&\) or a tag \(!\)"):
        apply(text, [edit])
    # elsewhere in the same file, edits are made
    assert apply(text, [Set(("c",), 1)]) == text + "c: 1\n"


@pytest.mark.parametrize(
    "text",
    ["a: [1\n", "a: &x 1\nb: *x\n", "a: &x {k: 1}\nb:\n  <<: *x\n", "a: 1\na: 2\n", ""],
)
def test_a_document_that_does_not_load_is_a_source_error(text: str) -> None:
    with pytest.raises(SourceError):
        apply(text, [Set(("a",), 3)])


def test_a_key_yaml_cannot_hold_is_refused() -> None:
    with pytest.raises(EditError, match="^the key 'kkk.*' cannot be written in YAML$"):
        apply(FICHE, [Set(("k" * 1100,), 1)])  # (YAML keys stop at 1024 characters)


def test_a_wrong_splice_is_caught_and_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The safety net: if a value were written wrong, the read-back check refuses the edit
    (naming it) instead of returning a text that says something else."""
    from ctgkit import yaml_edit

    def wrong(self: Any, node: Any, value: Any, block: bool = False) -> None:
        self.splices.append((node.start, node.end, "42"))

    monkeypatch.setattr(yaml_edit._Planner, "_replace", wrong)
    with pytest.raises(EditError) as caught:
        apply(FICHE, [Set(("numéro",), 1), Set(("fin",), "fin")])
    assert str(caught.value) == (
        "the change at 'fin' could not be written without altering other values; edit it by hand"
    )
    assert caught.value.path == ("fin",)


def test_edits_one_by_one_when_a_batch_check_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    from ctgkit import yaml_edit

    # (two appends to one list: two batches, the tree rebuilt between them)
    edits: list[Edit] = [Set(("titre",), "T"), Append(("pilotes",), "X"), Append(("pilotes",), "Y")]
    expected = apply(FICHE, edits)
    calls = []

    def failing(*args: Any) -> Any:
        calls.append(args)
        raise yaml_edit.YAMLError("simulated")

    monkeypatch.setattr(yaml_edit, "_rebuild", failing)
    assert apply(FICHE, edits) == expected
    assert "  - MSA\n  - X\n  - Y\n" in expected
    assert calls  # the fast path was tried, and failed


@pytest.mark.parametrize(
    ("text", "edits"),
    [
        (FICHE, [Append(("pilotes",), "A"), Append(("pilotes",), "B"), Set(("x",), [1])]),
        ("# c\nk:\n- [a, b]\n", [Set(("n",), {"a": 1}), Append(("k",), "c"), Set(("m",), 1)]),
        ("k:\n- a\nl:\n- b\n", [Append(("k",), "c"), Append(("k",), "d"), Delete(("l", 0))]),
        ("a:\n  b:\n    - 1\n", [Append(("a", "b"), 2), Set(("a", "c"), 3), Set(("d",), 4)]),
    ],
)
def test_the_fast_path_needs_no_fallback(
    text: str, edits: list[Edit], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches are checked by parsing again only what they touched; that must work (a failed
    check costs a second pass, one edit at a time)."""
    from ctgkit import yaml_edit

    modes = []
    real = yaml_edit._apply

    def spy(body: str, expected: Any, edits: list[Edit], careful: bool) -> str:
        modes.append(careful)
        return real(body, expected, edits, careful=careful)

    monkeypatch.setattr(yaml_edit, "_apply", spy)
    out = apply(text, edits)
    assert modes == [False]
    assert out != text


def test_refusal_in_french() -> None:
    i18n.set_language("fr")
    with pytest.raises(EditError) as caught:
        apply(FICHE, [Set(("étapes", 0, "x", "y"), 1)])
    assert str(caught.value) == "pas de clé « x » dans « étapes[0] »"


# ---------------------------------------------------------------- the bundled plans


@pytest.mark.parametrize("path", BUNDLED_FILES, ids=_id)
def test_bundled_file_unchanged_by_its_own_values(path: Path) -> None:
    text = TEXTS[path]
    assert apply(text, []) == text
    data = parse_yaml(text)
    assert apply(text, [Set((key,), value) for key, value in data.items()]) == text


@pytest.mark.parametrize("path", BUNDLED_FILES, ids=_id)
def test_bundled_file_unchanged_by_setting_every_node_to_itself(path: Path) -> None:
    text = TEXTS[path]
    data = parse_yaml(text)
    edits: list[Edit] = [Set(where, _get(data, where)) for where in _paths(data)]
    assert len(edits) > len(data)
    assert apply(text, edits) == text
    assert apply(text.replace("\n", "\r\n"), edits) == text.replace("\n", "\r\n")


@pytest.mark.parametrize("path", FICHES, ids=_id)
def test_bundled_fiche_edits_change_only_their_lines(path: Path) -> None:
    text = TEXTS[path]
    data = parse_yaml(text)
    if data.get("pilotes"):
        pilots = [*data["pilotes"][:-1], "Nouveau pilote"]
        removed, added = changed_lines(text, apply(text, [Set(("pilotes",), pilots)]))
        assert len(removed) == 1 and str(data["pilotes"][-1]) in removed[0]
        assert len(added) == 1 and added[0].startswith(removed[0].split("-")[0] + "- Nouveau")
    removed, added = changed_lines(text, apply(text, [Set(("titre",), "Nouveau titre")]))
    assert added == ["titre: Nouveau titre\n"]
    assert removed[0].startswith("titre:") and all(line.startswith("  ") for line in removed[1:])
    if "début" in data:
        out = apply(text, [Set(("début",), 2031)])
        removed, added = changed_lines(text, out)
        assert [line.split("#")[0].strip() for line in added] == ["début: 2031"]
        assert len(removed) == 1 and removed[0].startswith("début:")
    else:
        removed, added = changed_lines(text, apply(text, [Set(("début",), 2031)]))
        assert (removed, added) == ([], ["début: 2031\n"])


def test_two_hundred_edits_on_a_large_file() -> None:
    # Their cost is measured by bench/edit.py, not here.
    path = PLANS / "civraisien-2019" / "plan.yaml"
    text = TEXTS[path]
    data = parse_yaml(text)
    leaves = [p for p in _paths(data) if p and not isinstance(_get(data, p), dict | list)]
    lists = [p for p in _paths(data) if p and isinstance(_get(data, p), list)]
    edits: list[Edit] = [Set(p, f"valeur {i}") for i, p in enumerate(leaves[:: len(leaves) // 100])]
    edits += [Append(lists[i % len(lists)], f"x{i}") for i in range(200 - len(edits))]
    out = apply(text, edits)
    assert len(edits) == 200
    expected = copy.deepcopy(data)
    for edit in edits:
        if isinstance(edit, Set):
            _get(expected, edit.path[:-1])[edit.path[-1]] = edit.value
        else:
            _get(expected, edit.path).append(edit.value)
    assert parse_yaml(out) == expected


def test_two_hundred_appends_to_one_list_of_a_large_fiche() -> None:
    """Each append depends on the one before (the tree is parsed again in between; only the
    entries touched are: bench/edit.py measures it)."""
    points = "".join(
        f"  - date: 20{20 + i % 6}-0{1 + i % 9}  # point {i}\n"
        f"    statut: en cours\n    avancement: {i % 100}\n    réalisations: >-\n"
        f"      Réunion du réseau numéro {i} avec les partenaires du territoire, compte rendu\n"
        f"      diffusé aux membres.\n"
        for i in range(190)
    )
    text = FICHE.replace("suivi:\n", "suivi:\n" + points)
    assert len(text.encode()) > 39_000
    edits: list[Edit] = [Append(("suivi",), {**SUIVI_POINT, "avancement": i}) for i in range(200)]
    out = apply(text, edits)
    suivi = parse_yaml(out)["suivi"]
    assert len(suivi) == 191 + 200 and suivi[-1] == {**SUIVI_POINT, "avancement": 199}
    assert out.startswith(text[: text.index("  # le prochain point")])


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


# ---------------------------------------------------------------- properties

SPECIAL_TEXTS = [
    *("oui", "non", "2020", "1.2.c", "true", "False", "null", "~", "- x", "a: b", "#x", "'"),
    *('"', " lead", "trail ", "", "a\nb", "a\n", "a\n\n", "\n", "  indented\nx", "x\n  y"),
    *("2025-06-30", "2023-02-30", "1e3", "0x1f", "=", "<<", "[a]", "{a: 1}", "a, b", "@x", "`x"),
    *("!x", "&x", "*x", "|", ">", "? x", ": x", "a #b", "a# b", "---", "...", "\t", "a\tb"),
    *("\u00a0x", "x\u200b", "\ufeffx", "\x85", "\u2028", "\x00", "\x07", "\r", "a\r\nb", "\x7f"),
    *("12:30", "2021-03", ".5", "+1", "Yes", "NO", "-", "1_000", "é « guillemets »"),
]
texts = st.one_of(
    st.sampled_from(SPECIAL_TEXTS),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    st.text(alphabet="ab \n-:#'\"", max_size=12),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False),
    st.dates(),
    texts,
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(texts.filter(bool), children, max_size=4),
    ),
    max_leaves=8,
)


def _node_lines(text: str, path: tuple[Any, ...]) -> tuple[int, int]:
    """The lines (start, end offsets) of the node at ``path`` and of its key or dash, found
    by ruamel.yaml's composer (independently of yaml_edit)."""
    node: Node = YAML(typ="safe", pure=True).compose(text)
    start = node.start_mark.index
    for step in path:
        if isinstance(node, MappingNode):
            key, node = next((k, v) for k, v in node.value if k.value == str(step))
            start = key.start_mark.index
        else:
            assert isinstance(node, SequenceNode)
            node = node.value[step]
            start = node.start_mark.index
    end = node.end_mark.index
    if isinstance(node, MappingNode | SequenceNode) and node.flow_style is False:
        end = max(end - 1, start)  # a block collection ends where the next token starts
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return line_start, len(text) if line_end < 0 else line_end + 1


@given(st.sampled_from(BUNDLED_FILES), st.data(), values)
def test_set_anywhere_reads_back_and_touches_only_its_lines(
    path: Path, data: st.DataObject, value: Any
) -> None:
    text = TEXTS[path]
    document = parse_yaml(text)
    where = data.draw(st.sampled_from([p for p in _paths(document) if p]))
    out = apply(text, [Set(where, value)])
    expected = copy.deepcopy(document)
    _get(expected, where[:-1])[where[-1]] = value
    got = parse_yaml(out)
    assert got == expected
    assert _get(got, where) == value and same_type(_get(got, where), value)
    low, high = _node_lines(text, where)
    tail = len(text) - high
    assert out[:low] == text[:low]
    assert out[len(out) - tail :] == text[high:]
    if _get(document, where) == value and same_type(_get(document, where), value):
        assert out == text


@given(
    st.sampled_from(BUNDLED_FILES), st.sampled_from(["", "crlf", "no-newline", "bom"]), st.data()
)
def test_edit_sequences_read_back(path: Path, variant: str, data: st.DataObject) -> None:
    text = TEXTS[path]
    if variant == "crlf":
        text = text.replace("\n", "\r\n")
    elif variant == "no-newline":
        text = text.rstrip("\n")
    elif variant == "bom":
        text = "\ufeff" + text
    document = parse_yaml(text.lstrip("\ufeff"))
    edits: list[Edit] = []
    for _ in range(data.draw(st.integers(1, 6))):
        where = data.draw(st.sampled_from([p for p in _paths(document) if p]))
        parent = _get(document, where[:-1])
        kind = data.draw(st.sampled_from(["set", "delete", "append", "new key"]))
        value = data.draw(values)
        if kind == "set":
            parent[where[-1]] = copy.deepcopy(value)
            edits.append(Set(where, value))
        elif kind == "delete":
            del parent[where[-1]]
            edits.append(Delete(where))
        elif kind == "append" and isinstance(parent[where[-1]], list):
            parent[where[-1]].append(copy.deepcopy(value))
            edits.append(Append(where, value))
        elif kind == "new key" and isinstance(parent, dict):
            key = data.draw(texts.filter(lambda k, parent=parent: bool(k) and k not in parent))
            parent[key] = copy.deepcopy(value)
            edits.append(Set((*where[:-1], key), value))
        if not document:
            return
    out = apply(text, edits)
    assert parse_yaml(out.lstrip("\ufeff")) == document
    if variant == "crlf":
        assert "\n" not in out.replace("\r\n", "")
    elif variant == "no-newline":
        assert not out.endswith("\n")
    elif variant == "bom":
        assert out.startswith("\ufeff") and not out.startswith("\ufeff\ufeff")
    indents = [line[: len(line) - len(line.lstrip(" \t"))] for line in out.splitlines()]
    assert not any("\t" in indent for indent in indents)


layout_keys = st.one_of(
    st.sampled_from(["a", "nom", "clé é", "2020", "x y", "#k", "k:v", "- k"]), st.integers(0, 3000)
)
layout_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.sampled_from(["oui", "un texte", "a\nb", "long " * 30, "2021-03", "", " x", "'q'"]),
    st.dates(),
)
layout_documents = st.dictionaries(
    layout_keys,
    st.recursive(
        layout_leaves,
        lambda children: st.one_of(
            st.lists(children, min_size=1, max_size=4),
            st.dictionaries(layout_keys, children, min_size=1, max_size=4),
        ),
        max_leaves=16,
    ),
    min_size=1,
    max_size=5,
)


@given(
    layout_documents,
    st.sampled_from([(2, 2, 0), (2, 4, 2), (4, 4, 2), (4, 6, 4), (3, 3, 1)]),
    st.sampled_from([False, None]),
    st.data(),
)
def test_edits_on_documents_of_any_layout_read_back(
    document: dict[Any, Any], indent: tuple[int, int, int], flow: bool | None, data: st.DataObject
) -> None:
    """Documents written by ruamel.yaml with other indentations (mapping step, list offset),
    flow or block, with comments added: edits read back, one Set touches only its lines."""
    yaml = YAML()
    yaml.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    yaml.default_flow_style = flow
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    lines = buffer.getvalue().split("\n")
    for index in data.draw(st.lists(st.integers(0, len(lines)), max_size=3)):
        lines.insert(index, "# commentaire")
    text = "\n".join(lines)
    try:
        document = parse_yaml(text)
    except SourceError:  # (ruamel.yaml writes `{k:v: 1}` in flow style, which it cannot read)
        assume(False)
    where = data.draw(st.sampled_from([p for p in _paths(document) if p]))
    value = data.draw(values)
    out = apply(text, [Set(where, value)])
    expected = copy.deepcopy(document)
    _get(expected, where[:-1])[where[-1]] = value
    assert parse_yaml(out) == expected
    low, high = _node_lines(text, where)
    assert out[:low] == text[:low] and out[len(out) - (len(text) - high) :] == text[high:]
    # and a few more edits of any kind
    edits: list[Edit] = []
    for _ in range(data.draw(st.integers(1, 4))):
        where = data.draw(st.sampled_from([p for p in _paths(expected) if p]))
        parent = _get(expected, where[:-1])
        if data.draw(st.booleans()) or len(parent) < 2:
            value = data.draw(values)
            parent[where[-1]] = copy.deepcopy(value)
            edits.append(Set(where, value))
        else:
            del parent[where[-1]]
            edits.append(Delete(where))
    assert parse_yaml(apply(out, edits)) == expected
