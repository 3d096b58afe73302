"""Report periods: this or last month, this or last year, or a typed range of days.

"01.01.2026-30.06.2026", "1.1.26 – 30.6.26", "01.01.-30.06.", "2026-01-01 bis 2026-06-30",
"1.1.2026 to 30.6.2026". Both days count (the range is inclusive). A report looks back: a
period typed without years is the latest one that has begun by today ("01.12.-31.12." typed in
January is last December; "01.11.-31.01." spans the turn of the year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.errors import N_, InvalidInput
from bot.parsing.dates import TypedDate, typed_date

PRESETS = ("this_month", "last_month", "this_year", "last_year")
MAX_DAYS = 3 * 366
NOT_UNDERSTOOD = N_("Please write the period like 01.01.2026-30.06.2026.")
_DAY = r"(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})?)"
_RANGE = re.compile(rf"\s*{_DAY}\s*(?:-|–|—|\.\.|bis|to|until)\s*{_DAY}\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def key(self) -> str:
        """For file names and callback data: ``20260101-20260630``."""
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    @classmethod
    def from_key(cls, key: str | None) -> Period | None:
        match = re.fullmatch(r"(\d{8})-(\d{8})", key or "")
        if match is None:
            return None
        try:
            start, end = (date(int(p[:4]), int(p[4:6]), int(p[6:])) for p in match.groups())
        except ValueError:
            return None
        return cls(start, end) if start <= end and (end - start).days < MAX_DAYS else None


def preset(name: str, today: date) -> Period:
    """``this_month``, ``last_month``, ``this_year`` or ``last_year``, seen from ``today``."""
    first = today.replace(day=1)
    if name == "this_month":
        return Period(first, _month_end(first))
    if name == "last_month":
        previous = (first - timedelta(days=1)).replace(day=1)
        return Period(previous, _month_end(previous))
    if name == "this_year":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31))
    if name == "last_year":
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    raise InvalidInput(NOT_UNDERSTOOD)


def _month_end(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def parse_period(text: str, today: date) -> Period:
    """A typed range of two days (see the module's docstring for days without a year)."""
    match = _RANGE.fullmatch(text)
    if match is None:
        raise InvalidInput(NOT_UNDERSTOOD)
    first, last = (_typed(part) for part in match.groups())
    if first.year is None and last.year is not None:
        end = last.exact()
        start = first.on_or_before(end)
    else:
        start = first.on_or_before(today)
        end = last.on_or_after(start)
    if end < start:
        raise InvalidInput(N_("The period ends before it begins."))
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(N_("Please choose a period of at most three years."))
    return Period(start, end)


def _typed(text: str) -> TypedDate:
    typed = typed_date(text)
    if typed is None:  # the range's pattern lets through only what typed_date reads
        raise InvalidInput(NOT_UNDERSTOOD)
    return typed
