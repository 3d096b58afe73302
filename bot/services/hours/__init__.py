"""Hours: logging time against the teams' weekly quotas."""

from bot.services.hours.policy import HoursPolicy
from bot.services.hours.service import (
    CategoryProgress,
    Draft,
    PersonProgress,
    WeekProgress,
    category,
    delete_entry,
    is_locked,
    log_hours,
    loggable_categories,
    loggable_teams,
    my_entries,
    open_entry_ids,
    own_open_entry,
    reopen_week,
    update_entry_minutes,
    users_without_hours,
    validate_draft,
    week_progress,
)
from bot.services.hours.weeks import Week

__all__ = [
    "CategoryProgress",
    "Draft",
    "HoursPolicy",
    "PersonProgress",
    "Week",
    "WeekProgress",
    "category",
    "delete_entry",
    "is_locked",
    "log_hours",
    "loggable_categories",
    "loggable_teams",
    "my_entries",
    "open_entry_ids",
    "own_open_entry",
    "reopen_week",
    "update_entry_minutes",
    "users_without_hours",
    "validate_draft",
    "week_progress",
]
