"""Model → analyses: an index of the strategy tree that checks, coverage and rendering share.

Codes are compared in a canonical form: surrounding spaces removed and, when the plan
declares a ``code_prefix`` (Civraisien 2019: ``A.``), that prefix dropped, so ``A.3.1``
and ``3.1`` name the same strategic objective.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Actor, Node, PlanFile

#: Segments of letters or digits separated by single dots: 3.1.c, A.1, 12, I1.02.
CODE_SYNTAX = re.compile(r"[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*")


@dataclass
class NodeInfo:
    node: Node
    level: int  # 0 for the top level
    path: tuple[object, ...]  # data path in plan.yaml, for positions
    ancestors: tuple[str, ...]  # canonical codes, top first
    leaves: list[str] = field(default_factory=list)  # canonical codes of the leaves below

    @property
    def code(self) -> str:
        return self.node.code

    @property
    def is_leaf(self) -> bool:
        return not self.node.children


class PlanIndex:
    """Every node by canonical code, in plan order, with its level and ancestors."""

    def __init__(self, meta: PlanFile) -> None:
        self.meta = meta
        self.prefix = (meta.code_prefix or "").strip()
        self.nodes: dict[str, NodeInfo] = {}
        self.order: list[NodeInfo] = []  # every node, depth-first, plan order
        self.duplicates: list[NodeInfo] = []  # later nodes whose code was already used
        self.depth = 0
        stack: list[tuple[Node, int, tuple[object, ...], tuple[str, ...]]] = [
            (node, 0, ("stratégie", i), ()) for i, node in reversed(list(enumerate(meta.strategy)))
        ]
        while stack:
            node, level, path, ancestors = stack.pop()
            info = NodeInfo(node, level, path, ancestors)
            key = self.canonical(node.code)
            self.order.append(info)
            self.depth = max(self.depth, level + 1)
            if key in self.nodes:
                self.duplicates.append(info)
            else:
                self.nodes[key] = info
            for i, child in reversed(list(enumerate(node.children))):
                stack.append((child, level + 1, (*path, "enfants", i), (*ancestors, key)))
        self.gap_codes = {self.canonical(g.code) for g in meta.gaps if g.code}
        # A childless node without a title, recorded as a gap, is « non transcrit » (the
        # source does not give it): not an objective. One with a title is transcribed, and
        # its gap is a note on it.
        self.not_transcribed: list[NodeInfo] = [
            info for info in self.order if self.untranscribed(info)
        ]
        self.leaves: list[NodeInfo] = [
            info for info in self.order if info.is_leaf and not self.untranscribed(info)
        ]
        for leaf in self.leaves:
            for ancestor in leaf.ancestors:
                if ancestor in self.nodes:
                    self.nodes[ancestor].leaves.append(self.canonical(leaf.code))

    def canonical(self, code: str) -> str:
        code = code.strip()
        if self.prefix and code.startswith(self.prefix) and len(code) > len(self.prefix):
            return code[len(self.prefix) :]
        return code

    def is_gap(self, code: str) -> bool:
        return self.canonical(code) in self.gap_codes

    def untranscribed(self, info: NodeInfo) -> bool:
        return info.is_leaf and info.node.title is None and self.is_gap(info.code)

    def is_editorial(self, info: NodeInfo) -> bool:
        """The code was assigned by the transcriber, not printed in the source."""
        return self.meta.editorial_codes or info.node.editorial

    def get(self, code: str) -> NodeInfo | None:
        return self.nodes.get(self.canonical(code))

    def level_name(self, level: int) -> str:
        levels = self.meta.levels
        return levels[level].name if level < len(levels) else f"level {level + 1}"

    def well_formed(self, code: str) -> bool:
        return CODE_SYNTAX.fullmatch(code.strip()) is not None

    def all_codes(self) -> list[str]:
        return [info.code for info in self.order]

    def close_codes(
        self,
        typed: str,
        infos: Iterable[NodeInfo],
        exclude: Collection[str] = (),
        limit: int = 3,
    ) -> list[str]:
        """The codes of ``infos`` that ``typed`` is a slip for, the closest kind of slip only,
        in plan order (at most ``limit``).

        Only real slips count (see :func:`slip`): punctuation, case or spacing (``A3.2``,
        ``3.1. f``, ``5.``), two segments or two characters swapped (``1.3.c``), a middle segment
        left out (``1.d`` for ``1.2.d``), one character too many or too few inside a segment
        (``3.1.cc``). A different letter or number is not a slip: ``3.2.d`` is never answered
        with ``3.2.c``, which is another objective. Canonical codes in ``exclude`` (those the
        fiche already cites) are never proposed.
        """
        variants = {typed.strip(), self.canonical(typed)}
        ranked = []
        for position, info in enumerate(infos):
            key = self.canonical(info.code)
            if key in exclude or key == self.canonical(typed):
                continue
            ranks = [
                rank for t in variants for c in {info.code, key} if (rank := slip(t, c)) is not None
            ]
            if ranks:
                ranked.append((min(ranks), position, info.code))
        if not ranked:
            return []
        best = min(rank for rank, _position, _code in ranked)
        # When some codes differ only by punctuation, the others are not what was meant.
        return [code for rank, _position, code in sorted(ranked) if rank == best][:limit]


_SEPARATORS = re.compile(r"[^0-9a-z]+")


def _segments(code: str) -> list[str]:
    return [s for s in _SEPARATORS.split(code.casefold()) if s]


def slip(typed: str, code: str) -> int | None:
    """How ``typed`` can be a slip for ``code``: 0 punctuation, case or spacing only;
    1 swapped segments or characters, or one character too many or too few inside a segment;
    2 a middle segment left out. None when it cannot."""
    ts, cs = _segments(typed), _segments(code)
    if not ts or not cs:
        return None
    if "".join(ts) == "".join(cs):
        return 0
    if len(ts) == len(cs):
        diffs = [i for i, (a, b) in enumerate(zip(ts, cs, strict=True)) if a != b]
        if len(diffs) == 2 and diffs[1] == diffs[0] + 1:
            i, j = diffs
            if ts[i] == cs[j] and ts[j] == cs[i]:
                return 1
        if len(diffs) == 1:
            a, b = ts[diffs[0]], cs[diffs[0]]
            if _one_extra(a, b) or _one_extra(b, a) or _swapped(a, b):
                return 1
        return None
    if len(ts) == len(cs) - 1 and len(ts) >= 2:
        if any(cs[:i] + cs[i + 1 :] == ts for i in range(1, len(cs) - 1)):
            return 2
    return None


def _one_extra(longer: str, shorter: str) -> bool:
    """``longer`` is ``shorter`` with one character added (``cc`` for ``c``, ``11`` for ``1``)."""
    if len(longer) != len(shorter) + 1 or not shorter:
        return False
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _swapped(a: str, b: str) -> bool:
    """Two neighbouring characters swapped (``21`` for ``12``)."""
    if len(a) != len(b) or len(a) < 2:
        return False
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return (
        len(diffs) == 2
        and diffs[1] == diffs[0] + 1
        and a[diffs[0]] == b[diffs[1]]
        and a[diffs[1]] == b[diffs[0]]
    )


class ActorRegistry:
    """The plan's actors by every name they go by (case, accents and apostrophes ignored).

    Without an ``acteurs`` registry, each distinct name (so folded) is an actor of its own.
    """

    def __init__(self, actors: list[Actor]) -> None:
        from .model import fold

        self.actors = actors
        self.declared = bool(actors)
        self._by_name: dict[str, Actor] = {}
        for actor in actors:
            for name in actor.names():
                self._by_name.setdefault(fold(name), actor)

    def find(self, name: str) -> Actor | None:
        from .model import fold

        return self._by_name.get(fold(name))

    def suggest(self, name: str, exclude: Collection[Actor] = ()) -> str | None:
        """The actor ``name`` is a close spelling of (not one of ``exclude``), or None."""
        import difflib

        from .model import fold

        names = [n for n, actor in self._by_name.items() if all(actor is not a for a in exclude)]
        close = difflib.get_close_matches(fold(name), names, n=1, cutoff=0.75)
        return self._by_name[close[0]].name if close else None
