"""Logging: readable lines by default, one JSON object per line with ``LOG_FORMAT=json``.

Every record made while an update is handled carries the update id and the sender's
Telegram user id (:func:`update_context`), never the texts users wrote: our own log calls
name ids only, and the libraries that would log whole payloads at DEBUG level (PTB's
webhook server, the database drivers with SQL parameters, httpx with the token in its
URLs) are held at INFO or above even with ``LOG_LEVEL=DEBUG``.
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Literal

LogFormat = Literal["text", "json"]

_update_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("log_update_id",
                                                                        default=None)
_user_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("log_user_id",
                                                                      default=None)

# Libraries whose DEBUG output contains payloads, tokens or SQL with its values.
QUIET_LOGGERS = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "alembic": logging.WARNING,
          "telegram": logging.INFO, "apscheduler": logging.WARNING, "tornado": logging.WARNING,
          "aiohttp.access": logging.WARNING, "aiosqlite": logging.WARNING,
          "sqlalchemy": logging.WARNING, "asyncpg": logging.WARNING}


@contextmanager
def update_context(update_id: int | None, user_id: int | None) -> Iterator[None]:
    """Tag every record logged inside the block with the update and user id."""
    tokens = (_update_id.set(update_id), _user_id.set(user_id))
    try:
        yield
    finally:
        _update_id.reset(tokens[0])
        _user_id.reset(tokens[1])


class ContextFilter(logging.Filter):
    """Adds ``update_id`` and ``user_id`` (or None) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "update_id"):
            record.update_id = _update_id.get()
        if not hasattr(record, "user_id"):
            record.user_id = _user_id.get()
        return True


class TextFormatter(logging.Formatter):
    """``2026-11-24 10:00:00,123 INFO bot.app [update 7 user 42]: message``"""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(ids)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        parts = [f"{label} {value}" for label, value in
                 (("update", getattr(record, "update_id", None)),
                  ("user", getattr(record, "user_id", None))) if value is not None]
        record.ids = f" [{' '.join(parts)}]" if parts else ""
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, ids, and the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("update_id", "user_id"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, fmt: LogFormat = "text") -> None:
    """Set up the root logger once for the process (the CLI calls it)."""
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name, floor in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(floor, root.level))
