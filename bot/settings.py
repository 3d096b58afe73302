"""Configuration from the environment and an optional ``.env`` file.

Every setting is listed in the README's configuration table; keep both in step.
A missing or malformed value stops start-up with one line naming the variable
(:class:`SettingsError`), never with a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_ORG_FILE = PACKAGE_DIR / "data" / "norderstedt.yaml"
DEFAULT_FAQ_DIR = PACKAGE_DIR / "data" / "faq"
SUPPORTED_LOCALES = ("de", "en")


class SettingsError(Exception):
    """A configuration problem, phrased for the operator in one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    telegram_bot_token: str = Field(
        description="Bot token from BotFather (the demo uses a simulator token)."
    )
    telegram_bot_username: str | None = Field(
        default=None,
        description="The bot's @username for invitation links; asked from the Bot API if unset.",
    )
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org",
        description="Bot API server; set it for a self-hosted server or the local simulator.",
    )
    database_url: str = Field(
        default="sqlite+aiosqlite:///data/sozialraum.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///… or postgresql+asyncpg://…",
    )
    timezone: str = Field(default="Europe/Berlin", description="IANA time zone of the office.")
    default_locale: Literal["de", "en"] = Field(
        default="de", description="Language for users whose Telegram language is unsupported."
    )
    org_file: Path = Field(
        default=DEFAULT_ORG_FILE, description="Organisation YAML imported at start-up."
    )
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(),
        description="Comma-separated Telegram user ids who are admins from the start.",
    )
    webhook_url: str | None = Field(
        default=None, description="Public HTTPS URL for webhook mode; unset means polling."
    )
    webhook_listen: str = Field(default="127.0.0.1", description="Webhook listen address.")
    webhook_port: int = Field(default=8443, ge=1, le=65535, description="Webhook listen port.")
    webhook_secret: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{1,256}$",
        description="Secret token Telegram sends in X-Telegram-Bot-Api-Secret-Token.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Log level."
    )
    invite_ttl_days: int = Field(
        default=7, ge=1, le=365, description="Default lifetime of invitation codes in days."
    )

    budget_escalation_hours: int = Field(
        default=72, ge=1, le=24 * 60,
        description="A FuA request undecided this many hours is raised to the leads again.",
    )
    budget_check_minutes: int = Field(
        default=30, ge=1, le=24 * 60,
        description="How often the bot looks for FuA requests to raise again (minutes).",
    )

    faq_dir: Path = Field(
        default=DEFAULT_FAQ_DIR,
        description="Folder with the FAQ files de.yaml, en.yaml and lexicon.yaml.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: str) -> str:
        bot_id, _, secret = value.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("expected the form 123456789:ABC… as given by BotFather")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith(("postgresql://", "postgres://")):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite:///"):
            return "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///PATH or postgresql+asyncpg://…")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            if not all(p.isdigit() for p in parts):
                raise ValueError("expected comma-separated numeric Telegram user ids")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("org_file")
    @classmethod
    def _org_file_exists(cls, value: Path) -> Path:
        if not value.is_file():
            raise ValueError(f"no such file: {value}")
        return value

    @field_validator("faq_dir")
    @classmethod
    def _faq_dir_exists(cls, value: Path) -> Path:
        if not value.is_dir():
            raise ValueError(f"no such folder: {value}")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Read settings; raise :class:`SettingsError` with one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "settings"
        if error["type"] == "missing":
            raise SettingsError(f"{name} is not set (environment or .env).") from None
        message = str(error["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{name} is invalid: {message}.") from None
