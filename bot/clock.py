"""Injectable time source: production uses the system clock, tests travel in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, value: datetime) -> None:
        self._now = value.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def at_wall_clock(local: datetime, tz: tzinfo) -> datetime:
    """The instant (UTC) at which clocks in ``tz`` show the naive ``local`` time.

    On the spring switch a time in the skipped hour (02:30) moves forward by the gap (03:30);
    on the autumn switch a time shown twice means its first occurrence (summer time).
    """
    if local.tzinfo is not None:
        raise ValueError("at_wall_clock needs a naive local datetime")
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


class ShiftedClock:
    """The system clock moved by an offset that only grows: the demo's time travel."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self.offset += delta
