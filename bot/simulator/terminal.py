"""A terminal chat on the simulator: be any demo user, see what every user receives."""

from __future__ import annotations

import asyncio
import html
import re
import sys
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.simulator.driver import SimMessage, SimUser

HELP = """\
  text            send as the current user
  :1 :2 …         press button N of the last message with buttons
  :tap LABEL      press the button with that label
  :as NAME        switch user (:users lists them)
  :inline QUERY   type @bot QUERY in some chat and see the results
  :sticker :photo send a sticker / a photo
  :help           this help      :quit  end (also Ctrl-D)"""

_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Command:
    """An extra terminal command: ``run(argument)`` returns the line to print."""

    help: str
    run: Callable[[str], Awaitable[str]]


def render_text(message: SimMessage) -> str:
    """The message's text readable in a terminal (markup parsed away by the server)."""
    return message.text


class TerminalChat:
    def __init__(
        self,
        sim: object,
        users: dict[str, SimUser],
        current: str,
        idle: Callable[[], Awaitable[None]] | None = None,
        descriptions: dict[str, str] | None = None,
        out: TextIO | None = None,
        commands: dict[str, Command] | None = None,
    ) -> None:
        self.sim = sim
        self.users = users
        self.current = current
        self.idle = idle
        self.descriptions = descriptions or {}
        self.out = out or sys.stdout  # looked up now: stdout may have been replaced
        self._names = {id(u): name for name, u in users.items()}
        # Extra ``:name ARG`` commands of the host, e.g. the demo's time travel.
        self.commands = commands or {}

    # -- running ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Read lines from stdin until :quit or end of input."""
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def read() -> None:
            for line in sys.stdin:
                loop.call_soon_threadsafe(lines.put_nowait, line.rstrip("\n"))
            loop.call_soon_threadsafe(lines.put_nowait, None)

        threading.Thread(target=read, daemon=True).start()
        while True:
            self._prompt()
            line = await lines.get()
            if line is None or not await self.handle(line):
                break
        self.out.write("\n")

    async def run_script(self, path: Path, variables: dict[str, str] | None = None) -> None:
        """Play ``path`` line by line and print the transcript; ``{name}`` is replaced."""
        for raw in await asyncio.to_thread(_read_lines, path):
            line = raw.rstrip()
            for name, value in (variables or {}).items():
                line = line.replace("{" + name + "}", value)
            if not line:
                continue
            if line.startswith("#"):
                self._print(f"\n{line}")
                continue
            self._print(f"{self.current}> {line}")
            if not await self.handle(line):
                break

    async def handle(self, line: str) -> bool:
        """Act on one input line; False ends the chat."""
        user = self.users[self.current]
        command, _, rest = line.partition(" ")
        try:
            if line in (":quit", ":q", ":exit"):
                return False
            if line == ":help":
                self._print(HELP)
                for name, extra in self.commands.items():
                    self._print(f"  {name:15} {extra.help}")
            elif command in self.commands:
                self._print(await self.commands[command].run(rest.strip()))
            elif line == ":users":
                for name in self.users:
                    mark = "*" if name == self.current else " "
                    self._print(f" {mark} {name:18} {self.descriptions.get(name, '')}")
            elif command == ":as":
                if rest.strip() not in self.users:
                    self._print(f"   no user {rest.strip()!r}; :users lists them")
                else:
                    self.current = rest.strip()
                    self._print(f"   you are now {self.current}")
            elif command == ":tap":
                await user.tap(rest.strip())
            elif command == ":inline":
                await self._inline(user, rest.strip())
            elif line == ":sticker":
                await user.send_sticker()
            elif line == ":photo":
                await user.send_photo()
            elif re.fullmatch(r":\d+", line):
                await user.tap_index(int(line[1:]))
            elif line.startswith(":"):
                self._print("   unknown command; :help lists them")
                return True
            else:
                await user.send(line)
        except AssertionError as exc:
            self._print(f"   {exc}")
            return True
        await self._settle()
        return True

    async def _inline(self, user: SimUser, query: str) -> None:
        results = await user.inline(query)
        if not results:
            self._print("   (no results)")
        for result in results:
            if "button" in result:
                self._print(f"   [button] {result['button'].get('text')}")
            else:
                title = result.get("title") or result.get("first_name") or result.get("id")
                self._print(f"   • {title}  {result.get('description', '')}".rstrip())

    async def _settle(self) -> None:
        """Wait until the bot is done, then print everything any user received."""
        if self.idle is not None:
            await self.idle()
        else:
            await asyncio.sleep(0.3)  # no idle signal: a short bounded quiet period
        for name, user in self.users.items():
            for message in user.drain():
                self._show(name, message)

    def _show(self, name: str, message: SimMessage) -> None:
        mark = "✎ " if message.edited else ""
        body = html.unescape(_TAG.sub("", message.text)) if message.text else ""
        if message.document is not None:
            body += f"\n📄 {message.document.name} ({len(message.document.data)} bytes)"
        if message.photo is not None:
            body += f"\n🖼 photo ({len(message.photo.data)} bytes)"
        if message.contact is not None:
            contact = message.contact
            body += f"\n👤 {contact.get('first_name')} {contact.get('phone_number')}"
        lines = body.strip("\n").splitlines() or [""]
        self._print(f"[{name}] ← {mark}{lines[0]}")
        for line in lines[1:]:
            self._print(f"{' ' * (len(name) + 5)}{line}")
        number = 1
        for row in message.buttons:
            cells = []
            for button in row:
                cells.append(f"[{number}] {button.text}")
                number += 1
            self._print(f"{' ' * (len(name) + 5)}{'  '.join(cells)}")

    def _prompt(self) -> None:
        self.out.write(f"{self.current}> ")
        self.out.flush()

    def _print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()


def _read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()
