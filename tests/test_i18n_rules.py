"""The validation rules speak French by default and English on request (issue 13).

Every rule fixture gives the same diagnostics (file, line, column, code, severity) in both
languages; only the message follows the language. `ctg rules` lists French summaries and
docs; the most common mistakes have their French message pinned.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ctgkit import i18n, validate
from ctgkit.model import Date, describe_value, error_message
from ctgkit.rules import RULES, as_table
from ctgkit.rules.context import did_you_mean

from .conftest import PLANS, copy_plan, invoke
from .test_rule_fixtures import CASES, _build

#: Codes exempt from the "no English word" check: none (the loader's and the YAML reader's
#: messages are French too; tests/test_i18n_yaml.py pins their wording).
LOADER_CODES: set[str] = set()
#: Words of the English messages that no French message contains.
ENGLISH = re.compile(
    r"\b(the|is|does|did you mean|not an?|already|cites|belongs?|declares|which|before|"
    r"after|ends|starts|expected|unknown|malformed|level)\b"
)


def _json(
    plan: Path, monkeypatch: pytest.MonkeyPatch, language: str | None, *options: str
) -> list[dict]:
    if language is None:
        monkeypatch.delenv("CTG_LANG", raising=False)
    else:
        monkeypatch.setenv("CTG_LANG", language)
    result = invoke("validate", "--format", "json", *options, str(plan))
    return json.loads(result.stdout)["diagnostics"]


def _where(d: dict) -> tuple:
    return (d["file"], d["line"], d["column"], d["code"], d["severity"])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_fixture_speaks_french_by_default_and_english_on_request(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan, _overlaid = _build(case, tmp_path)
    spec = tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))
    options = ("--today", str(spec["today"])) if "today" in spec else ()
    default = _json(plan, monkeypatch, None, *options)
    french = _json(plan, monkeypatch, "fr", *options)
    english = _json(plan, monkeypatch, "en", *options)
    assert default == french
    assert [_where(d) for d in french] == [_where(d) for d in english]
    assert english, case.name
    for fr, en in zip(french, english, strict=True):
        assert en["severity"] in ("error", "warning")  # a token, never translated
        if fr["code"] in LOADER_CODES:
            continue
        assert fr["message"] != en["message"], fr
        assert not ENGLISH.search(fr["message"]), fr["message"]


def test_french_messages_keep_quotes_and_french_spacing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = []
    for case in CASES:
        plan, _overlaid = _build(case, tmp_path / case.name)
        messages += [
            d["message"] for d in _json(plan, monkeypatch, "fr") if d["code"] not in LOADER_CODES
        ]
    assert messages
    for message in messages:
        # Values are quoted « like this », not 'like this'; a space comes before : ; ? !
        assert not re.search(r"(^|[\s(])'", message), message
        # YAML shown as written (`unité: texte`, « objectifs: [1.1.a] ») keeps its own spacing.
        prose = re.sub(r"`[^`]*`|« [^«»]* »", "", message)
        assert not re.search(r"\S[:;?!](\s|$)", prose), message


# --------------------------------------------------------------------------- exact messages


def _messages(plan: Path, code: str) -> list[str]:
    return [d.message for d in validate(plan) if d.code == code]


def _civraisien(tmp_path: Path, fiche: str, old: str, new: str) -> Path:
    plan = copy_plan(PLANS / "civraisien-2019", tmp_path / "plan")
    path = next((plan / "fiches").glob(f"{fiche}-*.yaml"))
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return plan


def test_unknown_code_in_french(tmp_path: Path) -> None:
    plan = _civraisien(tmp_path, "04", "  - 3.2.d\n", "  - 3.2.z\n")
    i18n.set_language("fr")
    assert _messages(plan, "CTG021") == ["le code « 3.2.z » n'existe pas dans le plan"]
    i18n.set_language("en")
    assert _messages(plan, "CTG021") == ["code '3.2.z' does not exist in the plan"]


def test_malformed_code_with_its_suggestion_in_french(tmp_path: Path) -> None:
    plan = _civraisien(tmp_path, "01", "  - 1.2.d  #", "  - 1.d.  #")
    i18n.set_language("fr")
    assert _messages(plan, "CTG020") == [
        "code mal formé « 1.d. » (des lettres ou des chiffres séparés par un seul point, comme "
        "3.1.c) (vouliez-vous dire « 1.2.d » ?)"
    ]
    i18n.set_language("en")
    assert _messages(plan, "CTG020") == [
        "malformed code '1.d.' (letters or digits separated by single dots, like 3.1.c) "
        "(did you mean '1.2.d'?)"
    ]


def test_unknown_code_with_a_suggestion_in_french(tmp_path: Path) -> None:
    plan = _civraisien(tmp_path, "04", "  - 3.2.d\n", "  - 3.d.2\n")
    i18n.set_language("fr")
    assert _messages(plan, "CTG021") == [
        "le code « 3.d.2 » n'existe pas dans le plan (vouliez-vous dire « 3.2.d » ?)"
    ]


def test_unknown_key_with_a_suggestion_in_french(mini: Path) -> None:
    fiche = mini / "fiches" / "02-lieu-parents.yaml"
    fiche.write_text(
        fiche.read_text(encoding="utf-8") + "lacunes: [{champ: impact, note: Non renseigné}]\n",
        encoding="utf-8",
    )
    i18n.set_language("fr")
    assert _messages(mini, "CTG034") == [
        "« impact » n'est pas un champ du formulaire « vienne-2019 » "
        "(vouliez-vous dire « impacts » ?)"
    ]
    # The loader's unknown key message (CTG012) is built from the same pieces.
    assert error_message({"type": "extra_forbidden"}, ("pilote",)) + did_you_mean(["pilotes"]) == (
        "champ inconnu « pilote » (vouliez-vous dire « pilotes » ?)"
    )


def test_one_error_for_a_wrong_axis_in_french(tmp_path: Path) -> None:
    # Fiche 2 of Civraisien 2019 as in the source: A.3 written for A.4.
    plan = _civraisien(tmp_path, "02", "  - A.4  #", "  - A.3  #")
    i18n.set_language("fr")
    assert _messages(plan, "CTG024") == [
        "la fiche déclare A.3 (axe) mais ne cite aucun objectif qui en relève ; "
        "4.3.f, 4.3.g, A.4.3 relèvent de A.4 (axe), qu'elle ne déclare pas "
        "(vouliez-vous dire « A.4 » ?)"
    ]


def test_suggestion_lists_in_french() -> None:
    i18n.set_language("fr")
    assert did_you_mean([]) == ""
    assert did_you_mean(["1.2.d"]) == " (vouliez-vous dire « 1.2.d » ?)"
    assert did_you_mean(["a", "b"]) == " (vouliez-vous dire « a » ou « b » ?)"
    assert did_you_mean(["a", "b", "c"]) == " (vouliez-vous dire « a », « b » ou « c » ?)"
    i18n.set_language("en")
    assert did_you_mean(["a", "b", "c"]) == " (did you mean 'a' or 'b' or 'c'?)"


# --------------------------------------------------------------------------- ctg rules


def test_rules_summaries_are_french_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CTG_LANG", raising=False)
    lines = invoke("rules").stdout.splitlines()
    rows = {line.split("\t")[0]: line.split("\t") for line in lines}
    assert sorted(rows) == sorted(RULES)
    assert rows["CTG021"] == [
        "CTG021",
        "erreur",
        "unknown-code",
        "Une fiche cite un code qui n'existe pas dans le plan.",
    ]
    words = {"error": "erreur", "warning": "avertissement"}
    for code, (_code, severity, name, summary) in rows.items():
        assert (severity, name) == (words[RULES[code].severity.value], RULES[code].name)
        assert summary != RULES[code].summary, code
    monkeypatch.setenv("CTG_LANG", "en")
    english = invoke("rules").stdout.splitlines()
    assert [line.split("\t")[3] for line in english] == [
        RULES[line.split("\t")[0]].summary for line in english
    ]


def test_rule_docs_are_french_and_keep_their_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    labels = {"What:": "Quoi :", "Why:": "Pourquoi :", "Example:": "Exemple :"}
    i18n.set_language("fr")
    for row in as_table():
        english = RULES[row["code"]].doc
        french = row["doc"]
        assert french and french != english, row["code"]
        wanted = [labels[w] for w in re.findall(r"^(What:|Why:|Example:)", english, re.M)]
        assert re.findall(r"^(Quoi :|Pourquoi :|Exemple :)", french, re.M) == wanted, row["code"]
        # Code, keys and examples are kept as written.
        for span in re.findall(r"`[^`]+`", english):
            assert span in french.replace("\n", " "), (row["code"], span)
    monkeypatch.setenv("CTG_LANG", "fr")
    shown = invoke("rules", "CTG024").stdout
    assert "Quoi : quand une fiche déclare des axes" in shown
    assert shown.startswith("CTG024 inconsistent-declaration (erreur)\n")


# --------------------------------------------------------------------------- form and dates


def test_form_errors_in_french(mini: Path) -> None:
    plan = mini / "plan.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace(
            "formulaire: vienne-2019", "formulaire: {base: vienne-2019, champs: [{nom: Public}]}"
        ),
        encoding="utf-8",
    )
    i18n.set_language("fr")
    (message,) = _messages(mini, "CTG008")
    assert message.startswith("le champ « Public » n'est pas un champ standard : indiquez son")


@pytest.mark.parametrize(
    ("value", "french"),
    [
        ("bientôt", "il faut une date comme 2024, 2024-09 ou 2024-09-30"),
        ("1850", "l'année doit être comprise entre 1900 et 2200"),
        ("2024-13", "le mois doit être compris entre 01 et 12"),
        ("2023-02-29", "ce jour n'existe pas dans ce mois"),
    ],
)
def test_date_errors_in_french(value: str, french: str) -> None:
    from ctgkit.dates import DateError, PartialDate

    i18n.set_language("fr")
    with pytest.raises(DateError) as caught:
        PartialDate.parse(value)
    assert str(caught.value) == french


# --------------------------------------------------------------------------- pydantic errors


class _Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    titre: str
    nombre: int = 0
    oui: bool = False
    liste: list[str] = Field(default_factory=list)
    fiche: dict[str, int] = Field(default_factory=dict)
    choix: str = Field("a", pattern="^[ab]$")
    courte: str = Field("x", max_length=3)
    positif: int = Field(1, gt=0)
    début: Date | None = None


def _errors(data: dict) -> dict[str, dict]:
    with pytest.raises(ValidationError) as caught:
        _Sample.model_validate(data)
    return {str(e["loc"][0]) if e["loc"] else "": e for e in caught.value.errors()}


@pytest.mark.parametrize(
    ("data", "field", "english", "french"),
    [
        ({}, "titre", "missing required field 'titre'", "il manque le champ obligatoire « titre »"),
        (
            {"titre": "t", "titr": 1},
            "titr",
            "unknown field 'titr'",
            "champ inconnu « titr »",
        ),
        ({"titre": 3.5}, "titre", "expected text, got '3.5'", "il faut un texte (ici : « 3.5 »)"),
        (
            {"titre": "t", "nombre": "dix"},
            "nombre",
            "expected a whole number, got 'dix'",
            "il faut un nombre entier (ici : « dix »)",
        ),
        (
            {"titre": "t", "oui": "peut-être"},
            "oui",
            "expected OUI/NON (true/false), got 'peut-être'",
            "il faut OUI ou NON (ici : « peut-être »)",
        ),
        (
            {"titre": "t", "liste": "CCAS"},
            "liste",
            "expected a list, got 'CCAS'",
            "il faut une liste (ici : « CCAS »)",
        ),
        (
            {"titre": "t", "fiche": ["a"]},
            "fiche",
            "expected a mapping of fields, got a list",
            "il faut des champs « clé : valeur » (ici : une liste)",
        ),
        (
            {"titre": "t", "courte": "trop long"},
            "courte",
            "too long: at most 3 allowed",
            "trop long : 3 au plus",
        ),
        (
            {"titre": "t", "positif": 0},
            "positif",
            "'0' is out of range (it must be more than 0)",
            "« 0 » est hors des limites (il faut plus de 0)",
        ),
        (
            {"titre": "t", "début": "bientôt"},
            "début",
            "expected a date such as 2024, 2024-09 or 2024-09-30, got 'bientôt'",
            "il faut une date comme 2024, 2024-09 ou 2024-09-30 (ici : « bientôt »)",
        ),
    ],
)
def test_pydantic_errors_get_our_messages(
    data: dict, field: str, english: str, french: str
) -> None:
    i18n.set_language("en")
    assert error_message(_errors(data)[field], (field,)) == english
    i18n.set_language("fr")
    assert error_message(_errors(data)[field], (field,)) == french


def test_literal_and_unknown_pydantic_errors() -> None:
    error = {"type": "literal_error", "input": "terminée", "ctx": {"expected": "'a', 'b' or 'c'"}}
    i18n.set_language("fr")
    assert error_message(error) == (
        "« terminée » ne fait pas partie des choix possibles : 'a', 'b' ou 'c'"
    )
    # A type we do not know still reads as a sentence, never as pydantic's English.
    odd = {"type": "uuid_parsing", "input": "x", "msg": "Input should be a valid UUID"}
    assert error_message(odd) == "valeur non valide : « x » (uuid_parsing)"
    assert describe_value(None) == "rien"
    i18n.set_language("en")
    assert error_message(odd) == "invalid value (uuid_parsing), got 'x'"
    assert (
        error_message(
            {"type": "greater_than_equal", "input": 1850, "ctx": {"ge": 1900}}, ("début",)
        )
        == "expected a year such as 2020, got '1850'"
    )
