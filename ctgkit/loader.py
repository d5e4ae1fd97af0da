"""Files → model: load one plan directory into a :class:`Plan`.

Loading never raises for bad content: every problem becomes a located diagnostic in
``plan.diagnostics`` and the part that could not be read is left out. Only a path that is
not a plan at all raises :class:`NotAPlanError` (a usage error).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic, Severity
from .i18n import N_, _
from .source import (
    MAX_TREE_DEPTH,
    SourceError,
    SourceFile,
    nesting_too_deep,
    parse_yaml,
    read_text,
)

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

    from .form import Form
    from .model import FicheBase, PlanFile

PLAN_FILE = "plan.yaml"
FICHES_DIR = "fiches"


class NotAPlanError(Exception):
    """The path is not a plan directory (no plan.yaml)."""


@dataclass
class LoadedFiche:
    source: SourceFile
    fiche: FicheBase


@dataclass
class Plan:
    """A loaded plan: the models, where each came from, and what went wrong while loading."""

    root: Path
    display_root: str
    source: SourceFile
    meta: PlanFile | None
    form: Form | None = None
    fiches: list[LoadedFiche] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # section file -> Markdown
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fiche_files: int = 0

    @property
    def slug(self) -> str:
        return self.root.resolve().name

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def is_plan_dir(path: Path) -> bool:
    return (path / PLAN_FILE).is_file()


def load_plan(path: str | os.PathLike[str]) -> Plan:
    """Load the plan directory ``path`` (or its ``plan.yaml``)."""
    from .model import FORMAT_VERSION, PlanFile

    root = Path(path)
    if root.name == PLAN_FILE and root.is_file():
        root = root.parent
    if not root.is_dir():
        raise NotAPlanError(_("{path}: no such directory").format(path=root))
    if not (root / PLAN_FILE).exists() and not (root / PLAN_FILE).is_symlink():
        raise NotAPlanError(
            _("{path}: not a plan directory (no {file})").format(path=root, file=PLAN_FILE)
        )
    display_root = str(root)
    source = SourceFile(root / PLAN_FILE, _display(display_root, PLAN_FILE))
    plan = Plan(root=root, display_root=display_root, source=source, meta=None)

    data = _read(plan, source)
    if data is None:
        return plan
    if not _format_ok(plan, source, data, FORMAT_VERSION):
        return plan  # an old plan: one error, and nothing else is checked
    plan.meta = _validate(plan, source, data, PlanFile, tree_key="stratégie")
    if plan.meta is None or any(d.code == "CTG008" for d in plan.diagnostics):
        return plan  # no form: no fiche can be checked
    _load_sections(plan, plan.meta)
    plan.form = _form(plan, plan.meta)
    if plan.form is None:
        return plan
    model = plan.form.model()
    for fiche_path in fiche_files(root, plan):
        relative = fiche_path.relative_to(root).as_posix()
        fiche_source = SourceFile(fiche_path, _display(display_root, relative))
        plan.fiche_files += 1
        fiche_data = _read(plan, fiche_source, fiche=True)
        if fiche_data is None:
            continue
        fiche = _validate(plan, fiche_source, fiche_data, model, tree_key="étapes")
        if fiche is not None:
            plan.fiches.append(LoadedFiche(fiche_source, fiche))
    return plan


def _format_ok(plan: Plan, source: SourceFile, data: Any, version: int) -> bool:
    if not isinstance(data, dict):
        return True  # the model reports the shape
    written = data.get("format")
    if written is None:
        report(
            plan,
            source,
            "CTG007",
            _(
                "old format (format 1, English keys): run `ctg migrate {plan}` to rewrite the "
                "plan in format 2"
            ).format(plan=plan.display_root),
        )
        return False
    if str(written).strip() != str(version):
        report(
            plan,
            source,
            "CTG007",
            _("format {written} is not one this version of ctgkit reads (format {version})").format(
                written=repr(written), version=version
            ),
            ("format",),
        )
        return False
    return True


def _form(plan: Plan, meta: PlanFile) -> Form | None:
    from .form import FormError, resolve

    try:
        return resolve(meta.form)
    except FormError as exc:
        report(plan, plan.source, "CTG008", exc.message, exc.path)
        return None


def _display(display_root: str, relative: str) -> str:
    return str(PurePosixPath(Path(display_root).as_posix()) / relative)


def fiche_files(root: Path, plan: Plan | None = None) -> list[Path]:
    """The fiche files of a plan, sorted by name; an unreadable fiches/ folder is reported."""
    directory = root / FICHES_DIR
    if not directory.is_dir():
        if plan is not None and (directory.exists() or directory.is_symlink()):
            display = _display(plan.display_root, FICHES_DIR)
            message = _("'fiches' must be a folder holding the fiche files")
            plan.diagnostics.append(Diagnostic(display, 1, 1, "CTG004", Severity.ERROR, message))
        return []
    try:
        names = sorted(os.listdir(directory))
    except OSError as exc:
        if plan is not None:
            display = _display(plan.display_root, FICHES_DIR)
            message = _("cannot list the fiches folder: {reason}").format(
                reason=exc.strerror or exc
            )
            plan.diagnostics.append(Diagnostic(display, 1, 1, "CTG004", Severity.ERROR, message))
        return []
    return [
        directory / name
        for name in names
        if not name.startswith(".") and name.endswith((".yaml", ".yml"))
    ]


def report(
    plan: Plan,
    source: SourceFile,
    code: str,
    message: str,
    path: tuple[Any, ...] = (),
    *,
    key: bool = False,
    severity: Severity = Severity.ERROR,
) -> None:
    """Add a diagnostic located at a data path of ``source`` (positions found lazily)."""
    line, column = source.locator().position(path, key=key) if path else (1, 1)
    plan.diagnostics.append(Diagnostic(source.display, line, column, code, severity, message))


def _report_source_error(plan: Plan, display: str, error: SourceError) -> None:
    plan.diagnostics.append(
        Diagnostic(display, error.line, error.column, error.code, Severity.ERROR, error.message)
    )


def _read(plan: Plan, source: SourceFile, *, fiche: bool = False) -> Any:
    try:
        source.text = read_text(source.path, plan.root)
        source.data = parse_yaml(source.text)
    except SourceError as error:
        if fiche and error.reason == "empty":
            # A placeholder for a fiche still to write: a warning, not an error that blocks CI.
            message = _("empty fiche: fill it in, or delete the file")
            plan.diagnostics.append(
                Diagnostic(source.display, 1, 1, "CTG009", Severity.WARNING, message)
            )
            return None
        _report_source_error(plan, source.display, error)
        return None
    return source.data


def _validate(
    plan: Plan, source: SourceFile, data: Any, model: type[BaseModel], tree_key: str
) -> Any:
    """The file's model; pydantic's errors become located diagnostics, and what can be
    salvaged is still checked."""
    from pydantic import ValidationError

    if isinstance(data, dict) and isinstance(data.get(tree_key), list):
        child = "enfants" if tree_key == "stratégie" else "étapes"
        deep = nesting_too_deep(data[tree_key], child)
        if deep is not None:
            report(
                plan,
                source,
                "CTG006",
                _("'{key}' is nested deeper than {limit} levels").format(
                    key=tree_key, limit=MAX_TREE_DEPTH
                ),
                (tree_key, *deep),
            )
            return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for code, path, message, at_key in _explain(exc, data, model):
            report(plan, source, code, message, path, key=at_key)
        # Keep checking the rest of the file: drop what is broken and validate again, so that
        # one bad year does not hide a wrong code three lines below.
        return _salvage(data, exc, model)
    except RecursionError:
        report(plan, source, "CTG006", _("data is nested too deeply"))
        return None


def _salvage(data: Any, exc: ValidationError, model: type[BaseModel], rounds: int = 4) -> Any:
    """The model built from ``data`` minus its invalid parts, or None if that is impossible.

    Each invalid value goes: a bad list item is removed, a bad optional field is dropped.
    An invalid required top-level field makes the file unusable. Diagnostics come from the
    first validation only; this is just for running the remaining checks.
    """
    import copy

    from pydantic import ValidationError

    if not isinstance(data, dict):
        return None
    required = {key for key, info in _by_key(model).items() if info.is_required()}
    current = copy.deepcopy(data)
    error = exc
    for _round in range(rounds):
        removals: list[tuple[Any, Any]] = []
        for item in error.errors(include_url=False):
            path = _data_path(tuple(item["loc"]), current)
            if item["type"] == "extra_forbidden" and path:
                removals.append(_locate(current, path))
                continue
            list_at = max((i for i, step in enumerate(path) if isinstance(step, int)), default=-1)
            if list_at >= 0:
                removals.append(_locate(current, path[: list_at + 1]))
            elif path and path[0] not in required:
                removals.append((current, path[0]))
            else:
                return None
        for container, key in sorted(
            {(id(c), k): (c, k) for c, k in removals if c is not None}.values(),
            key=lambda pair: pair[1] if isinstance(pair[1], int) else -1,
            reverse=True,
        ):
            try:
                del container[key]
            except (KeyError, IndexError, TypeError):
                pass
        try:
            return model.model_validate(current)
        except ValidationError as again:
            error = again
        except RecursionError:
            return None
    return None


def _locate(data: Any, path: tuple[Any, ...]) -> tuple[Any, Any]:
    """``(container, key)`` of the last step of ``path`` in ``data``."""
    container = data
    for step in path[:-1]:
        try:
            container = container[step]
        except (KeyError, IndexError, TypeError):
            return None, None
    return container, path[-1]


def _load_sections(plan: Plan, meta: PlanFile) -> None:
    for index, section in enumerate(meta.sections):
        if section.file is None:
            continue
        where = ("sections", index, "fichier")
        reference = section.file.strip()
        pure = PurePosixPath(reference.replace("\\", "/"))
        if (
            not reference
            or not pure.parts
            or pure.is_absolute()
            or ".." in pure.parts
            or ":" in pure.parts[0]
        ):
            report(
                plan,
                plan.source,
                "CTG013",
                _("'{path}' must be a path inside the plan directory, relative to it").format(
                    path=reference
                ),
                where,
            )
            continue
        target = plan.root / pure
        try:
            missing = not target.exists() and not target.is_symlink()
            directory = target.is_dir()
        except OSError as exc:  # e.g. a name longer than the system allows
            message = _("cannot use '{path}': {reason}").format(
                path=reference[:60], reason=exc.strerror or exc
            )
            report(plan, plan.source, "CTG014", message, where)
            continue
        if missing:
            message = _("referenced file '{path}' does not exist").format(path=reference)
            report(plan, plan.source, "CTG014", message, where)
            continue
        if directory:
            message = _("'{path}' is a folder, not a Markdown file").format(path=reference)
            report(plan, plan.source, "CTG014", message, where)
            continue
        try:
            plan.texts[reference] = read_text(target, plan.root)
        except SourceError as error:
            if error.reason == "outside":
                report(
                    plan,
                    plan.source,
                    "CTG013",
                    _("'{path}' is a link to a place outside the plan directory; refused").format(
                        path=reference
                    ),
                    where,
                )
            else:
                _report_source_error(plan, _display(plan.display_root, pure.as_posix()), error)


# --------------------------------------------------------------------- pydantic errors


def _all_field_names(model: type[BaseModel], seen: set[type] | None = None) -> set[str]:
    seen = seen if seen is not None else set()
    if model in seen:
        return set()
    seen.add(model)
    names = set(_by_key(model))
    for info in model.model_fields.values():
        for sub in _models_in(info.annotation):
            names |= _all_field_names(sub, seen)
    return names


def _by_key(model: type[BaseModel]) -> dict[str, Any]:
    """The model's fields by YAML key (their alias)."""
    return {info.alias or name: info for name, info in model.model_fields.items()}


