"""Amounts of money: "1.250,50", "250 €", "EUR 250", "250,-", "1250.5", "1,250.50" → cents."""

from __future__ import annotations

import re
from decimal import Decimal

from bot.errors import N_, InvalidInput

MAX_CENTS = 10_000_000 * 100
_CURRENCY = re.compile(r"€|\beur\b|\beuro\b", re.IGNORECASE)
_GROUPED_DOT = re.compile(r"\d{1,3}(?:\.\d{3})+")
_GROUPED_COMMA = re.compile(r"\d{1,3}(?:,\d{3})+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")

NOT_UNDERSTOOD = N_("Please enter the amount like 250 or 1.250,50 €.")


def parse_money(text: str, locale: str = "de", *, allow_zero: bool = False) -> int:
    """Cents in ``text``; exact (Decimal), never float. ``allow_zero``: 0 is an answer too
    (an actual cost)."""
    cleaned = _CURRENCY.sub("", text).strip().replace(" ", "").replace("\u00a0", "")
    cleaned = re.sub(r"[,.]-+$", "", cleaned)  # "250,-"
    if cleaned.startswith("-"):
        raise InvalidInput(N_("The amount cannot be negative.") if allow_zero
                           else N_("The amount must be more than zero."))
    amount = _decimal(cleaned, locale)
    if amount is None:
        raise InvalidInput(NOT_UNDERSTOOD)
    # Size first: quantize() fails on numbers longer than the decimal context's precision.
    if amount * 100 > MAX_CENTS:
        raise InvalidInput(N_("That amount is too large."))
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(N_("Please enter at most two decimal places (cents)."))
    cents = int(amount * 100)
    if cents < 0 or (cents == 0 and not allow_zero):
        raise InvalidInput(N_("The amount must be more than zero."))
    return cents


def _decimal(text: str, locale: str) -> Decimal | None:
    if not text:
        return None
    if "." in text and "," in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        integer, _, fraction = text.rpartition(decimal_mark)
        if not _grouped(integer, thousands):
            return None
        text = integer.replace(thousands, "") + "." + fraction
    elif _GROUPED_DOT.fullmatch(text) and (locale != "en" or text.count(".") > 1):
        text = text.replace(".", "")  # German thousands: 1.250 / 1.250.000
    elif _GROUPED_COMMA.fullmatch(text) and (locale == "en" or text.count(",") > 1):
        text = text.replace(",", "")  # English thousands: 1,250 / 1,250,000
    if not _NUMBER.fullmatch(text):
        return None
    return Decimal(text.replace(",", "."))


def _grouped(integer: str, separator: str) -> bool:
    if separator not in integer:
        return integer.isdigit()
    pattern = _GROUPED_DOT if separator == "." else _GROUPED_COMMA
    return bool(pattern.fullmatch(integer))
