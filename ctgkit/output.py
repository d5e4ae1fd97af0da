"""Printing for the command line: coloured on a terminal, plain when piped."""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .diagnostics import Diagnostic, Severity, count, summary_line, to_github, to_json
from .i18n import _
from .safe_text import printable

#: A progress bar is shown for at least this many plans, on a terminal only.
PROGRESS_MIN_PLANS = 8


def _console(stderr: bool = False) -> Any:
    """A console that prints strings as they are: plan text may hold ``[/x]`` (rich markup)
    or ``:smile:`` (emoji codes); styles are given as ``Text`` styles, never as markup."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True, markup=False, emoji=False)


class StandardOutputError(Exception):
    """Standard output cannot be written: closed, full, or its reader gone (a broken pipe).

    Not an ``OSError``: the handlers around file writes must not take it for theirs."""

    def __init__(self, cause: OSError) -> None:
        from .fsutil import reason

        super().__init__(cause.strerror or str(cause))
        self.strerror = reason(cause)  # in the current language
        self.broken_pipe = cause.errno == errno.EPIPE


class _StandardFile(io.FileIO):
    """File descriptor 1 or 2, unbuffered. After the first write error, writes are dropped:
    the error has been raised once (stdout) or cannot be told to anyone (stderr), and the
    interpreter's final flush must not fail again."""

    def __init__(self, fd: int, closed_at_start: bool) -> None:
        super().__init__(fd, "wb", closefd=False)
        self.closed_at_start = closed_at_start
        self.failed = False

    def write(self, data: Any) -> int:
        size = len(memoryview(data))
        if self.failed:
            return size
        try:
            if self.closed_at_start:
                raise OSError(errno.EBADF, _("it is closed"))
            return super().write(data)
        except OSError as exc:
            self.failed = True
            if self.fileno() == 1:
                raise StandardOutputError(exc) from None
            return size


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def guard_standard_streams() -> None:
    """Make the standard streams safe to write whatever happens (for ``ctg`` run as a
    program, not for the library).

    - A closed descriptor 0, 1 or 2 (``ctg … >&-``) is opened on /dev/null, as git does, so
      that no file ctg opens later takes its number and receives its output; writing to a
      closed standard output then fails plainly (:class:`StandardOutputError`).
    - Any encoding, even a strict ASCII one (``PYTHONIOENCODING=ascii``), accepts any text:
      what it cannot encode is written as a backslash escape.
    - A write error on standard output (a full disk, a closed pipe) is raised as
      :class:`StandardOutputError`, distinct from errors on the files ctg writes.
    """
    closed = {fd for fd in (0, 1, 2) if not _is_open(fd)}
    for fd in sorted(closed):
        spare = os.open(os.devnull, os.O_RDWR)
        if spare != fd:
            os.dup2(spare, fd)
            os.close(spare)
    for fd, name in ((1, "stdout"), (2, "stderr")):
        old = getattr(sys, name)
        if old is not None:
            old.flush()
        stream = io.TextIOWrapper(
            io.BufferedWriter(_StandardFile(fd, closed_at_start=fd in closed)),
            encoding=getattr(old, "encoding", None) or "utf-8",
            errors="backslashreplace",
            line_buffering=bool(getattr(old, "line_buffering", False)),
            write_through=fd == 2,
        )
        setattr(sys, name, stream)


def is_terminal(stream: Any = None) -> bool:
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def write_document(text: str) -> None:
    """A document (Markdown, HTML, CSV, JSON) on standard output: as it is when piped or
    redirected (a file gets every byte of the plan's text), with control characters shown
    as escapes on a terminal (plan text must never act on it)."""
    sys.stdout.write(printable(text, multiline=True) if is_terminal() else text)


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
        line.append(d.severity.word, style="bold red" if d.is_error else "bold yellow")
        line.append(f" {d.code}", style="cyan")
        line.append(printable(f" {d.message}"))
        console.print(line)
    style = "bold red" if errors else ("bold yellow" if warnings else "bold green")
    console.print(Text(summary_line(errors, warnings, plans), style=style))


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[], None]]:
    """A rich progress bar on stderr when it is a terminal and there are many plans.
    ``label`` is shown as it is (translated by the caller)."""
    if total < PROGRESS_MIN_PLANS or not is_terminal(sys.stderr):
        yield lambda: None
        return
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        f"[bold]{escape(label)}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


def _translated(text: str) -> str:
    """A rule's summary or doc in the current language (the catalog has them as messages);
    an empty text stays empty (``_("")`` would be the catalog's header)."""
    return _(text) if text else text


def _severity(token: str) -> str:
    """The severity token of the registry (``error``) as the text forms say it."""
    try:
        return Severity(token).word
    except ValueError:
        return token


def print_rules(rows: list[dict[str, Any]], full: bool) -> None:
    """The registry as text: a table (tab-separated when piped), or each rule's whole
    documentation. Summaries, docs and severities follow the language; codes and names
    do not."""
    if full:
        for row in rows:
            header = f"{row['code']} {row['name']} ({_severity(row['severity'])})"
            summary, doc = _translated(row["summary"]), _translated(row["doc"])
            sys.stdout.write(f"{header}\n{summary}\n\n{doc}\n")
        return
    if not is_terminal():
        for row in rows:
            severity, summary = _severity(row["severity"]), _translated(row["summary"])
            sys.stdout.write("\t".join((row["code"], severity, row["name"], summary)) + "\n")
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(_("code"), _("severity"), _("name"), _("summary"), box=None)
    for row in rows:
        style = "red" if row["severity"] == "error" else "yellow"
        table.add_row(
            row["code"],
            Text(_severity(row["severity"]), style=style),
            row["name"],
            _translated(row["summary"]),
        )
    _console().print(table)
