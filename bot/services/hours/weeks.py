"""ISO weeks of local dates, and when a week locks.

Entries carry the local calendar day they were worked on, so weeks are plain date ranges;
the time zone matters only for what "today" is (``now`` in the office's zone), which is
where the DST switches are handled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, order=True)
class Week:
    start: date  # a Monday

    @classmethod
    def of(cls, day: date) -> Week:
        return cls(day - timedelta(days=day.weekday()))

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def iso(self) -> tuple[int, int]:
        year, week, _ = self.start.isocalendar()
        return year, week

    def shifted(self, weeks: int) -> Week:
        return Week(self.start + timedelta(weeks=weeks))

    def locks_on(self, lock_after_days: int) -> date:
        """The first day on which this week is locked."""
        return self.end + timedelta(days=lock_after_days + 1)


def local_today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()
