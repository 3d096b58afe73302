"""Sizes of the reliability tests: small in ``make test``, long in ``make soak``.

``make soak`` sets ``RELIABILITY_SOAK=1``; docs/reliability.md quotes these
numbers. ``make test`` uses a fixed seed for the random choices (fault draws, kill moments);
a soak draws a new one (printed), and ``RELIABILITY_SEED=N`` replays one.
"""

from __future__ import annotations

import dataclasses
import os
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    fault_rate: float  # share of Bot API calls that fail
    fault_users: int  # users logging hours at once under faults
    fault_entries: int  # entries each of them logs
    kills: int  # SIGKILLs of the bot process under load
    crash_users: int
    hostile_steps: int  # state-machine steps per database
    hostile_steps_per_example: int


QUICK = Sizes(fault_rate=0.1, fault_users=50, fault_entries=1, kills=20, crash_users=4,
              hostile_steps=1_500, hostile_steps_per_example=100)
SOAK = Sizes(fault_rate=0.1, fault_users=50, fault_entries=5, kills=60, crash_users=6,
             hostile_steps=10_000, hostile_steps_per_example=200)

SOAKING = os.environ.get("RELIABILITY_SOAK") == "1"
SIZES = SOAK if SOAKING else QUICK
SEED = int(os.environ.get("RELIABILITY_SEED") or (random.randrange(10**6) if SOAKING else 20))
if os.environ.get("RELIABILITY_HOSTILE_STEPS"):  # for measuring: a run of its own size
    SIZES = dataclasses.replace(SIZES, hostile_steps=int(os.environ["RELIABILITY_HOSTILE_STEPS"]))
