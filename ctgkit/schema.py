"""JSON Schemas of the plan files, generated from the pydantic models."""

from __future__ import annotations

import json

from .model import Fiche, PlanFile

SCHEMA_IDS = {
    "plan": "https://ctgkit.invalid/schema/plan.schema.json",
    "fiche": "https://ctgkit.invalid/schema/fiche.schema.json",
}


def schema_dict(kind: str) -> dict[str, object]:
    model = {"plan": PlanFile, "fiche": Fiche}[kind]
    data: dict[str, object] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    data.update(model.model_json_schema(mode="validation"))
    data["$id"] = SCHEMA_IDS[kind]
    return data


def json_schema(kind: str) -> str:
    return json.dumps(schema_dict(kind), ensure_ascii=False, indent=2)
