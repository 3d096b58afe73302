"""/contacts: find the right provider and whom to call, in seconds.

``/contacts`` alone lists every provider by Sozialraumteam; ``/contacts words`` searches
names, services, districts, teams and contact people (fuzzy, umlaut- and typo-tolerant).
A card shows tappable phone numbers and e-mail addresses and sends real contact cards for the
phone's address book. Inline mode (``@bot pestalozzi`` in any chat) lives in
:mod:`handlers.contacts_inline`. Buttons carry only ids; the provider, contact and page are
looked up again on every press.
"""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, InlineQueryHandler

from bot import callbacks
from bot.errors import N_, STALE, InvalidInput
from bot.services import contacts
from handlers import contacts_inline
from handlers import contacts_views as views
from handlers.common import answer, claim_press, keyboard, message_text, pressed_data, show
from handlers.context import BotApp, BotContext
from handlers.registry import Command, Feature

SEARCHES = "contacts_searches"  # user_data: recent search id → query, for paging and Back
KEEP_SEARCHES = 20
STALE_SEARCH = N_("This list has expired. Please search again with /contacts.")


def _searches(context: BotContext) -> dict[str, str]:
    """Search id (a decimal string: user_data is stored as JSON) → query."""
    assert context.user_data is not None
    searches: dict[str, str] = context.user_data.setdefault(SEARCHES, {})
    return searches


def _remember(context: BotContext, query: str) -> int:
    searches = _searches(context)
    ids = sorted(int(key) for key in searches)
    search_id = (ids[-1] if ids else 0) + 1
    searches[str(search_id)] = query
    for old in ids[: max(0, len(ids) + 1 - KEEP_SEARCHES)]:
        del searches[str(old)]
    return search_id


def _recall(context: BotContext, search_id: int | None) -> str:
    query = _searches(context).get(str(search_id)) if search_id is not None else None
    if query is None:
        raise InvalidInput(STALE_SEARCH)
    return query


async def contacts_command(update: Update, context: BotContext) -> None:
    """Search the directory, or list it by team when no words are given."""
    parts = message_text(update).split(maxsplit=1)
    query = contacts.clean_query(parts[1] if len(parts) > 1 else "")
    await _show_list(update, context, _remember(context, query), page=0, first=True)


async def _show_list(
    update: Update, context: BotContext, search_id: int, page: int, *, first: bool = False,
) -> None:
    scope, t = context.scope, context.t
    query = _recall(context, search_id)
    if not query:
        items = views.group_items(t, await contacts.by_team(scope.session))
        if not items:
            await show(update, context, t("The directory is empty: no provider is in the "
                                          "organisation file yet."))
            return
        heading = "<b>" + t("All providers by Sozialraumteam") + "</b>\n" + t(
            "Or search, e.g. /contacts pestalozzi, /contacts ambulant, /contacts Garstedt.")
    else:
        result = await contacts.search(scope.session, query)
        if not result.hits:
            await _no_match(update, context, result)
            return
        if first and len(result.hits) == 1:
            await _show_card(update, context, result.hits[0].key, back=None)
            return
        items = views.search_items(t, result)
        heading = "<b>" + t.ngettext(
            "{count} provider matches “{query}”", "{count} providers match “{query}”",
            len(items)).format(count=len(items), query=html.escape(query)) + "</b>"
    text, markup = views.list_page(t, heading, items, page, search_id)
    await show(update, context, text, markup)


async def _no_match(update: Update, context: BotContext, result: contacts.SearchResult) -> None:
    t = context.t
    lines = [t("No provider matches “{query}”.").format(query=html.escape(result.query))]
    if result.suggestions:
        lines.append(t("Did you mean one of these?"))
    else:
        lines.append(t("Try part of a name, a service (ambulant, stationär, FuA), a district "
                       "or a team. /contacts alone lists all providers."))
    rows = [[(views.button_label(s.label), views.data("p", s.key))] for s in result.suggestions]
    await show(update, context, "\n".join(lines), keyboard(rows) if rows else None)


async def _show_card(
    update: Update, context: BotContext, provider_id: int | None,
    back: tuple[int, int] | None,
) -> None:
    t = context.t
    details = await contacts.provider_details(context.scope.session, provider_id)
    await show(update, context, views.card_text(t, details),
               views.card_keyboard(t, details, back))


async def pressed(update: Update, context: BotContext) -> None:
    """Paging, opening a card, sending a contact card: each looked up afresh.

    The press is answered after the work, so that a refusal can still show as an alert.
    """
    data = pressed_data(update, views.PREFIX)
    if data.action in ("vc", "vp"):
        await _send_contact(update, context, data)
        return
    if data.action == "pg":
        page = data.int_arg(1)
        if page is None:
            raise InvalidInput(STALE)
        await _show_list(update, context, data.int_arg(0) or 0, page)
    elif data.action == "p":
        search_id, page = data.int_arg(1), data.int_arg(2)
        back = None
        if search_id is not None and page is not None and str(search_id) in _searches(context):
            back = (search_id, page)
        await _show_card(update, context, data.int_arg(0), back)
    else:
        raise InvalidInput(STALE)
    await answer(update)


async def _send_contact(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    """A real contact card for the phone's address book; once per card and person."""
    scope, t = context.scope, context.t
    if data.action == "vc":
        contact = await contacts.contact_person(scope.session, data.int_arg(0))
        card = views.person_card(t, contact, contact.provider)
    else:
        details = await contacts.provider_details(scope.session, data.int_arg(0))
        if not details.provider.phone:
            raise InvalidInput(STALE)
        card = views.provider_card(t, details.provider)
    if not await claim_press(update, context, f"contacts-{data.action}-{data.int_arg(0)}"):
        await answer(update, t("This contact card was already sent above."))
        return
    await answer(update)
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_contact(
        chat.id, phone_number=card.phone_number, first_name=card.first_name,
        last_name=card.last_name, vcard=card.vcard)


def register(application: BotApp) -> None:
    application.add_handler(CommandHandler("contacts", contacts_command))
    application.add_handler(CallbackQueryHandler(pressed, pattern=callbacks.pattern(views.PREFIX)))
    application.add_handler(InlineQueryHandler(contacts_inline.inline_search))


FEATURE = Feature(
    name="contacts",
    register=register,
    commands=(Command("contacts", N_("Find a provider and whom to call")),),
)
