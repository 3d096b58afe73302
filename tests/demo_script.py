"""Play a demo script through ``sozialraum-bot demo --script`` and return the transcript."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def play(script: str, tmp_path: Path) -> str:
    """Run ``bot/data/demo/<script>`` on a fresh demo database; fail on any error output."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--script", f"bot/data/demo/{script}",
         "--database", str(tmp_path / "demo.db")],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout
