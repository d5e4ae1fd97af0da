"""ctgkit: Conventions Territoriales Globales as checked, rendered, version-controlled plans.

>>> import ctgkit
>>> plan = ctgkit.load_plan("plans/civraisien-2019")
>>> ctgkit.validate(plan)
[]
>>> ctgkit.coverage(plan).ratio
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Diagnostic",
    "NotAPlanError",
    "Plan",
    "coverage",
    "find_plans",
    "load_plan",
    "render",
    "validate",
]

# Imported on first use so that `ctg --version` and `import ctgkit` stay fast.
_LAZY = {
    "Diagnostic": "ctgkit.diagnostics",
    "NotAPlanError": "ctgkit.loader",
    "Plan": "ctgkit.loader",
    "load_plan": "ctgkit.loader",
    "validate": "ctgkit.api",
    "find_plans": "ctgkit.api",
    "coverage": "ctgkit.coverage_model",
    "render": "ctgkit.api",
}

if TYPE_CHECKING:
    from .api import find_plans, render, validate
    from .coverage_model import coverage
    from .diagnostics import Diagnostic
    from .loader import NotAPlanError, Plan, load_plan


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ctgkit' has no attribute {name!r}")
