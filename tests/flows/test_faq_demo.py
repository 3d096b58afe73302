"""The FAQ demo script: answers, did-you-mean, a question passed to the lead and back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_faq_demo_script(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script", "bot/data/demo/faq.txt",
         "--database", str(tmp_path / "demo.db")],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "8 Stunden für FuA – zusammen 26 Stunden" in out
    assert "Danke für Ihre Rückmeldung" in out
    assert "[provider-nord-a] ← Ich bin nicht sicher, was Sie meinen. Meinten Sie …" in out
    assert "[provider-sued-b] ← What is the steering group, and how often has it met?" in out
    assert "[lead-nord] ← ❓ Frage von Paula (Sozialraumteam Nord A)" in out
    assert "[provider-nord-a] ← 💬 Lena hat Ihre Frage „Gibt es Parkplätze am Rathaus?“" in out
    assert "[asd-nord-a] ← Gibt es Parkplätze am Rathaus?" in out
    assert "Nicht in der FAQ gefunden: 1" in out
    assert "Traceback" not in out + result.stderr
