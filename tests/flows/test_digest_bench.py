"""The digest benchmark runs (small), so it cannot rot; it asserts nothing about time. And
the bot starts without the chart and spreadsheet libraries: they load on first use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench import digest

ROOT = Path(__file__).resolve().parents[2]


def test_digest_benchmark_smoke():
    results = digest.run(smoke=True)
    prefix = "SQLite, 6 teams, 60 people, 5,000 entries"
    assert {f"{prefix}: digest all regions ms", f"{prefix}: hours report of a year ms",
            "chart: import matplotlib ms"} <= set(results)
    assert all(isinstance(value, float | int) and value >= 0 for value in results.values())


def test_the_bot_starts_without_matplotlib_and_openpyxl():
    probe = ("import sys, bot.app, bot.cli; "
             "print(sorted(m for m in ('matplotlib', 'openpyxl') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "[]"
