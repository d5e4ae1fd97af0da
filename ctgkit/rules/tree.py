"""Rules over plan.yaml: the strategy tree and the convention period."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Severity
from ..i18n import _
from .context import Finding, PlanContext
from .registry import rule

E, W = Severity.ERROR, Severity.WARNING


@rule("CTG020", "malformed-code", E, "An objective code is not written as a code.")
def malformed_tree_code(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: a code that is not letters or digits separated by single dots, in the tree or in a
    fiche (e.g. `1.d.`, `3.1. f`, `A..3`).
    Why: a malformed code cannot be matched to an objective; it is usually a typing slip, and
    the message suggests the code that was probably meant (one that differs only by its
    punctuation, or by a segment left out, and that the fiche does not already cite).
    Example: fiche 1 of Civraisien 2019 cites `1.d.` for objective 1.2.d.
    """
    index = ctx.index
    for info in index.order:
        if not index.well_formed(info.code):
            yield Finding(ctx.plan.source, (*info.path, "code"), _malformed(info.code))
    from .fiches import citations, repeated, suggest

    for cite in citations(ctx):
        # A code written as the tree writes it is the tree's mistake, reported there once;
        # a code repeated in the same field is reported once, and CTG027 says it is repeated.
        if index.well_formed(cite.code) or index.get(cite.code) is not None:
            continue
        if not repeated(index, cite):
            yield Finding(cite.source, cite.path, _malformed(cite.code) + suggest(index, cite))


def _malformed(code: str) -> str:
    return _(
        "malformed code '{code}' (letters or digits separated by single dots, like 3.1.c)"
    ).format(code=code)


@rule("CTG022", "duplicate-code", E, "Two nodes of the strategy tree have the same code.")
def duplicate_code(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: a code used twice in the tree (with the plan's `préfixe_code`, `A.3.1` and `3.1`
    count as the same code).
    Why: a fiche citing that code would serve two different objectives at once.
    """
    index = ctx.index
    for info in index.duplicates:
        first = index.nodes[index.canonical(info.code)]
        line, _column = ctx.plan.source.locator().position((*first.path, "code"))
        title = (first.node.title or "")[:60]
        yield Finding(
            ctx.plan.source,
            (*info.path, "code"),
            _("code '{code}' is already used on line {line} ({title})").format(
                code=info.code, line=line, title=title
            ),
        )


@rule("CTG015", "undeclared-level", E, "The tree is deeper than the levels the plan declares.")
def undeclared_level(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: a node sits at a depth for which `niveaux` gives no name.
    Why: the rendered document and the coverage roll-up name each level; every level the tree
    uses must be declared, top first.
    """
    declared = len(ctx.plan.meta.levels) if ctx.plan.meta else 0
    for info in ctx.index.order:
        if info.level >= declared:
            yield Finding(
                ctx.plan.source,
                (*info.path, "code"),
                _("node '{code}' is at level {level} but `niveaux` declares only {count}").format(
                    code=info.code, level=info.level + 1, count=declared
                ),
            )


@rule("CTG042", "period-order", E, "The convention period ends before it starts.")
def period_order(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: `période.fin` is earlier than `période.début`.
    Why: every fiche's dates are checked against the period.
    """
    meta = ctx.plan.meta
    if meta is not None and meta.period is not None and meta.period.end < meta.period.start:
        yield Finding(
            ctx.plan.source,
            ("période", "fin"),
            _("period ends in {end}, before it starts in {start}").format(
                end=meta.period.end, start=meta.period.start
            ),
        )


@rule("CTG016", "untitled-node", E, "A node of the tree has no title and is not a recorded gap.")
def untitled_node(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: a node without `titre` whose code is not recorded in the plan's `lacunes`.
    Why: a node may lack its title only when the source does not give it (then it is « non
    transcrit » and says so); otherwise the title was forgotten.
    """
    index = ctx.index
    for info in index.order:
        if info.node.title is None and not index.is_gap(info.code):
            yield Finding(
                ctx.plan.source,
                (*info.path, "code"),
                _(
                    "node '{code}' has no `titre`; give it one, or record it in `lacunes` if "
                    "the source does not give it"
                ).format(code=info.code),
            )
