"""The registry of rules: every diagnostic ctgkit can emit has one entry here.

Each rule has a stable code (``CTG021``), a short name, a severity, a one-line summary
and a doc (the check function's docstring: what it does, why it matters, an example).
Rules raised while reading files are declared without a check function; the others are
small functions over a loaded plan. ``ctg rules`` and the README table come from here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..diagnostics import Severity
from ..i18n import _

if TYPE_CHECKING:
    from .context import Finding, PlanContext

CheckFunction = Callable[["PlanContext"], Iterable["Finding"]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    check: CheckFunction | None = None


RULES: dict[str, Rule] = {}


def declare(code: str, name: str, severity: Severity, summary: str, doc: str) -> Rule:
    """Register a rule that the loader reports itself (syntax, encoding, shape…)."""
    if code in RULES:
        raise ValueError(f"rule code {code} registered twice")
    entry = Rule(code, name, severity, summary, inspect.cleandoc(doc))
    RULES[code] = entry
    return entry


def rule(
    code: str, name: str, severity: Severity, summary: str
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function under a stable code. Its docstring is the rule's doc."""

    def register(function: CheckFunction) -> CheckFunction:
        if code in RULES:
            raise ValueError(f"rule code {code} registered twice")
        RULES[code] = Rule(
            code, name, severity, summary, inspect.cleandoc(function.__doc__ or ""), function
        )
        return function

    return register


def checks() -> Iterator[Rule]:
    for entry in sorted(RULES.values(), key=lambda r: r.code):
        if entry.check is not None:
            yield entry


def find(code_or_name: str) -> Rule | None:
    wanted = code_or_name.strip()
    if wanted.upper() in RULES:
        return RULES[wanted.upper()]
    for entry in RULES.values():
        if entry.name == wanted.lower():
            return entry
    return None


def as_table() -> list[dict[str, Any]]:
    """Every rule, sorted by code; summary and doc in the user's language (code, name and
    severity are tokens, never translated)."""
    return [
        {
            "code": r.code,
            "name": r.name,
            "severity": r.severity.value,
            "summary": _(r.summary),
            "doc": _(r.doc) if r.doc else "",
        }
        for r in sorted(RULES.values(), key=lambda r: r.code)
    ]
