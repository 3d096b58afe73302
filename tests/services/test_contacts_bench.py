"""The search benchmark runs (tiny), so it cannot rot; it asserts nothing about time."""

from __future__ import annotations

from bench import contacts_search


def test_contacts_benchmark_smoke():
    results = contacts_search.run(smoke=True)
    assert {"9 providers: search ms (median)", "40 providers: index build ms (median)"} <= set(
        results)
    assert all(isinstance(value, float) and value >= 0 for value in results.values())
