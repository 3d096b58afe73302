"""Days: "heute", "gestern", "Montag", "22.11.", "22.11.2026", "2026-11-22" → date.

A day typed without its year ("24.12.", "6.12", "1.1.") is read here, by one rule for every
parser (hours, budget, reminders, absences, report periods): it is the nearest such day to
today, or the first such day from a given day on where only a later day makes sense.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import NamedTuple

from bot.errors import N_, InvalidInput

_RELATIVE = {
    "heute": 0, "today": 0,
    "gestern": -1, "yesterday": -1,
    "vorgestern": -2,
    "morgen": 1, "tomorrow": 1,
    "übermorgen": 2, "uebermorgen": 2,
}
_WEEKDAYS = {
    0: ("montag", "mo", "monday", "mon"),
    1: ("dienstag", "di", "tuesday", "tue", "tues"),
    2: ("mittwoch", "mi", "wednesday", "wed"),
    3: ("donnerstag", "do", "thursday", "thu", "thur", "thurs"),
    4: ("freitag", "fr", "friday", "fri"),
    5: ("samstag", "sa", "sonnabend", "saturday", "sat"),
    6: ("sonntag", "so", "sunday", "sun"),
}
WEEKDAY_WORDS = {word: day for day, words in _WEEKDAYS.items() for word in words}
DAY_WORDS = frozenset(_RELATIVE) | frozenset(WEEKDAY_WORDS)

DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.?(\d{2}|\d{4})?")
ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?")
# 29 February comes back at least every eight years (1896 → 1904, 2096 → 2104).
_YEARS_SEARCHED = 8

NOT_UNDERSTOOD = N_("Please enter the day like heute, gestern, 22.11. or 22.11.2026.")
# Where only today or later is allowed (a planned day, the end of an absence).
NOT_UNDERSTOOD_AHEAD = N_("Please enter the day like heute, morgen, 12.12. or 12.12.2026.")
NO_SUCH_DATE = N_("This date does not exist.")


# How far ahead a day without a year may be read when it is meant as one that has happened.
FUTURE_HORIZON_DAYS = 92


class TypedDate(NamedTuple):
    """A calendar date as typed: the year may be missing."""

    day: int
    month: int
    year: int | None

    def nearest(self, today: date) -> date:
        """The date itself, or without a year the day a person logging past work means.

        "06.12." typed on 5 December is tomorrow, not a year ago, and the caller refuses it as
        a day in the future; but "1.6." typed in December is last June, not next June, though
        next June is a few days nearer: a reading ahead wins only while it is nearer and at
        most ``FUTURE_HORIZON_DAYS`` away. On a tie the earlier day wins.
        """
        if self.year is not None:
            return self.exact()
        candidates = [
            made for year in (today.year - 1, today.year, today.year + 1)
            if (made := _make_or_none(year, self.month, self.day)) is not None
        ]
        if not candidates:
            raise InvalidInput(NO_SUCH_DATE)
        nearest = min(candidates, key=lambda day: (abs((day - today).days), day))
        past = [day for day in candidates if day <= today]
        if nearest > today and (nearest - today).days > FUTURE_HORIZON_DAYS and past:
            return max(past)
        return nearest

    def on_or_after(self, first: date) -> date:
        """The date itself, or without a year the first such day from ``first`` on."""
        if self.year is not None:
            return self.exact()
        for year in range(first.year, first.year + _YEARS_SEARCHED + 1):
            made = _make_or_none(year, self.month, self.day)
            if made is not None and made >= first:
                return made
        raise InvalidInput(NO_SUCH_DATE)

    def on_or_before(self, last: date) -> date:
        """The date itself, or without a year the latest such day up to ``last``."""
        if self.year is not None:
            return self.exact()
        for year in range(last.year, last.year - _YEARS_SEARCHED - 1, -1):
            made = _make_or_none(year, self.month, self.day)
            if made is not None and made <= last:
                return made
        raise InvalidInput(NO_SUCH_DATE)

    def exact(self) -> date:
        assert self.year is not None
        made = _make_or_none(self.year, self.month, self.day)
        if made is None:
            raise InvalidInput(NO_SUCH_DATE)
        return made


def typed_date(text: str) -> TypedDate | None:
    """``24.12.``, ``6.12``, ``24.12.2026``, ``24.12.26``, ``2026-12-24``, ``24/12``; else None."""
    if match := ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
        return TypedDate(day, month, year)
    if (match := DOTTED.fullmatch(text)) or (match := _SLASH.fullmatch(text)):
        return TypedDate(int(match.group(1)), int(match.group(2)), _full_year(match.group(3)))
    return None


def parse_day(
    text: str, today: date, *, allow_future: bool = False, allow_past: bool = True
) -> date:
    """The day meant by ``text``, seen from ``today``, in the allowed direction."""
    cleaned = text.strip().lower().rstrip(",")
    if cleaned in _RELATIVE:
        day = today + timedelta(days=_RELATIVE[cleaned])
    elif cleaned.rstrip(".") in WEEKDAY_WORDS:
        day = _weekday(WEEKDAY_WORDS[cleaned.rstrip(".")], today, past=not allow_future)
    elif (typed := typed_date(cleaned)) is not None:
        day = typed.nearest(today) if allow_past else typed.on_or_after(today)
    else:
        raise InvalidInput(NOT_UNDERSTOOD if allow_past else NOT_UNDERSTOOD_AHEAD)
    if day > today and not allow_future:
        raise InvalidInput(N_("That day lies in the future."))
    if day < today and not allow_past:
        raise InvalidInput(N_("That day lies in the past."))
    return day


def _weekday(weekday: int, today: date, *, past: bool) -> date:
    """The most recent (past) or next (future) such weekday, today included."""
    delta = (today.weekday() - weekday) % 7
    return today - timedelta(days=delta) if past else today + timedelta(days=(-delta) % 7)


def _full_year(text: str | None) -> int | None:
    if text is None:
        return None
    return 2000 + int(text) if len(text) == 2 else int(text)


def _make_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
