"""Running the ``sozialraum-bot`` command line in a subprocess, with a scratch environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))
    }
    environment["PYTHONPATH"] = str(ROOT)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=environment,
        cwd=cwd or ROOT, timeout=60,
    )


@pytest.fixture
def env(tmp_path):
    return {
        "TELEGRAM_BOT_TOKEN": "123:abc",
        "TELEGRAM_BOT_USERNAME": "norderstedt_bot",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db",
    }
