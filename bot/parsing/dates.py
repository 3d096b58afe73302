"""Days: "heute", "gestern", "Montag", "22.11.", "22.11.2026", "2026-11-22" → date."""

from __future__ import annotations

import re
from datetime import date, timedelta

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

_GERMAN = re.compile(r"(\d{1,2})\.(\d{1,2})\.?(\d{2}|\d{4})?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?")

NOT_UNDERSTOOD = N_("Please enter the day like heute, gestern, 22.11. or 22.11.2026.")
# Where only today or later is allowed (a planned day, the end of an absence).
NOT_UNDERSTOOD_AHEAD = N_("Please enter the day like heute, morgen, 12.12. or 12.12.2026.")


def parse_day(
    text: str, today: date, *, allow_future: bool = False, allow_past: bool = True
) -> date:
    """The day meant by ``text``, seen from ``today``, in the allowed direction."""
    cleaned = text.strip().lower().rstrip(",")
    if cleaned in _RELATIVE:
        day = today + timedelta(days=_RELATIVE[cleaned])
    elif cleaned.rstrip(".") in WEEKDAY_WORDS:
        day = _weekday(WEEKDAY_WORDS[cleaned.rstrip(".")], today, past=not allow_future)
    else:
        try:
            day = _numeric(cleaned, today, past=not allow_future)
        except InvalidInput as error:
            if error.message == NOT_UNDERSTOOD and not allow_past:
                raise InvalidInput(NOT_UNDERSTOOD_AHEAD) from None
            raise
    if day > today and not allow_future:
        raise InvalidInput(N_("That day lies in the future."))
    if day < today and not allow_past:
        raise InvalidInput(N_("That day lies in the past."))
    return day


def _weekday(weekday: int, today: date, *, past: bool) -> date:
    """The most recent (past) or next (future) such weekday, today included."""
    delta = (today.weekday() - weekday) % 7
    return today - timedelta(days=delta) if past else today + timedelta(days=(-delta) % 7)


def _numeric(text: str, today: date, *, past: bool) -> date:
    year: int | None
    if match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif (match := _GERMAN.fullmatch(text)) or (match := _SLASH.fullmatch(text)):
        day, month = int(match.group(1)), int(match.group(2))
        year = _full_year(match.group(3))
    else:
        raise InvalidInput(NOT_UNDERSTOOD)
    if year is not None:
        return _make(year, month, day)
    # No year: the nearest such day in the allowed direction.
    candidate = _make_or_none(today.year, month, day)
    if past:
        if candidate is None or candidate > today:
            candidate = _make_or_none(today.year - 1, month, day)
    elif candidate is None or candidate < today:
        candidate = _make_or_none(today.year + 1, month, day)
    if candidate is None:
        raise InvalidInput(N_("This date does not exist."))
    return candidate


def _full_year(text: str | None) -> int | None:
    if text is None:
        return None
    return 2000 + int(text) if len(text) == 2 else int(text)


def _make(year: int, month: int, day: int) -> date:
    made = _make_or_none(year, month, day)
    if made is None:
        raise InvalidInput(N_("This date does not exist."))
    return made


def _make_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
