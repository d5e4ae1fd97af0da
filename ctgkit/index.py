"""Model → analyses: an index of the strategy tree that checks, coverage and rendering share.

Codes are compared in a canonical form: surrounding spaces removed and, when the plan
declares a ``code_prefix`` (Civraisien 2019: ``A.``), that prefix dropped, so ``A.3.1``
and ``3.1`` name the same strategic objective.
"""

from __future__ import annotations

import re
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

    def suggest(self, name: str) -> str | None:
        import difflib

        from .model import fold

        close = difflib.get_close_matches(fold(name), list(self._by_name), n=1, cutoff=0.75)
        return self._by_name[close[0]].name if close else None
