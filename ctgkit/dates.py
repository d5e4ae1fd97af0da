"""Dates as plans write them: a year, a month or a day (``2024``, ``2024-09``, ``2024-09-30``).

A CTG says « 2024 », « septembre 2024 » or « 31 décembre 2026 »; the precision is part of
what the author wrote and is kept. Comparisons use the first day the date can mean
(:meth:`PartialDate.first_day`) or the last (:meth:`PartialDate.last_day`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .i18n import _

MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
MIN_YEAR, MAX_YEAR = 1900, 2200

_PATTERN = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


class DateError(ValueError):
    """A value that is not a year, a month or a day as plans write them."""


@dataclass(frozen=True, order=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: Any) -> PartialDate:
        """From YAML data: an int year, a ``datetime.date``, or text ``YYYY[-MM[-DD]]``."""
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, bool):
            raise DateError(_("expected a date such as 2024, 2024-09 or 2024-09-30"))
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return cls._checked(value.year, value.month, value.day)
        if isinstance(value, int):
            return cls._checked(value, None, None)
        if isinstance(value, str):
            match = _PATTERN.fullmatch(value.strip())
            if match:
                year, month, day = match.groups()
                return cls._checked(
                    int(year), int(month) if month else None, int(day) if day else None
                )
        raise DateError(_("expected a date such as 2024, 2024-09 or 2024-09-30"))

    @classmethod
    def _checked(cls, year: int, month: int | None, day: int | None) -> PartialDate:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise DateError(
                _("the year must be between {first} and {last}").format(
                    first=MIN_YEAR, last=MAX_YEAR
                )
            )
        if month is not None and not 1 <= month <= 12:
            raise DateError(_("the month must be between 01 and 12"))
        if day is not None:
            assert month is not None
            if not 1 <= day <= calendar.monthrange(year, month)[1]:
                raise DateError(_("this day does not exist in that month"))
        return cls(year, month, day)

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        month = self.month or 12
        return dt.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def iso(self) -> str:
        """As written in YAML: 2024, 2024-09, 2024-09-30."""
        if self.month is None:
            return f"{self.year}"
        if self.day is None:
            return f"{self.year}-{self.month:02d}"
        return f"{self.year}-{self.month:02d}-{self.day:02d}"

    def french(self) -> str:
        """« 2024 », « septembre 2024 », « 30 septembre 2024 » (« 1er » for the first)."""
        if self.month is None:
            return str(self.year)
        month = MONTHS_FR[self.month - 1]
        if self.day is None:
            return f"{month} {self.year}"
        day = "1er" if self.day == 1 else str(self.day)
        return f"{day} {month} {self.year}"

    def english(self) -> str:
        if self.month is None:
            return str(self.year)
        month = calendar.month_name[self.month]
        return f"{month} {self.year}" if self.day is None else f"{self.day} {month} {self.year}"

    def __str__(self) -> str:
        return self.iso()
