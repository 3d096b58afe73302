"""The reminders demo script: personal reminders, a meeting with answers, time travel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_reminders_demo_script(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script", "bot/data/demo/reminders.txt",
         "--database", str(tmp_path / "demo.db")],
        capture_output=True, text=True, cwd=ROOT, timeout=180,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[provider-nord-a] ← ✅ Erinnerung gespeichert für" in out
    assert "Ich habe nicht verstanden, wann." in out
    assert "[provider-nord-a] ← 📅 Neuer Termin von Lena" in out
    assert "Ihre Antwort: ✅ Ich komme" in out
    assert out.count("[provider-nord-a] ← ⏰ Bericht an die Regionalleitung schicken") == 2
    assert "💤 Ich erinnere Sie erneut am" in out
    assert "✅ Kommen (1): Paula" in out
    assert "[provider-sued-b] ← ✅ Reminder saved for" in out
    assert "🔕 Automatic reminders (meetings, hours) are muted." in out
    assert "no button" not in out and "Traceback" not in out + result.stderr
