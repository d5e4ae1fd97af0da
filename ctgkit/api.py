"""The library API the command line is a thin layer over."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from .checking import run_checks
from .coverage_model import PlanCoverage
from .diagnostics import Diagnostic
from .i18n import _
from .loader import NotAPlanError, Plan, is_plan_dir, load_plan

if TYPE_CHECKING:
    from .suivi import PlanBilan

__all__ = [
    "NotAPlanError",
    "Plan",
    "bilan",
    "bilan_documents",
    "bilan_paths",
    "find_plans",
    "load_plan",
    "render",
    "render_paths",
    "validate",
    "validate_paths",
]


def validate(
    plan: str | os.PathLike[str] | Plan,
    ignore: Collection[str] = (),
    today: datetime.date | None = None,
) -> list[Diagnostic]:
    """Every problem of a plan (a path or an already loaded :class:`Plan`), sorted.
    ``today`` fixes the date the follow-up rules compare with (default: the clock)."""
    if not isinstance(plan, Plan):
        plan = load_plan(plan)
    return run_checks(plan, ignore, today)


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
            raise NotAPlanError(_("{path}: no such file or directory").format(path=path))
        if not path.is_dir():
            raise NotAPlanError(_("{path}: not a plan directory").format(path=path))
        if is_plan_dir(path):
            found.append(path)
            continue
        nested = _walk_plans(path)
        if not nested:
            raise NotAPlanError(
                _("{path}: not a plan directory and holds no plan (no plan.yaml)").format(
                    path=path
                )
            )
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


def _validate_one(
    path: Path, ignore: Collection[str], today: datetime.date | None = None
) -> list[Diagnostic]:
    try:
        return validate(path, ignore, today)
    except NotAPlanError as exc:  # removed between discovery and loading
        return [Diagnostic(str(path), 1, 1, "CTG004", _error(), str(exc))]


def _error():  # late import keeps this module light
    from .diagnostics import Severity

    return Severity.ERROR


def validate_paths(
    plans: Sequence[Path],
    ignore: Collection[str] = (),
    jobs: int | None = None,
    today: datetime.date | None = None,
) -> Iterator[tuple[Path, list[Diagnostic]]]:
    """Validate many plans, in order, using several processes when it pays."""
    from .parallel import ordered_map

    yield from ordered_map(_validate_one, plans, (frozenset(ignore), today), jobs=jobs)


@dataclass
class CoverageResult(PlanCoverage):
    """A plan's coverage and where the plan is (its matrix page shows the plan's banner
    and editorial marks: :func:`coverage_page`)."""

    root: str | None = None


def _coverage_one(
    path: Path, ignore: Collection[str], level: int | None, many: int
) -> tuple[list[Diagnostic], CoverageResult | None]:
    from .coverage_model import coverage

    plan = load_plan(path)
    diagnostics = run_checks(plan, ignore)
    if any(d.is_error for d in diagnostics):
        return diagnostics, None
    measured = coverage(plan, level=level, many=many)
    values = {f.name: getattr(measured, f.name) for f in fields(measured)}
    return diagnostics, CoverageResult(**values, root=str(path))


def coverage_paths(
    plans: Sequence[Path],
    ignore: Collection[str] = (),
    level: int | None = None,
    many: int = 4,
    jobs: int | None = None,
) -> Iterator[tuple[Path, tuple[list[Diagnostic], CoverageResult | None]]]:
    """``(plan, (diagnostics, coverage or None when the plan has errors))`` in order."""
    from .parallel import ordered_map

    yield from ordered_map(_coverage_one, plans, (frozenset(ignore), level, many), jobs=jobs)


def coverage_page(result: PlanCoverage, fmt: str, templates: Path | None = None) -> str:
    """The coverage matrix as a page (``md`` or ``html``); with the plan's « document de
    travail » banner and editorial marks when ``result`` knows its plan. (The plan is
    loaded again for that: coverage results do not keep whole plans.)"""
    from .rendering import render_matrix

    plan = None
    root = getattr(result, "root", None)
    if root is not None:
        plan = load_plan(root)
    return render_matrix(result, fmt, result.language, templates, plan=plan)


def render(
    plan: str | os.PathLike[str] | Plan,
    outdir: str | os.PathLike[str] | None = None,
    formats: Sequence[str] = ("md", "html"),
    templates: str | os.PathLike[str] | None = None,
    *,
    force: bool = False,
    ignore: Collection[str] = (),
) -> dict[str, str | bytes] | list[Path]:
    """Render a plan (a path or a loaded :class:`Plan`): checked, indexed and measured
    once, then every document in every format (``md``, ``html``, ``docx``). Without
    ``outdir``, return ``{file name: content}`` (bytes for ``plan.docx``); with it, write
    ``<outdir>/<slug>/<name>`` atomically and return the paths.

    Refuses (and writes nothing) an ``outdir`` inside the plan (:class:`DestinationError`)
    and a plan with errors (:class:`PlanHasErrors`) unless ``force``, which renders it with
    every document marked « document non validé : N erreurs »."""
    from .rendering import check_destination, render_documents, write_documents

    if not isinstance(plan, Plan):
        plan = load_plan(plan)
    if outdir is not None:
        check_destination(Path(outdir), [plan.root])
    errors = _errors(run_checks(plan, ignore), force)
    outputs = render_documents(
        plan, formats, Path(templates) if templates else None, errors=len(errors)
    )
    if outdir is None:
        return outputs
    return write_documents(Path(outdir) / plan.slug, dict(outputs))


def _errors(diagnostics: list[Diagnostic], force: bool) -> list[Diagnostic]:
    from .rendering import PlanHasErrors

    errors = [d for d in diagnostics if d.is_error]
    if errors and not force:
        raise PlanHasErrors(errors)
    return errors


def _render_one(
    path: Path,
    ignore: Collection[str],
    staging: Path,
    formats: tuple[str, ...],
    templates: Path | None,
    force: bool,
) -> tuple[list[Diagnostic], list[str]]:
    """Load, check and render one plan into the staging directory; nothing when the plan
    has errors (unless ``force``)."""
    from .rendering import render_documents, stage

    try:
        plan = load_plan(path)
    except NotAPlanError as exc:  # removed between discovery and loading
        return [Diagnostic(str(path), 1, 1, "CTG004", _error(), str(exc))], []
    diagnostics = run_checks(plan, ignore)
    errors = [d for d in diagnostics if d.is_error]
    if (errors and not force) or plan.meta is None:
        return diagnostics, []
    documents = render_documents(plan, formats, templates, errors=len(errors))
    return diagnostics, stage(staging, plan.slug, documents)


def render_paths(
    plans: Sequence[Path],
    outdir: Path,
    formats: Sequence[str] = ("md", "html"),
    templates: Path | None = None,
    ignore: Collection[str] = (),
    jobs: int | None = None,
    *,
    force: bool = False,
    advance: Callable[[], None] | None = None,
    on_errors: Callable[[list[Diagnostic]], None] | None = None,
) -> list[Path]:
    """Render many plans into ``outdir/<slug>/``, each loaded, checked and rendered once
    (several processes when it pays); return the files written.

    All or nothing: the destination is checked first (:class:`DestinationError`), and a
    plan with errors (:class:`PlanHasErrors`, carrying every error) stops the run before
    any file is written, unless ``force``. ``advance`` is called once per plan rendered.
    With ``force``, ``on_errors`` is called with the errors of the plans rendered in spite
    of them (when there are any), once every plan is checked and before any file is
    published."""
    from .parallel import ordered_map
    from .rendering import PlanHasErrors, RenderError, Staging, check_destination

    check_destination(outdir, plans)
    errors: list[Diagnostic] = []
    staged: list[tuple[str, list[str]]] = []
    with Staging(outdir) as staging:
        extra = (frozenset(ignore), staging.root, tuple(formats), templates, force)
        for path, (diagnostics, names) in ordered_map(_render_one, plans, extra, jobs=jobs):
            errors.extend(d for d in diagnostics if d.is_error)
            if names:
                staged.append((Path(path).resolve().name, names))
            elif not any(d.is_error for d in diagnostics):
                raise RenderError(_("{path}: plan.yaml could not be loaded").format(path=path))
            if advance is not None:
                advance()
        if errors and not force:
            raise PlanHasErrors(errors)
        if errors and on_errors is not None:
            on_errors(errors)
        written: list[Path] = []
        for slug, names in staged:
            written.extend(staging.publish(slug, names))
    return written


# ------------------------------------------------------------------------- bilan


def bilan(
    plan: str | os.PathLike[str] | Plan,
    year: int | None = None,
    *,
    today: datetime.date | None = None,
    ignore: Collection[str] = (),
) -> PlanBilan:
    """The yearly bilan of a plan (a path or a loaded :class:`Plan`) for ``year`` (default:
    this year, within the plan's period). Raises :class:`PlanHasErrors` for a plan with
    errors: a bilan is computed from checked follow-up only."""
    from .suivi import compute

    if not isinstance(plan, Plan):
        plan = load_plan(plan)
    _errors(run_checks(plan, ignore, today), force=False)
    return compute(plan, year, today)


def bilan_documents(
    plan: str | os.PathLike[str] | Plan,
    year: int | None = None,
    formats: Sequence[str] = ("md", "html"),
    templates: str | os.PathLike[str] | None = None,
    *,
    today: datetime.date | None = None,
    ignore: Collection[str] = (),
) -> dict[str, str]:
    """``{file name: content}``: bilan.md, bilan.html and/or bilan.json of one plan."""
    from .bilan_output import render_documents

    if not isinstance(plan, Plan):
        plan = load_plan(plan)
    result = bilan(plan, year, today=today, ignore=ignore)
    return render_documents(plan, result, tuple(formats), Path(templates) if templates else None)


@dataclass
class BilanRun:
    """What :func:`bilan_paths` produced: every plan's bilan, the documents of a single
    plan asked for without an output directory, the files written with one."""

    bilans: list[PlanBilan]
    documents: dict[str, str]
    written: list[Path]


def _bilan_one(
    path: Path,
    ignore: Collection[str],
    year: int | None,
    today: datetime.date | None,
    formats: tuple[str, ...],
    templates: Path | None,
    staging: Path | None,
) -> tuple[list[Diagnostic], PlanBilan | None, dict[str, str] | list[str]]:
    from .bilan_output import render_documents
    from .suivi import compute

    try:
        plan = load_plan(path)
    except NotAPlanError as exc:  # removed between discovery and loading
        return [Diagnostic(str(path), 1, 1, "CTG004", _error(), str(exc))], None, {}
    diagnostics = run_checks(plan, ignore, today)
    if any(d.is_error for d in diagnostics) or plan.meta is None:
        return diagnostics, None, {}
    result = compute(plan, year, today)
    documents = render_documents(plan, result, formats, templates) if formats else {}
    if staging is not None:
        from .rendering import stage

        return diagnostics, result, stage(staging, plan.slug, documents)
    return diagnostics, result, documents


def bilan_paths(
    plans: Sequence[Path],
    year: int | None = None,
    *,
    formats: Sequence[str] = (),
    outdir: Path | None = None,
    templates: Path | None = None,
    today: datetime.date | None = None,
    ignore: Collection[str] = (),
    jobs: int | None = None,
    advance: Callable[[], None] | None = None,
) -> BilanRun:
    """The bilans of many plans (several processes when it pays). With ``outdir``, writes
    ``outdir/<slug>/bilan.<fmt>`` for each of ``formats``, all or nothing (as
    :func:`render_paths`: :class:`DestinationError` for a destination inside a plan,
    :class:`PlanHasErrors` with every error before any file is written). Without it,
    ``formats`` are rendered in memory (``documents``, meant for one plan)."""
    from contextlib import nullcontext

    from .parallel import ordered_map
    from .rendering import PlanHasErrors, Staging, check_destination

    if outdir is not None:
        check_destination(outdir, plans)
    errors: list[Diagnostic] = []
    bilans: list[PlanBilan] = []
    documents: dict[str, str] = {}
    staged: list[tuple[str, list[str]]] = []
    with Staging(outdir) if outdir is not None else nullcontext() as staging:
        root = staging.root if staging is not None else None
        extra = (frozenset(ignore), year, today, tuple(formats), templates, root)
        for path, (diagnostics, result, made) in ordered_map(_bilan_one, plans, extra, jobs=jobs):
            errors.extend(d for d in diagnostics if d.is_error)
            if result is not None:
                bilans.append(result)
                if isinstance(made, list):
                    staged.append((Path(path).resolve().name, made))
                else:
                    documents.update(made)
            if advance is not None:
                advance()
        if errors:
            raise PlanHasErrors(errors)
        written: list[Path] = []
        if staging is not None:
            for slug, names in staged:
                written.extend(staging.publish(slug, names))
    return BilanRun(bilans, documents, written)
