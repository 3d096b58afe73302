"""Settings: defaults, and one clear line naming the variable when something is wrong."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings

TOKEN = "123456:TEST"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "TIMEZONE", "ADMIN_IDS", "ORG_FILE",
                 "DEFAULT_LOCALE", "WEBHOOK_PORT", "TELEGRAM_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    settings = load_settings()
    assert settings.telegram_api_base_url == "https://api.telegram.org"
    assert settings.database_url == "sqlite+aiosqlite:///data/sozialraum.db"
    assert settings.timezone == "Europe/Berlin" and settings.default_locale == "de"
    assert settings.org_file.name == "norderstedt.yaml"
    assert settings.admin_ids == frozenset()


def test_values_from_dotenv_and_environment(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nADMIN_IDS=11, 22\n")
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot@db/sozialraum")
    settings = load_settings()
    assert settings.admin_ids == frozenset({11, 22})
    assert settings.database_url == "postgresql+asyncpg://bot@db/sozialraum"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": "nonsense"}, "TELEGRAM_BOT_TOKEN is invalid"),
        ({"TIMEZONE": "Europe/Atlantis"}, "TIMEZONE is invalid: unknown time zone"),
        ({"ADMIN_IDS": "12,abc"}, "ADMIN_IDS is invalid"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL is invalid"),
        ({"DEFAULT_LOCALE": "fr"}, "DEFAULT_LOCALE is invalid"),
        ({"ORG_FILE": "/nowhere.yaml"}, "ORG_FILE is invalid: no such file"),
        ({"WEBHOOK_PORT": "99999"}, "WEBHOOK_PORT is invalid"),
    ],
)
def test_bad_value_names_the_variable_in_one_line(monkeypatch, env, expected):
    if "TELEGRAM_BOT_TOKEN" not in env and env:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


def test_webhook_mode_requires_the_secret_and_log_format_is_checked(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org")
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert str(info.value) == (
        "WEBHOOK_SECRET is invalid: required in webhook mode (WEBHOOK_URL is set).")
    monkeypatch.setenv("WEBHOOK_SECRET", "s3cret_token")
    settings = load_settings()
    assert settings.webhook_mode and settings.health_port == 8080
    # Empty values in a settings file mean "not set": polling, no secret.
    monkeypatch.setenv("WEBHOOK_URL", "")
    monkeypatch.setenv("WEBHOOK_SECRET", "")
    settings = load_settings()
    assert not settings.webhook_mode and settings.webhook_secret is None
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(SettingsError, match="LOG_FORMAT is invalid"):
        load_settings()
