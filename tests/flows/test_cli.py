"""The ``sozialraum-bot`` command, run as an operator would run it."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from tests.support.cli import run

ROOT = Path(__file__).resolve().parents[2]




def _subcommands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """Every (path, name, help) the parser defines, nested ones included."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, child in action.choices.items():
                yield path, name, helps[name]
                yield from _subcommands(child, (*path, name))


def test_help_lists_every_command(capsys):
    found = list(_subcommands(build_parser()))
    assert {name for path, name, _ in found if not path} >= {
        "run", "demo", "db", "org", "invite", "backup", "users", "retention", "export"}
    for path, name, help_text in found:
        with pytest.raises(SystemExit) as exit_:
            main([*path, "--help"])
        assert exit_.value.code == 0
        listing = capsys.readouterr().out
        assert re.search(rf"^\s+{re.escape(name)}\s+\S", listing, re.MULTILINE), (path, name)
        assert help_text, f"{' '.join((*path, name))} has no help line"
    assert "run" in run("--help").stdout  # and the installed entry point prints it too


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


def _one_line_refusal(result, starts: str) -> None:
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"sozialraum-bot: {starts}"), result.stderr


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("organisation: {name: x\n  regions: [\n", "line 2 not valid YAML"),
        ("organisation: {name: x}\ncategories: []\nregions: []\n", "categories"),
        ("- just\n- a list\n", "expected a mapping at the top level"),
    ],
)
@pytest.mark.parametrize("command", ["run", "demo"])
def test_a_broken_organisation_file_stops_start_up_with_one_line(tmp_path, command, content,
                                                                 problem):
    org = tmp_path / "org.yaml"
    org.write_text(content)
    env = {"TELEGRAM_BOT_TOKEN": "123:abc", "ORG_FILE": str(org),
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    args = ["demo", "--database", str(tmp_path / "demo.db")] if command == "demo" else ["run"]
    result = run(*args, env=env, cwd=tmp_path)
    _one_line_refusal(result, f"ORG_FILE: {org}: ")
    assert problem in result.stderr


def test_an_organisation_file_that_is_not_text_is_one_line(tmp_path):
    org = tmp_path / "org.yaml"
    org.write_bytes(b"\xff\xfe\x00binary")
    env = {"TELEGRAM_BOT_TOKEN": "123:abc", "ORG_FILE": str(org),
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    _one_line_refusal(run("run", env=env, cwd=tmp_path), f"ORG_FILE: {org}: not UTF-8 text")
    assert run("org", "check", str(org)).stderr.strip().endswith("not UTF-8 text (byte 0)")


@pytest.mark.parametrize(
    "url",
    ["postgresql+asyncpg://nobody@127.0.0.1:1/none",  # nothing listens there
     "sqlite+aiosqlite:////proc/no-such-dir/bot.db"],  # a folder that cannot be created
)
def test_an_unusable_database_stops_run_with_one_line(tmp_path, url):
    env = {"TELEGRAM_BOT_TOKEN": "123:abc", "DATABASE_URL": url}
    _one_line_refusal(run("run", env=env, cwd=tmp_path),
                      "DATABASE_URL: cannot use the database (")


def test_the_demo_reports_bad_settings_and_an_unusable_database_file_in_one_line(tmp_path):
    _one_line_refusal(run("demo", "--database", str(tmp_path / "demo.db"),
                          env={"TIMEZONE": "Mars"}, cwd=tmp_path), "TIMEZONE is invalid")
    _one_line_refusal(run("demo", "--database", "/proc/no-such-dir/demo.db", cwd=tmp_path),
                      "--database: cannot create /proc/no-such-dir/demo.db")


def test_an_unreachable_bot_api_stops_run_with_one_line(tmp_path):
    env = {"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_API_BASE_URL": "http://127.0.0.1:1",
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", "HEALTH_PORT": "0"}
    result = run("run", env=env, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(
        "sozialraum-bot: TELEGRAM_API_BASE_URL: cannot reach the Bot API at http://127.0.0.1:1 (")


async def _run_against(simulator_url: str, token: str, tmp_path: Path) -> str:
    """``sozialraum-bot run`` against the in-process simulator: its one-line refusal."""
    import asyncio

    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    environment.update(PYTHONPATH=str(ROOT), TELEGRAM_BOT_TOKEN=token,
                       TELEGRAM_API_BASE_URL=simulator_url, HEALTH_PORT="0",
                       DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2 and b"Traceback" not in stderr
    return stderr.decode().strip().splitlines()[-1]


async def test_a_token_the_bot_api_refuses_stops_run_with_one_line(simulator, tmp_path):
    assert await _run_against(simulator.base_url, "999:NOT-THE-TOKEN", tmp_path) == (
        f"sozialraum-bot: TELEGRAM_BOT_TOKEN: the Bot API at {simulator.base_url} does not "
        "accept this token")


async def test_a_bot_api_url_ending_in_bot_is_named_as_the_likely_cause(simulator, tmp_path):
    """PTB appends /bot<token> itself: …/bot/bot<token>/getMe is a 404, reported as a
    refused token although the token is right."""
    url = f"{simulator.base_url}/bot"
    assert await _run_against(url, "123456:TEST-TOKEN", tmp_path) == (
        f"sozialraum-bot: TELEGRAM_API_BASE_URL: the Bot API at {url} refused the token; the "
        "URL should not end in /bot – the bot adds /bot<token> itself")
