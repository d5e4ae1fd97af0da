"""Model → checks: run every registered rule over a loaded plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from .diagnostics import Diagnostic, sort_diagnostics
from .loader import Plan
from .rules import checks
from .rules.context import Finding, PlanContext

__all__ = ["Finding", "PlanContext", "run_checks"]


def run_checks(
    plan: Plan, ignore: Collection[str] = (), today: dt.date | None = None
) -> list[Diagnostic]:
    """Loader diagnostics plus every rule's findings, minus ignored codes, sorted.
    ``today``: the date the follow-up rules take as today (default: the clock)."""
    diagnostics = [d for d in plan.diagnostics if d.code not in ignore]
    if plan.meta is None:
        # Without plan.yaml there is no tree to check references against.
        return sort_diagnostics(diagnostics)
    context = PlanContext(plan, today)
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
