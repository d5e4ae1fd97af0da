"""Every rule of ctgkit, registered on import (see :mod:`ctgkit.rules.registry`)."""

from . import fiches, files, suivi, tree  # noqa: F401  (registration side effects)
from .registry import RULES, Rule, as_table, checks, find

__all__ = ["RULES", "Rule", "as_table", "checks", "find"]
