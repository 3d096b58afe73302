"""The simulator checks inline answers and contact cards the way the Bot API does."""

from __future__ import annotations

import asyncio

import pytest
from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultContact,
    InlineQueryResultsButton,
    InputTextMessageContent,
)
from telegram.error import BadRequest
from telegram.ext import ApplicationBuilder

from bot.simulator import BotApiSimulator

TOKEN = "4243:SIM"


@pytest.fixture
async def sim():
    async with BotApiSimulator() as simulator:
        simulator.add_bot(TOKEN, username="sim_bot")
        yield simulator


@pytest.fixture
async def app(sim):
    application = (ApplicationBuilder().token(TOKEN)
                   .base_url(f"{sim.base_url}/bot{{token}}").build())
    await application.initialize()
    yield application
    await application.shutdown()


async def _answer(sim, app, results, **kwargs):
    user = sim.user(7, "Ute")
    asking = asyncio.create_task(user.inline("x"))
    update = None
    while update is None:
        updates = await app.bot.get_updates(timeout=1)
        update = next((u for u in updates if u.inline_query), None)
    await app.bot.get_updates(offset=update.update_id + 1, timeout=0)
    try:
        await update.inline_query.answer(results, **kwargs)
    finally:
        if not asking.done():
            asking.cancel()
    return await asking, user


async def test_a_valid_answer_arrives_whole(sim, app):
    results, user = await _answer(sim, app, [
        InlineQueryResultArticle("p1", "Träger", InputTextMessageContent(
            "<b>Träger</b> +49-40-1234567", parse_mode="HTML")),
        InlineQueryResultContact("c1", "+49401234567", "Anna", vcard="BEGIN:VCARD\r\nEND:VCARD"),
    ], next_offset="2", is_personal=True, cache_time=0)
    assert [r["id"] for r in results] == ["p1", "c1"]
    assert user.last_inline_answer["next_offset"] == "2"


@pytest.mark.parametrize(("result", "error"), [
    (InlineQueryResultArticle("p1", "T", InputTextMessageContent("<b>open", parse_mode="HTML")),
     "can't parse entities"),
    (InlineQueryResultArticle("p1", "T", InputTextMessageContent("a < b", parse_mode="HTML")),
     "can't parse entities"),
    (InlineQueryResultArticle("p1", "T", InputTextMessageContent("x" * 4097)),
     "message is too long"),
    (InlineQueryResultContact("c1", "+49401234567", "Anna", vcard="V" * 2049), "VCARD_INVALID"),
])
async def test_results_that_telegram_refuses_are_refused(sim, app, result, error):
    with pytest.raises(BadRequest, match=r"(?i)" + error):
        await _answer(sim, app, [result])


async def test_the_button_needs_a_valid_start_parameter(sim, app):
    with pytest.raises(BadRequest, match=r"(?i)START_PARAM_INVALID"):
        await _answer(sim, app, [], button=InlineQueryResultsButton("Open", start_parameter="a b"))


async def test_send_contact_checks_the_vcard(sim, app):
    user = sim.user(7, "Ute")
    with pytest.raises(BadRequest, match=r"(?i)VCARD_INVALID"):
        await app.bot.send_contact(7, phone_number="+49401234567", first_name="A",
                                   vcard="V" * 2049)
    await app.bot.send_contact(7, phone_number="+49401234567", first_name="A", last_name="B")
    assert (await user.reply()).contact == {"phone_number": "+49401234567", "first_name": "A",
                                            "last_name": "B"}


async def test_entities_are_decoded_once_and_numbers_and_addresses_are_recognised(sim, app):
    user = sim.user(7, "Ute")
    await app.bot.send_message(7, "&amp;lt;b&amp;gt; ☎️ +49-40-5260120 or +49405260120, "
                                  "not 040 123; ✉️ a.b@example.org", parse_mode="HTML")
    message = await user.reply()
    assert message.text.startswith("&lt;b&gt;")
    assert message.phone_numbers == ["+49-40-5260120", "+49405260120"]
    assert message.emails == ["a.b@example.org"]
