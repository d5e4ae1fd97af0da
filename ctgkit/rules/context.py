"""What a rule receives (:class:`PlanContext`) and what it reports (:class:`Finding`, with
an optional hint: :func:`did_you_mean`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..i18n import _
from ..index import ActorRegistry, PlanIndex
from ..loader import Plan
from ..source import SourceFile


@dataclass(frozen=True)
class Finding:
    """What a check reports: a file, a data path inside it, and a message."""

    source: SourceFile
    path: tuple[Any, ...]
    message: str
    key: bool = False  # point at the mapping key rather than its value


@dataclass
class PlanContext:
    plan: Plan
    #: « Today » for the rules that depend on it (CTG065); None: the system clock.
    today_given: dt.date | None = None

    @cached_property
    def today(self) -> dt.date:
        return self.today_given or dt.date.today()

    @cached_property
    def index(self) -> PlanIndex:
        assert self.plan.meta is not None
        return PlanIndex(self.plan.meta)

    @cached_property
    def actors(self) -> ActorRegistry:
        assert self.plan.meta is not None
        return ActorRegistry(self.plan.meta.actors)


def did_you_mean(choices: Sequence[str]) -> str:
    """' (did you mean …?)' naming up to three ``choices``, or '' when there are none."""
    if not choices:
        return ""
    if len(choices) == 1:
        hint = _("(did you mean '{choice}'?)").format(choice=choices[0])
    elif len(choices) == 2:
        hint = _("(did you mean '{first}' or '{second}'?)").format(
            first=choices[0], second=choices[1]
        )
    else:
        hint = _("(did you mean '{first}' or '{second}' or '{third}'?)").format(
            first=choices[0], second=choices[1], third=choices[2]
        )
    return " " + hint
