"""End to end through the simulator: a FuA request goes from a team member to the lead and back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot import callbacks
from handlers.scheduler import run_scheduler
from storage.models import AuditEntry, BudgetRequest, Role
from storage.repositories.users import OrgRepository
from tests.support.chat import _open_new_request, _send_request


async def _request(sessions, number: str) -> BudgetRequest:
    async with sessions() as session:
        request = await session.scalar(select(BudgetRequest).where(BudgetRequest.number == number))
        assert request is not None
        return request




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
    assert "✅ 1.250,50\xa0€ genehmigt von Lea am 24.11.2026 10:00" in decided.text
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
    await _open_new_request(pia)
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
    # Leo's copy was updated
    assert "✅ 1.250,50\xa0€ genehmigt von Lea am 24.11.2026 10:00" in "\n".join(texts)
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
    await pia.send("650")  # before the planned day (15.12.) only a cancellation counts
    assert "ab diesem Tag gemeldet werden" in (await pia.reply()).text
    bot.clock.advance(timedelta(days=21))  # 15.12.2026: the day of the activity
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
    # the card and the list
    assert all("✅ €1,250.50 approved by Lee on 24 Nov 2026, 10:00" in text for text in texts)
    assert "wurde genehmigt" in (await pia.reply_with("genehmigt")).text


async def test_an_admin_decides_only_where_the_region_has_no_lead(bot):
    ada = await bot.member("Ada", Role.ADMIN)
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    sam = await bot.member("Sam", Role.PROVIDER, team="sued-a")
    await _send_request(pia)
    lea_card = await lea.reply()
    request = await _request(bot.sessions, "FuA-2026-001")

    await ada.send("/budget")
    overview = await ada.reply()
    assert "Region Nord" in overview.text  # the admin sees the figures …
    assert "zur Entscheidung" not in str(overview.button_labels)  # … but decides nothing here
    for action in ("ok", "amt", "no"):  # forged buttons: re-checked on every tap
        await ada.tap_data(callbacks.pack("bud", action, request.id))
        assert "Diese Region hat eine Regionalleitung" in (await ada.reply()).text
    await ada.send("500")  # no dialogue was started: the amount approves nothing
    await ada.reply()
    unchanged = await _request(bot.sessions, "FuA-2026-001")
    assert (unchanged.state, unchanged.decided_by_id, unchanged.approved_cents) == (
        "pending", None, None)
    async with bot.sessions() as session:
        assert await session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "budget_request.approved")) == 0
    await lea.tap("Genehmigen", message=lea_card)  # the lead still decides
    assert "genehmigt von Lea" in (await lea.reply()).text

    # Süd has no lead: its requests go to the admins, who decide them.
    await _send_request(sam)
    card = await ada.reply()
    assert "FuA-2026-002 – neuer Antrag" in card.text
    await ada.tap("Genehmigen", message=card)
    assert "genehmigt von Ada" in (await ada.reply()).text
    assert "FuA-2026-002 wurde genehmigt" in (await sam.reply_with("genehmigt")).text


async def test_budget_shows_next_year_once_money_is_requested_from_it(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/budget")
    before = (await pia.reply()).text
    assert "FuA-Budget 2026 – Region Nord" in before and "2027" not in before
    await _send_request(pia, amount="500", day="10.01.2027")
    await pia.send("/budget")
    after = (await pia.reply()).text
    assert "FuA-Budget 2026 – Region Nord" in after  # this year first, unchanged …
    this_year, next_year = after.split("FuA-Budget 2027 – Region Nord")
    assert "(offen): 500,00" not in this_year
    assert "(offen): 500,00" in next_year  # … then next year's, which the request draws on
    assert "Nord A: 15.000,00\xa0€ von 15.000,00\xa0€ verfügbar" in next_year


async def _budget_records(sessions) -> tuple[list[tuple], int]:
    """Every request as (number, state, approved, actual, decided by) and the count of its
    audit entries: what a refused input must leave as it was."""
    async with sessions() as session:
        requests = [
            (r.number, r.state, r.approved_cents, r.actual_cents, r.decided_by_id)
            for r in (await session.scalars(select(BudgetRequest).order_by(BudgetRequest.id)))
        ]
        audited = await session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.subject_type == "budget_request"))
    return requests, audited or 0


async def _approved_request(bot):
    """Pia's request of 1.000 € for 15.12., approved by Lea; and the records as they are."""
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    await _send_request(pia, amount="1000")
    await lea.reply()
    await lea.tap("Genehmigen")
    await lea.reply()
    await pia.reply_with("wurde genehmigt")
    return pia, lea, await _budget_records(bot.sessions)


