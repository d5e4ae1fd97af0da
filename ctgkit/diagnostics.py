"""Diagnostics: what ``ctg validate`` reports, and how it is printed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum

from .i18n import N_, _, ngettext
from .safe_text import github_escape, json_dumps, printable


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def word(self) -> str:
        """The severity as a reader says it, in the current language (the text forms);
        JSON and GitHub annotations keep the English token, :attr:`value`."""
        return _(_SEVERITY_WORDS[self])


_SEVERITY_WORDS = {Severity.ERROR: N_("error"), Severity.WARNING: N_("warning")}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem at one place. ``line`` and ``column`` are 1-based."""

    file: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.code, self.message)

    def __str__(self) -> str:
        """The one-line text form, ``file:line:col: severity CODE message`` (only the
        severity word follows the language); plan text in it cannot act on the terminal."""
        where = f"{self.file}:{self.line}:{self.column}"
        return printable(f"{where}: {self.severity.word} {self.code} {self.message}")

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


def count(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    """``(errors, warnings)``."""
    errors = warnings = 0
    for diagnostic in diagnostics:
        if diagnostic.is_error:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def summary_line(errors: int, warnings: int, plans: int) -> str:
    """``2 errors, 1 warning in 1 plan`` (« 2 erreurs, 1 avertissement dans 1 plan »)."""
    return _("{errors}, {warnings} in {plans}").format(
        errors=ngettext("{n} error", "{n} errors", errors).format(n=errors),
        warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings),
        plans=ngettext("{n} plan", "{n} plans", plans).format(n=plans),
    )


def to_json(diagnostics: list[Diagnostic]) -> str:
    errors, warnings = count(diagnostics)
    return json_dumps(
        {"diagnostics": [d.to_dict() for d in diagnostics], "errors": errors, "warnings": warnings}
    )


def to_github(diagnostic: Diagnostic) -> str:
    kind = "error" if diagnostic.is_error else "warning"
    file = github_escape(diagnostic.file, property_value=True)
    title = github_escape(diagnostic.code, property_value=True)
    return (
        f"::{kind} file={file},line={diagnostic.line},col={diagnostic.column},title={title}::"
        f"{github_escape(diagnostic.code + ' ' + diagnostic.message)}"
    )
