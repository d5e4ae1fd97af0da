"""``ctg coverage`` output formats: text (rich), csv, json; md and html come from the same
templates ``ctg render`` embeds (:func:`ctgkit.rendering.render_matrix`)."""

from __future__ import annotations

import csv
import io
from typing import Any

from .coverage_model import PlanCoverage
from .safe_text import json_dumps, printable


def to_json(coverages: list[PlanCoverage]) -> str:
    return json_dumps({"plans": [c.to_json() for c in coverages]}) + "\n"


#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: ``'`` before a cell it would run as a formula,
    controls shown as escapes (the CSV may be printed on a terminal)."""
    text = str(value)
    return "'" + printable(text) if text.startswith(FORMULA_STARTS) else printable(text)


def to_csv(cov: PlanCoverage) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = ["code", "title", *[f"fiche {f.number}" for f in cov.fiches], "count"]
    writer.writerow([csv_cell(cell) for cell in header])
    for row, cells in zip(cov.objectives, cov.matrix(), strict=True):
        line = [row.code, " ".join(row.title.split()), *["x" if c else "" for c in cells]]
        writer.writerow([*map(csv_cell, line), len(row.fiches)])
    return buffer.getvalue()


def _pct(ratio: float) -> str:
    return f"{100 * ratio:.0f} %"


def render_text(
    coverages: list[PlanCoverage], uncovered_only: bool, width: int | None = None
) -> str:
    """The terminal report, as text with rich markup rendered (colour only on a terminal)."""
    from rich.console import Console

    console = Console(
        file=io.StringIO(),
        width=width or 100,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
        force_terminal=False,
        no_color=True,
    )
    _print(console, coverages, uncovered_only)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def print_text(coverages: list[PlanCoverage], uncovered_only: bool) -> None:
    """Colours and the terminal's width on a terminal; plain text, 100 columns, when piped."""
    import os
    import sys

    from rich.console import Console

    if sys.stdout.isatty():
        _print(Console(highlight=False, markup=False, emoji=False), coverages, uncovered_only)
        return
    width = (
        int(os.environ.get("COLUMNS", "100")) if os.environ.get("COLUMNS", "").isdigit() else 100
    )
    sys.stdout.write(render_text(coverages, uncovered_only, width=width))


def _print(console: Any, coverages: list[PlanCoverage], uncovered_only: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    for cov in coverages:
        plural = printable(cov.level_plural)
        console.print(Text(printable(f"{cov.title} ({cov.slug})"), style="bold"))
        console.print(f"{cov.covered} of {cov.total} {plural} covered ({_pct(cov.ratio)})")
        if not uncovered_only:
            table = Table(box=None, pad_edge=False, show_edge=False, expand=False)
            fixed = 32  # room for the fiche numbers and the counts
            table.add_column(
                "objective",
                no_wrap=True,
                overflow="ellipsis",
                max_width=max(30, console.width - fixed),
            )
            table.add_column("fiches", min_width=14, overflow="fold")
            table.add_column("covered", no_wrap=True, justify="right", min_width=14)
            by_code = {row.code: row for row in cov.objectives}
            groups = {g.code: g for g in cov.groups}
            for entry in _tree_rows(cov):
                if entry in groups:
                    g = groups[entry]
                    indent = "  " * (g.level - 1)
                    table.add_row(
                        Text(f"{indent}{printable(g.code)} {_short(g.title)}", style="bold"),
                        "",
                        f"{g.covered}/{g.total} ({_pct(g.ratio)})",
                    )
                else:
                    row = by_code[entry]
                    indent = "  " * (row.level - 1)
                    style = None if row.covered else "bold red"
                    table.add_row(
                        Text(f"{indent}{printable(row.code)} {_short(row.title)}", style=style),
                        Text(_fiches(row.fiches) if row.fiches else "—", style=style),
                        "",
                    )
            table.add_row(
                Text("total", style="bold"), "", f"{cov.covered}/{cov.total} ({_pct(cov.ratio)})"
            )
            console.print(table)
        console.print(Text(f"Uncovered {plural} ({len(cov.uncovered)}):", style="bold"))
        if cov.uncovered:
            listing = Table(box=None, show_header=False, pad_edge=False, padding=(0, 1, 0, 0))
            listing.add_column("code", no_wrap=True, style="red")
            listing.add_column("title", style="red")
            for row in cov.uncovered:
                listing.add_row(f"  {printable(row.code)}", _short(row.title, limit=None))
            console.print(listing)
        else:
            console.print("  none")
        if not uncovered_only:
            lonely = cov.fiches_without_objectives
            console.print(Text(f"Fiches citing no objective ({len(lonely)}):", style="bold"))
            for fiche in lonely:
                console.print(f"  {printable(str(fiche.number))} {_short(fiche.title, None)}")
            if not lonely:
                console.print("  none")
            many = cov.many
            console.print(
                Text(f"Served by {cov.many_threshold} fiches or more ({len(many)}):", style="bold")
            )
            for row in many:
                console.print(
                    f"  {printable(row.code)} ({len(row.fiches)}: {_fiches(row.fiches)}) "
                    f"{_short(row.title)}"
                )
            if not many:
                console.print("  none")
        console.print()
    if len(coverages) > 1:
        summary = Table("plan", "title", "covered", "total", "ratio", title="Summary")
        for cov in coverages:
            summary.add_row(
                printable(cov.slug),
                _short(cov.title, 50),
                str(cov.covered),
                str(cov.total),
                _pct(cov.ratio),
            )
        covered = sum(c.covered for c in coverages)
        total = sum(c.total for c in coverages)
        summary.add_row(
            "all", "", str(covered), str(total), _pct(covered / total if total else 0.0)
        )
        console.print(summary)


def _short(text: str, limit: int | None = 70) -> str:
    """One line of plan text, printable, cut to ``limit`` characters."""
    text = printable(" ".join(text.split()))
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _fiches(numbers: list[str]) -> str:
    return printable(", ".join(numbers))


def _tree_rows(cov: PlanCoverage) -> list[str]:
    """Group codes and counted codes interleaved in plan order (groups before their rows)."""
    order: list[str] = []
    seen: set[str] = set()
    for row in cov.objectives:
        for ancestor in row.path:
            if ancestor not in seen:
                seen.add(ancestor)
                order.append(ancestor)
        order.append(row.code)
    group_codes = {g.code for g in cov.groups}
    return [code for code in order if code in group_codes or code not in seen]
