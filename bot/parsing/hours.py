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
NOT_POSITIVE = N_("The time must be more than zero.")


def parse_duration(text: str, *, step: int = 1, maximum: int = MAX_MINUTES) -> int:
    """Minutes in ``text``, a whole number of ``step`` minutes up to ``maximum``.

    Raises InvalidInput for anything else; an amount between two steps ("1,2345") is answered
    with the steps next to it, which are accepted when typed back.
    """
    cleaned = " ".join(text.strip().lower().replace("½", ".5").split())
    if cleaned.startswith("-"):
        raise InvalidInput(NOT_POSITIVE)
    minutes = _minutes(cleaned)
    if minutes is None or minutes > MAX_MINUTES:
        raise InvalidInput(NOT_UNDERSTOOD)
    check_amount(minutes, step=step, maximum=maximum)
    return int(minutes)


def check_amount(minutes: Decimal | int, *, step: int, maximum: int) -> None:
    """More than zero, at most ``maximum``, in whole ``step`` minutes (``maximum >= step``)."""
    if minutes <= 0:
        raise InvalidInput(NOT_POSITIVE)
    if minutes > maximum:
        raise InvalidInput(
            N_("One entry can hold at most {hours} hours. Please split longer work."),
            hours=maximum // 60,
        )
    if minutes % step == 0:
        return
    near = steps_near(minutes, step=step, maximum=maximum)
    if len(near) == 1:
        raise InvalidInput(N_("Please log the time in steps of {step} min, e.g. {amount}."),
                           step=step, amount=clock(near[0]))
    raise InvalidInput(N_("Please log the time in steps of {step} min, e.g. {lower} or {upper}."),
                       step=step, lower=clock(near[0]), upper=clock(near[1]))


def steps_near(minutes: Decimal | int, *, step: int, maximum: int) -> tuple[int, ...]:
    """The accepted amounts just below and above ``minutes`` (more than zero, up to maximum)."""
    below = int(minutes // step) * step
    return tuple(amount for amount in (below, below + step) if 0 < amount <= maximum)


def clock(minutes: int) -> str:
    """``75`` → ``1:15``: a notation that reads the same in German and English."""
    hours, rest = divmod(minutes, 60)
    return f"{hours}:{rest:02d}"


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
