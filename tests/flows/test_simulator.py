"""The simulator answers a real PTB bot the way the Bot API does, errors and limits included."""

from __future__ import annotations

import asyncio

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultContact,
    InlineQueryResultsButton,
    InputTextMessageContent,
)
from telegram.error import BadRequest, Conflict, RetryAfter
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot.simulator import BotApiSimulator, FaultPlan

TOKEN = "4242:SIM"


def _app(sim: BotApiSimulator, **kwargs) -> Application:
    builder = (ApplicationBuilder().token(TOKEN)
               .base_url(f"{sim.base_url}/bot{{token}}")
               .base_file_url(f"{sim.base_url}/file/bot{{token}}"))
    if kwargs.get("rate_limiter"):
        builder = builder.rate_limiter(AIORateLimiter(max_retries=5))
    return builder.build()


@pytest.fixture
async def sim():
    async with BotApiSimulator() as simulator:
        simulator.add_bot(TOKEN, username="sim_bot")
        yield simulator


@pytest.fixture
async def app(sim):
    application = _app(sim)
    async with application:
        yield application


async def test_messages_buttons_and_edits_round_trip(sim, app):
    user = sim.user(7, "Ute")
    bot = app.bot
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="yes")]])
    sent = await bot.send_message(7, "<b>Hallo</b> &amp; willkommen", parse_mode="HTML",
                                  reply_markup=markup)
    seen = await user.reply()
    assert (seen.text, seen.button_labels) == ("Hallo & willkommen", ["Ja"])
    await bot.edit_message_text("Danke", chat_id=7, message_id=sent.message_id)
    edited = await user.reply()
    assert edited.edited and edited.text == "Danke" and edited.buttons == ()
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Danke", chat_id=7, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=7, message_id=999)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"text": "x" * 4097}, "message is too long"),
        ({"text": ""}, "message text is empty"),
        ({"text": "<b>offen", "parse_mode": "HTML"}, "can't parse entities"),
        ({"text": "<script>x</script>", "parse_mode": "HTML"}, "Unsupported start tag"),
        ({"text": "1 < 2", "parse_mode": "HTML"}, "can't parse entities"),
        ({"text": "x", "reply_markup": InlineKeyboardMarkup(
            [[InlineKeyboardButton("x", callback_data="y" * 65)]])}, "BUTTON_DATA_INVALID"),
    ],
)
async def test_invalid_messages_are_refused_like_telegram(sim, app, kwargs, error):
    sim.user(7, "Ute")
    with pytest.raises(BadRequest, match=rf"(?i){error}"):
        await app.bot.send_message(7, **kwargs)
    assert sim.messages_in(7) == []


async def test_unknown_chat_is_refused(sim, app):
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await app.bot.send_message(12345, "Hallo")


async def test_updates_are_kept_until_confirmed_by_offset(sim, app):
    user = sim.user(7, "Ute")
    first = await user.send("/start")
    await user.send("zwei")
    updates = await app.bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [first, first + 1]
    assert updates[0].message.entities[0].type == "bot_command"
    again = await app.bot.get_updates(offset=first + 1, timeout=0)
    assert [u.update_id for u in again] == [first + 1]
    assert await app.bot.get_updates(offset=first + 2, timeout=0) == ()


async def test_long_polling_returns_when_an_update_arrives(sim, app):
    user = sim.user(7, "Ute")
    poll = asyncio.create_task(app.bot.get_updates(timeout=10))
    await asyncio.sleep(0)
    await user.send("hallo")
    updates = await asyncio.wait_for(poll, 5)
    assert updates[0].message.text == "hallo"


async def test_webhook_blocks_polling_like_telegram(sim, app):
    await app.bot.set_webhook("https://example.invalid/hook", secret_token="s3cret")
    with pytest.raises(Conflict):
        await app.bot.get_updates(timeout=0)
    await app.bot.delete_webhook()
    assert await app.bot.get_updates(timeout=0) == ()


async def test_callback_answers_and_documents(sim, app):
    user = sim.user(7, "Ute")
    await app.bot.send_message(7, "Frage", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("A", callback_data="a")]]))
    await user.reply()
    await user.tap("A")
    (update,) = await app.bot.get_updates(timeout=0)
    await update.callback_query.answer("Gespeichert", show_alert=True)
    assert user.callback_answers[-1].text == "Gespeichert" and user.callback_answers[-1].alert
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await update.callback_query.answer("nochmal")
    await app.bot.send_document(7, b"a;b\n1;2\n", filename="bericht.csv", caption="Bericht")
    document = (await user.reply()).document
    assert document is not None and (document.name, document.data) == ("bericht.csv", b"a;b\n1;2\n")
    await app.bot.send_contact(7, phone_number="+49 40 123", first_name="Träger")
    assert (await user.reply()).contact["phone_number"] == "+49 40 123"


async def test_inline_query_answer_reaches_the_user(sim, app):
    user = sim.user(7, "Ute")
    answering = asyncio.create_task(user.inline("pestalozzi"))
    await asyncio.sleep(0.05)
    (update,) = await app.bot.get_updates(timeout=0)
    await update.inline_query.answer([InlineQueryResultArticle(
        "1", "Pestalozzi Stiftung", InputTextMessageContent("Pestalozzi"))])
    results = await asyncio.wait_for(answering, 5)
    assert results[0]["title"] == "Pestalozzi Stiftung"


async def test_commands_are_stored_per_scope_and_language(sim, app):
    from telegram import BotCommand, BotCommandScopeChat

    await app.bot.set_my_commands([BotCommand("hilfe", "Hilfe")], language_code="de")
    await app.bot.set_my_commands([BotCommand("help", "Help")], scope=BotCommandScopeChat(7))
    assert sim.commands_for(language_code="de") == [{"command": "hilfe", "description": "Hilfe"}]
    assert sim.commands_for(scope={"type": "chat", "chat_id": 7})[0]["command"] == "help"
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await app.bot.set_my_commands([BotCommand("Groß", "x")])


async def test_rate_limit_429_is_honoured_by_ptb_and_nothing_is_lost():
    async with BotApiSimulator(enforce_rate_limits=True, per_chat_per_second=20,
                               global_per_second=20, burst=20) as sim:
        sim.add_bot(TOKEN)
        sim.user(7, "Ute")
        raw = _app(sim)
        async with raw:
            with pytest.raises(RetryAfter):
                for index in range(30):
                    await raw.bot.send_message(7, f"roh {index}")
        limited = _app(sim, rate_limiter=True)
        async with limited:
            await asyncio.gather(*(limited.bot.send_message(7, f"n {i}") for i in range(30)))
        delivered = [m.text for m in sim.messages_in(7) if m.text and m.text.startswith("n ")]
        assert sorted(delivered) == sorted(f"n {i}" for i in range(30))
        assert sim.stats.rate_limited >= 1
        assert sim.stats.early_retries == []


async def test_injected_faults_are_retried_by_the_rate_limiter():
    plan = FaultPlan(rate=0.3, kinds=("429",), seed=3, methods=frozenset({"sendMessage"}))
    async with BotApiSimulator(faults=plan) as sim:
        sim.add_bot(TOKEN)
        sim.user(7, "Ute")
        application = _app(sim, rate_limiter=True)
        async with application:
            for index in range(20):
                await application.bot.send_message(7, f"m {index}")
        assert [m.text for m in sim.messages_in(7)] == [f"m {i}" for i in range(20)]
        assert sim.stats.faults["429"] >= 1
        assert sim.stats.early_retries == []  # PTB waited retry_after each time


# -- inline answers and contact cards ----------------------------------------------------


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
