"""Broken plan files explained in plain words, French by default (issue 13, items 2 and 3).

Each broken file gives exactly one diagnostic, at the position of its cause (not where the
YAML parser gave up), whose message names the cause and the fix: in French when asked (the
default of ctg), in English with CTG_LANG=en. Invisible characters are named with their code
point; UTF-16 and Windows-1252 files are recognised; an empty fiche is a warning.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ctgkit import i18n, validate

from .conftest import PLANS, copy_plan, invoke, run_ctg

FICHE = "fiches/02-lieu-parents.yaml"
GOOD = (
    "numéro: 2\n"
    "titre: Créer un café des parents\n"
    "axes: [A.1]\n"
    "objectifs: [1.2.a]\n"
    "pilotes: [Centre social]\n"
    "partenaires: [CAF]\n"
    "début: 2020\n"
    "fin: 2022\n"
    "documents:\n"
    "  - programme: CLS\n"
    "    référence: fiche action n°3\n"
    "    titre: Santé des parents\n"
)


def broken(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


# (id, file content, (line, column, code), words of the French message, of the English one)
CASES: list[tuple[str, str | bytes, tuple[int, int, str], list[str], list[str]]] = [
    (
        "indentation-siblings",
        broken("    référence", "   référence"),
        (11, 4, "CTG001"),
        ["indentation qui ne s'aligne pas", "colonne 5", "« programme »"],
        ["indentation that does not line up", "column 5"],
    ),
    (
        "indentation-too-deep",
        broken("fin: 2022", "  fin: 2022"),
        (8, 3, "CTG001"),
        ["indentation trop profonde", "« début »", "en colonne 1"],
        ["indentation too deep", "'début'", "at column 1"],
    ),
    (
        "indentation-after-a-list",
        broken("début: 2020", "  début: 2020"),
        (7, 3, "CTG001"),
        ["indentation qui ne s'aligne pas", "« partenaires » (colonne 1, ligne 6)"],
        ["indentation that does not line up", "'partenaires' (column 1, line 6)"],
    ),
    (
        "indentation-between-two-levels",
        broken("fin: 2022\n", "") + " fin: 2022\n",
        (12, 2, "CTG001"),
        ["indentation qui ne s'aligne pas", "« documents » (colonne 1, ligne 8)", "colonne 3"],
        ["indentation that does not line up", "'documents' (column 1, line 8)"],
    ),
    (
        "missing-space-after-colon",
        broken("titre: Créer", "titre:Créer"),
        (2, 6, "CTG001"),
        ["espace manquante après « : »", "« titre: Créer un café des parents »"],
        ["missing space after ':'", "'titre: Créer un café des parents'"],
    ),
    (
        "colon-in-value",
        broken("titre: Créer un café des parents", "titre: Axe 1 : un café des parents"),
        (2, 14, "CTG001"),
        ["« : » suivi d'une espace", "guillemets", '« titre: "Axe 1 : un café des parents" »'],
        ["':' followed by a space", "quotes", "'titre: \"Axe 1 : un café des parents\"'"],
    ),
    (
        "unclosed-quote",
        broken("titre: Créer un café des parents", 'titre: "Créer un café des parents'),
        (2, 8, "CTG001"),
        ["guillemet", "jamais fermé", '« titre: "Créer un café des parents" »'],
        ["quote", "never closed"],
    ),
    (
        "unclosed-quote-closed-later",
        broken("titre: Créer un café des parents", 'titre: "Créer un café').replace(
            "pilotes: [Centre social]", 'pilotes: "Centre social"'
        ),
        (2, 8, "CTG001"),
        ["guillemet", "jamais fermé"],
        ["quote", "never closed"],
    ),
    (
        "apostrophe-in-single-quotes",
        broken("titre: Créer un café des parents", "titre: 'Café d'été'"),
        (2, 15, "CTG001"),
        ["apostrophe", "guillemets doubles", '« titre: "Café d\'été" »'],
        ["apostrophe", "double quotes"],
    ),
    (
        "unclosed-bracket",
        broken("objectifs: [1.2.a]", "objectifs: [1.2.a"),
        (4, 12, "CTG001"),
        ["« [ » ouvert ici n'est jamais fermé", "« objectifs: [1.2.a] »"],
        ["'[' opened here is never closed", "'objectifs: [1.2.a]'"],
    ),
    (
        "tab-indentation",
        broken("  - programme: CLS", "\t- programme: CLS"),
        (10, 1, "CTG001"),
        ["tabulation dans l'indentation", "espaces"],
        ["tab in the indentation", "spaces"],
    ),
    (
        "list-item-among-keys",
        broken("objectifs: [1.2.a]\n", "objectifs:\n  - 1.2.a\n- 1.2.b\n"),
        (6, 1, "CTG001"),
        ["élément de liste « - » au milieu de clés", "« objectifs »", "colonne 3"],
        ["list item '-' among keys", "'objectifs'", "column 3"],
    ),
    (
        "key-among-list-items",
        broken("objectifs: [1.2.a]\n", "objectifs:\n  - 1.2.a\n  pilote: x\n"),
        (6, 3, "CTG001"),
        ["clé « pilote » au milieu des éléments de la liste « objectifs »", "colonne 1"],
        ["key 'pilote' among the items of the list 'objectifs'", "column 1"],
    ),
    (
        "duplicate-key",
        broken("fin: 2022\n", "fin: 2022\nfin: 2023\n"),
        (9, 1, "CTG005"),
        ["clé « fin » en double", "ligne 8", "n'en gardez qu'une"],
        ["duplicate key 'fin'", "line 8", "keep only one"],
    ),
    (
        "stray-character",
        broken("titre: Créer", "titre: @Créer"),
        (2, 8, "CTG001"),
        ["« @ »", "guillemets", '« titre: "@Créer un café des parents" »'],
        ["'@'", "quotes"],
    ),
    (
        "stray-bracket",
        broken("objectifs: [1.2.a]", "objectifs: [1.2.a]]"),
        (4, 19, "CTG001"),
        ["« ] » sans « [ »"],
        ["']' with no '['"],
    ),
    (
        "text-after-list",
        broken("titre: Créer un café des parents", "titre: [Projet] café des parents"),
        (2, 17, "CTG001"),
        ["ferme une liste", '« titre: "[Projet] café des parents" »'],
        ["closes a list"],
    ),
    (
        "text-lines-not-lined-up",
        broken("titre: Créer un café des parents", "titre: >-\n    Créer un café\n  des parents"),
        (4, 3, "CTG001"),
        ["texte de « titre » mal aligné", "colonne 5", "colonne 3"],
        ["text of 'titre' not lined up", "column 5"],
    ),
    (
        "text-continued-without-indentation",
        broken("titre: Créer un café des parents", "titre: Créer un café\ndes parents"),
        (3, 1, "CTG001"),
        ["pas de « : » sur cette ligne", "le texte de « titre »", "indentez-la"],
        ["no ':' on this line", "the text of 'titre'"],
    ),
    (
        "missing-colon",
        broken("début: 2020", "début 2020"),
        (7, 1, "CTG001"),
        ["pas de « : » sur cette ligne", "« clé: valeur »"],
        ["no ':' on this line", "'key: value'"],
    ),
    (
        "first-line-indented",
        "  " + GOOD,
        (1, 3, "CTG001"),
        ["la première ligne est indentée", "colonne 1"],
        ["the first line is indented", "column 1"],
    ),
    (
        "control-character",
        broken("Créer un café", "Créer un\x07 café"),
        (2, 16, "CTG001"),
        ["caractère de contrôle U+0007", "supprimez-le"],
        ["control character U+0007", "delete it"],
    ),
    (
        "second-document",
        GOOD + "---\nnuméro: 3\n",
        (13, 1, "CTG001"),
        ["second document YAML", "supprimez cette ligne"],
        ["second YAML document", "delete this line"],
    ),
    (
        "value-starting-with-a-star",
        broken("partenaires: [CAF]", "partenaires: *CAF"),
        (6, 14, "CTG006"),
        ["« *CAF » est un alias YAML", "guillemets"],
        ["'*CAF' is a YAML alias", "quotes"],
    ),
    (
        "value-starting-with-an-exclamation-mark",
        broken("titre: Créer", "titre: !Créer"),
        (2, 8, "CTG001"),
        ["« ! »", "guillemets", '« titre: "!Créer un café des parents" »'],
        ["'!'", "quotes"],
    ),
    (
        "nbsp-after-key",
        broken("titre: Créer", "titre:\u00a0Créer"),
        (2, 7, "CTG001"),
        [
            "espace insécable (U+00A0)",
            "après « titre: »",
            "remplacez-la par une espace ordinaire",
            "« titre: Créer un café des parents »",
        ],
        ["non-breaking space (U+00A0)", "after 'titre:'", "replace it with an ordinary space"],
    ),
    (
        "nbsp-after-last-key",
        broken("    titre: Santé", "    titre:\u00a0Santé"),
        (12, 11, "CTG001"),
        ["espace insécable (U+00A0)", "« titre: »"],
        ["non-breaking space (U+00A0)"],
    ),
    (
        "nbsp-in-key",
        broken("titre: Créer", "titre\u00a0: Créer"),
        (2, 6, "CTG001"),
        ["espace insécable (U+00A0)", "dans la clé « titre »"],
        ["non-breaking space (U+00A0)", "in the key 'titre'"],
    ),
    (
        "nbsp-in-indentation",
        broken("  - programme: CLS", "\u00a0 - programme: CLS"),
        (10, 1, "CTG001"),
        ["espace insécable (U+00A0)", "dans l'indentation"],
        ["non-breaking space (U+00A0)", "in the indentation"],
    ),
    (
        "nbsp-after-dash",
        broken("objectifs: [1.2.a]\n", "objectifs:\n  -\u00a01.2.a\n"),
        (5, 4, "CTG001"),
        ["espace insécable (U+00A0)", "après le tiret de liste"],
        ["non-breaking space (U+00A0)", "after the list dash"],
    ),
    (
        "nbsp-in-a-label-key",  # labels are compared with spaces folded: not an error
        broken(
            "fin: 2022\n",
            "fin: 2022\nimpacts:\n  Conditions\u00a0de vie: [Milieu de garde de l'enfant]\n",
        ),
        None,
        [],
        [],
    ),
    (
        "narrow-nbsp",
        broken("titre: Créer", "titre:\u202fCréer"),
        (2, 7, "CTG001"),
        ["espace fine insécable (U+202F)"],
        ["narrow non-breaking space (U+202F)"],
    ),
    (
        "thin-space",
        broken("titre: Créer", "titre:\u2009Créer"),
        (2, 7, "CTG001"),
        ["espace fine (U+2009)"],
        ["thin space (U+2009)"],
    ),
    (
        "zero-width-space",
        broken("titre: Créer", "\u200btitre: Créer"),
        (2, 1, "CTG001"),
        ["espace sans chasse (U+200B)", "supprimez ce caractère invisible"],
        ["zero-width space (U+200B)", "delete this invisible character"],
    ),
    (
        "bom-in-the-middle",
        broken("titre: Créer", "\ufefftitre: Créer"),
        (2, 1, "CTG001"),
        ["BOM (U+FEFF)", "supprimez"],
        ["BOM character (U+FEFF)", "delete"],
    ),
    (
        "tab-name",
        broken("titre: Créer", "titre:\tCréer").replace("début: 2020", "début:\t\t2020"),
        None,  # a tab after ':' is an ordinary YAML separator: no error at all
        [],
        [],
    ),
    (
        "utf-16-le-bom",
        GOOD.encode("utf-16"),
        (1, 1, "CTG002"),
        ["enregistré en UTF-16 LE", "réenregistrez-le en UTF-8", "Bloc-notes", "VS Code"],
        ["saved in UTF-16 LE", "save it again as UTF-8", "Notepad", "LibreOffice"],
    ),
    (
        "utf-16-le-no-bom",
        GOOD.encode("utf-16-le"),
        (1, 1, "CTG002"),
        ["UTF-16 LE"],
        ["UTF-16 LE"],
    ),
    (
        "utf-16-be-bom",
        b"\xfe\xff" + GOOD.encode("utf-16-be"),
        (1, 1, "CTG002"),
        ["UTF-16 BE"],
        ["UTF-16 BE"],
    ),
    (
        "utf-16-be-no-bom",
        GOOD.encode("utf-16-be"),
        (1, 1, "CTG002"),
        ["UTF-16 BE"],
        ["UTF-16 BE"],
    ),
    (
        "windows-1252",
        GOOD.replace("titre: Créer", "titre: L’accueil : créer").encode("cp1252"),
        (1, 4, "CTG002"),
        ["Windows-1252", "l'octet 0xe9", "« é »", "Encodage : UTF-8", "LibreOffice"],
        ["Windows-1252", "byte 0xe9", "'é'", "Encoding: UTF-8"],
    ),
    (
        "windows-1252-apostrophe",
        GOOD.replace("numéro", "numero")
        .replace("titre: Créer", "titre: L’accueil")
        .encode("cp1252"),
        (2, 9, "CTG002"),
        ["Windows-1252", "« ’ »"],
        ["Windows-1252", "'’'"],
    ),
    (
        "one-windows-1252-byte-in-utf-8",
        GOOD.encode("utf-8").replace(b"titre: Cr\xc3\xa9er", b"titre: Cr\xe9er"),
        (2, 10, "CTG002"),
        ["« é »", "retapez ce caractère"],
        ["'é'", "type this character again"],
    ),
    (
        "binary",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        (3, 1, "CTG002"),
        ["données binaires"],
        ["binary data"],
    ),
]


def _write(plan: Path, content: str | bytes) -> None:
    path = plan / FICHE
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def _in(language: str, monkeypatch: pytest.MonkeyPatch, plan: Path):
    monkeypatch.setenv("CTG_LANG", language)
    i18n.set_language(language)
    return validate(plan)


def test_the_good_fiche_is_good(mini: Path) -> None:
    _write(mini, GOOD)
    assert validate(mini) == []


@pytest.mark.parametrize(
    ("content", "expected", "french", "english"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_one_located_diagnostic_naming_the_cause(
    mini: Path,
    monkeypatch: pytest.MonkeyPatch,
    content: str | bytes,
    expected: tuple[int, int, str] | None,
    french: list[str],
    english: list[str],
) -> None:
    _write(mini, content)
    found = {}
    for language, words in (("fr", french), ("en", english)):
        diagnostics = _in(language, monkeypatch, mini)
        if expected is None:
            assert diagnostics == []
            return
        assert len(diagnostics) == 1, "\n".join(map(str, diagnostics))
        (diagnostic,) = diagnostics
        assert diagnostic.file.endswith(FICHE)
        assert (diagnostic.line, diagnostic.column, diagnostic.code) == expected, diagnostic
        assert diagnostic.is_error
        for word in words:
            assert word in diagnostic.message, (word, diagnostic.message)
        found[language] = diagnostic
    # The same diagnostic in both languages: only the message differs.
    assert found["fr"].message != found["en"].message
    assert found["fr"].to_dict() | {"message": ""} == found["en"].to_dict() | {"message": ""}


def test_a_utf8_bom_at_the_start_stays_accepted(mini: Path) -> None:
    (mini / FICHE).write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert validate(mini) == []


def test_french_typography_inside_values_is_fine(mini: Path) -> None:
    """Non-breaking spaces where French puts them (« », before ':' in a text) are text."""
    text = broken(
        "titre: Créer un café des parents",
        "titre: « Créer\u00a0un café des parents\u00a0» en 2021\u202f!",
    )
    text = text.replace("référence: fiche action n°3", "référence: fiche action n°\u00a03")
    _write(mini, text)
    assert validate(mini) == []


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   \n\n",
        b"# fiche \xc3\xa0 \xc3\xa9crire\n\n# plus tard\n",
        b"---\n",
        b"\xef\xbb\xbf",
    ],
    ids=["zero-bytes", "blank", "comments", "document-marker", "bom-only"],
)
def test_an_empty_fiche_is_one_warning(
    mini: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    (mini / FICHE).write_bytes(content)
    for language, words in (
        ("fr", ["fiche vide", "remplissez-la", "supprimez le fichier"]),
        ("en", ["empty fiche", "fill it in", "delete the file"]),
    ):
        diagnostics = _in(language, monkeypatch, mini)
        assert [(d.line, d.column, d.code, d.is_error) for d in diagnostics] == [
            (1, 1, "CTG009", False)
        ], diagnostics
        assert all(word in diagnostics[0].message for word in words), diagnostics[0].message
    result = run_ctg("validate", str(mini))
    assert result.returncode == 0, result.stdout + result.stderr  # a warning does not block CI


def test_an_empty_plan_yaml_is_still_an_error(mini: Path) -> None:
    (mini / "plan.yaml").write_text("# à écrire\n", encoding="utf-8")
    diagnostics = validate(mini)
    assert [(d.line, d.column, d.code, d.is_error) for d in diagnostics] == [(1, 1, "CTG003", True)]


def test_the_parser_jargon_is_gone(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    jargon = ("while parsing", "while scanning", "block mapping", "expected key", "token")
    for _name, content, expected, _fr, _en in CASES:
        if expected is None or expected[2] != "CTG001":
            continue
        _write(mini, content)
        for language in ("fr", "en"):
            for diagnostic in _in(language, monkeypatch, mini):
                assert not any(word in diagnostic.message for word in jargon), diagnostic


# ---------------------------------------------------------------- a broken copy of a real plan

CIVRAISIEN = "civraisien-2019"


def _broken_civraisien(tmp_path: Path) -> tuple[Path, dict[str, tuple[int, int, str]]]:
    """Four mistakes in four fiches: an unknown objective, bad indentation, a non-breaking
    space after a key, a fiche saved as UTF-16 (as Notepad does)."""
    plan = copy_plan(PLANS / CIVRAISIEN, tmp_path / CIVRAISIEN)
    fiches = sorted((plan / "fiches").glob("*.yaml"))
    expected: dict[str, tuple[int, int, str]] = {}

    def edit(path: Path, old: str, new: str) -> int:
        text = path.read_text(encoding="utf-8")
        assert old in text, (path, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return text[: text.index(old)].count("\n") + 1

    unknown = fiches[0]
    line = edit(unknown, "  - 1.1.c\n", "  - 1.1.z\n")
    expected[unknown.name] = (line, 5, "CTG021")
    indented = fiches[2]
    line = edit(indented, "\naxes:\n", "\n  axes:\n") + 1
    expected[indented.name] = (line, 3, "CTG001")
    nbsp = fiches[3]
    line = edit(nbsp, "\ntitre: ", "\ntitre:\u00a0") + 1
    expected[nbsp.name] = (line, 7, "CTG001")
    utf16 = fiches[4]
    utf16.write_bytes(utf16.read_text(encoding="utf-8").encode("utf-16"))
    expected[utf16.name] = (1, 1, "CTG002")
    return plan, expected


def _errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if " CTG0" in line and "CTG041" not in line]


def test_a_broken_civraisien_in_french_by_default(tmp_path: Path) -> None:
    plan, expected = _broken_civraisien(tmp_path)
    environment = {key: value for key, value in os.environ.items() if key != "CTG_LANG"}
    result = run_ctg("validate", str(plan), env=environment)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = _errors(result.stdout)
    assert len(lines) == 4, result.stdout  # one line per mistake
    by_file = {Path(line.split(":", 1)[0]).name: line for line in lines}
    assert set(by_file) == set(expected), result.stdout
    for name, (line, column, code) in expected.items():
        assert f"{name}:{line}:{column}: " in by_file[name], by_file[name]
        assert f" {code} " in by_file[name], by_file[name]
    causes = {
        "CTG001-indent": "indentation trop profonde",
        "CTG001-nbsp": "espace insécable (U+00A0)",
        "CTG002": "UTF-16",
    }
    text = "\n".join(lines)
    for cause in causes.values():
        assert cause in text, text
    assert "1.1.z" in text


def test_a_broken_civraisien_in_english_and_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan, expected = _broken_civraisien(tmp_path)
    english = run_ctg("validate", str(plan))  # conftest asks for English
    lines = _errors(english.stdout)
    assert len(lines) == 4 and english.returncode == 1, english.stdout
    text = "\n".join(lines)
    for cause in ("indentation too deep", "non-breaking space (U+00A0)", "UTF-16"):
        assert cause in text, text
    # JSON: the same diagnostics in both languages; only the message follows the language.
    outputs = {}
    for language in ("fr", "en"):
        monkeypatch.setenv("CTG_LANG", language)
        result = invoke("validate", "--format", "json", str(plan))
        assert result.exit_code == 1
        outputs[language] = json.loads(result.stdout)
    french, english_json = outputs["fr"], outputs["en"]
    assert french["errors"] == english_json["errors"] == 4

    def without_message(data: dict) -> list[dict]:
        return [d | {"message": ""} for d in data["diagnostics"]]

    assert without_message(french) == without_message(english_json)
    assert {d["severity"] for d in french["diagnostics"]} <= {"error", "warning"}
    shutil.rmtree(plan)
