"""`ctg new plan` and `ctg new fiche`: skeletons that validate at once, commented in French,
that never replace anything."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ctgkit.loader import load_plan
from ctgkit.scaffold import file_name, scalar
from ctgkit.source import parse_yaml

from .conftest import PLANS, copy_plan, invoke

CIVRAISIEN = PLANS / "civraisien-2019"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def validate(plan: Path) -> tuple[int, str]:
    result = invoke("validate", str(plan))
    return result.exit_code, result.stdout + result.stderr


def new_plan(folder: Path, *extra: str):
    return invoke(
        "new",
        "plan",
        str(folder),
        "--titre",
        "Convention Territoriale Globale de l'Exemple",
        "--territoire",
        "Communauté de communes de l'Exemple",
        "--periode",
        "2025-2029",
        *extra,
    )


@pytest.mark.parametrize("form", ["général", "vienne-2019"])
def test_new_plan_then_fiche_validates(tmp_path: Path, form: str) -> None:
    plan = tmp_path / "exemple"
    result = new_plan(plan, "--formulaire", form)
    assert result.exit_code == 0, result.stderr
    assert (plan / "plan.yaml").is_file() and (plan / "fiches").is_dir()
    text = (plan / "plan.yaml").read_text(encoding="utf-8")
    assert "# Le formulaire des fiches actions" in text  # commented in French
    assert "# Période de la convention" in text
    data = parse_yaml(text)
    assert data["titre"] == "Convention Territoriale Globale de l'Exemple"
    assert data["territoire"]["nom"] == "Communauté de communes de l'Exemple"
    assert data["période"] == {"début": 2025, "fin": 2029}
    assert data["formulaire"] == form
    assert validate(plan) == (0, "0 errors, 0 warnings in 1 plan\n")

    result = invoke(
        "new",
        "fiche",
        str(plan),
        "--titre",
        "Créer un relais petite enfance",
        "--objectif",
        "1.1.a",
    )
    assert result.exit_code == 0, result.stderr
    fiche = plan / "fiches" / "01-creer-relais-petite-enfance.yaml"
    assert fiche.is_file()
    content = fiche.read_text(encoding="utf-8")
    assert "# Intitulé de l'action." in content and "# Pilote(s), porteur(s)" in content
    loaded = load_plan(plan)
    # every field of the form is in the file, except the transcription flag
    keys = set(parse_yaml(content))
    assert keys == {f.key for f in loaded.form.fields} - {"numéro_éditorial"}
    if form == "vienne-2019":
        assert "impacts" in keys and "participation" in keys and "budget" not in keys
    else:
        assert "budget" in keys and "impacts" not in keys
    assert validate(plan) == (0, "0 errors, 0 warnings in 1 plan\n")


def test_a_fiche_without_objectives_only_warns(tmp_path: Path) -> None:
    """Without --objectif the fiche serves nothing yet: the one warning is CTG026, which
    says so (and the command says it too)."""
    plan = tmp_path / "p"
    assert new_plan(plan).exit_code == 0
    result = invoke("new", "fiche", str(plan), "--titre", "Une action")
    assert result.exit_code == 0
    assert "cites no objective yet" in result.stderr
    code, output = validate(plan)
    assert code == 0
    assert "CTG026" in output and "0 errors, 1 warning" in output


def test_without_any_option_in_an_empty_folder(tmp_path: Path) -> None:
    """Not a terminal: nothing is asked, placeholders are written, and it validates."""
    result = invoke("new", "plan", ".", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert invoke("new", "fiche", ".", cwd=tmp_path).exit_code == 0
    assert validate(tmp_path)[0] == 0
    assert (tmp_path / "fiches" / "01-nouvelle-fiche-action.yaml").is_file()


def test_new_plan_refuses_to_overwrite(tmp_path: Path) -> None:
    plan = tmp_path / "p"
    assert new_plan(plan).exit_code == 0
    (plan / "plan.yaml").write_text((plan / "plan.yaml").read_text() + "# mine\n")
    before = snapshot(plan)
    result = new_plan(plan, "--formulaire", "vienne-2019")
    assert result.exit_code == 2
    assert "already exists; refusing to overwrite it" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(plan) == before


def test_new_plan_refuses_bad_values(tmp_path: Path) -> None:
    for extra in (
        ["--periode", "2029-2025"],
        ["--periode", "2025"],
        ["--formulaire", "caf-99"],
        ["--debut", "2025"],
    ):
        result = invoke("new", "plan", str(tmp_path / "p"), *extra)
        assert result.exit_code == 2, extra
        assert "ctg: error:" in result.stderr
    assert not (tmp_path / "p").exists()
    result = invoke("new", "plan", str(tmp_path / "p"), "--debut", "2024", "--fin", "2027")
    assert result.exit_code == 0
    assert parse_yaml((tmp_path / "p" / "plan.yaml").read_text())["période"] == {
        "début": 2024,
        "fin": 2027,
    }


def test_new_fiche_numbers_after_the_highest(tmp_path: Path) -> None:
    plan = copy_plan(CIVRAISIEN, tmp_path / "civraisien-2019")
    result = invoke(
        "new",
        "fiche",
        str(plan),
        "--titre",
        "Développer l'accueil des enfants (à l'échelle du territoire)",
        "--objectif",
        "3.1.c",
    )
    assert result.exit_code == 0, result.stderr
    fiche = plan / "fiches" / "19-developper-accueil-enfants-echelle.yaml"
    assert fiche.is_file(), sorted(p.name for p in (plan / "fiches").iterdir())
    assert parse_yaml(fiche.read_text(encoding="utf-8"))["numéro"] == 19
    assert "impacts" in parse_yaml(fiche.read_text(encoding="utf-8"))  # the plan's form
    code, output = validate(plan)
    assert code == 0, output
    assert "fiches/19-" not in output  # the new fiche adds no warning


def test_new_fiche_refuses_a_used_number_and_an_existing_file(tmp_path: Path) -> None:
    plan = copy_plan(CIVRAISIEN, tmp_path / "civraisien-2019")
    before = snapshot(plan)
    result = invoke("new", "fiche", str(plan), "--titre", "Autre", "--numero", "4")
    assert result.exit_code == 2
    assert "fiche number 4 is already used by" in result.stderr
    result = invoke(
        "new", "fiche", str(plan), "--titre", "Création réseau acteurs sociaux", "--numero", "1"
    )
    assert result.exit_code == 2
    # the same file name, another number: the existing file is never replaced
    (plan / "fiches" / "40-x.yaml").write_text("# not a fiche yet\n", encoding="utf-8")
    before = snapshot(plan)
    result = invoke("new", "fiche", str(plan), "--titre", "x", "--numero", "40")
    assert result.exit_code == 2
    assert "already exists; refusing to overwrite it" in result.stderr
    assert snapshot(plan) == before


def test_new_fiche_refuses_unknown_objectives(tmp_path: Path) -> None:
    plan = copy_plan(CIVRAISIEN, tmp_path / "civraisien-2019")
    before = snapshot(plan)
    for code in ("9.9.z", "A.3"):
        result = invoke("new", "fiche", str(plan), "--titre", "x", "--objectif", code)
        assert result.exit_code == 2, code
    assert snapshot(plan) == before


def test_new_fiche_on_a_plan_with_errors(tmp_path: Path) -> None:
    plan = tmp_path / "p"
    plan.mkdir()
    (plan / "plan.yaml").write_text("format: 2\ntitre: x\n", encoding="utf-8")
    result = invoke("new", "fiche", str(plan), "--titre", "x")
    assert result.exit_code == 1
    assert "CTG010" in result.stderr
    assert not (plan / "fiches").exists()
    assert invoke("new", "fiche", str(tmp_path / "nowhere")).exit_code == 2


def test_titles_that_need_quotes_come_back_as_typed(tmp_path: Path) -> None:
    plan = tmp_path / "p"
    title = 'Accès aux droits : « guichet » # 1, [CAF] & "MSA"'
    assert invoke("new", "plan", str(plan), "--titre", "2024", "--territoire", "oui").exit_code == 0
    data = parse_yaml((plan / "plan.yaml").read_text(encoding="utf-8"))
    assert data["titre"] == "2024" and data["territoire"]["nom"] == "oui"
    assert invoke("new", "fiche", str(plan), "--titre", title, "--numero", "A 2").exit_code == 0
    (fiche,) = (plan / "fiches").iterdir()
    assert fiche.name == "a-2-acces-droits-guichet-1.yaml"
    data = parse_yaml(fiche.read_text(encoding="utf-8"))
    assert data["titre"] == title and data["numéro"] == "A 2"
    assert validate(plan)[0] == 0


@pytest.mark.parametrize(
    "text", ["plain", "1.10", "true", "null", "- x", "a: b", "a #b", " x", "x\ny", "'q", "@x"]
)
def test_scalar_reads_back(text: str) -> None:
    assert parse_yaml(f"v: {scalar(text)}\n") == {"v": text}


def test_file_names() -> None:
    title = "Création d'un réseau d'acteurs sociaux (à l'échelle des pôles territoriaux)"
    assert file_name("1", title) == "01-creation-reseau-acteurs-sociaux.yaml"
    assert file_name("123", "«»") == "123-fiche.yaml"
    assert file_name("3 bis", "Ludothèque") == "3-bis-ludotheque.yaml"


def test_questions_at_a_terminal(tmp_path: Path, monkeypatch) -> None:
    """At a terminal, without options, the essentials are asked (in French by default)."""
    from typer.testing import CliRunner

    from ctgkit import cli

    monkeypatch.setattr(cli, "_interactive", lambda: True)
    monkeypatch.setenv("CTG_LANG", "fr")
    answers = "CC du Test\n\n2025-2028\nvienne-2019\n"
    result = CliRunner().invoke(cli.app, ["new", "plan", str(tmp_path / "t")], input=answers)
    assert result.exit_code == 0, result.output
    assert "Territoire" in result.output
    data = parse_yaml((tmp_path / "t" / "plan.yaml").read_text(encoding="utf-8"))
    assert data["territoire"]["nom"] == "CC du Test"
    assert data["titre"] == "Convention Territoriale Globale – CC du Test"
    assert data["période"] == {"début": 2025, "fin": 2028}
    assert data["formulaire"] == "vienne-2019"
    result = CliRunner().invoke(
        cli.app, ["new", "fiche", str(tmp_path / "t")], input="Mon action\n\n"
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "t" / "fiches" / "01-mon-action.yaml").is_file()


def test_messages_in_french(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CTG_LANG", "fr")
    assert new_plan(tmp_path / "p").exit_code == 0
    result = new_plan(tmp_path / "p")
    assert result.exit_code == 2
    assert "ctg : erreur :" in result.stderr and "refus" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_plan_yaml_is_not_replaced(tmp_path: Path) -> None:
    plan = tmp_path / "p"
    plan.mkdir()
    os.mkfifo(plan / "plan.yaml")
    result = new_plan(plan)
    assert result.exit_code == 2
    assert (plan / "plan.yaml").is_fifo()
