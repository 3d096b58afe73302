"""Reminders and meetings end to end through the simulator, with time travel.

The scheduler's entry point (``run_scheduler``) is called with the clock moved, exactly as
the JobQueue job calls it; no test waits for a real tick.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot import callbacks
from handlers.scheduler import JOB_NAME, run_scheduler
from storage.models import Delivery, Meeting, MeetingAttendance, Reminder, Role

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


async def _count(bot, model) -> int:
    async with bot.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_reminder_fires_once_and_can_be_snoozed(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    assert bot.app.job_queue.get_jobs_by_name(JOB_NAME)
    await pia.send("/remind morgen 9:00 Bericht an die Regionalleitung")
    confirm = await pia.reply()
    assert "Erinnerung gespeichert für Mi. 25.11. 09:00" in confirm.text
    assert "Bericht an die Regionalleitung" in confirm.text

    bot.clock.set(berlin(11, 25, 8, 59))
    assert (await run_scheduler(bot.app))["personal"] == 0
    bot.clock.set(berlin(11, 25, 9, 0))
    assert (await run_scheduler(bot.app))["personal"] == 1
    fired = await pia.reply()
    assert fired.text == "⏰ Bericht an die Regionalleitung"
    assert fired.button_labels == ["+15 Min.", "+1 Std.", "Morgen"]
    assert (await run_scheduler(bot.app))["personal"] == 0  # never twice

    await pia.tap("+15 Min.", message=fired)
    assert "erneut am Mi. 25.11. 09:15" in (await pia.reply()).text
    await pia.tap_data(fired.buttons[0][1].callback_data, message=fired)  # a second press
    assert "bereits verschoben" in (await pia.reply()).text
    bot.clock.set(berlin(11, 25, 9, 15))
    assert (await run_scheduler(bot.app))["personal"] == 1
    assert (await pia.reply()).text == "⏰ Bericht an die Regionalleitung"
    assert await _count(bot, Reminder) == 2  # the original and one snooze, both done


async def test_snooze_reminds_again_without_changing_the_recurrence(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/remind jeden Montag 8:00 Wochenplanung")
    await pia.reply()
    bot.clock.set(berlin(11, 30, 8, 0))
    assert (await run_scheduler(bot.app))["personal"] == 1
    fired = await pia.reply()
    assert "Nächstes Mal: Mo. 07.12. 08:00" in fired.text
    await pia.tap("+1 Std.", message=fired)
    assert "erneut am Mo. 30.11. 09:00" in (await pia.reply()).text
    bot.clock.set(berlin(11, 30, 8, 59))
    assert (await run_scheduler(bot.app))["personal"] == 0
    bot.clock.set(berlin(11, 30, 9, 0))
    assert (await run_scheduler(bot.app))["personal"] == 1
    assert (await pia.reply_with("⏰")).text == "⏰ Wochenplanung"  # once, no next time
    await pia.send("/reminders")
    listing = await pia.reply_with("Ihre Erinnerungen")
    assert "jeden Montag um 08:00 · nächste: Mo. 07.12. 08:00 – Wochenplanung" in listing.text
    assert listing.button_labels == ["🗑 1 löschen"]  # the weekly one only, unchanged
    bot.clock.set(berlin(12, 7, 8, 0))
    assert (await run_scheduler(bot.app))["personal"] == 1
    assert "⏰ Wochenplanung" in (await pia.reply_with("⏰")).text


async def test_list_and_delete_reminders_only_ones_own(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    ben = await bot.member("Ben", Role.CASEWORKER, team="nord-b")
    await pia.send("/remind jeden Montag 8:00 Wochenplanung")
    assert "jeden Montag um 08:00 (nächste: Mo. 30.11. 08:00)" in (await pia.reply()).text
    await pia.send("/remind in 2 Stunden Rückruf Kita")
    await pia.reply()
    await pia.send("/reminders")
    listing = await pia.reply()
    assert "1. Di. 24.11. 12:00 – Rückruf Kita" in listing.text
    assert "2. jeden Montag um 08:00 · nächste: Mo. 30.11. 08:00 – Wochenplanung" in listing.text
    assert "Ruhezeit 20:00–07:00" in listing.text
    assert listing.button_labels == ["🗑 1 löschen", "🗑 2 löschen"]

    async with bot.sessions() as session:
        weekly = await session.scalar(select(Reminder).where(Reminder.rule.is_not(None)))
    await ben.tap_data(callbacks.pack("rem", "del", weekly.id))
    assert "gibt es nicht mehr" in (await ben.reply()).text
    await ben.tap_data("rem:1:del:abc")
    assert "gibt es nicht mehr" in (await ben.reply()).text
    await ben.tap_data("rem:0:del:1")
    assert "nicht mehr gültig" in (await ben.reply()).text
    assert await _count(bot, Reminder) == 2

    await pia.tap("🗑 2 löschen", message=listing)
    after = await pia.reply()
    assert "Gelöscht." in after.text and "Wochenplanung" not in after.text
    await pia.tap("🗑 1 löschen", message=after)
    assert "keine Erinnerungen" in (await pia.reply()).text
    assert await _count(bot, Reminder) == 0


async def test_unclear_past_or_personal_input_is_answered_and_nothing_saved(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    for text, expected in (
        ("/remind", "Schreiben Sie, wann und woran"),
        ("/remind bald mal Akten", "nicht verstanden"),
        ("/remind bald mal Akten", "jeden Montag 8:00"),  # with examples
        ("/remind heute 8:00 Akten", "schon vorbei"),
        ("/remind morgen 9:00", "Woran soll ich Sie erinnern"),
        ("/remind morgen Akten", "Uhrzeit"),
        ("/remind morgen 9:00 Anruf bei Familie Meier", "personenbezogene"),
        ("/remind morgen 9:00 " + "x" * 201, "201 Zeichen"),
    ):
        await pia.send(text)
        assert expected in (await pia.reply()).text, text
    assert await _count(bot, Reminder) == 0


async def test_english_reminder_and_a_restart_in_between(bot):
    sam = await bot.member("Sam", Role.PROVIDER, team="sued-b", locale="en")
    await sam.send("/remind tomorrow 9am call the school")
    assert "Reminder saved for Wed 25 Nov 09:00" in (await sam.reply()).text
    await sam.send("/remind every Monday 8:00 plan the week")
    assert "every Monday at 08:00" in (await sam.reply()).text

    # The bot is down from Tuesday evening until Wednesday 09:40: sent once after the restart.
    await bot.stop()
    bot.clock.set(berlin(11, 25, 9, 40))
    await bot.start()
    assert (await run_scheduler(bot.app))["personal"] == 1
    assert (await sam.reply()).text == "⏰ call the school"
    assert (await run_scheduler(bot.app))["personal"] == 0
    await bot.stop()
    await bot.start()  # a new instance on the same database sends nothing again
    assert (await run_scheduler(bot.app))["personal"] == 0
    async with bot.sessions() as session:
        statuses = (await session.scalars(
            select(Delivery.status).where(Delivery.kind == "personal"))).all()
    assert statuses == ["sent"]


async def test_meeting_from_the_dialogue_with_reminders_and_attendance(bot):
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    ben = await bot.member("Ben", Role.CASEWORKER, team="nord-b")
    await pia.send("/meeting")
    assert "Nur Regionalleitungen und die Administration" in (await pia.reply()).text

    await lea.send("/meeting")
    assert "Neuer Termin" in (await lea.reply()).text
    await lea.send("Fallübergreifende Runde Nord A")
    assert "Wann?" in (await lea.reply()).text
    await lea.send("jeden Montag und Donnerstag 10:00")
    assert "an einem Tag" in (await lea.reply()).text
    await lea.send("gestern 10:00")
    assert "nicht verstanden" in (await lea.reply()).text or "vorbei" in lea.last.text
    await lea.send("jeden Donnerstag 10:00")
    assert "Wo findet" in (await lea.reply()).text
    await lea.send("Rathaus, Raum 214")
    who = await lea.reply()
    assert who.button_labels[:3] == ["Region Nord", "Sozialraumteam Nord A",
                                     "Sozialraumteam Nord B"]
    assert "Region Süd" not in who.button_labels
    await lea.tap("Sozialraumteam Nord A")
    await lea.reply()
    await lea.tap("1,5 Std.")
    summary = await lea.reply()
    assert "jeden Donnerstag um 10:00" in summary.text and "Rathaus, Raum 214" in summary.text
    await lea.tap("💾 Speichern")
    assert "1 Teilnehmende sind eingeladen" in (await lea.reply()).text
    invitation = await pia.reply()
    assert "Neuer Termin von Lea" in invitation.text and "Do. 26.11. 10:00–11:30" in invitation.text
    assert await _count(bot, Meeting) == 7  # the six of the organisation file and this one

    bot.clock.set(berlin(11, 25, 10, 0))  # the day before
    await run_scheduler(bot.app)
    reminder = await pia.reply_with("Fallübergreifende Runde Nord A")
    assert "Erinnerung" in reminder.text and "Noch keine" not in reminder.text
    assert reminder.button_labels == ["✅ Ich komme", "❌ Ich kann nicht"]
    await pia.tap("✅ Ich komme", message=reminder)
    answered = await pia.reply()
    assert "Danke, notiert" in answered.text and "Ihre Antwort: ✅ Ich komme" in answered.text
    await pia.tap("✅ Ich komme", message=reminder)  # a double tap changes nothing
    assert await _count(bot, MeetingAttendance) == 1

    # Buttons are never trusted: other people, other times, other meetings, malformed data.
    meeting_id, stamp = reminder.buttons[0][0].callback_data.split(":")[3:5]
    await ben.tap_data(reminder.buttons[0][0].callback_data)
    assert "nicht zu den Teilnehmenden" in (await ben.reply()).text
    await pia.tap_data(f"mtg:1:att:{meeting_id}:202611261015:y")
    assert "gibt es nicht mehr" in (await pia.reply()).text
    await pia.tap_data(f"mtg:1:att:999:{stamp}:y")
    assert "gibt es nicht mehr" in (await pia.reply()).text
    await pia.tap_data(f"mtg:1:att:{meeting_id}:2026-11:y")
    assert "nicht mehr gültig" in (await pia.reply()).text

    # The organiser, a participant too, got the reminder with who comes so far.
    assert "❔ Noch keine Antwort: 2" in (await lea.reply_with("Erinnerung")).text
    await lea.send("/meetings")
    await lea.tap("Do. 26.11. 10:00 · Fallübergreifende Runde Nord A")
    details = await lea.reply_with("Kommen (1)")
    assert "✅ Kommen (1): Pia" in details.text and "❔ Noch keine Antwort: 1" in details.text
    await ben.send("/meetings")
    assert "Fallübergreifende" not in str((await ben.reply()).button_labels)

    bot.clock.set(berlin(11, 26, 9, 0))  # one hour before
    await run_scheduler(bot.app)
    assert "Ihre Antwort: ✅ Ich komme" in (await pia.reply_with("Erinnerung")).text
    assert (await run_scheduler(bot.app))["meeting"] == 0
    bot.clock.set(berlin(11, 26, 10, 5))
    await pia.tap("❌ Ich kann nicht", message=reminder)
    assert "bereits begonnen" in (await pia.reply()).text


async def test_the_organiser_cancels_a_meeting_and_participants_are_told(bot):
    ada = await bot.member("Ada", Role.ADMIN)
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await ada.send("/meeting")
    await ada.reply()
    for text in ("Steuerungsgruppe Sondersitzung", "03.12. 14:00"):
        await ada.send(text)
        await ada.reply()
    await ada.tap("Ohne Ort")
    await ada.reply()
    await ada.tap("Region Nord")
    await ada.reply()
    await ada.tap("2 Std.")
    await ada.reply()
    await ada.tap("💾 Speichern")
    await ada.reply()
    assert "Steuerungsgruppe Sondersitzung" in (await pia.reply()).text
    await ada.send("/meetings")
    await ada.tap("Do. 03.12. 14:00 · Steuerungsgruppe Sondersitzung")
    await ada.reply()
    await ada.tap("Termin absagen")
    await ada.reply()
    await ada.tap("Ja, absagen")
    assert "Abgesagt: Steuerungsgruppe Sondersitzung" in (await ada.reply_with("Abgesagt")).text
    assert "Abgesagt von Ada" in (await pia.reply()).text
    bot.clock.set(berlin(12, 2, 14, 0))
    assert (await run_scheduler(bot.app))["meeting"] == 0


async def test_weekly_hours_reminder_starts_hours_and_quota_flag_reaches_the_lead(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    clara = await bot.member("Clara", Role.CASEWORKER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    await run_scheduler(bot.app)
    bot.clock.set(berlin(11, 27, 13, 0))  # Friday 13:00
    report = await run_scheduler(bot.app)
    assert report["hours"] == 1 and report["quota"] == 1
    nudge = await pia.reply()
    assert "noch keine Stunden erfasst" in nudge.text
    await pia.tap("Stunden erfassen", message=nudge)
    assert "welche Art von Arbeit" in (await pia.reply()).text
    flag = await lea.reply()
    assert "Sozialraumteam Nord A: Koll. Beratung 0 / 18 Std." in flag.text
    await lea.tap("Sozialraumteam Nord A ansehen", message=flag)
    assert "Nord A" in (await lea.reply()).text
    async with bot.sessions() as session:
        nudged = (await session.scalars(
            select(Delivery.user_id).where(Delivery.kind == "hours"))).all()
    assert nudged == [pia.user_id]  # caseworkers do not log hours; the lead neither
    assert clara.user_id not in nudged


async def test_mute_unmute_and_quiet_hours(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/mute")
    assert "stummgeschaltet" in (await pia.reply()).text
    await pia.send("/quiet 22:00-06:30")
    assert "Ruhezeit 22:00–06:30" in (await pia.reply()).text
    await pia.send("/quiet spät")
    assert "20:00-07:00" in (await pia.reply()).text
    await run_scheduler(bot.app)
    bot.clock.set(berlin(11, 30, 9, 0))  # the day before nord-a's meeting
    assert (await run_scheduler(bot.app))["meeting"] == 0
    await pia.send("/unmute")
    assert "wieder an" in (await pia.reply()).text
    bot.clock.set(berlin(12, 1, 8, 0))
    assert (await run_scheduler(bot.app))["meeting"] == 1
    assert "Kollegiale Beratung Sozialraumteam Nord A" in (await pia.reply_with("Erinnerung")).text
    await pia.send("/quiet")
    assert "/quiet 21:00-06:30" in (await pia.reply()).text
    await pia.send("/quiet standard")
    assert "Ruhezeit 20:00–07:00" in (await pia.reply()).text


async def test_a_lost_answer_is_not_sent_again(bot):
    from bot.simulator import FaultPlan

    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/remind morgen 9:00 Akten")
    await pia.reply()
    bot.clock.set(berlin(11, 25, 9, 0))
    # Telegram takes the message but the connection breaks before its answer arrives.
    bot.sim.faults = FaultPlan(rate=1.0, kinds=("lost_answer",),
                               methods=frozenset({"sendMessage"}))
    assert (await run_scheduler(bot.app))["personal"] == 0
    bot.sim.faults = None
    assert (await pia.reply()).text == "⏰ Akten"
    bot.clock.advance(timedelta(minutes=1))
    assert (await run_scheduler(bot.app))["personal"] == 0  # it may have arrived: not again
    async with bot.sessions() as session:
        assert (await session.scalars(select(Delivery.status).where(
            Delivery.kind == "personal"))).all() == ["unknown"]


class Crash(BaseException):
    """The process dies here (not an error the scheduler could catch and log)."""


async def test_a_reminder_claimed_by_a_run_that_died_is_sent_once_by_the_next(bot, monkeypatch):
    """The process dies after claiming a recurring reminder (which moved on to next week),
    before sending it: the next run sends it, once, and the recurrence stays."""
    from bot.services.reminders import scheduler

    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/remind jeden Mittwoch 9:00 Planung")
    await pia.reply()
    sending = scheduler.sending

    async def dies(*args, **kwargs):
        raise Crash

    monkeypatch.setattr(scheduler, "sending", dies)
    bot.clock.set(berlin(11, 25, 9, 0))
    with pytest.raises(Crash):
        await run_scheduler(bot.app)
    monkeypatch.setattr(scheduler, "sending", sending)
    bot.clock.set(berlin(11, 25, 9, 1))
    assert (await run_scheduler(bot.app))["personal"] == 1
    assert (await run_scheduler(bot.app))["personal"] == 0
    assert [m.text for m in pia.sim.messages if "Planung" in m.text and "⏰" in m.text] == [
        "⏰ Planung\n\nNächstes Mal: Mi. 02.12. 09:00"]
    async with bot.sessions() as session:
        assert (await session.scalars(select(Delivery.status))).all() == ["sent"]
        reminder = await session.scalar(select(Reminder))
        assert reminder.next_at == berlin(12, 2, 9, 0)


async def test_an_error_while_rendering_a_reminder_leaves_it_for_the_next_run(
        bot, monkeypatch):
    import handlers.scheduler

    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/remind morgen 9:00 Akten")
    await pia.reply()
    fired = handlers.scheduler.views.fired_reminder

    def database_hiccup(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(handlers.scheduler.views, "fired_reminder", database_hiccup)
    bot.clock.set(berlin(11, 25, 9, 0))
    assert (await run_scheduler(bot.app))["personal"] == 0
    monkeypatch.setattr(handlers.scheduler.views, "fired_reminder", fired)
    bot.clock.set(berlin(11, 25, 9, 5))
    assert (await run_scheduler(bot.app))["personal"] == 1
    assert (await pia.reply()).text == "⏰ Akten"


async def test_a_reminder_whose_sending_was_cut_off_by_a_crash_is_not_sent_again(
        bot, monkeypatch):
    """Marked ``sending`` and then the process died inside the Bot API call: it may have
    arrived, so it is never sent again, and the ledger says ``unknown``."""
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/remind morgen 9:00 Akten")
    await pia.reply()
    send_message = type(bot.app.bot).send_message

    async def dies(self, *args, **kwargs):
        raise Crash

    monkeypatch.setattr(type(bot.app.bot), "send_message", dies)
    bot.clock.set(berlin(11, 25, 9, 0))
    with pytest.raises(Crash):
        await run_scheduler(bot.app)
    monkeypatch.setattr(type(bot.app.bot), "send_message", send_message)
    bot.clock.set(berlin(11, 25, 9, 1))
    assert (await run_scheduler(bot.app))["personal"] == 0
    assert not [m for m in pia.sim.messages if "Akten" in m.text and "⏰" in m.text]
    async with bot.sessions() as session:
        assert (await session.scalars(select(Delivery.status))).all() == ["unknown"]


def test_only_what_surely_did_not_arrive_is_retried():
    import httpx
    from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

    from handlers.scheduler import outcome_of

    def caused(error, cause):
        error.__cause__ = cause
        return error

    request = httpx.Request("POST", "https://api.telegram.org")
    assert outcome_of(RetryAfter(3)) == "retry"
    assert outcome_of(caused(NetworkError("x"), httpx.ConnectError("refused",
                                                                   request=request))) == "retry"
    assert outcome_of(caused(TimedOut(), httpx.ConnectTimeout("t", request=request))) == "retry"
    assert outcome_of(caused(TimedOut(), httpx.ReadTimeout("t", request=request))) == "unknown"
    assert outcome_of(NetworkError("Bad Gateway")) == "unknown"
    assert outcome_of(Forbidden("bot was blocked by the user")) == "failed"
    assert outcome_of(BadRequest("chat not found")) == "failed"


async def test_a_meeting_with_chosen_people_reminds_only_them(bot):
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    ben = await bot.member("Ben", Role.CASEWORKER, team="nord-b")
    sam = await bot.member("Sam", Role.PROVIDER, team="sued-a")
    others = [await bot.member(f"Nina{n}", Role.CASEWORKER, team="nord-a") for n in range(7)]
    ulf = await bot.member("Ulf", Role.LEAD, region="sued")
    await lea.send("/meeting")
    await lea.reply()
    for text in ("AG Ressourcenkarte", "03.12. 14:00"):
        await lea.send(text)
        await lea.reply()
    await lea.tap("Ohne Ort")
    await lea.reply()
    await lea.tap("👤 Personen auswählen")
    first = await lea.reply()
    # Ben, Nina0–6 on the first page of eight, Pia on the second; nobody from Süd, not Lea.
    assert "Seite 1 von 2" in first.text
    assert first.button_labels[0] == "Ben · Fachkraft im ASD"
    assert "Pia · Fachkraft eines freien Trägers" not in first.button_labels
    assert not any(label.startswith(("Sam", "Ulf", "Lea")) for label in first.button_labels)
    await lea.tap("Fertig (0 ausgewählt)")
    assert "mindestens eine Person" in (await lea.reply()).text

    await lea.tap("Ben · Fachkraft im ASD", message=first)
    ticked = await lea.reply()
    assert "✅ Ben · Fachkraft im ASD" in ticked.button_labels
    await lea.tap("Nina0 · Fachkraft im ASD", message=ticked)
    await lea.tap("✅ Nina0 · Fachkraft im ASD", message=await lea.reply())  # untick again
    await lea.tap("»", message=await lea.reply())
    second = await lea.reply()
    assert "Seite 2 von 2" in second.text and "«" in second.button_labels
    await lea.tap("Pia · Fachkraft eines freien Trägers", message=second)
    done = await lea.reply()
    assert "✅ Pia · Fachkraft eines freien Trägers" in done.button_labels

    # A forged button for someone outside Lea's region is refused and changes nothing.
    await lea.tap_data(callbacks.pack("mtg", "pick", sam.user_id, 0))
    assert "nur Teams, Regionen und Personen einladen" in (await lea.reply()).text
    await lea.tap("Fertig (2 ausgewählt)", message=done)
    await lea.reply()
    await lea.tap("1 Std.")
    summary = await lea.reply()
    assert "👥 Ben, Pia" in summary.text
    await lea.tap("💾 Speichern")
    assert "2 Teilnehmende sind eingeladen" in (await lea.reply()).text
    for invited in (ben, pia):
        assert "AG Ressourcenkarte" in (await invited.reply()).text

    for person, listed in ((ben, True), (pia, True), (others[0], False), (sam, False),
                           (ulf, False)):
        await person.send("/meetings")
        assert ("AG Ressourcenkarte" in str((await person.reply()).button_labels)) is listed

    bot.clock.set(berlin(12, 2, 14, 0))  # the day before
    await run_scheduler(bot.app)
    reminder = await ben.reply_with("AG Ressourcenkarte")
    assert reminder.button_labels == ["✅ Ich komme", "❌ Ich kann nicht"]
    await ben.tap("❌ Ich kann nicht", message=reminder)
    assert "Ihre Antwort: ❌ Ich kann nicht" in (await ben.reply()).text
    await sam.tap_data(reminder.buttons[0][0].callback_data)
    assert "nicht zu den Teilnehmenden" in (await sam.reply()).text
    async with bot.sessions() as session:
        reminded = set((await session.scalars(select(Delivery.user_id).where(
            Delivery.kind == "meeting", Delivery.due_at == berlin(12, 2, 14, 0)))).all())
    assert reminded == {lea.user_id, ben.user_id, pia.user_id}
    # /mydata holds the invitation by name and the answer.
    async with bot.sessions() as session:
        meeting_id = await session.scalar(select(Meeting.id).where(
            Meeting.title == "AG Ressourcenkarte"))
    await ben.send("/mydata")
    mine = json.loads((await ben.reply()).document.data)["reminders"]
    assert mine["meetings_invited_to"] == [meeting_id]
    assert [answer["coming"] for answer in mine["meeting_answers"]] == [False]


async def test_an_admin_may_choose_anyone_a_lead_only_their_region(bot):
    from bot.services.reminders import meetings
    from storage.models import User

    ada = await bot.member("Ada", Role.ADMIN)
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    sam = await bot.member("Sam", Role.PROVIDER, team="sued-a")
    async with bot.sessions() as session:
        admin, lead = await session.get(User, ada.user_id), await session.get(User, lea.user_id)
        assert {p.id for p in await meetings.invitable(session, admin)} == {
            lea.user_id, pia.user_id, sam.user_id}
        assert {p.id for p in await meetings.invitable(session, lead)} == {pia.user_id}


async def test_a_one_off_meeting_of_the_organisation_file_is_listed_and_reminded(bot, tmp_path):
    import yaml

    from bot.services.organisation import import_organisation, load_org_file
    from bot.settings import DEFAULT_ORG_FILE

    raw = yaml.safe_load(DEFAULT_ORG_FILE.read_text(encoding="utf-8"))
    raw["meetings"].append({"key": "steuerung-dez", "title": "Steuerungsgruppe Dezember",
                            "roles": ["lead", "admin"], "at": "2026-12-01 14:00",
                            "place": "Rathaus", "duration_minutes": 120})
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    async with bot.sessions() as session, session.begin():
        await import_organisation(session, load_org_file(path), tz=BERLIN)
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await lea.send("/meetings")
    listing = await lea.reply()
    assert "Di. 01.12. 14:00 · Steuerungsgruppe Dezember" in listing.button_labels
    await lea.tap("Di. 01.12. 14:00 · Steuerungsgruppe Dezember", message=listing)
    details = await lea.reply()
    assert "Di. 01.12. 14:00–16:00" in details.text and "Rathaus" in details.text
    await pia.send("/meetings")
    assert "Steuerungsgruppe Dezember" not in str((await pia.reply()).button_labels)

    bot.clock.set(berlin(11, 30, 14, 0))  # the day before
    await run_scheduler(bot.app)
    reminder = await lea.reply_with("Steuerungsgruppe Dezember")
    assert "Erinnerung" in reminder.text
    assert reminder.button_labels == ["✅ Ich komme", "❌ Ich kann nicht"]
    bot.clock.set(berlin(12, 8, 14, 0))  # a week later: it does not come again
    assert (await run_scheduler(bot.app))["meeting"] == 0
