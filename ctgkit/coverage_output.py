"""``ctg coverage`` output formats: text (rich), csv, json; md and html come from the same
templates ``ctg render`` embeds (:func:`ctgkit.rendering.render_matrix`)."""

from __future__ import annotations

import csv
import io
from typing import Any

from .coverage_model import PlanCoverage
from .i18n import _
from .safe_text import csv_cell, json_dumps, printable


def to_json(coverages: list[PlanCoverage]) -> str:
    return json_dumps({"plans": [c.to_json() for c in coverages]}) + "\n"


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
        console.print(
            _("{covered} of {total} {plural} covered ({pct})").format(
                covered=cov.covered, total=cov.total, plural=plural, pct=_pct(cov.ratio)
            )
        )
        if not uncovered_only:
            console.print(_tree_table(cov, console.width))
        heading = _("Uncovered {plural} ({n}):").format(plural=plural, n=len(cov.uncovered))
        console.print(Text(heading, style="bold"))
        if cov.uncovered:
            import textwrap

            listing = Text()
            for row in cov.uncovered:
                head = f"  {printable(row.code)} "
                listing.append(
                    textwrap.fill(
                        _short(row.title, limit=None),
                        width=max(40, console.width - 1),
                        initial_indent=head,
                        subsequent_indent=" " * len(head),
                    )
                    + "\n"
                )
            listing.rstrip()
            listing.stylize("red")
            console.print(listing)
        else:
            console.print("  " + _("none"))
        if cov.not_transcribed:
            # Recorded in the plan's lacunes: the source does not give them; not counted.
            heading = _("Not transcribed, not counted ({n}):").format(n=len(cov.not_transcribed))
            console.print(Text(heading, style="bold"))
            for row in cov.not_transcribed:
                line = _("{code} (not transcribed)").format(code=printable(row.code))
                console.print("  " + line)
        if not uncovered_only:
            lonely = cov.fiches_without_objectives
            heading = _("Fiches citing no objective ({n}):").format(n=len(lonely))
            console.print(Text(heading, style="bold"))
            for fiche in lonely:
                console.print(f"  {printable(str(fiche.number))} {_short(fiche.title, None)}")
            if not lonely:
                console.print("  " + _("none"))
            many = cov.many
            heading = _("Served by {threshold} fiches or more ({n}):").format(
                threshold=cov.many_threshold, n=len(many)
            )
            console.print(Text(heading, style="bold"))
            for row in many:
                console.print(
                    f"  {printable(row.code)} ({len(row.fiches)}: {_fiches(row.fiches)}) "
                    f"{_short(row.title)}"
                )
            if not many:
                console.print("  " + _("none"))
        console.print()
    if len(coverages) > 1:
        summary = Table(
            _("plan"), _("title"), _("covered"), _("total"), _("ratio"), title=_("Summary")
        )
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
            _("all"), "", str(covered), str(total), _pct(covered / total if total else 0.0)
        )
        console.print(summary)


def _tree_table(cov: PlanCoverage, width: int) -> Any:
    """The objective tree with the fiches serving each objective and the counts per group,
    as one styled text. Columns are laid out here in one pass: rich's Table measures every
    cell several times, which took seconds for a plan of thousands of objectives."""
    from rich.text import Text

    by_code = {row.code: row for row in cov.objectives}
    groups = {g.code: g for g in cov.groups}
    rows: list[tuple[str, str, str, str | None]] = []  # label, fiches, counts, style
    for entry in _tree_rows(cov):
        if entry in groups:
            g = groups[entry]
            label = f"{'  ' * (g.level - 1)}{printable(g.code)} {_short(g.title)}"
            rows.append((label, "", f"{g.covered}/{g.total} ({_pct(g.ratio)})", "bold"))
        else:
            row = by_code[entry]
            label = f"{'  ' * (row.level - 1)}{printable(row.code)} {_short(row.title)}"
            style = None if row.covered else "bold red"
            rows.append((label, _fiches(row.fiches) if row.fiches else "—", "", style))
    rows.append((_("total"), "", f"{cov.covered}/{cov.total} ({_pct(cov.ratio)})", "bold"))
    counts_width = max(14, *(len(r[2]) for r in rows))
    fiches_width = max(14, *(len(r[1]) for r in rows))
    headings = _("objective"), _("fiches"), _("covered")
    label_width = max(len(headings[0]), *(len(r[0]) for r in rows))
    label_width = min(label_width, max(30, width - counts_width - fiches_width - 4))
    fiches_width = max(14, min(fiches_width, width - label_width - counts_width - 4))

    def cut(text: str, size: int) -> str:
        return text if len(text) <= size else text[: size - 1] + "…"

    out = Text()
    header = (
        f"{headings[0]:<{label_width}}  {headings[1]:<{fiches_width}}  "
        f"{headings[2]:>{counts_width}}"
    )
    out.append(header.rstrip() + "\n")
    for label, fiches, counts, style in rows:
        line = (
            f"{cut(label, label_width):<{label_width}}  "
            f"{cut(fiches, fiches_width):<{fiches_width}}  {counts:>{counts_width}}"
        )
        out.append(line.rstrip() + "\n", style=style)
    out.rstrip()
    return out


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
