"""The loader's fast path: check clean data against the stored JSON Schemas and build
light records, without importing pydantic.

Most plan files are valid, and importing pydantic and building the models costs more than
reading a whole plan. So a file whose data fits the schema exactly (and strictly: no
coercion, no forgiving spellings) becomes :class:`Record` objects here, with the same
fields and values the pydantic models would give. Anything else — a wrong type, a typo, a
value pydantic would coerce or normalise — falls back to the models, which then give the
located, explained diagnostics. A test checks that both paths build the same data.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Callable
from functools import cache
from typing import Any

Converter = Callable[[Any], Any]


class Reject(Exception):
    """The value does not fit the schema strictly; use the pydantic models instead."""


class Record:
    """Attribute access over one model's fields; ``model_dump()`` like pydantic's."""

    __slots__ = ("_fields", "_model")

    def __init__(self, model: str, fields: dict[str, Any]) -> None:
        self._model = model
        self._fields = fields

    def __getattr__(self, name: str) -> Any:
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(f"{self._model} has no field {name!r}") from None

    def model_dump(self) -> dict[str, Any]:
        return {name: _dump(value) for name, value in self._fields.items()}

    def __repr__(self) -> str:
        return f"{self._model}({self._fields!r})"


def _dump(value: Any) -> Any:
    if isinstance(value, Record):
        return value.model_dump()
    if isinstance(value, list):
        return [_dump(item) for item in value]
    if isinstance(value, dict):
        return {key: _dump(item) for key, item in value.items()}
    return value


@cache
def converter(kind: str) -> Converter:
    """The strict check-and-build function for ``plan`` or ``fiche`` data."""
    from .schema import schema_dict

    schema = schema_dict(kind)
    compiled: dict[str, Converter] = {}
    return _compile(schema, schema.get("$defs", {}), compiled, schema.get("title", kind))


def build(kind: str, data: Any) -> Record | None:
    """Records for ``data`` if it fits the schema strictly, else None."""
    try:
        return converter(kind)(data)
    except Reject:
        return None
    except RecursionError:
        return None


_YES_NO = {"oui": True, "OUI": True, "non": False, "NON": False}
_IGNORED = {"title", "description", "default", "$schema", "$id", "$defs"}


def _compile(
    schema: dict[str, Any], defs: dict[str, Any], compiled: dict[str, Converter], name: str
) -> Converter:
    if "$ref" in schema:
        ref = schema["$ref"].rsplit("/", 1)[-1]
        if ref not in compiled:
            compiled[ref] = _reject_all  # placeholder while a recursive model compiles
            function = _compile(defs[ref], defs, compiled, ref)
            compiled[ref] = function
        return lambda value: compiled[ref](value)
    if "anyOf" in schema:
        return _any_of(schema["anyOf"], defs, compiled)
    known = {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "minimum",
        "maximum",
        "minLength",
        "minItems",
        "format",
    } | _IGNORED
    if set(schema) - known:
        return _reject_all  # a keyword this checker does not implement
    kind = schema.get("type")
    if isinstance(kind, list):
        if sorted(kind) == ["integer", "string"]:
            return _number_as_text
        return _reject_all
    if kind == "string":
        return _string(schema)
    if kind == "integer":
        return _integer(schema)
    if kind == "number":
        return _number
    if kind == "boolean":
        return _boolean
    if kind == "null":
        return _null
    if kind == "array":
        return _array(schema, defs, compiled, name)
    if kind == "object":
        return _object(schema, defs, compiled, name)
    return _reject_all


def _reject_all(value: Any) -> Any:
    raise Reject


def _any_of(
    members: list[dict[str, Any]], defs: dict[str, Any], compiled: dict[str, Converter]
) -> Converter:
    # Two shapes need building, not just checking: a bare string standing for a record with
    # one required field (shorthand), and OUI/NON standing for booleans.
    enums = [m.get("enum") for m in members if "enum" in m]
    if any(enum and set(enum) <= set(_YES_NO) for enum in enums):
        others = [m for m in members if not ("enum" in m and set(m["enum"]) <= set(_YES_NO))]
        rest = _any_of(others, defs, compiled)

        def yes_no(value: Any) -> Any:
            if type(value) is str and value in _YES_NO:
                return _YES_NO[value]
            return rest(value)

        return yes_no
    refs = [m for m in members if "$ref" in m]
    strings = [m for m in members if m.get("type") == "string" and len(m) == 1]
    if len(members) == 2 and len(refs) == 1 and len(strings) == 1:
        target = defs[refs[0]["$ref"].rsplit("/", 1)[-1]]
        required = target.get("required", [])
        if len(required) == 1:
            record = _compile(refs[0], defs, compiled, "")
            key = required[0]

            def shorthand(value: Any) -> Any:
                if type(value) is str:
                    return record({key: value})
                return record(value)

            return shorthand
    functions = [_compile(member, defs, compiled, "") for member in members]

    def any_of(value: Any) -> Any:
        for function in functions:
            try:
                return function(value)
            except Reject:
                continue
        raise Reject

    return any_of


def _string(schema: dict[str, Any]) -> Converter:
    minimum = schema.get("minLength", 0)
    enum = set(schema["enum"]) if "enum" in schema else None
    fmt = schema.get("format")
    if fmt == "date":
        return _date
    if fmt not in (None, "markdown"):
        return _reject_all  # a format this checker does not know

    def string(value: Any) -> Any:
        if type(value) is not str or len(value) < minimum:
            raise Reject
        if enum is not None and value not in enum:
            raise Reject
        return value

    return string


def _date(value: Any) -> Any:
    # A YAML date (2021-06-30, unquoted) arrives as a date and stays one; a quoted date is
    # text, which the union's plain string member takes, as pydantic's smart union does.
    if type(value) is not dt.date:
        raise Reject
    return value


def _integer(schema: dict[str, Any]) -> Converter:
    low = schema.get("minimum")
    high = schema.get("maximum")

    def integer(value: Any) -> Any:
        if type(value) is not int:
            raise Reject
        if (low is not None and value < low) or (high is not None and value > high):
            raise Reject
        return value

    return integer


def _number(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value):
        return float(value)  # a SourceFloat's spelling only matters where text is expected
    if type(value) is int:
        return float(value)  # as pydantic's float fields give
    raise Reject


def _number_as_text(value: Any) -> Any:
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)  # as coerce_numbers_to_str gives
    raise Reject


def _boolean(value: Any) -> Any:
    if type(value) is not bool:
        raise Reject
    return value


def _null(value: Any) -> Any:
    if value is not None:
        raise Reject
    return None


def _array(
    schema: dict[str, Any], defs: dict[str, Any], compiled: dict[str, Converter], name: str
) -> Converter:
    items = _compile(schema.get("items", {}), defs, compiled, name) if "items" in schema else None
    minimum = schema.get("minItems", 0)

    def array(value: Any) -> Any:
        if type(value) is not list or len(value) < minimum:
            raise Reject
        if items is None:
            raise Reject
        return [items(item) for item in value]

    return array


def _object(
    schema: dict[str, Any], defs: dict[str, Any], compiled: dict[str, Converter], name: str
) -> Converter:
    properties = schema.get("properties")
    extra = schema.get("additionalProperties", True)
    if properties is None:
        # A mapping with free keys (the impact grid): keys are text, values converted.
        if not isinstance(extra, dict):
            return _reject_all
        values = _compile(extra, defs, compiled, name)

        def mapping(value: Any) -> Any:
            if type(value) is not dict:
                raise Reject
            out = {}
            for key, item in value.items():
                if type(key) is not str:
                    raise Reject
                out[key] = values(item)
            return out

        return mapping
    if extra is not False:
        return _reject_all
    required = set(schema.get("required", []))
    fields = {key: _compile(sub, defs, compiled, name) for key, sub in properties.items()}
    defaults = {key: _default(sub) for key, sub in properties.items() if key not in required}

    def record(value: Any) -> Any:
        if type(value) is not dict:
            raise Reject
        for key in value:
            if key not in fields:
                raise Reject
        built = {}
        for key, function in fields.items():
            if key in value:
                built[key] = function(value[key])
            elif key in required:
                raise Reject
            else:
                built[key] = copy.copy(defaults[key])
        return Record(name, built)

    return record


def _default(schema: dict[str, Any]) -> Any:
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "array":
        return []
    if kind == "object":
        return {}
    return None
