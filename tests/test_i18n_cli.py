"""The command line speaks French by default: help (ctg's and the framework's), usage
errors, progress and summaries, coverage, rules and actors; English on request (``--lang
en`` anywhere, ``CTG_LANG=en``, ``lang = "en"`` in ctg.toml). Machine formats (JSON, GitHub
annotations) do not change with the language, except the messages themselves."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ctgkit import i18n

from .conftest import MINI, PLANS, ROOT, invoke
from .test_validate_cli import break_mini

SUBCOMMANDS = ("validate", "rules", "schema", "migrate", "actors", "coverage", "render")
CIVRAISIEN = PLANS / "civraisien-2019"


@pytest.fixture
def french(monkeypatch: pytest.MonkeyPatch) -> None:
    """No CTG_LANG: the default, French (conftest asks every test for English)."""
    monkeypatch.delenv("CTG_LANG", raising=False)


def english_system_locale() -> dict[str, str]:
    """A machine set up in English, as CI machines are, and no CTG_LANG."""
    env = {k: v for k, v in os.environ.items() if k != "CTG_LANG"}
    env.update({"LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8", "LANGUAGE": "en_US:en"})
    return env


def ctg(*args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ctgkit.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_french_help(text: str) -> None:
    assert "Utilisation :" in text and "Options :" in text, text
    assert "Afficher ce message et quitter." in text, text
    assert "Usage:" not in text and "Show this message" not in text, text
    assert "Options:" not in text and "[default:" not in text and "[required]" not in text


def assert_english_help(text: str) -> None:
    assert "Usage:" in text and "Options:" in text, text
    assert "Show this message and exit." in text, text
    assert "Utilisation" not in text and "Afficher ce message" not in text, text


# ----------------------------------------------------------------------------------- help


def test_help_is_french_by_default_on_an_english_machine() -> None:
    env = english_system_locale()
    root = ctg("--help", env=env)
    assert root.returncode == 0, root.stderr
    assert_french_help(root.stdout)
    assert "Commandes :" in root.stdout and "Commands:" not in root.stdout
    assert "Vérifier, publier et mesurer" in root.stdout
    for name in SUBCOMMANDS:
        result = ctg(name, "--help", env=env)
        assert result.returncode == 0, (name, result.stderr)
        assert_french_help(result.stdout)
        assert "Exemple :" in result.stdout and "Example:" not in result.stdout, name


@pytest.mark.usefixtures("french")
def test_every_subcommand_help_is_french_in_every_part() -> None:
    """The command's text, each option's and argument's help, the framework's brackets."""
    expected = {
        "validate": ("Signaler chaque problème des plans", "Échouer aussi sur les avertissements"),
        "rules": ("Lister les règles de vérification", "Afficher la documentation d'une règle"),
        "schema": ("Afficher le schéma JSON", "plan (plan.yaml) ou fiche (fiches/*.yaml)."),
        "migrate": ("Réécrire sur place", "Dire ce qui changerait, sans rien écrire."),
        "actors": ("Qui fait quoi", "Dossiers de plans, ou dossiers qui contiennent des plans."),
        "coverage": ("Montrer les objectifs que servent les fiches", "[par défaut : 4"),
        "render": ("Publier chaque plan", "Dossier de sortie."),
    }
    for name, words in expected.items():
        result = invoke(name, "--help")
        assert result.exit_code == 0, result.stderr
        assert_french_help(result.stdout)
        for word in words:
            assert word in result.stdout, (name, word, result.stdout)
        assert (
            "Arguments :" in result.stdout and "[obligatoire]" in result.stdout or (name == "rules")
        )
        assert "Positional arguments" not in result.stdout
        assert "Arguments positionnels" not in result.stdout  # listed once, by typer


@pytest.mark.usefixtures("french")
def test_french_help_never_starts_a_line_with_closing_punctuation() -> None:
    """« : », « ; » and « » » stay on the line of the word before them when help is wrapped."""
    for args in (("--help",), *((name, "--help") for name in SUBCOMMANDS)):
        text = invoke(*args).stdout
        assert "\u00a0" not in text
        for line in text.splitlines():
            assert not re.match(r"\s*[:;»?!]", line), (args, line)
            assert not line.rstrip().endswith("«"), (args, line)


@pytest.mark.parametrize(
    "args",
    [
        ("--lang", "en", "validate", "--help"),
        ("validate", "--help", "--lang", "en"),
        ("validate", "--lang=en", "--help"),
        ("--lang", "en", "--help"),
    ],
)
def test_lang_en_anywhere_gives_english_help(args: tuple[str, ...], french: None) -> None:
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    assert_english_help(result.stdout)


def test_ctg_lang_en_gives_english_help() -> None:
    env = {**english_system_locale(), "CTG_LANG": "en"}
    for args in (("--help",), ("coverage", "--help")):
        result = ctg(*args, env=env)
        assert result.returncode == 0, result.stderr
        assert_english_help(result.stdout)


def test_lang_in_ctg_toml_gives_english(tmp_path: Path, french: None) -> None:
    (tmp_path / "ctg.toml").write_text('lang = "en"\n', encoding="utf-8")
    help_text = invoke("validate", "--help", cwd=tmp_path).stdout
    assert_english_help(help_text)
    summary = invoke("validate", str(MINI), cwd=tmp_path).stdout
    assert summary.strip() == "0 errors, 0 warnings in 1 plan"
    # The command line wins over the file.
    assert_french_help(invoke("--lang", "fr", "validate", "--help", cwd=tmp_path).stdout)


def test_unknown_language_is_a_plain_usage_error() -> None:
    env = english_system_locale()
    by_option = ctg("--lang", "de", "validate", str(MINI), env=env)
    assert by_option.returncode == 2
    assert by_option.stderr == (
        "ctg : erreur : --lang : langue inconnue « de » (ctg parle fr et en)\n"
    )
    by_variable = ctg("validate", str(MINI), env={**env, "CTG_LANG": "de"})
    assert by_variable.returncode == 2
    assert by_variable.stderr == (
        "ctg : erreur : CTG_LANG : langue inconnue « de » (ctg parle fr et en)\n"
    )
    assert "Traceback" not in by_option.stderr + by_variable.stderr


@pytest.mark.usefixtures("french")
def test_framework_usage_errors_are_french() -> None:
    unknown = invoke("validate", "--bogus", str(MINI))
    assert unknown.exit_code == 2
    assert "Utilisation : " in unknown.stderr
    assert "Erreur : Option '--bogus' inconnue." in unknown.stderr
    assert "Pour de l'aide, essayez « " in unknown.stderr
    assert "Error:" not in unknown.stderr and "No such option" not in unknown.stderr
    choice = invoke("validate", "--format", "xml", str(MINI))
    assert choice.exit_code == 2
    assert "Valeur invalide pour '--format' / '-f' : 'xml' ne fait pas partie" in choice.stderr
    missing = invoke("validate")
    assert missing.exit_code == 2 and "Erreur : Argument manquant 'PATH...'." in missing.stderr
    command = invoke("bogus")
    assert command.exit_code == 2 and "Commande 'bogus' inconnue." in command.stderr


# ------------------------------------------------------------------------------ validate


@pytest.mark.usefixtures("french")
def test_text_diagnostics_translate_only_the_severity(mini: Path) -> None:
    break_mini(mini)
    result = invoke("validate", str(mini))
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    fiche = f"{mini}/fiches/03-bus-services.yaml"
    assert lines[0].startswith(f"{fiche}:6:11: erreur CTG021 ")
    assert lines[1].startswith(f"{fiche}:9:1: erreur CTG012 ")
    assert lines[2].startswith(f"{fiche}:11:6: avertissement CTG041 ")
    assert lines[3] == "2 erreurs, 1 avertissement dans 1 plan"


@pytest.mark.parametrize(
    ("errors", "warnings", "plans", "french", "english"),
    [
        (0, 0, 1, "0 erreur, 0 avertissement dans 1 plan", "0 errors, 0 warnings in 1 plan"),
        (1, 1, 1, "1 erreur, 1 avertissement dans 1 plan", "1 error, 1 warning in 1 plan"),
        (2, 1, 1, "2 erreurs, 1 avertissement dans 1 plan", "2 errors, 1 warning in 1 plan"),
        (
            3,
            12,
            4,
            "3 erreurs, 12 avertissements dans 4 plans",
            "3 errors, 12 warnings in 4 plans",
        ),
    ],
)
def test_summary_line_plurals(
    errors: int, warnings: int, plans: int, french: str, english: str
) -> None:
    from ctgkit.diagnostics import summary_line

    i18n.set_language("fr")
    assert summary_line(errors, warnings, plans) == french
    i18n.set_language("en")
    assert summary_line(errors, warnings, plans) == english


def test_json_is_the_same_contract_in_both_languages(mini: Path, monkeypatch) -> None:
    break_mini(mini)
    english = json.loads(invoke("validate", "--format", "json", str(mini)).stdout)
    monkeypatch.setenv("CTG_LANG", "fr")
    french = json.loads(invoke("validate", "--format", "json", str(mini)).stdout)
    assert french.keys() == english.keys() == {"diagnostics", "errors", "warnings"}
    assert (french["errors"], french["warnings"]) == (english["errors"], english["warnings"])
    assert len(french["diagnostics"]) == len(english["diagnostics"]) == 3
    for fr, en in zip(french["diagnostics"], english["diagnostics"], strict=True):
        assert fr.keys() == en.keys()
        assert {k: v for k, v in fr.items() if k != "message"} == {
            k: v for k, v in en.items() if k != "message"
        }
    assert [d["severity"] for d in french["diagnostics"]] == ["error", "error", "warning"]


def test_github_annotations_keep_their_tokens(mini: Path, monkeypatch) -> None:
    break_mini(mini)
    monkeypatch.setenv("CTG_LANG", "fr")
    lines = invoke("validate", "--format", "github", str(mini)).stdout.strip().splitlines()
    assert [line.split(" ", 1)[0] for line in lines[:3]] == ["::error", "::error", "::warning"]
    assert ",title=CTG021::CTG021 " in lines[0]
    assert not any("erreur" in line or "avertissement" in line for line in lines[:3])
    assert lines[3] == "2 erreurs, 1 avertissement dans 1 plan"


# ------------------------------------------------------------------------- other commands


@pytest.mark.usefixtures("french")
def test_coverage_text_is_french() -> None:
    result = invoke("coverage", str(CIVRAISIEN))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Couverture des objectifs spécifiques : 68 sur 86 (79 %)" in out
    assert re.search(r"^objectif +fiches +couverts$", out, re.M)
    assert "Les objectifs spécifiques qu'aucune fiche ne sert (18) :" in out
    assert "Fiches qui ne citent aucun objectif (0) :\n  néant" in out
    assert "Objectifs servis par 4 fiches ou plus (4) :" in out
    assert re.search(r"^total +68/86 \(79 %\)$", out, re.M)
    for english in ("covered", "Uncovered", "Fiches citing", "Served by", "none"):
        assert english not in out


@pytest.mark.usefixtures("french")
def test_coverage_of_several_plans_ends_with_a_french_summary() -> None:
    out = invoke("coverage", str(PLANS)).stdout
    assert "Synthèse" in out and "ensemble" in out and "taux" in out
    assert "Couverture des objectifs opérationnels : 0 sur 28 (0 %)" in out


@pytest.mark.usefixtures("french")
def test_coverage_threshold_message_is_french(mini: Path) -> None:
    below = invoke("coverage", "--fail-under", "70", str(mini))
    assert below.exit_code == 1
    assert "couverture inférieure à 70 % : mini 66,7 %" in below.stderr
    nan = invoke("coverage", "--fail-under", "nan", str(mini))
    assert nan.exit_code == 2 and "nan n'est pas un nombre de 0 à 100." in nan.stderr


@pytest.mark.usefixtures("french")
def test_usage_errors_of_ctg_are_french(tmp_path: Path) -> None:
    missing = invoke("validate", str(tmp_path / "nulle-part"))
    assert missing.exit_code == 2
    assert (
        missing.stderr
        == f"ctg : erreur : {tmp_path / 'nulle-part'} : fichier ou dossier introuvable\n"
    )
    rule = invoke("rules", "CTG999")
    assert rule.stderr == "ctg : erreur : règle inconnue « CTG999 » (voir `ctg rules`)\n"
    ignore = invoke("validate", "--ignore", "rien", str(MINI))
    assert ignore.stderr == "ctg : erreur : --ignore : règle inconnue « rien » (voir `ctg rules`)\n"
    (tmp_path / "ctg.toml").write_text("ignorer = []\n", encoding="utf-8")
    config = invoke("validate", str(MINI), cwd=tmp_path)
    assert config.exit_code == 2
    assert (
        config.stderr
        == f"ctg : erreur : {tmp_path / 'ctg.toml'} : réglage(s) inconnu(s) : ignorer\n"
    )


@pytest.mark.usefixtures("french")
def test_refusals_to_write_are_french(tmp_path: Path, mini: Path) -> None:
    inside = invoke("coverage", str(mini), "-o", str(mini / "x.txt"))
    assert inside.exit_code == 2
    assert (
        "est dans le dossier du plan" in inside.stderr and "ctg refuse d'y écrire" in inside.stderr
    )
    device = invoke("render", str(mini), "-o", "/dev/null")
    assert device.exit_code == 2
    assert device.stderr.startswith("ctg : erreur : impossible d'écrire /dev/null : c'est ")
    written = invoke("render", str(mini), "-o", str(tmp_path / "site"))
    assert written.exit_code == 0, written.stderr
    assert re.fullmatch(r"\d+ fichiers écrits pour 1 plan dans .*site\n", written.stderr)


def test_system_reasons_are_said_in_french() -> None:
    import errno

    from ctgkit.fsutil import reason

    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    i18n.set_language("fr")
    assert reason(full) == "Plus de place sur le disque"
    assert reason(OSError(errno.EINVAL, "un texte à nous")) == "un texte à nous"
    i18n.set_language("en")
    assert reason(full) == "No space left on device"


@pytest.mark.usefixtures("french")
def test_rules_are_listed_in_french() -> None:
    out = invoke("rules").stdout
    first = out.splitlines()[0].split("\t")
    assert first[:3] == ["CTG001", "erreur", "yaml-syntax"]
    assert "\tavertissement\t" in out and "\terror\t" not in out
    one = invoke("rules", "CTG041").stdout
    assert one.startswith("CTG041 outside-period (avertissement)\n")


def test_rule_summaries_go_through_the_catalog(monkeypatch, capsys) -> None:
    """A rule's summary and doc are printed translated (their French is in the catalog)."""
    from ctgkit import output

    seen = []
    monkeypatch.setattr(output, "_", lambda text: seen.append(text) or f"<{text}>")
    output.print_rules(
        [{"code": "CTG999", "name": "x", "severity": "error", "summary": "S", "doc": "D"}],
        full=True,
    )
    assert "<S>" in capsys.readouterr().out and {"S", "D"} <= set(seen)
    output.print_rules(
        [{"code": "CTG999", "name": "x", "severity": "error", "summary": "S", "doc": ""}],
        full=True,
    )
    assert "" not in seen  # an empty doc is not looked up (it would be the catalog header)