async def _each_refused(bot, user, before, cases) -> None:
    """Each bad text gets its answer and changes no request, amount or audit entry."""
    for bad, expected in cases:
        await user.send(bad)
        assert expected in (await user.reply()).text, bad
        assert await _budget_records(bot.sessions) == before


async def test_bad_dates_and_an_empty_description_are_answered_and_save_nothing(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await _open_new_request(pia)
    await pia.send("250")
    await pia.reply()
    await pia.send("Stadtteilfest")
    assert "Wofür" in (await pia.reply()).text
    await pia.send("   ")
    assert "Bitte schreiben Sie einen kurzen Text." in (await pia.reply()).text
    await pia.send("Material und Getränke")
    assert "Wann ist die Aktion geplant?" in (await pia.reply()).text
    for bad, expected in (
        ("01.11.2026", "Dieser Tag liegt in der Vergangenheit."),
        ("gestern", "Dieser Tag liegt in der Vergangenheit."),
        ("irgendwann", "z. B. als heute, morgen, 12.12. oder 12.12.2026"),
        ("Stadtteilfest im Dezember", "z. B. als heute, morgen"),
        ("31.02.2027", "Dieses Datum gibt es nicht."),
        ("15.12.2029", "höchstens zwei Jahre im Voraus"),
        ("15.12.2030", "höchstens zwei Jahre im Voraus"),
    ):
        await pia.send(bad)
        answer = await pia.reply()
        assert expected in answer.text, bad
        assert "Absenden" not in str(answer.button_labels)
        assert await _budget_records(bot.sessions) == ([], 0)
    await pia.send("morgen")  # the dialogue went on: a good date leads to the summary
    summary = await pia.reply()
    assert "Geplant am: 25.11.2026" in summary.text and "Absenden" in str(summary.button_labels)
    assert await _budget_records(bot.sessions) == ([], 0)


async def test_bad_amounts_when_approving_another_amount_change_nothing(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    await _send_request(pia, amount="1000")
    card = await lea.reply()
    pia.drain()
    before = await _budget_records(bot.sessions)
    assert before[0] == [("FuA-2026-001", "pending", None, None, None)]
    await lea.tap("Anderen Betrag genehmigen", message=card)
    assert "Beantragt: 1.000,00" in (await lea.reply()).text
    await _each_refused(bot, lea, before, (
        ("ein paar hundert", "z. B. als 250 oder 1.250,50"),
        ("1.000,01", "höchstens den beantragten Betrag"),
        ("5000", "höchstens den beantragten Betrag"),
        ("0", "größer als null"),
        ("-200", "größer als null"),
    ))
    await lea.send("800")  # the dialogue went on
    assert "Genehmigt: 800,00" in (await lea.reply_with("Genehmigt:")).text
    told = await pia.reply()  # the requester heard of the approval only, nothing before it
    assert "FuA-2026-001 wurde genehmigt: 800,00" in told.text


async def test_bad_actual_costs_change_nothing_and_zero_may_be_typed(bot):
    pia, lea, before = await _approved_request(bot)
    assert before[0] == [("FuA-2026-001", "approved", 100_000, None, lea.user_id)]
    bot.clock.advance(timedelta(days=22))  # after the activity on 15.12.
    await pia.tap("Tatsächliche Kosten melden")
    assert "Genehmigt: 1.000,00" in (await pia.reply()).text
    await _each_refused(bot, pia, before, (
        ("teuer", "z. B. als 250 oder 1.250,50"),
        ("-5", "Der Betrag darf nicht negativ sein."),
        ("-0,50 €", "Der Betrag darf nicht negativ sein."),
        ("1.000,01", "mehr als genehmigt"),
        ("12,345", "zwei Nachkommastellen"),
    ))
    await pia.send("0")  # typed like the button "did not take place"
    assert "1.000,00\xa0€ fließen ins Budget zurück" in (await pia.reply()).text
    after = await _budget_records(bot.sessions)
    assert after[0] == [("FuA-2026-001", "reported", 100_000, 0, lea.user_id)]


async def test_a_member_of_two_teams_chooses_the_team(bot):
    ina = await bot.member("Ina", Role.NETWORKER, team=["nord-a", "sued-b"])
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    leo = await bot.member("Leo", Role.LEAD, region="sued")
    async with bot.sessions() as session:
        nord_b = await OrgRepository(session).team_by_key("nord-b")
    choice = await _open_new_request(ina)
    assert "Für welches Team ist der Antrag?" in choice.text
    assert choice.button_labels[:2] == [
        "Sozialraumteam Nord A", "Sozialraumteam Süd B"]
    await ina.tap_data(callbacks.pack("bud", "team", nord_b.id), message=choice)  # forged
    refused = await ina.reply()
    assert "Sie können nur für Ihr eigenes Team Geld beantragen." in refused.text
    assert "Wie viel Geld" not in refused.text
    await ina.tap("Sozialraumteam Süd B", message=choice)
    assert "Wie viel Geld" in (await ina.reply()).text
    for text in ("300", "Nachbarschaftsfrühstück", "Brötchen und Kaffee", "15.12."):
        await ina.send(text)
        summary = await ina.reply()
    assert "Team: Sozialraumteam Süd B" in summary.text
    await ina.tap("Absenden")
    assert "FuA-2026-001" in (await ina.reply()).text
    card = await leo.reply()  # Süd B belongs to Süd: its lead decides, not Nord's
    assert "FuA-2026-001" in card.text and "Team: Sozialraumteam Süd B" in card.text
    assert not bot.sim.messages_in(lea.sim.chat_id)
    request = await _request(bot.sessions, "FuA-2026-001")
    assert request.team_id != nord_b.id
    async with bot.sessions() as session:
        assert await session.scalar(select(func.count(BudgetRequest.id))) == 1


async def test_every_leads_copy_names_who_approved_and_when_in_the_readers_language(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    lee = await bot.member("Lee", Role.LEAD, region="nord", locale="en")
    await _send_request(pia)
    lea_card = await lea.reply()
    lee_card = await lee.reply()
    bot.clock.advance(timedelta(days=1, hours=3))  # decided a day later: 25.11., 13:00 Berlin
    await lea.tap("Genehmigen", message=lea_card)
    lea_copy = await lea.reply()
    lee_copy = await lee.reply()
    assert (lea_copy.message_id, lee_copy.message_id) == (lea_card.message_id,
                                                          lee_card.message_id)
    assert lea_copy.text.splitlines()[-1] == (
        "✅ 1.250,50\xa0€ genehmigt von Lea am 25.11.2026 13:00")
    assert lee_copy.text.splitlines()[-1] == "✅ €1,250.50 approved by Lea on 25 Nov 2026, 13:00"
    assert "Stand: genehmigt" in lea_copy.text and "State: approved" in lee_copy.text
    assert lea_copy.buttons == () and lee_copy.buttons == ()  # decided: no buttons any more


async def test_before_the_planned_day_only_a_cancellation_can_be_reported(bot):
    pia, _lea, before = await _approved_request(bot)
    await pia.tap("Tatsächliche Kosten melden")
    await pia.reply()
    await pia.send("400")
    refused = (await pia.reply()).text
    assert "Die Aktion ist für den 15.12.2026 geplant" in refused
    assert "ab diesem Tag gemeldet werden" in refused and "jetzt 0 € melden" in refused
    assert await _budget_records(bot.sessions) == before
    await pia.tap("Hat nicht stattgefunden (0 €)")
    assert "1.000,00\xa0€ fließen ins Budget zurück" in (await pia.reply()).text
    await pia.send("/budget")
    assert "Verfügbar: 30.000,00" in (await pia.reply()).text  # the money is back at once


async def test_after_new_year_a_january_day_without_a_year_lies_ahead(bot):
    """Issue 17: days ahead (a planned day, the end of an absence) are the next such day."""
    bot.clock.set(datetime(2027, 1, 3, 9, 0, tzinfo=UTC))
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    await bot.member("Sven", Role.LEAD, region="sued")
    await _open_new_request(pia)
    for text in ("500", "Neujahrsempfang", "Getränke"):
        await pia.send(text)
        await pia.reply()
    await pia.send("05.01.")
    assert "05.01.2027" in (await pia.reply()).text
    await lea.send("/away bis 6.1")
    await lea.reply()
    await lea.tap("Sven")
    assert "bis 06.01.2027" in (await lea.reply()).text


async def test_the_requester_is_told_who_really_decides(bot):
    sam = await bot.member("Sam", Role.PROVIDER, team="sued-a")
    sent = await _send_request(sam, title="Nachbarschaftsfest")
    assert "Süd hat derzeit keine Regionalleitung, und es gibt keine Administration" in sent.text

    ada = await bot.member("Ada", Role.ADMIN)
    sent = await _send_request(sam, title="Spielplatzfest")
    assert sent.text == ("Gesendet als FuA-2026-002. Die Administration entscheidet, da Region "
                         "Süd derzeit keine Regionalleitung hat; ich gebe Ihnen Bescheid.")
    assert "Regionalleitung entscheidet" not in sent.text
    card = await ada.reply_with("FuA-2026-002")
    await ada.tap("Rückfrage stellen", message=card)
    await ada.reply()
    await ada.send("Wer organisiert das Fest?")
    await ada.reply()
    await sam.reply_with("Wer organisiert")
    await sam.tap("Antworten")
    await sam.reply()
    await sam.send("Der Stadtteilverein")
    assert (await sam.reply()).text == ("Danke. Ihre Antwort wurde an die Administration "
                                        "gesendet, da Region Süd derzeit keine Regionalleitung "
                                        "hat.")

    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    sent = await _send_request(pia)
    assert "Die Regionalleitung entscheidet; ich gebe Ihnen Bescheid." in sent.text
    await bot.member("Caro", Role.CASEWORKER, team="nord-b")
    await lea.send("/away bis 12.12.")
    await lea.reply_with("Wer entscheidet")
    await lea.tap("Caro")
    sent = await _send_request(pia, title="Elterncafé")
    assert "Die Regionalleitung entscheidet, während ihrer Abwesenheit auch ihre Vertretung " \
           "Caro; ich gebe Ihnen Bescheid." in sent.text


async def test_an_english_requester_hears_that_the_administrators_decide(bot):
    await bot.member("Ada", Role.ADMIN)
    sam = await bot.member("Sam", Role.PROVIDER, team="sued-b", locale="en")
    await sam.send("/budget")
    await sam.reply()
    await sam.tap("New request")
    await sam.reply()
    for text in ("250", "Neighbourhood breakfast", "Food and drinks", "15.12."):
        await sam.send(text)
        await sam.reply()
    await sam.tap("Send")
    assert (await sam.reply()).text == (
        "Sent as FuA-2026-001. The administrators decide, as Region Süd currently has no "
        "regional lead; I will let you know.")


async def test_a_request_decided_meanwhile_asks_for_no_reason_amount_or_question(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    leo = await bot.member("Leo", Role.LEAD, region="nord")
    await _send_request(pia)
    lea_card, leo_card = await lea.reply(), await leo.reply()
    await lea.tap("Genehmigen", message=lea_card)
    await leo.reply_with("genehmigt von Lea")  # Leo's copy, updated
    before = await _budget_records(bot.sessions)
    for label in ("Ablehnen", "Anderen Betrag genehmigen", "Rückfrage stellen"):
        await leo.tap(label, message=leo_card)  # the buttons of his copy as it was
        refused = await leo.reply()
        assert refused.text == (
            "FuA-2026-001: Über diesen Antrag wurde bereits entschieden. Es wurde nichts "
            "geändert.\n✅ 1.250,50\xa0€ genehmigt von Lea am 24.11.2026 10:00"), label
    asked = [m.text for m in bot.sim.messages_in(leo.sim.chat_id)
             if m.text.startswith(("Warum lehnen", "Welchen Betrag", "Ihre Rückfrage"))]
    assert asked == []  # no question for a reason, an amount or a question
    await leo.send("800")  # no dialogue was started: the amount approves nothing
    assert "Genehmigt: 800" not in (await leo.reply()).text
    assert await _budget_records(bot.sessions) == before


async def test_a_decision_typed_after_someone_else_decided_ends_the_dialogue(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    leo = await bot.member("Leo", Role.LEAD, region="nord", locale="en")
    await _send_request(pia)
    lea_card, leo_card = await lea.reply(), await leo.reply()
    await leo.tap("Reject", message=leo_card)
    assert "Why do you reject FuA-2026-001?" in (await leo.reply()).text
    await lea.tap("Genehmigen", message=lea_card)  # in the meantime
    before = await _budget_records(bot.sessions)
    await leo.send("Too expensive")
    refused = await leo.reply_with("already been decided")
    assert refused.text == ("FuA-2026-001: This request has already been decided. Nothing was "
                            "changed.\n✅ €1,250.50 approved by Lea on 24 Nov 2026, 10:00")
    await leo.send("Too expensive, really")  # the dialogue ended: no reason is waited for
    assert "already been decided" not in (await leo.reply()).text
    assert await _budget_records(bot.sessions) == before

    await _send_request(pia, title="Elterncafé", amount="1000")
    leo_card = await leo.reply_with("FuA-2026-002")
    await leo.tap("Approve another amount", message=leo_card)
    await leo.reply_with("Which amount")
    await pia.send("/budget")
    await pia.reply()
    await pia.tap("FuA-2026-002 · 1.000,00\xa0€ · offen")
    await pia.reply()
    await pia.tap("Antrag zurückziehen")
    await pia.reply()
    await leo.send("800")
    assert "↩️ Withdrawn by the requester on 24 Nov 2026, 10:00" in (
        await leo.reply_with("already been decided")).text
    assert (await _request(bot.sessions, "FuA-2026-002")).state == "withdrawn"


async def test_an_answer_typed_after_the_decision_ends_the_dialogue(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    await _send_request(pia)
    card = await lea.reply()
    await lea.tap("Rückfrage stellen", message=card)
    await lea.reply()
    await lea.send("Wie viele Gäste?")
    await lea.reply()
    await pia.reply_with("Wie viele Gäste")
    await pia.tap("Antworten")
    await pia.reply()
    await lea.tap("Ablehnen", message=card)
    await lea.reply()
    await lea.send("Kein Budget für Feste")
    await pia.reply_with("abgelehnt")
    await pia.send("Etwa fünfzig")
    refused = await pia.reply()
    assert "❌ Abgelehnt von Lea am 24.11.2026 10:00: Kein Budget für Feste" in refused.text
    await pia.send("Etwa fünfzig!")  # the dialogue ended
    assert "bereits entschieden" not in (await pia.reply()).text
