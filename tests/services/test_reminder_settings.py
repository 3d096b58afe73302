"""The reminder settings: readable values, and one clear line when one is wrong."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from bot.settings import SettingsError, load_settings

TOKEN = "123456:TEST"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("MEETING_REMINDERS", "HOURS_REMINDER", "QUIET_HOURS", "QUOTA_FLAG_PERCENT",
                 "REMINDER_GRACE_MINUTES", "SCHEDULER_INTERVAL_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.chdir(tmp_path)


def test_defaults_are_the_issue_s():
    settings = load_settings()
    assert settings.meeting_reminders == (timedelta(days=1), timedelta(hours=1))
    assert settings.hours_reminder == (4, time(13, 0))  # Friday 13:00
    assert settings.quiet_hours == (time(20, 0), time(7, 0))
    assert settings.reminder_grace_minutes == 60 and settings.quota_flag_percent == 50


def test_values_from_the_environment(monkeypatch):
    monkeypatch.setenv("MEETING_REMINDERS", "2d, 30min,1h")
    monkeypatch.setenv("HOURS_REMINDER", "Thursday 16:30")
    monkeypatch.setenv("QUIET_HOURS", "22:00-6:00")
    settings = load_settings()
    assert settings.meeting_reminders == (timedelta(days=2), timedelta(hours=1),
                                          timedelta(minutes=30))
    assert settings.hours_reminder == (3, time(16, 30))
    assert settings.quiet_hours == (time(22), time(6))
    monkeypatch.setenv("HOURS_REMINDER", "off")
    monkeypatch.setenv("QUIET_HOURS", "off")
    monkeypatch.setenv("MEETING_REMINDERS", "")
    settings = load_settings()
    assert settings.hours_reminder is None and settings.quiet_hours is None
    assert settings.meeting_reminders == ()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MEETING_REMINDERS", "tomorrow"), ("MEETING_REMINDERS", "0h"),
        ("MEETING_REMINDERS", "30d"), ("HOURS_REMINDER", "someday 13:00"),
        ("HOURS_REMINDER", "friday 25:00"), ("QUIET_HOURS", "20:00"),
        ("QUIET_HOURS", "20:00-7:61"), ("QUOTA_FLAG_PERCENT", "150"),
        ("REMINDER_GRACE_MINUTES", "-1"), ("REMINDER_GRACE_MINUTES", "0"),
        ("SCHEDULER_INTERVAL_SECONDS", "1"),
    ],
)
def test_a_wrong_value_names_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=f"^{name} is invalid"):
        load_settings()
