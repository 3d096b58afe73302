"""Parsers for what people type on their phones: durations, days, money and reminder times.

Pure functions: no Telegram, no database, no clock (``today`` is passed in). Anything that
cannot be understood raises :class:`bot.errors.InvalidInput` with a message that shows an
example of what works.
"""

from bot.parsing.dates import parse_day
from bot.parsing.hours import parse_duration
from bot.parsing.money import parse_money
from bot.parsing.when import parse_when

__all__ = ["parse_day", "parse_duration", "parse_money", "parse_when"]
