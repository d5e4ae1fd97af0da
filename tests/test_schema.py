"""`ctg schema`: JSON Schemas generated from the models (one source of truth: the form),
that editors can use and that agree with the loader."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from ctgkit.form import shipped_forms
from ctgkit.model import fold

from .conftest import BUNDLED, MINI, PLANS, ROOT, invoke

YAML_LOADER = YAML(typ="safe", pure=False)


def schema(kind: str, plan: Path | None = None) -> dict:
    args = ["schema", kind] + (["--plan", str(plan)] if plan is not None else [])
    result = invoke(*args)
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def as_json(path: Path) -> object:
    """The file's data as plain JSON types (YAML dates such as 2022-06-30 become text)."""
    return json.loads(json.dumps(YAML_LOADER.load(path.read_text(encoding="utf-8")), default=str))


def vienne_groups() -> list[str]:
    form = shipped_forms()[fold("vienne-2019")]
    impacts = next(f for f in form.fields if f.key == "impacts")
    return list(impacts.groups)


@pytest.mark.parametrize(
    "args",
    [("plan",), ("fiche",), ("fiche", PLANS / "civraisien-2019"), ("fiche", PLANS / "tarn-agout")],
    ids=["plan", "fiche", "fiche-vienne", "fiche-tarn"],
)
def test_schema_is_valid_draft_2020_12(args: tuple) -> None:
    document = schema(*args)
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["additionalProperties"] is False


def test_schemas_are_generated_not_stored() -> None:
    assert not (ROOT / "ctgkit" / "schemas").exists()
    assert not (ROOT / "ctgkit" / "fastpath.py").exists()


def test_vienne_plan_schema_has_the_impact_grid_and_participation() -> None:
    properties = schema("fiche", PLANS / "civraisien-2019")["properties"]
    impacts = properties["impacts"]
    assert list(impacts["properties"]) == vienne_groups()
    assert "Mobilité" in impacts["properties"]["Mode de vie et systèmes"]["items"]["enum"]
    assert impacts["description"].startswith("Les déterminants cochés")
    assert "participation" in properties
    assert properties["cette_action_est"]["title"] == "Cette action est"
    assert {"durée", "cette_action_est"} <= set(properties)


def test_general_form_plan_schema_has_no_impact_grid() -> None:
    document = schema("fiche", PLANS / "civraisien-2024")
    properties = document["properties"]
    assert "impacts" not in properties and "participation" not in properties
    assert "cette_action_est" not in properties
    assert {"budget", "public", "communes", "notes", "lacunes"} <= set(properties)
    # Without --plan the fiche schema is the general form's.
    assert schema("fiche")["properties"].keys() == properties.keys()


def test_a_plans_own_fields_appear_in_its_schema(mini: Path) -> None:
    plan = mini / "plan.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace(
            "formulaire: vienne-2019  #",
            "formulaire:\n"
            "  base: vienne-2019\n"
            "  champs:\n"
            "    - nom: public_prioritaire\n"
            "      libellé: Public prioritaire\n"
            "      type: choix\n"
            "      choix: [familles, jeunes, seniors]\n"
            "      obligatoire: true\n"
            "      aide: Le public que l'action vise d'abord.\n"
            "    - nom: coût_total\n"
            "      type: montant\n"
            "#",
        ),
        encoding="utf-8",
    )
    document = schema("fiche", mini)
    field = document["properties"]["public_prioritaire"]
    assert field["title"] == "Public prioritaire"
    assert field["description"] == "Le public que l'action vise d'abord."
    assert "familles" in json.dumps(field, ensure_ascii=False)
    assert "public_prioritaire" in document["required"]
    assert "coût_total" in document["properties"]
    # Still the Vienne form underneath.
    assert "impacts" in document["properties"]
    validator = jsonschema.Draft202012Validator(document)
    assert list(validator.iter_errors({"numéro": 1, "titre": "x"}))  # public_prioritaire missing
    assert not list(
        validator.iter_errors(
            {"numéro": 1, "titre": "x", "public_prioritaire": "jeunes", "coût_total": 1200.5}
        )
    )
    assert list(validator.iter_errors({"numéro": 1, "titre": "x", "public_prioritaire": "tous"}))


