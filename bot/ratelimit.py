"""Per-key token buckets: flood control and brute-force limits.

Hand-written rather than a library because it is a dozen lines, needs an injectable clock
for tests, and must *refuse* rather than wait: waiting would hold up every other user's
updates behind one flooding user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from time import monotonic


@dataclass
class _Bucket:
    tokens: float
    updated: float
    told: bool = False  # the holder was told of a refusal in this burst


class KeyedRateLimiter:
    """``capacity`` actions at once, refilled at ``per_second``; one bucket per key."""

    def __init__(
        self,
        capacity: float,
        per_second: float,
        clock: Callable[[], float] = monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self.capacity = capacity
        self.per_second = per_second
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[int, _Bucket] = {}

    def allow(self, key: int, cost: float = 1.0) -> bool:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._forget_full(now)
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.per_second)
        bucket.updated = now
        if bucket.tokens >= self.capacity:
            bucket.told = False  # refilled completely: the burst is over
        if bucket.tokens >= cost:
            bucket.tokens -= cost
            return True
        return False

    def tell_once(self, key: int) -> bool:
        """Whether to tell ``key`` that :meth:`allow` just refused it: once per burst.

        A burst lasts until the bucket has refilled completely, i.e. until the holder has
        been quiet for ``capacity / per_second`` seconds; a sustained flood never lets it
        refill, so it is told once however long it goes on.
        """
        bucket = self._buckets.get(key)
        if bucket is None or bucket.told:
            return False
        bucket.told = True
        return True

    def _forget_full(self, now: float) -> None:
        """Drop buckets that have refilled completely: they carry no information."""
        refill = self.capacity / self.per_second
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < refill}
