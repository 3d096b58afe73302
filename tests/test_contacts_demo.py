"""The contacts demo script: search, card, contact card, inline mode, /team, a stranger."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_contacts_demo_script(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script", "bot/data/demo/contacts.txt",
         "--database", str(tmp_path / "demo.db")],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[asd-nord-a] ← Kinder- und Jugendheim St. Josef\n" in out
    assert "☎️ +49-40-00000501 (Beispiel)" in out
    assert "👤 Beispiel-Ansprechperson +494000000501" in out  # the contact card
    assert "Meinten Sie einen dieser Träger?" in out
    assert "• Evang. Familienbildung  Familienbildung" in out  # an inline result
    assert "Fachkräfte im ASD (1 von 2): Clara" in out
    assert "Page 2 of 2" in out
    assert "[button] Bot öffnen" in out  # a stranger's inline query
    assert "Traceback" not in out + result.stderr
