"""The digest demo script: the digest now and on schedule, with a chart; reports as files."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_digest_demo_script(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script", "bot/data/demo/digest.txt",
         "--database", str(tmp_path / "demo.db")],
        capture_output=True, text=True, cwd=ROOT, timeout=240,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout.replace("\xa0", " ")
    assert "Zeitplan: wöchentlich am Montag um 08:00 Uhr (Standard des Amts)" in out
    assert out.count("[lead-nord] ← 📊 Überblick – Region Nord") == 2  # now, and on Monday
    assert out.count("[admin] ← 📊 Überblick – alle Regionen") == 1  # on Friday
    assert out.count("[lead-sued] ← 📊 Überblick – Region Süd") == 5  # Monday to Friday
    assert "🖼 photo (" in out
    assert "Koll. Beratung: " in out and " von 18 Std. (" in out
    assert "Zeitplan: montags bis freitags um 07:30" in out
    assert "📄 sozialraum-hours-" in out and ".xlsx (" in out and ".csv (" in out
    assert re.search(r"📄 sozialraum-budget-(\d{4})-01-01_\1-12-31\.xlsx", out)
    assert "Überblicke und Berichte gibt es für Regionalleitungen" in out
    assert "no button" not in out and "Traceback" not in out + result.stderr
