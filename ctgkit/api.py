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


def _coverage_one(
    path: Path, ignore: Collection[str], level: int | None, many: int
) -> tuple[list[Diagnostic], object]:
    from .coverage_model import coverage

    plan = load_plan(path)
    diagnostics = run_checks(plan, ignore)
    if any(d.is_error for d in diagnostics):
        return diagnostics, None
    return diagnostics, coverage(plan, level=level, many=many)


def coverage_paths(
    plans: Sequence[Path],
    ignore: Collection[str] = (),
    level: int | None = None,
    many: int = 4,
    jobs: int | None = None,
) -> Iterator[tuple[Path, tuple[list[Diagnostic], object]]]:
    """``(plan, (diagnostics, PlanCoverage or None when the plan has errors))`` in order."""
    from .parallel import ordered_map

    yield from ordered_map(_coverage_one, plans, (frozenset(ignore), level, many), jobs=jobs)


def _render_one(
    path: Path,
    ignore: Collection[str],
    outdir: Path | None,
    formats: tuple[str, ...],
    templates: Path | None,
) -> tuple[list[Diagnostic], list[str]]:
    from .rendering import render_documents

    plan = load_plan(path)
    diagnostics = run_checks(plan, ignore)
    if any(d.is_error for d in diagnostics) or outdir is None:
        return diagnostics, []
    from .fsutil import atomic_write

    written = []
    for name, content in render_documents(plan, formats, templates).items():
        target = outdir / plan.slug / name
        atomic_write(target, content)
        written.append(str(target))
    return diagnostics, written


def render_paths(
    plans: Sequence[Path],
    outdir: Path | None,
    formats: tuple[str, ...],
    templates: Path | None = None,
    ignore: Collection[str] = (),
    jobs: int | None = None,
) -> Iterator[tuple[Path, tuple[list[Diagnostic], list[str]]]]:
    """Check, then (with ``outdir``) render and write each plan; in order."""
    from .parallel import ordered_map

    yield from ordered_map(
        _render_one, plans, (frozenset(ignore), outdir, tuple(formats), templates), jobs=jobs
    )
