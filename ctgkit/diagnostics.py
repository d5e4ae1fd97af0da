"""Diagnostics: what ``ctg validate`` reports, and how it is printed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum


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
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.severity.value} {self.code} {self.message}"

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
    return json.dumps(
        {
            "diagnostics": [d.to_dict() for d in diagnostics],
            "errors": errors,
            "warnings": warnings,
        },
        ensure_ascii=False,
        indent=2,
    )


def _escape_github(text: str, *, property_value: bool = False) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def to_github(diagnostic: Diagnostic) -> str:
    kind = "error" if diagnostic.is_error else "warning"
    file = _escape_github(diagnostic.file, property_value=True)
    title = _escape_github(diagnostic.code, property_value=True)
    return (
        f"::{kind} file={file},line={diagnostic.line},col={diagnostic.column},title={title}::"
        f"{_escape_github(diagnostic.code + ' ' + diagnostic.message)}"
    )
