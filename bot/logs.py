"""Logging that carries ids, never what people wrote: readable lines, or JSON per line.

Every record made while an update is handled carries the update id and the sender's
Telegram user id (:func:`update_context`). Our own log calls pass ids, counts and exception
types only. Texts could still reach a log in three ways, each closed here:

- libraries' DEBUG output: python-telegram-bot logs whole updates and API parameters,
  SQLAlchemy statements and rows, httpx URLs with the bot token — records of other packages
  below INFO are dropped, and the chattiest libraries are held higher still;
- objects passed as log arguments (PTB logs an ``Update`` when building a context fails) —
  Telegram objects and exceptions are replaced by their type;
- exception messages in tracebacks (``ValueError: … 'Familie Müller'``) — tracebacks keep
  their frames, but a message is shown only for exception types whose messages carry no user
  input (network and OS errors, database errors with hidden parameters, Bot API errors),
  and of those only the first line.

The database engine hides SQL parameters as well (``storage/db.py``).
"""

from __future__ import annotations

import contextvars
import json
import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy.exc import SQLAlchemyError
from telegram import TelegramObject, Update
from telegram.error import TelegramError

LogFormat = Literal["text", "json"]

OWN_PACKAGES = frozenset({"bot", "handlers", "storage", "sozialraum_bot", "bench"})
# Exception types whose messages are safe to log: they describe systems, not input.
SAFE_MESSAGES: tuple[type[BaseException], ...] = (
    OSError, TimeoutError, SQLAlchemyError, TelegramError,
)
# Libraries whose output at INFO is still noise, payloads, or URLs with the token.
QUIET_LOGGERS = {
    "httpx": logging.WARNING, "httpcore": logging.WARNING, "alembic": logging.WARNING,
    "telegram": logging.INFO, "apscheduler": logging.WARNING, "tornado": logging.WARNING,
    "aiohttp.access": logging.WARNING, "aiosqlite": logging.WARNING,
    "sqlalchemy": logging.WARNING, "asyncpg": logging.WARNING,
}

_update_id: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "log_update_id", default=None
)
_user_id: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "log_user_id", default=None
)


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


class PrivacyFilter(logging.Filter):
    """Drops other packages' debug records and neutralises objects passed as arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.split(".")[0] not in OWN_PACKAGES and record.levelno < logging.INFO:
            return False
        if isinstance(record.args, tuple):
            record.args = tuple(_neutral(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _neutral(value) for key, value in record.args.items()}
        return True


def _neutral(value: Any) -> Any:
    if isinstance(value, Update):
        return f"<Update {value.update_id}>"
    if isinstance(value, TelegramObject):
        return f"<{type(value).__name__}>"
    if isinstance(value, BaseException):
        return describe(value)
    return value


def describe(error: BaseException) -> str:
    """``ValueError (message withheld)``, or type and first line of the message for safe
    types (PostgreSQL puts the failing row on the lines after the first)."""
    name = f"{type(error).__module__}.{type(error).__qualname__}".removeprefix("builtins.")
    if isinstance(error, SAFE_MESSAGES):
        first = next(iter(str(error).splitlines()), "")
        return f"{name}: {first[:300]}"
    return f"{name} (message withheld)"


def safe_traceback(error: BaseException) -> str:
    """The whole chain of tracebacks, each ending in :func:`describe` instead of the message."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts: list[str] = []
    for number, exc in enumerate(reversed(chain)):
        if number:
            parts.append("\n\nwhich led to:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts += traceback.format_tb(exc.__traceback__)
        parts.append(describe(exc))
    return "".join(parts).rstrip("\n")


class PrivacyFormatter(logging.Formatter):
    """Tracebacks with their frames, but without messages that could quote users."""

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached the full traceback on the record; never reuse it.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's API
        _, error, _ = ei
        return super().formatException(ei) if error is None else safe_traceback(error)


class TextFormatter(PrivacyFormatter):
    """``2026-11-24 10:00:00,123 INFO bot.app [update 7 user 42]: message``"""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(ids)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        parts = [f"{label} {value}" for label, value in
                 (("update", getattr(record, "update_id", None)),
                  ("user", getattr(record, "user_id", None))) if value is not None]
        record.ids = f" [{' '.join(parts)}]" if parts else ""
        return super().format(record)


class JsonFormatter(PrivacyFormatter):
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


def harden(handler: logging.Handler, fmt: LogFormat = "text") -> logging.Handler:
    """Give ``handler`` the privacy and id filters and a privacy-keeping formatter."""
    handler.addFilter(PrivacyFilter())
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    return handler


def configure_logging(
    level: str | int, fmt: LogFormat = "text", filename: str | None = None
) -> None:
    """Root logging for the bot, the command line and the demo (once per process)."""
    handler = logging.FileHandler(filename, encoding="utf-8") if filename else (
        logging.StreamHandler()
    )
    logging.basicConfig(level=level, handlers=[harden(handler, fmt)], force=True)
    for name, floor in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(floor, logging.root.level))
