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
    from .model import Node, PlanFile

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
            (node, 0, ("strategy", i), ()) for i, node in reversed(list(enumerate(meta.strategy)))
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
                stack.append((child, level + 1, (*path, "children", i), (*ancestors, key)))
        self.leaves: list[NodeInfo] = [info for info in self.order if info.is_leaf]
        for leaf in self.leaves:
            for ancestor in leaf.ancestors:
                if ancestor in self.nodes:
                    self.nodes[ancestor].leaves.append(self.canonical(leaf.code))

    def canonical(self, code: str) -> str:
        code = code.strip()
        if self.prefix and code.startswith(self.prefix) and len(code) > len(self.prefix):
            return code[len(self.prefix) :]
        return code

    def get(self, code: str) -> NodeInfo | None:
        return self.nodes.get(self.canonical(code))

    def level_name(self, level: int) -> str:
        levels = self.meta.levels
        return levels[level].name if level < len(levels) else f"level {level + 1}"

    def well_formed(self, code: str) -> bool:
        return CODE_SYNTAX.fullmatch(code.strip()) is not None

    def all_codes(self) -> list[str]:
        return [info.code for info in self.order]
