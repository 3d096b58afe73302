"""Texts and keyboards of the directory: result lists, provider cards, contact cards.

Everything from the organisation file or typed by a user is HTML-escaped (the bot's default
parse mode is HTML). Values the file marks as examples are labelled on every card, also
on cards pasted into other chats through inline mode.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.errors import N_
from bot.i18n import Translator
from bot.services.contacts import (
    NAME_MATCH,
    PLACE_MATCH,
    ProviderDetails,
    SearchResult,
    TeamGroup,
    parse_phone,
    vcard,
)
from bot.services.contacts.team import held_seat
from bot.services.organisation.schema import SEAT_NAMES
from handlers.common import keyboard
from storage.models import Provider, ProviderContact, Team

PREFIX = "ct"
PAGE_SIZE = 8
MAX_CONTACTS_ON_CARD = 10
MAX_LABEL = 60

SERVICE_NAMES = {
    "stationaer": N_("residential (stationär)"),
    "ambulant": N_("outpatient (ambulant)"),
    "fua": N_("case-independent work (FuA)"),
    "fuea": N_("cross-case work (FüA)"),
    "familienzentrum": N_("family centre"),
    "familienbildung": N_("family education"),
}
EXAMPLE_NOTICE = N_(
    "⚠️ Example data: apart from the name, the details on this card are placeholders, "
    "not real contact data."
)


def data(action: str, *args: str | int) -> str:
    return callbacks.pack(PREFIX, action, *args)


def service_name(t: Translator, key: str) -> str:
    return t(SERVICE_NAMES[key]) if key in SERVICE_NAMES else key


def seat_name(t: Translator, kind: str) -> str:
    return t(SEAT_NAMES[kind]) if kind in SEAT_NAMES else kind


def example_mark(t: Translator) -> str:
    return "<i>(" + t("example") + ")</i>"


def team_label(team: Team) -> str:
    return f"{team.name} ({', '.join(team.districts)})" if team.districts else team.name


def button_label(name: str) -> str:
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"


# -- lists -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListItem:
    provider_id: int
    name: str
    group: str | None = None  # heading above the item: a team, or "not tied to a team"


def group_items(t: Translator, groups: Sequence[TeamGroup]) -> list[ListItem]:
    items = []
    for group in groups:
        heading = (f"{group.team.name} ({', '.join(group.team.districts)})" if group.team
                   else t("City-wide or no team given"))
        items += [ListItem(pid, name, heading) for pid, name in group.providers]
    return items


def section_heading(t: Translator, kind: str, place: str | None) -> str:
    if kind == NAME_MATCH:
        return t("Name matches")
    if kind == PLACE_MATCH:
        return (t("Active in the Sozialraum {place}").format(place=place) if place
                else t("Active in the Sozialraum searched for"))
    return t("Other matches")


def search_items(t: Translator, result: SearchResult) -> list[ListItem]:
    """The hits in their sections; headed only when the query matched in more than one way
    (a name and a district), so that the provider named is not lost among those serving it."""
    headed = len(result.sections) > 1
    return [ListItem(hit.key, hit.label,
                     section_heading(t, section.kind, result.place) if headed else None)
            for section in result.sections for hit in section.hits]


def pages(items: Sequence[ListItem]) -> int:
    return max(1, -(-len(items) // PAGE_SIZE))


def list_page(
    t: Translator, heading: str, items: Sequence[ListItem], page: int, search_id: int,
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of a list: the heading, group headings, a button per provider, paging."""
    count = pages(items)
    page = min(max(page, 0), count - 1)
    shown = items[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    lines = [heading]
    group: str | None = None
    for item in shown:  # buttons cannot show headings: grouped lists repeat names under them
        if item.group is None:
            continue
        if item.group != group:
            group = item.group
            lines += ["", "<b>" + html.escape(group) + "</b>"]
        lines.append("• " + html.escape(item.name))
    if count > 1:
        lines += ["", t("Page {page} of {pages}").format(page=page + 1, pages=count)]
    lines += ["", t("Tap a provider to see its card.")]
    rows = [[(button_label(item.name), data("p", item.provider_id, search_id, page))]
            for item in shown]
    nav = []
    if page > 0:
        nav.append((t("◀ Back"), data("pg", search_id, page - 1)))
    if page < count - 1:
        nav.append((t("More ▶"), data("pg", search_id, page + 1)))
    if nav:
        rows.append(nav)
    return "\n".join(lines), keyboard(rows)


# -- a provider's card --------------------------------------------------------------------


def card_text(t: Translator, details: ProviderDetails) -> str:
    provider = details.provider
    lines = ["<b>" + html.escape(provider.name) + "</b>"]
    if provider.is_example:
        lines.append("<i>" + t(EXAMPLE_NOTICE) + "</i>")
    description = provider.description(t.locale)
    if description:
        lines.append(html.escape(description))
    lines.append("")
    if provider.services:
        lines.append(t("Services: {services}").format(services=html.escape(
            ", ".join(service_name(t, s) for s in provider.services))))
    teams = ", ".join(team_label(team) for team in details.teams)
    lines.append(t("Teams: {teams}").format(teams=html.escape(teams)) if teams
                 else t("Teams: city-wide or not given"))
    for seat in details.seats:
        lines.append(t("Seat in {team}: {seat}").format(
            team=html.escape(seat.team.name), seat=html.escape(seat_name(t, seat.kind))))
    for label, value in ((N_("Address: {value}"), provider.address),
                         (N_("Opening hours: {value}"), provider.opening_hours),
                         (N_("Website: {value}"), provider.website)):
        if value:
            lines.append(t(label).format(value=html.escape(value)))
    lines += _reach_lines(t, provider.phone, provider.email, provider.is_example)
    contacts = list(provider.contacts)
    if contacts:
        lines += ["", "<b>" + t("Contact people") + "</b>"]
        for contact in contacts[:MAX_CONTACTS_ON_CARD]:
            lines.append(_person_line(t, contact))
            lines += _reach_lines(t, contact.phone, contact.email,
                                  contact.is_example or provider.is_example)
        if len(contacts) > MAX_CONTACTS_ON_CARD:
            lines.append(t("… and {count} more").format(
                count=len(contacts) - MAX_CONTACTS_ON_CARD))
    return "\n".join(lines).strip()


def _person_line(t: Translator, contact: ProviderContact) -> str:
    line = "👤 " + html.escape(contact.name)
    if contact.function:
        line += " – " + html.escape(contact.function)
    seat = held_seat(contact)
    if seat is not None:
        line += " · " + t("Seat in {team}: {seat}").format(
            team=html.escape(seat.team.name), seat=html.escape(seat_name(t, seat.kind)))
    return line


def _reach_lines(t: Translator, phone: str | None, email: str | None, example: bool) -> list[str]:
    """Phone and e-mail as Telegram makes them tappable (plain text in a dialable shape),
    each marked when it is example data."""
    mark = " " + example_mark(t) if example else ""
    lines = []
    if phone:
        lines.append("☎️ " + html.escape(parse_phone(phone).tappable) + mark)
    if email:
        lines.append("✉️ " + html.escape(email) + mark)
    return lines


def card_summary(t: Translator, details: ProviderDetails) -> str:
    """One plain line under an inline result's title: services and teams."""
    parts = [", ".join(service_name(t, s) for s in details.provider.services)]
    parts.append(", ".join(team.name for team in details.teams) or t("city-wide or not given"))
    if details.provider.is_example:
        parts.append(t("example data"))
    return " · ".join(part for part in parts if part)


def card_keyboard(
    t: Translator, details: ProviderDetails, back: tuple[int, int] | None,
) -> InlineKeyboardMarkup:
    provider = details.provider
    rows = [[(button_label(t("📇 Send as contact: {name}").format(name=contact.name)),
              data("vc", contact.id))]
            for contact in provider.contacts[:MAX_CONTACTS_ON_CARD] if contact.phone]
    if provider.phone:
        rows.append([(button_label(t("📇 Send as contact: {name}").format(name=provider.name)),
                      data("vp", provider.id))])
    if back is not None:
        rows.append([(t("« Back to the list"), data("pg", *back))])
    return keyboard(rows)


# -- a contact card for the address book --------------------------------------------------


@dataclass(frozen=True)
class ContactCard:
    phone_number: str
    first_name: str
    last_name: str | None
    vcard: str


def contact_card(
    t: Translator, *, name: str, phone: str, organisation: str | None, function: str | None,
    email: str | None, example: bool,
) -> ContactCard:
    dialable = parse_phone(phone).dialable
    note = t("Example data, not a real contact.") if example else None
    return ContactCard(
        phone_number=dialable,
        first_name=name[:64],
        last_name=("(" + t("example") + ")") if example else None,
        vcard=vcard(name=name, organisation=organisation, title=function, phone=dialable,
                    email=email, note=note),
    )


def person_card(t: Translator, contact: ProviderContact, provider: Provider) -> ContactCard:
    return contact_card(
        t, name=contact.name, phone=contact.phone or "", organisation=provider.name,
        function=contact.function, email=contact.email,
        example=contact.is_example or provider.is_example)


def provider_card(t: Translator, provider: Provider) -> ContactCard:
    return contact_card(
        t, name=provider.name, phone=provider.phone or "", organisation=None, function=None,
        email=provider.email, example=provider.is_example)
