"""Play a demo script through ``sozialraum-bot demo --script`` and return the transcript."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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


def turns(transcript: str) -> list[tuple[str, str, str]]:
    """The transcript as (current user, typed line, what came back), in order."""
    found = []
    for user, typed, answer in re.findall(r"^([\w-]+)> (.*)\n((?:(?![\w-]+> ).*\n?)*)",
                                          transcript, flags=re.MULTILINE):
        found.append((user, typed, answer))
    return found


def answer(played: list[tuple[str, str, str]], typed: str, *, user: str | None = None,
           nth: int = 1) -> str:
    """What came back to the ``nth`` time ``typed`` was entered (by ``user``)."""
    answers = [text for who, line, text in played
               if line == typed and (user is None or who == user)]
    assert len(answers) >= nth, f"{typed!r} typed {len(answers)} times by {user or 'anyone'}"
    return answers[nth - 1]
