"""Display names for roles and other enumerations, through the catalogs."""

from __future__ import annotations

from bot.errors import N_
from bot.i18n import Translator
from storage.models import Role

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