def _models_in(annotation: Any) -> Iterable[type[BaseModel]]:
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _models_in(arg)
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and hasattr(annotation, "__metadata__"):
        yield from _models_in(origin)


_FIELD_NAMES: dict[type, list[str]] = {}


def _field_names(model: type[BaseModel]) -> list[str]:
    if model not in _FIELD_NAMES:
        _FIELD_NAMES[model] = sorted(_all_field_names(model))
    return _FIELD_NAMES[model]


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model that validates the mapping at ``loc`` (None if it cannot be told)."""
    current: type[BaseModel] | None = model
    for step in loc:
        if current is None:
            return None
        if isinstance(step, int):
            continue
        info = _by_key(current).get(str(step))
        if info is None:
            return None
        current = next(iter(_models_in(info.annotation)), None)
    return current


def _describe(value: Any) -> str:
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return _quoted(str(value).lower())
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    text = str(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return _quoted(text)


def _quoted(text: str) -> str:
    """A value quoted in the language's quotes ('x' in English, « x » in French)."""
    return _("'{value}'").format(value=text)


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """Keep the part of a pydantic location that exists in the data (drops union tags)."""
    path: list[Any] = []
    current = data
    for step in loc:
        if isinstance(current, dict) and step in current:
            current = current[step]
        elif isinstance(current, dict) and str(step) in {str(k) for k in current}:
            current = next(v for k, v in current.items() if str(k) == str(step))
        elif isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current):
            current = current[step]
        elif isinstance(current, dict | list):
            # A missing field: point at the mapping that should hold it.
            path.append(step)
            break
        else:
            break
        path.append(step)
    return tuple(path)