def test_schema_plan_option_errors(tmp_path: Path) -> None:
    assert invoke("schema", "plan", "--plan", str(MINI)).exit_code == 2
    assert invoke("schema", "fiche", "--plan", str(tmp_path)).exit_code == 2
    (tmp_path / "plan.yaml").write_text(
        "format: 2\nformulaire: inconnu\ntitre: x\nterritoire: {nom: y}\n"
        "niveaux: [{nom: axe}]\nstratégie: [{code: '1', titre: Un axe}]\n",
        encoding="utf-8",
    )
    result = invoke("schema", "fiche", "--plan", str(tmp_path))
    assert result.exit_code == 1
    assert "CTG008" in result.stdout + result.stderr


def plan_dirs() -> list[Path]:
    return [PLANS / slug for slug in BUNDLED] + [MINI]


def plan_schema_errors(data: object) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema("plan"))
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(data)]


@pytest.mark.parametrize("plan", plan_dirs(), ids=lambda p: p.name)
def test_every_bundled_plan_yaml_satisfies_the_plan_schema(plan: Path) -> None:
    assert plan_schema_errors(as_json(plan / "plan.yaml")) == [], plan


@pytest.mark.parametrize("plan", plan_dirs(), ids=lambda p: p.name)
def test_every_bundled_fiche_satisfies_its_plans_schema(plan: Path) -> None:
    fiche_validator = jsonschema.Draft202012Validator(schema("fiche", plan))
    for path in sorted(plan.glob("fiches/*.yaml")):
        errors = [
            f"{list(e.path)}: {e.message}" for e in fiche_validator.iter_errors(as_json(path))
        ]
        assert errors == [], path


def test_bundled_fiche_count() -> None:
    assert sum(len(list(p.glob("fiches/*.yaml"))) for p in plan_dirs()) == 18 + 8 + 3


def test_schema_catches_what_the_loader_catches() -> None:
    validator = jsonschema.Draft202012Validator(schema("fiche", PLANS / "civraisien-2019"))
    assert any(
        e.validator == "additionalProperties"
        for e in validator.iter_errors({"numéro": 1, "titre": "x", "pilote": ["typo"]})
    )
    # Format-1 keys are unknown now.
    assert list(validator.iter_errors({"number": 1, "title": "x"}))
    assert list(validator.iter_errors({"numéro": 1}))  # titre missing
    assert list(validator.iter_errors({"numéro": 1, "titre": "x", "cette_action_est": "finie"}))
    assert not list(
        validator.iter_errors(
            {
                "numéro": "2",
                "titre": "x",
                "objectifs": ["1.1.a", {"code": "1.1.b", "texte": "y"}],
                "participation": {"organisation": "oui", "analyse_des_besoins": True},
                "étapes": ["a", {"texte": "b", "étapes": ["c"]}],
                "début": "2024-09",
                "fin": 2025,
                "impacts": {"Mode de vie et systèmes": ["Mobilité"]},
            }
        )
    )
    general = jsonschema.Draft202012Validator(schema("fiche"))
    assert not list(
        general.iter_errors(
            {
                "numéro": 1,
                "titre": "x",
                "budget": [{"financeur": "CAF", "montant": 1500, "nature": "fonds locaux"}],
                "début": "2024-09-30",
            }
        )
    )
    assert list(general.iter_errors({"numéro": 1, "titre": "x", "début": "2024/2025"}))


def test_plan_schema_accepts_format_2_shapes() -> None:
    validator = jsonschema.Draft202012Validator(schema("plan"))
    base: dict = {
        "format": 2,
        "titre": "x",
        "territoire": {"nom": "y"},
        "niveaux": [{"nom": "axe"}],
        "stratégie": [{"code": "1", "titre": "Un axe"}],
    }
    assert not list(validator.iter_errors(base))  # no période: fine
    assert not list(
        validator.iter_errors({**base, "état": {"valeur": "proposition", "date": "2024-06"}})
    )
    assert not list(
        validator.iter_errors({**base, "formulaire": {"base": "général", "champs": []}})
    )
    assert list(validator.iter_errors({**base, "état": {"valeur": "rêvée"}}))
    assert list(validator.iter_errors({**base, "format": 1}))
    assert list(validator.iter_errors({k: v for k, v in base.items() if k != "format"}))
    # The shorthands the loader accepts.
    assert plan_schema_errors({**base, "état": "signée", "formulaire": "vienne-2019"}) == []
