"""Configuration from the environment and an optional ``.env`` file.

Every setting is listed in the settings table of docs/configuration.md; keep both in step.
A missing or malformed value stops start-up with one line naming the variable
(:class:`SettingsError`), never with a traceback.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, ValidationInfo, field_validator
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
        description=("Bot API server, without /bot at the end; set it for a self-hosted server "
                     "or the local simulator."),
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
        validate_default=True,
        description="Secret token Telegram sends in X-Telegram-Bot-Api-Secret-Token.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Log level."
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="Log lines for people (text) or one JSON object per line."
    )
    health_listen: str = Field(
        default="127.0.0.1", description="Address of the /healthz, /readyz and /metrics server."
    )
    health_port: int = Field(
        default=8080, ge=0, le=65535,
        description="Port of the /healthz, /readyz and /metrics server; 0 turns it off.",
    )
    leader_check_seconds: float = Field(
        default=15.0, ge=0.1, le=60,
        description="How often an instance checks or tries to take the scheduler lock (seconds).",
    )
    invite_ttl_days: int = Field(
        default=7, ge=1, le=365, description="Default lifetime of invitation codes in days."
    )

    budget_escalation_hours: int = Field(
        default=72, ge=1, le=24 * 60,
        description="A FuA request undecided this many hours is raised to the leads again.",
    )

    scheduler_interval_seconds: int = Field(
        default=60, ge=5, le=3600,
        description="How often the scheduler looks for due reminders and escalations.",
    )
    reminder_grace_minutes: int = Field(
        default=60, ge=0, le=7 * 24 * 60,
        description="A reminder found this late (e.g. after downtime) is still sent; "
                    "later ones are recorded as missed.",
    )
    meeting_reminders: Annotated[tuple[timedelta, ...], NoDecode] = Field(
        default=(timedelta(days=1), timedelta(hours=1)),
        description="When participants are reminded before a meeting: 1d,1h (d, h, min).",
    )
    hours_reminder: Annotated[tuple[int, time] | None, NoDecode] = Field(
        default=(4, time(13, 0)),
        description="Weekday and time of the weekly 'please log your hours' reminder, "
                    "e.g. friday 13:00; off disables it.",
    )
    quota_flag_percent: int = Field(
        default=50, ge=0, le=100,
        description="At the hours reminder, a team under this share of a weekly quota is "
                    "flagged to its region's leads; 0 disables it.",
    )
    quiet_hours: Annotated[tuple[time, time] | None, NoDecode] = Field(
        default=(time(20, 0), time(7, 0)),
        description="Default quiet hours (local): automatic reminders wait until they end; "
                    "off disables them. Users may choose their own with /quiet.",
    )
    digest_default: Annotated[tuple[int, time] | None, NoDecode] = Field(
        default=(0, time(8, 0)),
        description="Weekday and time of the leads' digest for those who chose none with "
                    "/digest, e.g. monday 08:00; off: only who chooses a schedule gets one.",
    )

    @field_validator("telegram_bot_username", "webhook_url", "webhook_secret", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """``WEBHOOK_URL=`` in a settings file means the same as leaving it out."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_username")
    @classmethod
    def _without_at(cls, value: str | None) -> str | None:
        """``@name`` as Telegram shows it; the link needs the bare name."""
        return (value.strip().removeprefix("@") or None) if value else None

    @field_validator("webhook_secret")
    @classmethod
    def _secret_in_webhook_mode(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("webhook_url") and not value:
            raise ValueError("required in webhook mode (WEBHOOK_URL is set)")
        return value

    # Data protection: how long each kind of data is kept (see docs/datenschutz.md).
    retention_notes_days: int = Field(
        default=365, ge=1, le=3650,
        description="Free-text notes on hours, and the texts of closed FuA requests, are "
                    "erased this many days after they were written or decided.",
    )
    retention_faq_questions_days: int = Field(
        default=365, ge=1, le=3650, description="Questions asked to the FAQ are erased after this.",
    )
    retention_reminders_days: int = Field(
        default=90, ge=1, le=3650, description="Reminders are erased this long after they fired.",
    )
    retention_audit_days: int = Field(
        default=3 * 365, ge=30, le=3650, description="Audit log entries are erased after this.",
    )
    retention_inactive_users_days: int = Field(
        default=90, ge=0, le=3650,
        description="A deactivated person's personal data is anonymised after this many days.",
    )
    retention_bookkeeping_days: int = Field(
        default=7, ge=2, le=365,
        description="Technical records (processed updates, button claims, used invitations, "
                    "copies of closed request cards) are erased after this.",
    )
    retention_run_at: time = Field(
        default=time(3, 30), description="Local time of the daily retention run (HH:MM).",
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

    @field_validator("meeting_reminders", mode="before")
    @classmethod
    def _offsets(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        offsets = []
        for part in (p.strip().lower() for p in value.split(",") if p.strip()):
            match = re.fullmatch(r"(\d{1,4})\s*(d|h|min|m)", part)
            if match is None:
                raise ValueError(f"expected offsets like 1d,1h,30min, not {part!r}")
            amount, unit = int(match.group(1)), match.group(2)
            offsets.append(timedelta(days=amount) if unit == "d" else timedelta(
                hours=amount) if unit == "h" else timedelta(minutes=amount))
        if any(o <= timedelta(0) or o > timedelta(days=28) for o in offsets):
            raise ValueError("each offset must be more than zero and at most 28d")
        return tuple(sorted(set(offsets), reverse=True))

    @field_validator("hours_reminder", "digest_default", mode="before")
    @classmethod
    def _weekly_time(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        if value.strip().lower() in ("off", "none", ""):
            return None
        day, _, clock = value.strip().lower().partition(" ")
        if day not in WEEKDAY_NAMES:
            raise ValueError("expected a weekday and a time like friday 13:00, or off")
        return WEEKDAY_NAMES.index(day), _clock_time(clock)

    @field_validator("quiet_hours", mode="before")
    @classmethod
    def _quiet_window(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        if value.strip().lower() in ("off", "none", ""):
            return None
        start, sep, end = value.partition("-")
        if not sep:
            raise ValueError("expected a range like 20:00-07:00, or off")
        return _clock_time(start), _clock_time(end)

    @field_validator("org_file")
    @classmethod
    def _org_file_exists(cls, value: Path) -> Path:
        if not value.is_file():
            raise ValueError(f"no such file: {value}")
        return value

    @field_validator("reminder_grace_minutes")
    @classmethod
    def _grace_covers_a_run(cls, value: int, info: ValidationInfo) -> int:
        interval = info.data.get("scheduler_interval_seconds")
        if interval is not None and value * 60 < interval:
            raise ValueError("must cover at least one SCHEDULER_INTERVAL_SECONDS, or reminders "
                             "would be missed between two runs")
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

    @property
    def webhook_mode(self) -> bool:
        return bool(self.webhook_url)


WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _clock_time(text: str) -> time:
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?", text.strip())
    if match is None or int(match.group(1)) > 23 or int(match.group(2) or 0) > 59:
        raise ValueError(f"expected a time like 13:00, not {text.strip()!r}")
    return time(int(match.group(1)), int(match.group(2) or 0))


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
