"""Token buckets refuse a flood and recover with time; other keys are unaffected."""

from __future__ import annotations

from bot.ratelimit import KeyedRateLimiter


def test_flood_is_refused_and_recovers():
    now = [0.0]
    limiter = KeyedRateLimiter(capacity=5, per_second=1, clock=lambda: now[0])
    assert [limiter.allow(1) for _ in range(7)] == [True] * 5 + [False] * 2
    assert limiter.allow(2)  # another user is not affected
    now[0] += 2
    assert [limiter.allow(1) for _ in range(3)] == [True, True, False]


def test_memory_is_bounded():
    now = [0.0]
    limiter = KeyedRateLimiter(capacity=2, per_second=1, clock=lambda: now[0], max_keys=100)
    for key in range(100):
        limiter.allow(key)
    now[0] += 10
    limiter.allow(1000)
    assert len(limiter._buckets) == 1


def test_a_refused_key_is_told_once_until_its_bucket_is_full_again():
    now = [0.0]
    limiter = KeyedRateLimiter(capacity=2, per_second=1, clock=lambda: now[0])
    told = []
    for _ in range(6):
        if not limiter.allow(1):
            told.append(limiter.tell_once(1))
    assert told == [True, False, False, False]
    now[0] += 1  # partly refilled: still the same burst
    assert limiter.allow(1) and not limiter.allow(1) and not limiter.tell_once(1)
    now[0] += 2  # full again: a new burst
    assert limiter.allow(1) and limiter.allow(1) and not limiter.allow(1)
    assert limiter.tell_once(1)
