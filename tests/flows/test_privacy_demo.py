"""The data-protection demo script: refused personal data, /mydata, deactivation, /forgetme."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_privacy_demo_script(tmp_path):
    database = tmp_path / "demo.db"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script", "bot/data/demo/privacy.txt",
         "--database", str(database)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(der Name einer Familie, eine Telefonnummer)" in out
    assert "📄 sozialraum-bot-my-data-" in out
    assert "[networker-nord-a] ← Ihr Zugang wurde deaktiviert" in out
    assert "Ada · user.deactivated · user" in out
    assert "Ihre Daten wurden gelöscht" in out
    assert "(gelöscht): FuA 1,5" in out
    assert "Traceback" not in out + result.stderr
    log = database.with_suffix(".log").read_text(encoding="utf-8")
    assert "Yilmaz" not in log and "Ideenbörse" not in log
