"""The ``sozialraum-bot`` command, run as an operator would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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


def test_help_lists_every_command():
    result = run("--help")
    assert result.returncode == 0
    for command in ("run", "demo", "db", "org", "invite"):
        assert command in result.stdout


def test_missing_token_is_one_clear_line(tmp_path):
    result = run("run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "sozialraum-bot: TELEGRAM_BOT_TOKEN is not set (environment or .env)."
    )


def test_a_missing_faq_file_stops_start_up_with_one_line(tmp_path):
    faq = tmp_path / "faq"
    faq.mkdir()
    env = {"TELEGRAM_BOT_TOKEN": "123:abc", "FAQ_DIR": str(faq),
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    result = run("run", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"sozialraum-bot: de.yaml: file not found in {faq}"
    )
    assert "Traceback" not in result.stderr


def test_org_check_reports_valid_and_broken_files(tmp_path):
    ok = run("org", "check", "bot/data/norderstedt.yaml")
    assert ok.returncode == 0 and "2 regions, 4 teams, 9 providers" in ok.stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text("organisation: {name: x}\ncategories: []\nregions: []\n")
    result = run("org", "check", str(broken))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "categories" in result.stderr


@pytest.fixture
def env(tmp_path):
    return {
        "TELEGRAM_BOT_TOKEN": "123:abc",
        "TELEGRAM_BOT_USERNAME": "norderstedt_bot",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db",
    }


def test_database_upgrade_import_and_invite(env, tmp_path):
    assert "schema is at" in run("db", "upgrade", env=env, cwd=tmp_path).stdout
    first = run("org", "import", env=env, cwd=tmp_path)
    assert first.returncode == 0 and "created:" in first.stdout
    again = run("org", "import", env=env, cwd=tmp_path)
    assert "already up to date" in again.stdout
    invite = run("invite", "--role", "provider", "--team", "nord-a", "--expires", "2d",
                 env=env, cwd=tmp_path)
    assert invite.returncode == 0, invite.stderr
    assert "https://t.me/norderstedt_bot?start=" in invite.stdout
    wrong = run("invite", "--role", "provider", "--team", "ost-z", env=env, cwd=tmp_path)
    assert wrong.returncode == 2
    assert wrong.stderr.strip() == "sozialraum-bot: There is no team ost-z."


def test_unreachable_database_is_one_line(tmp_path):
    env = {"TELEGRAM_BOT_TOKEN": "123:abc",
           "DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none"}
    result = run("db", "current", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("sozialraum-bot: DATABASE_URL: cannot use the database")
    assert "Traceback" not in result.stderr
