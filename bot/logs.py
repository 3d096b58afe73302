"""Logging that never carries what people wrote.

Our own log calls pass ids, counts and exception types only. Texts could still reach a log in
three ways, each closed here:

- libraries' DEBUG output: python-telegram-bot logs whole updates and API parameters,
  SQLAlchemy statements and rows — records of other packages below INFO are dropped;
- objects passed as log arguments (PTB logs an ``Update`` when building a context fails) —
  Telegram objects and exceptions are replaced by their type;
- exception messages in tracebacks (``ValueError: … 'Familie Müller'``) — tracebacks keep
  their frames, but a message is shown only for exception types whose messages carry no user
  input (network and OS errors, database errors with hidden parameters, Bot API errors),
  and of those only the first line.

The database engine hides SQL parameters as well (``storage/db.py``).
"""

from __future__ import annotations

import logging
import traceback
from types import TracebackType
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import TelegramObject, Update
from telegram.error import TelegramError

OWN_PACKAGES = frozenset({"bot", "handlers", "storage", "sozialraum_bot", "bench"})
# Exception types whose messages are safe to log: they describe systems, not input.
SAFE_MESSAGES: tuple[type[BaseException], ...] = (
    OSError, TimeoutError, SQLAlchemyError, TelegramError,
)
# httpx logs every request URL, which contains the bot token; alembic is chatty.
QUIET = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "alembic": logging.WARNING}
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


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
        if error is None:
            return super().formatException(ei)
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


def harden(handler: logging.Handler) -> logging.Handler:
    """Give ``handler`` the privacy filter and formatter."""
    handler.addFilter(PrivacyFilter())
    handler.setFormatter(PrivacyFormatter(FORMAT))
    return handler


def configure_logging(level: str | int, filename: str | None = None) -> None:
    """Root logging for the bot, the command line and the demo."""
    handler = logging.FileHandler(filename, encoding="utf-8") if filename else (
        logging.StreamHandler()
    )
    logging.basicConfig(level=level, handlers=[harden(handler)], force=True)
    for name, quiet in QUIET.items():
        logging.getLogger(name).setLevel(max(quiet, logging.root.level))
