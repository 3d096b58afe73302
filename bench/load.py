"""Simulated users going through the hours dialogue, and what they measured.

Each user plays ``/hours`` → kind of work → time → day → no note → Save (six updates), as
fast as the bot answers (``think=None``: the bot's capacity) or with a person's pauses
between taps. Latency is the simulator's view: from putting the update in the queue to
receiving the bot's answer (the sent or edited message). The echo bot is driven with the
very same updates: it answers each with one message and a button.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from bot.simulator import SimMessage, SimUser

FLOW_UPDATES = 6
# Simple enough for the echo bot, whose answer carries one button: the first button is
# always the next step (first kind of work, 0,5 h, today, no note, save).
_TAPS = FLOW_UPDATES - 1


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)  # seconds, one per answered update
    unanswered: int = 0
    started: float = 0.0
    finished: float = 0.0

    @property
    def updates(self) -> int:
        return len(self.latencies)

    @property
    def seconds(self) -> float:
        return max(self.finished - self.started, 1e-9)

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds


async def _step(user: SimUser, act: Callable[[], Awaitable[int]], result: LoadResult,
                timeout: float) -> SimMessage | None:
    queued = time.perf_counter()
    await act()
    try:
        answer = await user.reply(timeout=timeout)
    except AssertionError:  # no answer in time: counted, and this user's flow ends
        result.unanswered += 1
        return None
    result.latencies.append(answer.received_at - queued)
    result.finished = max(result.finished, answer.received_at)
    return answer


async def hours_flow(user: SimUser, result: LoadResult, *, think: tuple[float, float] | None,
                     rng: random.Random, timeout: float = 30.0) -> bool:
    """One pass through the dialogue; False if the bot left an update unanswered."""
    async def pause() -> None:
        if think is not None:
            await asyncio.sleep(rng.uniform(*think))

    answer = await _step(user, partial(user.send, "/hours"), result, timeout)
    for _ in range(_TAPS):
        if answer is None:
            return False
        await pause()
        answer = await _step(user, partial(user.tap_index, 1, message=answer), result, timeout)
    await pause()
    return answer is not None


async def run_users(users: Sequence[SimUser], rounds: int, *,
                    think: tuple[float, float] | None = None, seed: int = 1) -> LoadResult:
    """Every user goes through the dialogue ``rounds`` times, all at once."""
    result = LoadResult(started=time.perf_counter())
    for user in users:
        user.drain()

    async def one(index: int, user: SimUser) -> None:
        rng = random.Random(seed * 10_000 + index)
        if think is not None:  # people do not all start in the same millisecond
            await asyncio.sleep(rng.uniform(0, think[1]))
        for _ in range(rounds):
            if not await hours_flow(user, result, think=think, rng=rng):
                return

    await asyncio.gather(*(one(i, u) for i, u in enumerate(users)))
    return result


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100), interpolated; the value itself for one sample."""
    if len(values) <= 1:
        return values[0] if values else float("nan")
    cuts = statistics.quantiles(values, n=1000, method="inclusive")
    return cuts[min(len(cuts) - 1, max(0, round(q * 10) - 1))]
