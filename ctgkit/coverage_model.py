"""Analyses: which objectives the fiches serve. One implementation for ``ctg coverage``,
``ctg render`` and the library (:func:`coverage`)."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any

from .i18n import _
from .index import NodeInfo, PlanIndex
from .loader import Plan, load_plan

#: Default threshold for "served by many fiches".
MANY_FICHES = 4


class CoverageError(Exception):
    """The plan cannot be analysed (it has errors); carries nothing but a message."""


@dataclass
class ObjectiveRow:
    code: str
    title: str
    path: list[str]  # ancestor codes, top first
    fiches: list[str]  # numbers of the fiches serving it, in fiche order
    level: int  # 1-based

    @property
    def covered(self) -> bool:
        return bool(self.fiches)


@dataclass
class FicheRow:
    number: str
    title: str
    objectives: list[str]  # leaf codes (as the tree writes them), in citation order


@dataclass
class GroupRow:
    """Counts for one node above the counted level (an axis, a strategic objective)."""

    code: str
    title: str
    level: int
    total: int
    covered: int

    @property
    def ratio(self) -> float:
        return self.covered / self.total if self.total else 0.0


@dataclass
class PlanCoverage:
    slug: str
    title: str
    level: int  # the level counted (1-based); the leaf level unless rolled up
    level_name: str
    level_plural: str
    level_names: list[str]
    objectives: list[ObjectiveRow]
    fiches: list[FicheRow]
    groups: list[GroupRow]
    language: str = "fr"
    many_threshold: int = MANY_FICHES
    gaps: list[str] = field(default_factory=list)
    #: childless nodes recorded in the plan's `lacunes`: not counted
    not_transcribed: list[ObjectiveRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.objectives)

    @property
    def covered(self) -> int:
        return sum(1 for row in self.objectives if row.covered)

    @property
    def ratio(self) -> float:
        return self.covered / self.total if self.total else 0.0

    @property
    def uncovered(self) -> list[ObjectiveRow]:
        return [row for row in self.objectives if not row.covered]

    @property
    def fiches_without_objectives(self) -> list[FicheRow]:
        return [row for row in self.fiches if not row.objectives]

    @property
    def many(self) -> list[ObjectiveRow]:
        return [row for row in self.objectives if len(row.fiches) >= self.many_threshold]

    def matrix(self) -> list[list[bool]]:
        """``matrix[i][j]``: objective i served by fiche j."""
        numbers = [fiche.number for fiche in self.fiches]
        return [[number in row.fiches for number in numbers] for row in self.objectives]

    def to_json(self) -> dict[str, Any]:
        """The stable machine-readable contract (see the README)."""
        return {
            "slug": self.slug,
            "title": self.title,
            "level": self.level,
            "total": self.total,
            "covered": self.covered,
            "ratio": round(self.ratio, 4),
            "objectives": [
                {"code": r.code, "title": r.title, "path": r.path, "fiches": r.fiches}
                for r in self.objectives
            ],
            "fiches": [asdict(fiche) for fiche in self.fiches],
            "uncovered": [row.code for row in self.uncovered],
            "not_transcribed": [row.code for row in self.not_transcribed],
        }


def coverage(
    plan: str | os.PathLike[str] | Plan, level: int | None = None, many: int = MANY_FICHES
) -> PlanCoverage:
    """Coverage of a plan's objectives by its fiches.

    ``level`` (1-based) rolls the count up: a node at that level counts as covered when
    any leaf under it is. By default the leaves are counted.
    """
    if not isinstance(plan, Plan):
        plan = load_plan(plan)
    if plan.meta is None:
        raise CoverageError(
            _("{path}: plan.yaml could not be loaded").format(path=plan.display_root)
        )
    index = PlanIndex(plan.meta)
    return compute(plan, index, level=level, many=many)


def compute(
    plan: Plan, index: PlanIndex, level: int | None = None, many: int = MANY_FICHES
) -> PlanCoverage:
    assert plan.meta is not None
    depth = index.depth
    counted_level = depth if level is None else max(1, min(level, depth))

    # leaf (canonical code) -> fiche numbers, fiche order, each fiche once
    served: dict[str, list[str]] = {}
    fiche_rows: list[FicheRow] = []
    for loaded in _sorted_fiches(plan):
        fiche = loaded.fiche
        codes: list[str] = []
        for ref in fiche.objectives:
            info = index.get(ref.code)
            if info is None or not info.is_leaf or info.code in codes:
                continue
            codes.append(info.code)
            numbers = served.setdefault(index.canonical(info.code), [])
            if fiche.number not in numbers:
                numbers.append(fiche.number)
        fiche_rows.append(FicheRow(fiche.number, fiche.title, codes))

    counted = [
        info
        for info in index.order
        if not index.untranscribed(info)
        and (info.level + 1 == counted_level or (info.is_leaf and info.level + 1 < counted_level))
    ]
    rows = [_row(index, info, served, fiche_rows) for info in counted]

    # Roll the counted rows up to every ancestor above the counted level, in one pass.
    totals: dict[str, list[int]] = {}
    for info, row in zip(counted, rows, strict=True):
        for ancestor in info.ancestors:
            entry = totals.setdefault(ancestor, [0, 0])
            entry[0] += 1
            entry[1] += row.covered
    groups = []
    for info in index.order:
        if info.level + 1 >= counted_level or info.is_leaf:
            continue
        total, covered = totals.get(index.canonical(info.code), [0, 0])
        groups.append(GroupRow(info.code, info.node.title or "", info.level + 1, total, covered))
    not_transcribed = [
        ObjectiveRow(
            info.code,
            info.node.title or "",
            [index.nodes[a].code for a in info.ancestors],
            [],
            info.level + 1,
        )
        for info in index.not_transcribed
    ]
    return PlanCoverage(
        slug=plan.slug,
        title=plan.meta.title,
        level=counted_level,
        level_name=index.level_name(counted_level - 1),
        level_plural=(
            plan.meta.levels[counted_level - 1].plural or index.level_name(counted_level - 1)
            if counted_level - 1 < len(plan.meta.levels)
            else index.level_name(counted_level - 1)
        ),
        level_names=[lv.name for lv in plan.meta.levels],
        objectives=rows,
        fiches=fiche_rows,
        groups=groups,
        language=plan.meta.language,
        many_threshold=many,
        gaps=[gap.note for gap in plan.meta.gaps],
        not_transcribed=not_transcribed,
    )


def _row(
    index: PlanIndex, info: NodeInfo, served: dict[str, list[str]], fiches: list[FicheRow]
) -> ObjectiveRow:
    key = index.canonical(info.code)
    leaves = [key] if info.is_leaf else info.leaves
    serving = {number for leaf in leaves for number in served.get(leaf, [])}
    ordered = [fiche.number for fiche in fiches if fiche.number in serving]
    path = [index.nodes[a].code for a in info.ancestors]
    return ObjectiveRow(info.code, info.node.title or "", path, ordered, info.level + 1)


def _natural_key(number: str) -> tuple[Any, ...]:
    import re

    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", number.strip())
        if part
    )


def _sorted_fiches(plan: Plan) -> list[Any]:
    return sorted(plan.fiches, key=lambda loaded: _natural_key(loaded.fiche.number))


def natural_key(number: str) -> tuple[Any, ...]:
    return _natural_key(number)
