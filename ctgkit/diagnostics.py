"""Diagnostics: what ``ctg validate`` reports, and how it is printed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum

from .safe_text import github_escape, json_dumps, printable


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


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
        """The one-line text form; plan text in it cannot act on the terminal."""
        where = f"{self.file}:{self.line}:{self.column}"
        return printable(f"{where}: {self.severity.value} {self.code} {self.message}")

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
    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')} in {plural(plans, 'plan')}"


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
