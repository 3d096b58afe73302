"""The budget demo script: a request goes from a team member to the lead and back."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.clock import ShiftedClock

ROOT = Path(__file__).resolve().parents[2]


def test_budget_demo_script(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script", "bot/data/demo/budget.txt",
         "--database", str(tmp_path / "demo.db")],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout.replace("\xa0", " ")
    assert "Gesendet als FuA-20" in out
    assert "[provider-nord-a] ← Rückfrage von Lena" in out
    assert "Antwort: Etwa 60" in out
    assert "wurde genehmigt: 250,00 €" in out
    assert "Genehmigt: 250,00 €" in out
    assert "Traceback" not in out + result.stderr


async def test_budget_demo_works_in_a_year_the_organisation_file_does_not_name(
    tmp_path, capsys, monkeypatch
):
    # The shipped file budgets fixed years; the demo seeds this year and the next. On 20
    # December two years ahead, "15.12." means next year's 15 December.
    from bot import demo

    monkeypatch.setattr(demo, "configure_logging", lambda *args, **kwargs: None)
    clock = ShiftedClock()
    year = clock.now().year + 2
    clock.advance(datetime(year, 12, 20, 9, 0, tzinfo=UTC) - clock.now())
    assert await demo.run_demo(script=ROOT / "bot/data/demo/budget.txt",
                               database=tmp_path / "demo.db", clock=clock) == 0
    out = capsys.readouterr().out.replace("\xa0", " ")
    assert f"Gesendet als FuA-{year + 1}-001" in out
    assert f"FuA-Budget {year} – Region Nord" in out  # this year's figures, untouched …
    assert f"FuA-Budget {year + 1} – Region Nord" in out  # … and next year's, now in use
    assert "wurde genehmigt: 250,00 €" in out
    assert "Genehmigt: 250,00 €" in out
    assert "Traceback" not in out
