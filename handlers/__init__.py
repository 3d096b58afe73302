"""Thin Telegram handlers, one module per feature.

Each feature module exposes ``FEATURE`` (a :class:`handlers.registry.Feature`): its commands
for the menus and /help, and ``register(application)``. The order of :data:`FEATURES` is the
order of the command menu.
"""

from handlers import (
    audit_log,
    budget,
    contacts,
    digest,
    faq,
    hours,
    invite,
    language,
    meetings,
    myhours,
    privacy,
    reminders,
    report,
    start,
    team,
    users,
    week,
)
from handlers import help as help_feature
from handlers.registry import Feature

FEATURES: list[Feature] = [
    start.FEATURE,
    hours.FEATURE,
    week.FEATURE,
    myhours.FEATURE,
    budget.FEATURE,
    digest.FEATURE,
    report.FEATURE,
    contacts.FEATURE,
    team.FEATURE,
    meetings.FEATURE,
    reminders.FEATURE,
    faq.FEATURE,
    help_feature.FEATURE,
    language.FEATURE,
    invite.FEATURE,
    users.FEATURE,
    audit_log.FEATURE,
    privacy.FEATURE,
]

__all__ = ["FEATURES", "Feature"]
