"""The README stays true: every setting in the table, every command in the reference."""

from __future__ import annotations

import re
from pathlib import Path

from bot.cli import build_parser
from bot.settings import Settings
from handlers import FEATURES

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    head = README.split("\n## ", 1)[0]
    assert "make demo" in head and "make test" in head


def test_every_setting_is_in_the_configuration_table():
    table = set(re.findall(r"^\| `([A-Z_]+)` \|", README, flags=re.MULTILINE))
    fields = {name.upper() for name in Settings.model_fields}
    assert fields == table


def test_every_bot_command_is_in_the_command_reference():
    documented = set(re.findall(r"^\| `/(\w+)", README, flags=re.MULTILINE))
    commands = {c.name for feature in FEATURES for c in feature.commands} | {"start"}
    assert commands <= documented, commands - documented


def test_every_cli_command_is_documented():
    parser = build_parser()
    subcommands = next(a for a in parser._actions if a.dest == "command").choices
    for name in subcommands:
        assert f"sozialraum-bot {name}" in README, name
