"""The provider directory and the team page: search, cards, contact cards."""

from bot.services.contacts.directory import (
    NAME_MATCH,
    OTHER_MATCH,
    PLACE_MATCH,
    ProviderDetails,
    SearchResult,
    SearchSection,
    TeamGroup,
    by_team,
    clean_query,
    contact_person,
    provider_details,
    providers_details,
    search,
)
from bot.services.contacts.phones import Phone, parse_phone
from bot.services.contacts.vcard import vcard

__all__ = [
    "NAME_MATCH",
    "OTHER_MATCH",
    "PLACE_MATCH",
    "Phone",
    "ProviderDetails",
    "SearchResult",
    "SearchSection",
    "TeamGroup",
    "by_team",
    "clean_query",
    "contact_person",
    "parse_phone",
    "provider_details",
    "providers_details",
    "search",
    "vcard",
]
