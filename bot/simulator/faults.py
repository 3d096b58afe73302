"""Rate limits and injected faults, as Telegram shows them to a bot."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

FAULT_KINDS = ("429", "5xx", "slow", "drop", "lost_answer")


@dataclass
class TokenBucket:
    """``rate`` tokens per second, at most ``capacity`` saved up."""

    rate: float
    capacity: float
    tokens: float = -1.0
    updated: float = 0.0

    def _refill(self, now: float) -> None:
        if self.tokens < 0:
            self.tokens, self.updated = self.capacity, now
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait_time(self, now: float) -> float:
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1


@dataclass
class FaultPlan:
    """Fail a share of the bot's calls, reproducibly.

    Kinds: ``429`` (retry_after 1), ``5xx`` (502, nothing happened), ``slow`` (answer after
    ``slow_seconds``), ``drop`` (connection closed before anything happened) and
    ``lost_answer`` (the call took effect but the connection closed before the answer, as a
    real network can do). ``getUpdates`` is never failed by ``lost_answer``: like Telegram,
    the simulator keeps updates until they are confirmed by the next offset, so a failed
    poll loses nothing.
    """

    rate: float = 0.1
    kinds: tuple[str, ...] = ("429", "5xx", "slow", "drop")
    seed: int = 1
    slow_seconds: float = 0.5
    methods: frozenset[str] | None = None  # None: every method
    _random: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        self._random = random.Random(self.seed)

    def draw(self, method: str) -> str | None:
        if self.methods is not None and method not in self.methods:
            return None
        if self._random.random() >= self.rate:
            return None
        kinds = [k for k in self.kinds if not (method == "getUpdates" and k == "lost_answer")]
        return self._random.choice(kinds) if kinds else None
