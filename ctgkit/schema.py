"""JSON Schemas of the plan files.

They are generated from the pydantic models (:func:`generate`) and stored in
``ctgkit/schemas/`` so that reading them needs no pydantic: editors use them, and the fast
path of the loader (:mod:`ctgkit.fastpath`) checks clean files against them. A test keeps
the stored files identical to what the models generate; after changing a model, run
``python -m ctgkit.schema`` to rewrite them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).parent / "schemas"
KINDS = ("plan", "fiche")
SCHEMA_IDS = {
    "plan": "https://ctgkit.invalid/schema/plan.schema.json",
    "fiche": "https://ctgkit.invalid/schema/fiche.schema.json",
}


def generate(kind: str) -> dict[str, Any]:
    """The schema the pydantic models give (imports pydantic)."""
    from .model import Fiche, PlanFile

    model = {"plan": PlanFile, "fiche": Fiche}[kind]
    data: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    data.update(model.model_json_schema(mode="validation"))
    data["$id"] = SCHEMA_IDS[kind]
    return data


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@cache
def schema_dict(kind: str) -> dict[str, Any]:
    """The stored schema (no pydantic import)."""
    return json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))


def json_schema(kind: str) -> str:
    return dumps(schema_dict(kind))


def write() -> None:
    for kind in KINDS:
        (SCHEMA_DIR / f"{kind}.schema.json").write_text(dumps(generate(kind)), encoding="utf-8")


if __name__ == "__main__":
    write()
