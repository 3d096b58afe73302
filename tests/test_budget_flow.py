"""End to end through the simulator: a FuA request goes from a team member to the lead and back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot import callbacks
from handlers.scheduler import run_scheduler
from storage.models import BudgetRequest, Role


async def _request(sessions, number: str) -> BudgetRequest:
    async with sessions() as session:
        request = await session.scalar(select(BudgetRequest).where(BudgetRequest.number == number))
        assert request is not None
        return request


async def _send_request(user, amount="1.250,50", title="Stadtteilfest Harksheide",
                        description="Getränke und Spiele", day="15.12."):
    await user.send("/budget")
    await user.reply()
    await user.tap("Neuer Antrag")
    await user.reply()
    for text in (amount, title, description, day):
        await user.send(text)
        await user.reply()
    await user.tap("Absenden")
    return await user.reply()


async def test_request_goes_to_the_lead_and_back(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    sued = await bot.member("Sven", Role.LEAD, region="sued")

    await pia.send("/budget")
    overview = await pia.reply()
    assert "Verfügbar: 30.000,00" in overview.text and "Beispielzahlen" in overview.text
    await pia.tap("Neuer Antrag")
    assert "Wie viel Geld" in (await pia.reply()).text
    await pia.send("1.250,50")
    assert "keine Namen" in (await pia.reply()).text.lower() or "Namen" in pia.last.text
    await pia.send("Stadtteilfest Harksheide")
    await pia.reply()
    await pia.send("Getränke und Spiele für das Fest")
    await pia.reply()
    await pia.send("15.12.")
    summary = await pia.reply()
    assert "1.250,50" in summary.text and "15.12.2026" in summary.text
    confirm = pia.last
    await pia.tap("Absenden")
    assert "FuA-2026-001" in (await pia.reply()).text
    await pia.tap_data(confirm.buttons[0][0].callback_data, message=confirm)  # a double tap
    assert "nicht mehr gültig" in (await pia.reply()).text

    card = await lea.reply()
    assert "FuA-2026-001" in card.text and "Pia" in card.text and "1.250,50" in card.text
    await lea.tap("Genehmigen")
    decided = await lea.reply()
    assert "genehmigt von Lea" in decided.text
    told = await pia.reply()
    assert "FuA-2026-001 wurde genehmigt: 1.250,50" in told.text

    await pia.send("/budget")
    after = await pia.reply()
    assert "Genehmigt: 1.250,50" in after.text and "Verfügbar: 28.749,50" in after.text
    assert "FuA-2026-001" in str(after.button_labels)
    assert "FuA-2026-002" not in str(after.button_labels)  # the double tap created nothing
    sued.drain()
    await sued.send("/budget")
    assert "Region Süd" in (await sued.reply()).text


async def test_bad_inputs_are_answered_and_the_dialogue_goes_on(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/budget")
    await pia.reply()
    await pia.tap("Neuer Antrag")
    await pia.reply()
    for bad, expected in (
        ("0", "größer als null"),
        ("-5", "größer als null"),
        ("200.000", "unplausibel"),
        ("99999999999", "zu hoch"),
        ("12,345", "zwei Nachkommastellen"),
        ("viel Geld", "z. B. als 250"),
    ):
        await pia.send(bad)
        answer = await pia.reply()
        assert expected in answer.text
        assert "Kurzer Titel" not in answer.text
    await pia.send("250 €")
    assert "Kurzer Titel" in (await pia.reply()).text
    await pia.send("x" * 81)
    assert "81 Zeichen" in (await pia.reply()).text
    await pia.send("Ausflug mit Familie Meier")
    assert "personenbezogen" in (await pia.reply()).text.lower() or "persön" in pia.last.text
    await pia.send("Ausflug Stadtpark")
    assert "Wofür" in (await pia.reply()).text
    await pia.send("y" * 401)
    assert "401 Zeichen" in (await pia.reply()).text
    await pia.send("Busfahrt und Eintritt")
    await pia.reply()
    await pia.send("01.01.2020")
    await pia.reply()
    assert "Absenden" not in str(pia.last.button_labels)
    await pia.send("/cancel")
    assert "Abgebrochen" in (await pia.reply()).text
    async with bot.sessions() as session:
        assert await session.scalar(select(BudgetRequest)) is None


async def test_stale_and_forged_buttons_change_nothing(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    leo = await bot.member("Leo", Role.LEAD, region="nord")
    sven = await bot.member("Sven", Role.LEAD, region="sued")
    await _send_request(pia)
    request = await _request(bot.sessions, "FuA-2026-001")
    approve = callbacks.pack("bud", "ok", request.id)

    await pia.tap_data(approve)
    assert "eigenen Antrag" in (await pia.reply()).text
    await sven.tap_data(approve)
    assert "Nur die Regionalleitung" in (await sven.reply()).text
    await sven.tap_data("bud:1:ok:999999")
    assert "gibt es nicht" in (await sven.reply()).text
    await sven.tap_data("bud:9:ok:1")
    assert "nicht mehr gültig" in (await sven.reply()).text
    assert (await _request(bot.sessions, "FuA-2026-001")).state == "pending"

    lea_card = await lea.reply()
    leo_card = await leo.reply()
    await lea.tap("Genehmigen", message=lea_card)
    await leo.tap("Genehmigen", message=leo_card)
    texts = [m.text for m in [await leo.reply(), await leo.reply()]]
    assert any("genehmigt von Lea" in t for t in texts)  # Leo's copy was updated
    assert any("bereits entschieden" in t for t in texts)


async def test_reject_question_answer_and_withdraw(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    await _send_request(pia, title="Elterncafé")
    await lea.reply()
    await lea.tap("Rückfrage stellen")
    await lea.reply()
    await lea.send("Wie oft soll das Café stattfinden?")
    assert "an Pia gesendet" in (await lea.reply()).text
    question = await pia.reply()
    assert "Wie oft" in question.text
    await pia.tap("Antworten")
    await pia.reply()
    await pia.send("Einmal im Monat")
    assert "Danke" in (await pia.reply()).text
    card = await lea.reply()
    assert "Einmal im Monat" in card.text
    await lea.tap("Ablehnen", message=card)
    await lea.reply()
    await lea.send("Bitte über das Familienzentrum finanzieren")
    assert "❌ Abgelehnt von Lea" in (await lea.reply()).text  # the copies are updated first
    await lea.reply_with("Abgelehnt: FuA-2026-001")
    told = await pia.reply()
    assert "abgelehnt" in told.text and "Familienzentrum" in told.text

    await _send_request(pia, title="Spielenachmittag")
    await pia.send("/budget")
    await pia.reply()
    await pia.tap("FuA-2026-002 · 1.250,50\xa0€ · offen")
    await pia.reply()
    await pia.tap("Antrag zurückziehen")
    assert "zurückgezogen" in (await pia.reply()).text
    await pia.tap("Verlauf")
    history = await pia.reply()
    assert "beantragt" in history.text and "zurückgezogen" in history.text


async def test_report_actual_cost_returns_the_rest(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    await _send_request(pia, amount="1000")
    await lea.reply()
    await lea.tap("Anderen Betrag genehmigen")
    await lea.reply()
    await lea.send("800")
    await lea.reply_with("Genehmigt: 800,00")
    await pia.reply()
    await pia.tap("Tatsächliche Kosten melden")
    await pia.reply()
    await pia.send("900")
    assert "mehr als genehmigt" in (await pia.reply()).text
    await pia.send("650")
    assert "150,00\xa0€ fließen ins Budget zurück" in (await pia.reply()).text
    await pia.send("/budget")
    assert "Verfügbar: 29.350,00" in (await pia.reply()).text


async def test_english_requester(bot):
    sam = await bot.member("Sam", Role.PROVIDER, team="sued-b", locale="en")
    leo = await bot.member("Leo", Role.LEAD, region="sued", locale="en")
    await sam.send("/budget")
    assert "Available: €30,000.00" in (await sam.reply()).text
    await sam.tap("New request")
    await sam.reply()
    await sam.send("250")
    assert "names" in (await sam.reply()).text
    await sam.send("Neighbourhood breakfast")
    await sam.reply()
    await sam.send("Food and drinks")
    await sam.reply()
    await sam.send("15.12.")
    await sam.reply()
    await sam.tap("Send")
    assert "FuA-2026-001" in (await sam.reply()).text
    assert "€250.00" in (await leo.reply()).text


async def test_overdue_request_is_raised_once_per_period(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    await _send_request(pia)
    card = await lea.reply()
    assert bot.app.job_queue.get_jobs_by_name("scheduler")  # the one job that raises them
    bot.clock.advance(timedelta(hours=71))
    assert (await run_scheduler(bot.app))["budget"] == 0
    bot.clock.advance(timedelta(hours=1))
    assert (await run_scheduler(bot.app))["budget"] == 1
    reminder = await lea.reply()
    assert "Erinnerung" in reminder.text and "Genehmigen" in str(reminder.button_labels)
    assert (await run_scheduler(bot.app))["budget"] == 0
    async with bot.sessions() as session:
        assert await session.scalar(select(func.count(BudgetRequest.id))) == 1
    await lea.tap("Genehmigen", message=card)
    assert "genehmigt von Lea" in (await lea.reply()).text
    # The reminder's card is a recorded copy: the decision on the first took its buttons away.
    reminder_now = next(m for m in lea.sim.messages if m.message_id == reminder.message_id)
    assert reminder_now.button_labels == []


async def test_away_names_a_deputy_who_then_decides(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    sven = await bot.member("Sven", Role.LEAD, region="sued")
    await lea.send("/away bis 12.12.")
    await lea.reply()
    await lea.tap("Sven")
    assert "bis 12.12.2026" in (await lea.reply()).text
    assert "Vertretung" in (await sven.reply()).text
    await _send_request(pia)
    card = await sven.reply()
    assert "FuA-2026-001" in card.text
    await sven.tap("Genehmigen", message=card)
    assert "genehmigt von Sven" in (await sven.reply()).text
    assert "FuA-2026-001 – neuer Antrag" in (await lea.reply()).text  # Lea got it too
    assert "genehmigt von Sven" in (await lea.reply_with("genehmigt von Sven")).text
    await lea.send("/away")
    await lea.reply()
    await lea.tap("Ich bin zurück")
    assert "Willkommen zurück" in (await lea.reply()).text


async def test_admin_sets_a_budget_in_the_chat(bot):
    ada = await bot.member("Ada", Role.ADMIN)
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await ada.send("/budget_set nord 2026 45000")
    assert "Zugewiesen: 45.000,00" in (await ada.reply()).text
    await ada.send("/budget_set nord zwanzig")
    assert "/budget_set nord 2026 30000" in (await ada.reply()).text
    await pia.send("/budget_set nord 2026 1")
    await pia.reply()
    await pia.send("/budget")
    assert "Zugewiesen: 45.000,00" in (await pia.reply()).text


async def test_lead_decides_from_the_list_of_open_requests_in_english(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lee = await bot.member("Lee", Role.LEAD, region="nord", locale="en")
    await _send_request(pia)
    assert "new request" in (await lee.reply()).text
    await lee.send("/budget")
    overview = await lee.reply()
    assert "Pending: €1,250.50" in overview.text
    await lee.tap("Open requests to decide (1)")
    await lee.reply()
    await lee.tap("FuA-2026-001 · €1,250.50 · pending")
    card = await lee.reply()
    assert "Still available in the budget: €30,000.00" in card.text
    await lee.tap("History", message=card)
    assert "requested" in (await lee.reply()).text
    await lee.tap("Back")
    await lee.reply()
    await lee.tap("Approve")
    texts = [(await lee.reply()).text for _ in range(2)]
    assert all("€1,250.50 approved by Lee" in text for text in texts)  # the card and the list
    assert "wurde genehmigt" in (await pia.reply_with("genehmigt")).text
