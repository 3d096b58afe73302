"""Callback data: short, versioned, parsed in one place, and never trusted.

Format ``<prefix>:<version>:<action>[:<arg>...]``, e.g. ``lang:1:set:de``. A button from an
older version of the bot parses as ``None`` and the user is told it is outdated. Whatever
parses is still only a request: handlers re-check role and record state on every press.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 64  # Telegram's limit for callback_data
VERSION = "1"
MAX_INT_ARG = 2**31 - 1  # PostgreSQL INTEGER: the ids of the records buttons point at


@dataclass(frozen=True)
class Callback:
    prefix: str
    action: str
    args: tuple[str, ...]

    def arg(self, index: int) -> str | None:
        return self.args[index] if index < len(self.args) else None

    def int_arg(self, index: int) -> int | None:
        """A record id or small number; None for anything else, also for numbers beyond the
        database's INTEGER (PostgreSQL refuses them in a query instead of finding nothing)."""
        value = self.arg(index)
        if value is None or not value.isascii() or not value.isdigit() or len(value) > 10:
            return None
        number = int(value)
        return number if number <= MAX_INT_ARG else None


def pack(prefix: str, action: str, *args: str | int) -> str:
    parts = [prefix, VERSION, action, *(str(a) for a in args)]
    if any(":" in p or not p for p in parts):
        raise ValueError(f"callback parts must be non-empty and free of ':': {parts}")
    data = ":".join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data longer than {MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None, prefix: str) -> Callback | None:
    """Parse data of ``prefix``; ``None`` for anything malformed or of another version."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    parts = data.split(":")
    if len(parts) < 3 or parts[0] != prefix or parts[1] != VERSION or not parts[2]:
        return None
    return Callback(prefix=prefix, action=parts[2], args=tuple(parts[3:]))


def pattern(prefix: str, *actions: str) -> str:
    """Regex for PTB's CallbackQueryHandler: every version of ``prefix``, or only these
    ``actions`` of the current version (entry points of a dialogue)."""
    if actions:
        return rf"^{prefix}:{VERSION}:({'|'.join(actions)})(:|$)"
    return rf"^{prefix}:"
