"""`ctg schema`: JSON Schemas that editors can use, and that agree with the loader."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from .conftest import MINI, PLANS, invoke

YAML_LOADER = YAML(typ="safe", pure=False)


def schema(kind: str) -> dict:
    result = invoke("schema", kind)
    assert result.exit_code == 0
    return json.loads(result.stdout)


@pytest.mark.parametrize("kind", ["plan", "fiche"])
def test_schema_is_valid_draft_2020_12(kind: str) -> None:
    document = schema(kind)
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["additionalProperties"] is False


def plan_files() -> list[Path]:
    return sorted(PLANS.glob("*/plan.yaml")) + [MINI / "plan.yaml"]


def fiche_files() -> list[Path]:
    return sorted(PLANS.glob("*/fiches/*.yaml")) + sorted(MINI.glob("fiches/*.yaml"))


def test_every_bundled_file_satisfies_its_schema() -> None:
    plan_validator = jsonschema.Draft202012Validator(schema("plan"))
    fiche_validator = jsonschema.Draft202012Validator(schema("fiche"))
    for path in plan_files():
        data = json.loads(
            json.dumps(YAML_LOADER.load(path.read_text(encoding="utf-8")), default=str)
        )
        assert list(plan_validator.iter_errors(data)) == [], path
    for path in fiche_files():
        data = json.loads(
            json.dumps(YAML_LOADER.load(path.read_text(encoding="utf-8")), default=str)
        )
        assert list(fiche_validator.iter_errors(data)) == [], path
    assert len(fiche_files()) == 18 + 8 + 3


def test_schema_catches_what_the_loader_catches() -> None:
    validator = jsonschema.Draft202012Validator(schema("fiche"))
    assert any(
        e.validator == "additionalProperties"
        for e in validator.iter_errors({"number": 1, "title": "x", "pilote": ["typo"]})
    )
    assert list(validator.iter_errors({"number": 1}))  # title missing
    assert list(validator.iter_errors({"number": 1, "title": "x", "status": "finie"}))
    assert not list(
        validator.iter_errors(
            {
                "number": "2",
                "title": "x",
                "objectives": ["1.1.a", {"code": "1.1.b"}],
                "participation": {"organisation": "oui"},
                "steps": ["a", {"text": "b", "steps": ["c"]}],
            }
        )
    )
