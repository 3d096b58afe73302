"""Quiet hours: automatic reminders that fall into them wait until they end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from bot.clock import at_wall_clock


@dataclass(frozen=True)
class QuietHours:
    """From ``start`` to ``end`` local time; over midnight when ``start`` is later than ``end``."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def release(self, due: datetime, tz: tzinfo) -> datetime:
        """``due`` itself, or the end of the quiet hours it falls into."""
        local = due.astimezone(tz)
        clock = local.time().replace(tzinfo=None)
        if not self.contains(clock):
            return due
        day = local.date()
        if self.start > self.end and clock >= self.start:
            day += timedelta(days=1)  # evening part: quiet until tomorrow morning
        return at_wall_clock(datetime.combine(day, self.end), tz)
