"""Each benchmark runs in a tiny version, so that none can rot (``make bench`` runs them in
full). Nothing here is about time: the checks are that every figure is there and sane, that
nothing was lost on the way, and that the SQL statements per call do not grow with the data.
PostgreSQL takes part when TEST_DATABASE_URL is set, as for the other tests.
"""

from __future__ import annotations

import json
import math
import re

from bench import __main__ as runner
from bench import broadcast, e2e, footprint, scale
from bench.machine import describe_machine
from tests.conftest import PG_URL

BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


def _number(value: object) -> float:
    assert isinstance(value, int | float) and not math.isnan(value), value
    return float(value)


def test_end_to_end_bot_and_echo_answer_every_update():
    figures = e2e.run(smoke=True)
    for backend in BACKENDS:
        assert figures[f"{backend}: updates unanswered"] == 0
        for who in ("saturation: bot", "saturation: echo", "paced: bot"):
            assert _number(figures[f"{backend}: {who} updates/s"]) > 0
            assert 0 < _number(figures[f"{backend}: {who} p50 ms"]) <= _number(
                figures[f"{backend}: {who} p99 ms"])
        assert _number(figures[f"{backend}: bot/echo throughput ratio"]) > 0
        played, saved = str(figures[f"{backend}: bot dialogues played / hour entries saved"]
                            ).split(" / ")
        assert played == saved  # the bot really logged the hours, it did not just answer


def test_scale_calls_keep_their_number_of_queries_as_the_data_grows():
    figures = scale.run(smoke=True)
    for backend in BACKENDS:
        for call in scale.SCALE_CALLS:
            assert _number(figures[f"{backend}: {call.name} ms"]) > 0
            queries = str(figures[f"{backend}: {call.name} SQL queries"])
            small, large = re.fullmatch(r"(\d+) → (\d+)", queries).groups()  # type: ignore[union-attr]
            assert small == large and int(small) > 0, (call.name, queries)


def test_broadcast_loses_and_doubles_nothing_at_the_rate_limit():
    figures = broadcast.run(smoke=True)
    for item in broadcast.BROADCASTS:
        assert figures[f"{item.name}: messages"] == 40
        assert figures[f"{item.name}: messages lost"] == 0
        assert figures[f"{item.name}: messages doubled"] == 0
        assert _number(figures[f"{item.name}: messages/s"]) > 0


def test_the_bot_process_starts_answers_and_reports_its_memory():
    figures = footprint.run(smoke=True)
    assert figures["updates unanswered"] == 0
    played, saved = str(figures["dialogues played / hour entries saved"]).split(" / ")
    assert played == saved
    assert _number(figures["start-up s (fresh database)"]) > 0
    assert _number(figures["start-up s (restart)"]) > 0
    idle = _number(figures["resident memory idle MB"])
    assert 20 < idle <= _number(figures["peak resident memory MB"])


def test_targets_are_matched_by_pattern_and_judged():
    targets = e2e.TARGETS
    ratio = runner.target_for("postgresql: bot/echo throughput ratio", targets)
    assert ratio == (">=", 0.8)
    assert runner.verdict(0.85, ratio) == "ok"
    assert runner.verdict(0.5, ratio) == "MISSED"
    assert runner.verdict("3 → 3", ratio) == ""
    assert runner.target_for("sqlite: saturation: bot p99 ms", targets) is None


def test_the_runner_prints_a_table_and_writes_json(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runner, "RESULTS_DIR", tmp_path)
    assert runner.main(["--smoke", "--only", "broadcast"]) == 0
    printed = capsys.readouterr().out
    assert "machine:" in printed and "share of the limit" in printed
    written = json.loads(next(tmp_path.glob("bench-*-smoke.json")).read_text())
    assert written["smoke"] is True and written["failed"] == []
    assert written["machine"]["cores"] >= 1
    assert set(written["results"]) == {"broadcast"}


def test_the_machine_is_described():
    machine = describe_machine()
    assert machine["cores"] >= 1 and machine["python"].startswith("3.")
    assert "cores" in machine["summary"]