def _label(path: tuple[Any, ...]) -> str:
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            text += ("." if text else "") + str(step)
    return text


_YEAR_FIELDS = {"début", "fin"}


def suggest_key(name: str, fields: list[str]) -> str | None:
    """The key meant by an unknown ``name`` (see :func:`ctgkit.form.suggest_key`: close
    spellings only, never ``étapes`` → ``axes``)."""
    from .form import suggest_key as close_key

    return close_key(name, fields)


def _explain(
    exc: ValidationError, data: Any, model: type[BaseModel]
) -> list[tuple[str, tuple[Any, ...], str, bool]]:
    """Turn pydantic errors into ``(code, data path, message, at_key)``, one per place."""
    results: dict[tuple[Any, ...], tuple[str, tuple[Any, ...], str, bool]] = {}
    suggested: set[tuple[Any, ...]] = set()  # missing fields an unknown key stands for
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        path = _data_path(loc, data)
        value = error.get("input")
        field_label = _label(path) or _("file")
        if kind == "missing":
            parent = path[:-1]
            name = path[-1] if path else "?"
            message = _("missing required field '{field}'").format(field=name)
            entry = ("CTG010", parent, message, False)
            results.setdefault((*parent, "missing", name), entry)
            continue
        if kind == "extra_forbidden":
            name = str(path[-1]) if path else "?"
            owner = _model_at(model, loc[:-1])
            fields = sorted(_by_key(owner)) if owner is not None else _field_names(model)
            close = suggest_key(name, fields)
            if close:
                suggested.add((*path[:-1], "missing", close))
                message = _("unknown field '{field}' (did you mean '{close}'?)").format(
                    field=name, close=close
                )
            else:
                message = _("unknown field '{field}'").format(field=name)
            results.setdefault(path, ("CTG012", path, message, True))
            continue
        problem = _value_message(kind, error, value, path)
        message = _("{field}: {problem}").format(field=field_label, problem=problem)
        results.setdefault(path, ("CTG011", path, message, False))
    # One mistake, one diagnostic: `titr:` for `titre:` is an unknown key that names the
    # missing one; the missing-field error would only repeat it.
    for key in suggested:
        results.pop(key, None)
    # Any problem in the plan's form definition makes the form unusable: one code for it.
    return [
        ("CTG008", path, message, at_key) if path[:1] == ("formulaire",) else entry
        for entry in results.values()
        for _code, path, message, at_key in [entry]
    ]


