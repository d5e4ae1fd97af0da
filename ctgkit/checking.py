"""Model → checks: run every registered rule over a loaded plan."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .diagnostics import Diagnostic, sort_diagnostics
from .index import ActorRegistry, PlanIndex
from .loader import Plan
from .source import SourceFile


@dataclass(frozen=True)
class Finding:
    """What a check reports: a file, a data path inside it, and a message."""

    source: SourceFile
    path: tuple[Any, ...]
    message: str
    key: bool = False  # point at the mapping key rather than its value


@dataclass
class PlanContext:
    plan: Plan

    @cached_property
    def index(self) -> PlanIndex:
        assert self.plan.meta is not None
        return PlanIndex(self.plan.meta)

    @cached_property
    def actors(self) -> ActorRegistry:
        assert self.plan.meta is not None
        return ActorRegistry(self.plan.meta.actors)


def run_checks(plan: Plan, ignore: Collection[str] = ()) -> list[Diagnostic]:
    """Loader diagnostics plus every rule's findings, minus ignored codes, sorted."""
    from .rules import checks

    diagnostics = [d for d in plan.diagnostics if d.code not in ignore]
    if plan.meta is None:
        # Without plan.yaml there is no tree to check references against.
        return sort_diagnostics(diagnostics)
    context = PlanContext(plan)
    for entry in checks():
        if entry.code in ignore:
            continue
        for finding in entry.check(context):  # type: ignore[misc]
            line, column = finding.source.locator().position(finding.path, key=finding.key)
            diagnostics.append(
                Diagnostic(
                    finding.source.display,
                    line,
                    column,
                    entry.code,
                    entry.severity,
                    finding.message,
                )
            )
    return sort_diagnostics(diagnostics)
