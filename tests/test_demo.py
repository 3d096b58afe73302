"""`sozialraum-bot demo --script` runs the whole product and prints the conversation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_foundation_demo_script(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script", "bot/data/demo/foundation.txt",
         "--database", str(tmp_path / "demo.db")],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[newcomer] ← Dieser Bot ist für die Sozialraumteams" in out
    assert "[newcomer] ← Willkommen, Nina! Sie sind registriert als Fachkraft im ASD." in out
    assert "[provider-nord-a] ← ✎ I will talk to you in English from now on." in out
    assert "https://t.me/sozialraum_demo_bot?start=" in out
    assert "[lead-nord] ← Diesen Befehl kenne ich nicht." in out
    assert "Traceback" not in out + result.stderr
