"""Analyses: « qui fait quoi » — for each actor of a plan, the fiches it pilots and those it
joins as a partner. Actors are grouped through the plan's registry (``acteurs``): « CCCP »,
« Communauté de Communes » and « Communauté de communes » are one actor when the registry
says so. Names the registry does not know are actors of their own (case, accents and
apostrophes ignored), so a plan without a registry still gets an index.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from typing import Any

from .coverage_model import natural_key
from .i18n import _, ngettext
from .index import ActorRegistry
from .loader import Plan, load_plan
from .model import fold
from .safe_text import csv_cell, json_dumps, printable


@dataclass
class ActorRow:
    name: str
    short_name: str | None
    kind: str | None
    declared: bool  # in the plan's registry
    pilots: list[str] = field(default_factory=list)  # fiche numbers
    partners: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "short_name": self.short_name,
            "kind": self.kind,
            "declared": self.declared,
            "pilots": self.pilots,
            "partners": self.partners,
        }


@dataclass
class PlanActors:
    slug: str
    title: str
    actors: list[ActorRow]

    def to_json(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "actors": [a.to_json() for a in self.actors],
        }


def actors(plan: str | os.PathLike[str] | Plan) -> PlanActors:
    """Who pilots and who joins each fiche of ``plan``, by actor, in registry order (then
    the names the registry does not know, in order of first appearance)."""
    if not isinstance(plan, Plan):
        plan = load_plan(plan)
    assert plan.meta is not None
    registry = ActorRegistry(plan.meta.actors)
    rows: dict[int | str, ActorRow] = {}
    for actor in plan.meta.actors:
        rows[id(actor)] = ActorRow(actor.name, actor.short_name, actor.kind, True)
    for loaded in sorted(plan.fiches, key=lambda f: natural_key(f.fiche.number)):
        fiche = loaded.fiche
        for names, attr in ((fiche.pilotes, "pilots"), (fiche.partners, "partners")):
            for name in names:
                actor = registry.find(name)
                key: int | str = id(actor) if actor is not None else fold(name)
                row = rows.get(key)
                if row is None:
                    row = rows[key] = ActorRow(" ".join(name.split()), None, None, False)
                numbers = getattr(row, attr)
                if fiche.number not in numbers:
                    numbers.append(fiche.number)
    return PlanActors(plan.slug, plan.meta.title, list(rows.values()))


def to_json(results: list[PlanActors]) -> str:
    # json_dumps: a terminal's controls in plan text (C1, bidi) escaped, as in every output.
    return json_dumps({"plans": [r.to_json() for r in results]}) + "\n"


def to_csv(results: list[PlanActors]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["plan", "acteur", "sigle", "type", "pilote", "partenaire"])
    for result in results:
        for row in result.actors:
            cells = [
                result.slug,
                row.name,
                row.short_name or "",
                row.kind or "",
                ", ".join(row.pilots),
                ", ".join(row.partners),
            ]
            writer.writerow([csv_cell(cell) for cell in cells])
    return out.getvalue()


def to_text(results: list[PlanActors]) -> str:
    """The index for a reader. The labels « pilote » and « partenaire » are the format's
    words (the fiches' keys, the CSV headers) and stay French in every language."""
    lines: list[str] = []
    for result in results:
        lines.append(printable(f"{result.title} ({result.slug})"))
        if not result.actors:
            lines.append("  " + _("no actor: the fiches name no pilot and no partner"))
        for row in result.actors:
            name = printable(row.name + (f" ({row.short_name})" if row.short_name else ""))
            marker = "  [" + _("not in the plan's actor registry") + "]" if not row.declared else ""
            lines.append(f"  {name}{marker}")
            lines.append(f"    pilote : {_numbers(row.pilots)}")
            lines.append(f"    partenaire : {_numbers(row.partners)}")
        lines.append("")
    return "\n".join(lines)


def _numbers(numbers: list[str]) -> str:
    if not numbers:
        return _("no fiche")
    return ngettext("{n} fiche ({numbers})", "{n} fiches ({numbers})", len(numbers)).format(
        n=len(numbers), numbers=printable(", ".join(numbers))
    )
