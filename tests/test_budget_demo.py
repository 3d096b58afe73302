"""The budget demo script: a request goes from a team member to the lead and back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
