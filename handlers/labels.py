"""Display names for roles and other enumerations, through the catalogs."""

from __future__ import annotations

import html

from bot.errors import N_
from bot.i18n import Translator
from storage.models import Role, User

ROLE_NAMES = {
    Role.CASEWORKER: N_("caseworker (ASD)"),
    Role.NETWORKER: N_("networker"),
    Role.PROVIDER: N_("provider staff"),
    Role.LEAD: N_("regional lead"),
    Role.ADMIN: N_("administrator"),
}

LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


def role_name(t: Translator, role: Role | str) -> str:
    return t(ROLE_NAMES[Role(role)])


def person_name(t: Translator, user: User | None) -> str:
    """A person's name for HTML messages; "(erased)" once their data was erased."""
    if user is None or not user.display_name:
        return t("(erased)")
    return html.escape(user.display_name)


def erased_text(t: Translator, text: str | None) -> str:
    """A user's free text for HTML messages, or a note that retention removed it."""
    return html.escape(text) if text else t("(removed after the retention period)")