@pytest.mark.usefixtures("french")
def test_actors_text_is_french(mini: Path) -> None:
    out = invoke("actors", str(CIVRAISIEN)).stdout
    assert "    pilote : 12 fiches (" in out and "    partenaire : aucune fiche\n" in out
    assert "    pilote : 1 fiche (5)\n" in out
    assert "no fiche" not in out
    fiche = mini / "fiches" / "03-bus-services.yaml"
    text = fiche.read_text(encoding="utf-8").replace("pilotes: [CCAS]", "pilotes: [Inconnu]")
    fiche.write_text(text, encoding="utf-8")
    assert "Inconnu  [absent du registre des acteurs]" in invoke("actors", str(mini)).stdout


def test_actors_text_in_english_keeps_the_format_words() -> None:
    out = invoke("actors", str(CIVRAISIEN)).stdout
    assert "    pilote : 12 fiches (" in out  # « pilote » and « partenaire » are the format's keys
    assert "    partenaire : no fiche\n" in out and "    pilote : 1 fiche (5)\n" in out


@pytest.mark.usefixtures("french")
def test_migrate_messages_are_french(tmp_path: Path) -> None:
    from .conftest import FIXTURES, copy_plan

    plans = copy_plan(FIXTURES / "format1", tmp_path / "ancien")
    dry = invoke("migrate", "--dry-run", str(plans))
    assert dry.exit_code == 0, dry.stderr
    said = dry.stderr.splitlines()
    assert (
        f"{plans}/civraisien-2019 : 19 fichiers seraient réécrits (formulaire : vienne-2019)"
        in said
    )
    assert f"{plans}/tarn-agout : 1 fichier serait réécrit (formulaire : général)" in said
    done = invoke("migrate", str(plans))
    assert f"{plans}/tarn-agout : 1 fichier réécrit (formulaire : général)" in done.stderr
    assert f"{plans}/civraisien-2024 : 9 fichiers réécrits (formulaire : général)" in done.stderr
    assert f"ensuite : ctg validate {plans}/" in done.stderr
    again = invoke("migrate", str(plans / "tarn-agout"))
    assert f"{plans}/tarn-agout : déjà au format 2, rien à faire" in again.stderr


def test_my_messages_and_the_framework_have_french() -> None:
    """Every message of the command line's files, its help and click's and typer's words
    has a French translation with the same placeholders (the rules' texts are checked with
    the whole catalog)."""
    from ctgkit.locale.__main__ import PLACEHOLDER, load_po

    owned_files = {
        f"ctgkit/{name}.py"
        for name in (
            "cli",
            "output",
            "coverage_output",
            "actors",
            "api",
            "config",
            "fsutil",
            "migrate",
            "diagnostics",
            "schema",
            "safe_text",
            "coverage_model",
        )
    }

    def owned(where: str) -> bool:
        return (
            where in owned_files or where.startswith(("click/", "typer/", "ctg ")) or where == "ctg"
        )

    missing, placeholders = [], []
    for message in load_po():
        if not message.id or not any(owned(where) for where, _line in message.locations):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            missing.append(ids[0])
            continue
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        wanted_repr = sorted(re.findall(r"\{\w+![rs]\}", ids[-1]))
        for string in strings:
            if (
                sorted(PLACEHOLDER.findall(string)) != wanted
                or sorted(re.findall(r"\{\w+![rs]\}", string)) != wanted_repr
            ):
                placeholders.append((ids[0], string))
    assert missing == [] and placeholders == []
