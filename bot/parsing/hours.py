"""Durations: "2,5", "1:30", "90 min", "1h30", "1 Std 30", "1 hour 30 minutes" → minutes."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from bot.errors import N_, InvalidInput

MAX_MINUTES = 999 * 60
_HOURS = r"(?:h|std\.?|stunden?|hours?|hrs?|hr)"
_MINUTES = r"(?:m|min\.?|minuten?|minutes?|mins?)"
_NUMBER = r"(\d{0,4}(?:[.,]\d+)?)"

_CLOCK = re.compile(r"(\d{1,3}):(\d{2})")
_DECIMAL_HOURS = re.compile(rf"{_NUMBER}\s*{_HOURS}?")
_ONLY_MINUTES = re.compile(rf"(\d{{1,5}})\s*{_MINUTES}")
_HOURS_AND_MINUTES = re.compile(
    rf"(\d{{1,3}})\s*{_HOURS}\s*(?:und\s+|and\s+)?(\d{{1,2}})\s*{_MINUTES}?"
)

NOT_UNDERSTOOD = N_("Please enter the time like 2,5 or 1:30 or 90 min.")


def parse_duration(text: str) -> int:
    """Minutes in ``text``; raises InvalidInput for anything else, zero or negative."""
    cleaned = " ".join(text.strip().lower().replace("½", ".5").split())
    if cleaned.startswith("-"):
        raise InvalidInput(N_("The time must be more than zero."))
    minutes = _minutes(cleaned)
    if minutes is None:
        raise InvalidInput(NOT_UNDERSTOOD)
    if minutes <= 0:
        raise InvalidInput(N_("The time must be more than zero."))
    if minutes != minutes.to_integral_value():
        raise InvalidInput(N_("Please enter whole minutes, e.g. 1:20 or 1,25."))
    if minutes > MAX_MINUTES:
        raise InvalidInput(NOT_UNDERSTOOD)
    return int(minutes)


def _minutes(text: str) -> Decimal | None:
    if match := _CLOCK.fullmatch(text):
        hours, minutes = int(match.group(1)), int(match.group(2))
        return Decimal(hours * 60 + minutes) if minutes < 60 else None
    if match := _HOURS_AND_MINUTES.fullmatch(text):
        hours, minutes = int(match.group(1)), int(match.group(2))
        return Decimal(hours * 60 + minutes) if minutes < 60 else None
    if match := _ONLY_MINUTES.fullmatch(text):
        return Decimal(match.group(1))
    if (match := _DECIMAL_HOURS.fullmatch(text)) and re.search(r"\d", match.group(1)):
        try:
            return Decimal(match.group(1).replace(",", ".")) * 60
        except InvalidOperation:
            return None
    return None
