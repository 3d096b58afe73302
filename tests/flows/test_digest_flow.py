"""/digest through the simulator: the schedule with buttons, the digest now, forged buttons."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from storage.models import AuditEntry, Role
from tests.support.chat import ONLY_RECIPIENTS, PNG, _log, digests


async def test_a_lead_chooses_the_schedule_with_buttons(bot):
    lena = await bot.member("Lena", Role.LEAD, region="nord")
    await lena.send("/digest")
    text = (await lena.reply()).text
    assert "Ihr Überblick" in text
    assert "Zeitplan: wöchentlich am Montag um 08:00 Uhr (Standard des Amts)" in text
    await lena.tap("Wöchentlich")
    assert "An welchem Tag?" in (await lena.reply()).text
    await lena.tap("Freitag")
    assert "Freitag: um wie viel Uhr?" in (await lena.reply()).text
    await lena.tap("14:00")
    text = (await lena.reply()).text
    assert "Gespeichert." in text and "wöchentlich am Freitag um 14:00 Uhr" in text
    assert "(Standard des Amts)" not in text
    await lena.tap("Mo–Fr")
    await lena.reply()
    await lena.tap("07:30")
    assert "montags bis freitags um 07:30" in (await lena.reply()).text
    await lena.tap("Aus")
    assert "Zeitplan: aus" in (await lena.reply()).text
    await lena.tap("Standard des Amts")
    assert "Montag um 08:00 Uhr (Standard des Amts)" in (await lena.reply()).text


async def test_digest_now_sends_the_chart_with_the_figures_in_english(bot):
    leo = await bot.member("Leo", Role.LEAD, region="nord", locale="en")
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await bot.member("Paul", Role.PROVIDER, team="nord-b")
    await _log(bot, pia, "nord-a", "beratung", date(2026, 11, 18), 12 * 60 + 30)  # last week
    await leo.send("/digest now")
    photo = await leo.reply()
    assert photo.photo is not None and photo.photo.data.startswith(PNG)
    assert photo.text.startswith("📊 Digest – Region Nord")
    assert "Hours of week 47 (Mon 16 Nov–Sun 22 Nov)" in photo.text
    text = "\n".join([photo.text, *(m.text for m in leo.sim.drain())])
    assert "Sozialraumteam Nord A" in text
    assert "Consultation: 12.5 of 18 h (69 %)" in text
    assert "No hours logged last week (1)" in text and "Paul" in text
    assert "FuA budget 2026" in text and "available €30,000.00" in text
    async with bot.sessions() as session:
        audited = (await session.scalars(
            select(AuditEntry.action).where(AuditEntry.actor_user_id == leo.user_id,
                                            AuditEntry.action.startswith("export.")))).all()
    assert audited == ["export.digest"]


async def test_a_double_tap_on_send_now_sends_one_digest(bot):
    lena = await bot.member("Lena", Role.LEAD, region="nord")
    await lena.send("/digest")
    overview = await lena.reply()
    await lena.tap("📨 Jetzt senden", message=overview)
    await lena.tap("📨 Jetzt senden", message=overview)
    assert len(digests(lena)) == 1


async def test_typed_schedules_and_what_is_refused(bot):
    lena = await bot.member("Lena", Role.LEAD, region="nord")
    await lena.send("/digest jeden Mittwoch 9:30")
    assert "wöchentlich am Mittwoch um 09:30 Uhr" in (await lena.reply()).text
    await lena.send("/digest morgen 9:00")
    assert "Bitte wählen Sie mit den Knöpfen" in (await lena.reply()).text
    await lena.send("/digest jeden Montag und Donnerstag 8:00")
    assert "Bitte wählen Sie mit den Knöpfen" in (await lena.reply()).text
    await lena.send("/digest")
    assert "wöchentlich am Mittwoch um 09:30 Uhr" in (await lena.reply()).text  # unchanged


async def test_forged_and_foreign_buttons_change_nothing(bot):
    lena = await bot.member("Lena", Role.LEAD, region="nord")
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await lena.send("/digest")
    await lena.reply()
    for forged in ("dig:1:wt:9:0800", "dig:1:wt:2:2500", "dig:1:dt:7", "dig:1:bogus",
                   "dig:0:now"):
        await lena.tap_data(forged)
        assert "nicht mehr gültig" in (await lena.reply()).text, forged
    await lena.send("/digest")
    assert "Montag um 08:00 Uhr (Standard des Amts)" in (await lena.reply()).text

    await pia.send("/digest")
    assert ONLY_RECIPIENTS in (await pia.reply()).text
    await pia.send("/digest now")
    assert ONLY_RECIPIENTS in (await pia.reply()).text
    await pia.tap_data("dig:1:now")
    assert ONLY_RECIPIENTS in (await pia.reply()).text
    await pia.tap_data("dig:1:wt:0:0800")
    assert ONLY_RECIPIENTS in (await pia.reply()).text
    assert digests(pia) == []


def _menu(bot, user) -> set[str]:
    return {c["command"] for c in bot.sim.commands_for(
        scope={"type": "chat", "chat_id": user.telegram_id})}


async def test_an_admin_puts_a_team_member_in_the_steering_group_who_gets_every_region(bot):
    from tests.support.chat import berlin, run_at

    ada = await bot.member("Ada", Role.ADMIN)
    nils = await bot.member("Nils", Role.NETWORKER, team="nord-b")
    await nils.send("/digest now")
    assert ONLY_RECIPIENTS in (await nils.reply()).text
    await ada.send("/users")
    await ada.reply()
    await ada.tap("2. Nils")
    assert "Steuerungsgruppe" not in (await ada.reply()).text
    await ada.tap("In die Steuerungsgruppe aufnehmen")
    card_message = await ada.reply()
    card = card_message.text
    assert card.startswith("In die Steuerungsgruppe aufgenommen.")
    assert "Mitglied der Steuerungsgruppe (Überblick und Berichte aller Regionen)" in card
    assert {"digest", "report"} <= _menu(bot, nils)  # the menu follows at once
    await nils.send("/help")
    assert "/digest" in (await nils.reply()).text

    await nils.send("/digest now")
    photo = await nils.reply()
    assert photo.photo is not None and photo.text.startswith("📊 Überblick – alle Regionen")
    text = "\n".join([photo.text, *(m.text for m in nils.sim.drain())])
    assert "Sozialraumteam Nord A" in text and "Sozialraumteam Süd A" in text
    await run_at(bot, berlin(11, 30, 8, 0))  # the office default: Monday 08:00
    assert len(digests(nils)) == 2
    ada.drain()  # her own digest
    nils.drain()

    await ada.tap("Aus der Steuerungsgruppe nehmen", message=card_message)
    assert (await ada.reply()).text.startswith("Aus der Steuerungsgruppe genommen.")
    await nils.send("/digest now")
    assert ONLY_RECIPIENTS in (await nils.reply()).text
    assert not {"digest", "report"} & _menu(bot, nils)
    await run_at(bot, berlin(12, 7, 8, 0))
    assert len(digests(nils)) == 2
    async with bot.sessions() as session:
        audited = (await session.execute(
            select(AuditEntry.actor_user_id, AuditEntry.subject_id, AuditEntry.details)
            .where(AuditEntry.action == "user.steering_group").order_by(AuditEntry.id))).all()
    assert [(actor, subject, details["to"]) for actor, subject, details in audited] == [
        (ada.user_id, str(nils.user_id), True), (ada.user_id, str(nils.user_id), False)]
