"""The errors of the render pipeline, shared by every rendering module.

A template, a label catalog or a destination the library cannot use, and the render it
refuses (a plan with errors), are :class:`RenderError`; nothing is written when one is
raised before the files are published.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .i18n import ngettext


class RenderError(Exception):
    """A template or label catalog that cannot be used, or a render the library refuses."""


class DestinationError(RenderError):
    """An output directory inside a plan being rendered (links followed), or two plans
    that would be written to the same place. Nothing has been written."""


class PlanHasErrors(RenderError):
    """Plans with errors are not rendered unless asked to (``force``). Nothing has been
    written. ``diagnostics``: the errors."""

    def __init__(self, diagnostics: Sequence[Any]) -> None:
        self.diagnostics = list(diagnostics)
        count = len(self.diagnostics)
        files = sorted({str(d.file) for d in self.diagnostics})
        shown = ", ".join(files[:3]) + (" …" if len(files) > 3 else "")
        super().__init__(
            ngettext(
                "{count} error in {files}; not rendered (force=True renders anyway, marked "
                "« document non validé »)",
                "{count} errors in {files}; not rendered (force=True renders anyway, marked "
                "« document non validé »)",
                count,
            ).format(count=count, files=shown)
        )
