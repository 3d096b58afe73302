"""The office's reminder rules, taken from the settings (see ``bot/settings.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from bot.services.hours.policy import HoursPolicy
from bot.services.reminders.quiet import QuietHours

# After downtime the scheduler looks back at most this far; older due work is not revisited.
MAX_CATCH_UP = timedelta(days=7)
# Ledger rows are needed only while their due instant can come round again in a window.
KEEP_DELIVERIES = timedelta(days=30)


@dataclass(frozen=True)
class ReminderPolicy:
    tz: ZoneInfo
    grace: timedelta = timedelta(hours=1)
    meeting_offsets: tuple[timedelta, ...] = (timedelta(days=1), timedelta(hours=1))
    hours_reminder: tuple[int, time] | None = (4, time(13, 0))  # weekday 0 = Monday
    quota_flag_percent: int = 50
    quiet_default: QuietHours | None = field(
        default_factory=lambda: QuietHours(time(20, 0), time(7, 0))
    )
    escalation_after: timedelta = timedelta(hours=72)
    hours: HoursPolicy = field(default_factory=HoursPolicy)
    digest_default: tuple[int, time] | None = (0, time(8, 0))  # weekday 0 = Monday; None: off

    @property
    def lookback(self) -> timedelta:
        """How far before the last run a due item may still be waiting (quiet hours, grace)."""
        return timedelta(days=1) + self.grace
