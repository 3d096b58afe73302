"""The README and docs/ stay true: every setting in the table, every command in the references,
every relative link pointing at a file and heading that exist."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest

from bot.cli import build_parser
from bot.settings import Settings
from handlers import FEATURES

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
MARKDOWN = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


README = read(ROOT / "README.md")
CONFIGURATION = read(DOCS / "configuration.md")
USAGE = read(DOCS / "usage.md")
OPERATIONS = read(DOCS / "operations.md")

COMMANDS = {c.name for feature in FEATURES for c in feature.commands} | {"start"}

# Code is not Markdown: a `[x](y)` inside a fence or a code span is no link.
FENCE = re.compile(r"^```.*?^```", flags=re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *#*$", flags=re.MULTILINE)


def documented_commands(text: str) -> set[str]:
    return set(re.findall(r"^\| `/(\w+)", text, flags=re.MULTILINE))


def anchors(text: str) -> set[str]:
    """The heading anchors GitHub makes: lower case, punctuation dropped, spaces → "-"."""
    found: set[str] = set()
    for heading in HEADING.findall(FENCE.sub("", text)):
        plain = heading.replace("`", "").strip().lower()
        slug = "".join(ch for ch in plain if ch in " -_" or unicodedata.category(ch)[0] in "LN")
        slug = slug.replace(" ", "-")
        anchor, n = slug, 0
        while anchor in found:  # repeated headings get -1, -2, …
            n += 1
            anchor = f"{slug}-{n}"
        found.add(anchor)
    return found


def relative_links(path: Path) -> list[str]:
    text = CODE_SPAN.sub("", FENCE.sub("", read(path)))
    return [t for t in LINK.findall(text) if not re.match(r"[a-z][a-z0-9+.-]*:", t)]


def test_readme_starts_with_the_two_commands():
    head = README.split("\n## ", 1)[0]
    assert "make demo" in head and "make test" in head


def test_every_setting_is_in_the_configuration_table():
    table = set(re.findall(r"^\| `([A-Z_]+)` \|", CONFIGURATION, flags=re.MULTILINE))
    fields = {name.upper() for name in Settings.model_fields}
    assert fields == table


def test_every_bot_command_is_in_the_command_reference():
    missing = COMMANDS - documented_commands(USAGE)
    assert not missing, missing


def test_every_bot_command_is_in_the_readme_table():
    missing = COMMANDS - documented_commands(README)
    assert not missing, missing


def test_every_cli_command_is_documented():
    parser = build_parser()
    subcommands = next(a for a in parser._actions if a.dest == "command").choices
    for name in subcommands:
        assert f"sozialraum-bot {name}" in OPERATIONS, name


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_points_at_something_that_exists(path: Path):
    broken = []
    for target in relative_links(path):
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / unquote(file_part)).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(read(linked)):
            broken.append(f"{target}: no such heading")
    assert not broken, broken
