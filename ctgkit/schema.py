"""JSON Schemas of the plan files, generated from the pydantic models.

``plan`` is plan.yaml's schema; ``fiche`` is the schema of a fiche on a plan's form
(the general form when no plan is given), with the plan's own fields, so that editors
complete them.
"""

from __future__ import annotations

import json
from typing import Any

KINDS = ("plan", "fiche")
SCHEMA_IDS = {
    "plan": "https://ctgkit.invalid/schema/plan.schema.json",
    "fiche": "https://ctgkit.invalid/schema/fiche.schema.json",
}


def schema_dict(kind: str, form: Any = None) -> dict[str, Any]:
    """The JSON Schema of ``kind``; for a fiche, on ``form`` (a :class:`ctgkit.form.Form`)."""
    from .model import PlanFile

    if kind == "plan":
        model: Any = PlanFile
    else:
        if form is None:
            from .form import resolve
            from .model import FormSpec

            form = resolve(FormSpec())
        model = form.model()
    data: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    data.update(model.model_json_schema(mode="validation", by_alias=True))
    data["$id"] = SCHEMA_IDS[kind]
    return data


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def json_schema(kind: str, form: Any = None) -> str:
    return dumps(schema_dict(kind, form))
