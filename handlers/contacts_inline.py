"""Inline mode: ``@bot pestalozzi`` in any chat lists matching providers.

A provider result pastes its card (with the example-data notice where it applies); a contact
person result pastes a real contact card. Only registered members get results: the gate
answers everyone else with no results and a button to open the bot.
"""

from __future__ import annotations

from telegram import (
    InlineQueryResult,
    InlineQueryResultArticle,
    InlineQueryResultContact,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import InlineQueryLimit, ParseMode

from bot.services import contacts
from handlers import contacts_views as views
from handlers.context import BotContext

# Results depend on who asks (members only) and on the directory as it is now.
CACHE_SECONDS = 0


def _offset(raw: str) -> int:
    return int(raw) if raw.isdigit() and len(raw) < 6 else 0


async def inline_search(update: Update, context: BotContext) -> None:
    """Answer with provider cards and contact cards, up to Telegram's 50 results a page."""
    inline = update.inline_query
    assert inline is not None
    scope, t = context.scope, context.t
    query = contacts.clean_query(inline.query)
    sections: dict[int, str] = {}  # provider → the heading of its section, if headed
    if query:
        items = views.search_items(t, await contacts.search(scope.session, query))
        ids = [item.provider_id for item in items]
        sections = {item.provider_id: item.group for item in items if item.group}
    else:
        ids = list(dict.fromkeys(
            pid for group in await contacts.by_team(scope.session) for pid, _ in group.providers))
    start = _offset(inline.offset)
    page = ids[start:start + InlineQueryLimit.RESULTS]
    results: list[InlineQueryResult] = []
    used = 0
    for details in await contacts.providers_details(scope.session, page):
        provider_results = _results_for(context, details, sections.get(details.provider.id))
        if results and len(results) + len(provider_results) > InlineQueryLimit.RESULTS:
            break
        results += provider_results
        used += 1
    more = start + used < len(ids)
    button = None
    if not results and start == 0:
        button = InlineQueryResultsButton(t("Nothing found – search in the bot"),
                                          start_parameter="inline")
    await inline.answer(results, cache_time=CACHE_SECONDS, is_personal=True,
                        next_offset=str(start + used) if more else None, button=button)


def _results_for(
    context: BotContext, details: contacts.ProviderDetails, section: str | None,
) -> list[InlineQueryResult]:
    t = context.t
    provider = details.provider
    summary = views.card_summary(t, details)
    results: list[InlineQueryResult] = [InlineQueryResultArticle(
        id=f"p{provider.id}",
        title=provider.name,
        # Inline results have no headings: the section leads the line under the title.
        description=f"{section} · {summary}" if section else summary,
        input_message_content=InputTextMessageContent(
            views.card_text(t, details), parse_mode=ParseMode.HTML),
    )]
    for contact in provider.contacts[:views.MAX_CONTACTS_ON_CARD]:
        if contact.phone:
            card = views.person_card(t, contact, provider)
            results.append(InlineQueryResultContact(
                id=f"c{contact.id}", phone_number=card.phone_number,
                first_name=card.first_name, last_name=card.last_name, vcard=card.vcard))
    return results
