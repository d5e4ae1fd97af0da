"""Printing for the command line: coloured on a terminal, plain when piped."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .diagnostics import Diagnostic, count, summary_line, to_github, to_json
from .safe_text import printable

#: A progress bar is shown for at least this many plans, on a terminal only.
PROGRESS_MIN_PLANS = 8


def _console(stderr: bool = False) -> Any:
    """A console that prints strings as they are: plan text may hold ``[/x]`` (rich markup)
    or ``:smile:`` (emoji codes); styles are given as ``Text`` styles, never as markup."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True, markup=False, emoji=False)


def is_terminal(stream: Any = None) -> bool:
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def print_diagnostics(diagnostics: list[Diagnostic], fmt: str, plans: int) -> None:
    if fmt == "json":
        sys.stdout.write(to_json(diagnostics) + "\n")
        return
    if fmt == "github":
        for diagnostic in diagnostics:
            sys.stdout.write(to_github(diagnostic) + "\n")
        errors, warnings = count(diagnostics)
        sys.stdout.write(summary_line(errors, warnings, plans) + "\n")
        return
    errors, warnings = count(diagnostics)
    if not is_terminal():
        lines = [str(d) for d in diagnostics]
        lines.append(summary_line(errors, warnings, plans))
        sys.stdout.write("\n".join(lines) + "\n")
        return
    from rich.text import Text

    console = _console()
    for d in diagnostics:
        line = Text()
        line.append(printable(f"{d.file}:{d.line}:{d.column}:"), style="bold")
        line.append(" ")
        line.append(d.severity.value, style="bold red" if d.is_error else "bold yellow")
        line.append(f" {d.code}", style="cyan")
        line.append(printable(f" {d.message}"))
        console.print(line)
    style = "bold red" if errors else ("bold yellow" if warnings else "bold green")
    console.print(Text(summary_line(errors, warnings, plans), style=style))


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr when it is a terminal and there are many plans."""
    if total < PROGRESS_MIN_PLANS or not is_terminal(sys.stderr):
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        f"[bold]{label}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


def print_rules(rows: list[dict[str, Any]], full: bool) -> None:
    if full:
        for row in rows:
            header = f"{row['code']} {row['name']} ({row['severity']})"
            sys.stdout.write(f"{header}\n{row['summary']}\n\n{row['doc']}\n")
        return
    if not is_terminal():
        for row in rows:
            sys.stdout.write(f"{row['code']}\t{row['severity']}\t{row['name']}\t{row['summary']}\n")
        return
    from rich.table import Table
    from rich.text import Text

    table = Table("code", "severity", "name", "summary", box=None)
    for row in rows:
        style = "red" if row["severity"] == "error" else "yellow"
        table.add_row(row["code"], Text(row["severity"], style=style), row["name"], row["summary"])
    _console().print(table)
