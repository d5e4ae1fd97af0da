"""The library API the command line is a thin layer over."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

from .checking import run_checks
from .diagnostics import Diagnostic
from .loader import NotAPlanError, Plan, is_plan_dir, load_plan

__all__ = ["NotAPlanError", "Plan", "find_plans", "load_plan", "validate", "validate_paths"]


def validate(plan: str | os.PathLike[str] | Plan, ignore: Collection[str] = ()) -> list[Diagnostic]:
    """Every problem of a plan (a path or an already loaded :class:`Plan`), sorted."""
    if not isinstance(plan, Plan):
        plan = load_plan(plan)
    return run_checks(plan, ignore)


def find_plans(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Plan directories named by ``paths``: plan directories, their plan.yaml, or folders
    holding plans at any depth. Raises :class:`NotAPlanError` for a path that is none."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file() and path.name == "plan.yaml":
            found.append(path.parent)
            continue
        if not path.exists():
            raise NotAPlanError(f"{path}: no such file or directory")
        if not path.is_dir():
            raise NotAPlanError(f"{path}: not a plan directory")
        if is_plan_dir(path):
            found.append(path)
            continue
        nested = _walk_plans(path)
        if not nested:
            raise NotAPlanError(f"{path}: not a plan directory and holds no plan (no plan.yaml)")
        found.extend(nested)
    unique: dict[Path, Path] = {}
    for plan in found:
        unique.setdefault(plan.resolve(), plan)
    return list(unique.values())


def _walk_plans(folder: Path) -> list[Path]:
    plans = []
    for directory, subdirs, files in os.walk(folder):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        if "plan.yaml" in files:
            plans.append(Path(directory))
            subdirs[:] = []  # a plan's own folders hold no plans
    return sorted(plans)


def _validate_one(path: Path, ignore: Collection[str]) -> list[Diagnostic]:
    try:
        return validate(path, ignore)
    except NotAPlanError as exc:  # removed between discovery and loading
        return [Diagnostic(str(path), 1, 1, "CTG004", _error(), str(exc))]


def _error():  # late import keeps this module light
    from .diagnostics import Severity

    return Severity.ERROR


def validate_paths(
    plans: Sequence[Path], ignore: Collection[str] = (), jobs: int | None = None
) -> Iterator[tuple[Path, list[Diagnostic]]]:
    """Validate many plans, in order, using several processes when it pays."""
    from .parallel import ordered_map

    yield from ordered_map(_validate_one, plans, (frozenset(ignore),), jobs=jobs)