def _value_message(kind: str, error: Any, value: Any, path: tuple[Any, ...]) -> str:
    last = path[-1] if path else None
    got = _describe(value)
    if last in _YEAR_FIELDS or (kind.startswith("int") and last in {"period"}):
        if kind.startswith(("int", "greater", "less")):
            return _("expected a year such as 2020, got {value}").format(value=got)
    if kind == "value_error":
        message = str(error.get("msg", _("invalid value"))).removeprefix("Value error, ")
        return _("{problem}, got {value}").format(problem=message, value=got)
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("expected a mapping of fields, got {value}").format(value=got)
    if kind == "list_type":
        return _("expected a list, got {value}").format(value=got)
    if kind == "string_type":
        if isinstance(value, dict) and len(value) == 1:
            # `- CAF : service famille`: a ': ' inside a text makes it a key.
            return _(
                "expected text, got {value}; a ': ' inside a text makes it a key: put the text "
                "in quotes"
            ).format(value=got)
        return _("expected text, got {value}").format(value=got)
    if kind.startswith("int_"):
        return _("expected a whole number, got {value}").format(value=got)
    if kind.startswith("float_"):
        return _("expected a number, got {value}").format(value=got)
    if kind.startswith("bool_"):
        return _("expected OUI/NON (true/false), got {value}").format(value=got)
    if kind == "literal_error":
        expected = _choices(str(error.get("ctx", {}).get("expected", "")))
        return _("{value} is not one of {choices}").format(value=got, choices=expected)
    if kind == "too_short":
        return _("must not be empty")
    if kind.startswith(("date_", "datetime_")):
        return _("expected a date such as 2021-06-30, got {value}").format(value=got)
    if kind in _BOUNDS:
        limit = next(iter(error.get("ctx", {}).values()), "?")
        return _(_BOUNDS[kind]).format(value=got, limit=limit)
    from .model import error_message

    return error_message(error, path)  # never pydantic's own English


_BOUNDS = {
    "greater_than_equal": N_("{value} is out of range (it must be at least {limit})"),
    "less_than_equal": N_("{value} is out of range (it must be at most {limit})"),
    "greater_than": N_("{value} is out of range (it must be greater than {limit})"),
    "less_than": N_("{value} is out of range (it must be less than {limit})"),
}


def _choices(expected: str) -> str:
    """Pydantic's « 'a', 'b' or 'c' » in the language of the messages."""
    import ast
    import re

    items = []
    for token in re.findall(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", expected):
        try:
            items.append(str(ast.literal_eval(token)))
        except (ValueError, SyntaxError):
            items.append(token.strip("'\""))
    if not items:
        return expected
    quoted = [_quoted(item) for item in items]
    if len(quoted) == 1:
        return quoted[0]
    return _("{items} or {last}").format(items=", ".join(quoted[:-1]), last=quoted[-1])


def _difflib():  # noqa: ANN202  (imported on the error path only)
    import difflib

    return difflib
