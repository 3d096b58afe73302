"""/hours, /week and /myhours through the simulator, in German and English."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from storage.models import HourEntry, Role


async def _entries(bot):
    async with bot.sessions() as session:
        return (await session.execute(
            select(HourEntry.minutes, HourEntry.work_date, HourEntry.note).order_by(HourEntry.id)
        )).all()


async def test_guided_flow_in_german_with_typed_amount_and_note(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/hours")
    assert "welche Art von Arbeit" in (await pia.reply()).text
    await pia.tap("Fallunabhängige Arbeit (FuA)")
    assert "Wie viel Zeit" in (await pia.reply()).text
    await pia.send("1:30")
    assert "Für welchen Tag" in (await pia.reply()).text
    await pia.tap("Gestern")
    assert "keine Namen oder Einzelheiten" in (await pia.reply()).text
    await pia.send("Vorbereitung Ideenbörse Garstedt")
    summary = (await pia.reply()).text
    assert "Zeit: 1,5 Std." in summary and "Tag: Mo. 23.11." in summary
    await pia.tap("💾 Speichern")
    saved = (await pia.reply()).text
    assert "✅ Gespeichert: 1,5 Std. FuA am Mo. 23.11." in saved
    assert "FuA 1,5 / 8 Std. ▓▓░░░░░░░░" in saved
    assert "Koll. Beratung 0 / 18 Std." in saved
    assert await _entries(bot) == [(90, date(2026, 11, 23), "Vorbereitung Ideenbörse Garstedt")]


async def test_shortcut_in_english_saves_after_one_tap(bot):
    sam = await bot.member("Sam", Role.PROVIDER, team="sued-b", locale="en")
    await sam.send("/hours 2,5 fua yesterday")
    summary = (await sam.reply()).text
    assert "Time: 2.5 h" in summary and "Day: Mon 23 Nov" in summary
    assert await _entries(bot) == []  # nothing before the tap
    await sam.tap("💾 Save")
    assert "✅ Saved: 2.5 h FuA on Mon 23 Nov" in (await sam.reply()).text
    assert len(await _entries(bot)) == 1


async def test_double_tap_on_save_stores_one_entry(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/hours 2 beratung heute")
    summary = await pia.reply()
    await pia.tap("💾 Speichern", message=summary)
    await pia.tap("💾 Speichern", message=summary)
    assert len(await _entries(bot)) == 1


async def test_quota_reached_and_exceeded_are_said_clearly(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    for text in ("/hours 4 fua heute", "/hours 4 fua gestern", "/hours 1 fua heute"):
        await pia.send(text)
        await pia.reply()
        await pia.tap("💾 Speichern")
        reply = (await pia.reply()).text
    assert "⚠️ Kontingent FuA überschritten: 9 Std. von 8 Std." in reply


async def test_bad_input_gets_a_clear_answer_and_the_dialogue_waits(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/hours")
    await pia.reply()
    await pia.tap("Fallunabhängige Arbeit (FuA)")
    await pia.reply()
    for typed, answer in [("viel", "z. B. als 2,5"), ("0", "größer als null"),
                          ("0:20", "Schritten von 15 Min., z. B. 0:15 oder 0:30"),
                          ("13", "höchstens 12 Stunden")]:
        await pia.send(typed)
        assert answer in (await pia.reply()).text
    await pia.send("2")
    await pia.reply()
    await pia.send("morgen")
    assert "Zukunft" in (await pia.reply()).text
    await pia.send("01.11.2026")
    assert "abgeschlossen" in (await pia.reply()).text
    await pia.send("heute")
    await pia.reply()
    await pia.send("Gespräch mit Familie Schulz")
    assert "personenbezogenen Daten" in (await pia.reply()).text
    await pia.tap("Ohne Notiz")
    await pia.reply()
    await pia.tap("💾 Speichern")
    assert len(await _entries(bot)) == 1


async def test_back_and_cancel(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team=["nord-a", "nord-b"])
    await pia.send("/hours")
    await pia.reply()
    await pia.tap("Fallübergreifende Arbeit (FüA)")
    assert "Für welches Team" in (await pia.reply()).text
    await pia.tap("Sozialraumteam Nord B")
    await pia.reply()
    await pia.tap("« Zurück")
    assert "Für welches Team" in (await pia.reply()).text
    await pia.tap("Abbrechen")
    assert "Abgebrochen. Es wurde nichts gespeichert." in (await pia.reply()).text
    assert await _entries(bot) == []


async def test_roles_that_do_not_log_and_forged_buttons(bot):
    asd = await bot.member("Clara", Role.CASEWORKER, team="nord-a")
    await asd.send("/hours 2 fua")
    assert "Ihre Rolle erfasst keine Stunden" in (await asd.reply()).text
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/hours")
    await pia.reply()
    await pia.tap("Fallunabhängige Arbeit (FuA)")
    menu = await pia.reply()
    await pia.tap_data("hrs:1:amt:20", message=menu)
    assert "Schritten von 15 Min." in (await pia.reply()).text
    await pia.tap("2")
    await pia.reply()
    await pia.tap_data("hrs:1:team:4", message=pia.last)  # a team Pia is not in
    assert "eigenes Team" in (await pia.reply()).text
    await pia.tap("Heute")
    await pia.reply()
    await pia.tap("Ohne Notiz")
    summary = await pia.reply()  # Pia's complete draft, waiting for her Save
    # Ben forges Pia's Save into his own chat: he has no draft, so nothing of hers is saved.
    ben = await bot.member("Ben", Role.PROVIDER, team="nord-a")
    await ben.send("/help")
    await ben.reply()
    await ben.tap_data("hrs:1:save", message=ben.last)
    assert ben.alerts[-1] == "Diese Schaltfläche ist nicht mehr gültig. Bitte beginnen Sie neu."
    await pia.tap_data("hrs:1:kaputt:99", message=summary)  # an action that does not exist
    assert (await pia.reply()).text == (
        "Diese Schaltfläche ist nicht mehr gültig. Bitte beginnen Sie neu.")
    await pia.tap_data("hrs:1:cat:999999", message=summary)  # a category id that does not exist
    assert "Diese Art von Arbeit gibt es nicht mehr." in (await pia.reply()).text
    assert await _entries(bot) == []
    await pia.tap("💾 Speichern", message=summary)  # her own draft is intact
    assert "✅ Gespeichert: 2 Std. FuA" in (await pia.reply()).text
    async with bot.sessions() as session:
        assert (await session.execute(select(HourEntry.user_id))).scalars().all() == [pia.user_id]


async def test_week_view_with_earlier_weeks_and_lead_reopening(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lead = await bot.member("Lena", Role.LEAD, region="nord")
    await pia.send("/hours 3 beratung heute")
    await pia.reply()
    await pia.tap("💾 Speichern")
    await pia.reply()
    await pia.send("/week")
    week = (await pia.reply()).text
    assert "KW 48" in week and "Koll. Beratung 3 / 18 Std." in week and "Pro Person" not in week
    await lead.send("/week")
    await lead.reply()
    await lead.tap("Sozialraumteam Nord A")
    text = (await lead.reply()).text
    assert "Pro Person" in text and "Pia: Koll. Beratung 3" in text
    for _ in range(3):
        await lead.tap("◀ Vorwoche")
        text = (await lead.reply()).text
    assert "KW 45" in text and "🔒" in text
    await lead.tap("🔓 Woche wieder öffnen")
    replies = [(await lead.reply()).text for _ in range(2)]
    assert any("wieder offen bis" in r for r in replies)
    await pia.send("/hours 1 fua 03.11.2026")
    await pia.reply()
    await pia.tap("💾 Speichern")
    assert "Gespeichert" in (await pia.reply()).text


async def test_myhours_edit_and_delete(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/hours 2 fua heute")
    await pia.reply()
    await pia.tap("💾 Speichern")
    await pia.reply()
    await pia.send("/myhours")
    listing = (await pia.reply()).text
    assert "1. Di. 24.11. FuA 2 Std." in listing and "Summe: 2 Std." in listing
    await pia.tap("✏️ 1")
    await pia.reply()
    await pia.send("2:15")
    assert "Geändert auf 2,25 Std." in (await pia.reply()).text
    await pia.send("/myhours")
    await pia.reply()
    await pia.tap("🗑 1")
    await pia.reply()
    await pia.tap("Ja, löschen")
    assert "Gelöscht." in (await pia.reply()).text
    async with bot.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(HourEntry)) == 0


async def test_a_week_closed_meanwhile_refuses_the_save(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/hours 2 fua 09.11.2026")
    await pia.reply()
    bot.clock.advance(timedelta(days=6))  # the week of 9.–15.11. closes on 30.11.
    await pia.tap("💾 Speichern")
    assert "abgeschlossen" in (await pia.reply()).text
    assert await _entries(bot) == []


async def test_guided_flow_in_english_with_back_at_two_steps(bot):
    sam = await bot.member("Sam", Role.PROVIDER, team="sued-b", locale="en")
    await sam.send("/hours")
    assert "Log hours – what kind of work?" in (await sam.reply()).text
    await sam.tap("Case-independent work (FuA)")
    assert "How much time? Tap or type it" in (await sam.reply()).text
    await sam.tap("1.5")
    assert "For which day?" in (await sam.reply()).text
    await sam.tap("Yesterday")
    assert "Optional: a short note (at most 200 characters)" in (await sam.reply()).text
    await sam.tap("« Back")  # from the note back to the day
    assert "For which day?" in (await sam.reply()).text
    await sam.tap("Today")
    await sam.reply()
    await sam.tap("No note")
    summary = (await sam.reply()).text
    assert "Kind of work: Case-independent work (FuA)" in summary
    assert "Team: Sozialraumteam Süd B" in summary
    assert "Time: 1.5 h" in summary and "Day: Tue 24 Nov" in summary and "Note: –" in summary
    await sam.tap("« Back")  # from the summary back to the note
    assert "Optional: a short note" in (await sam.reply()).text
    await sam.tap("No note")
    await sam.reply()
    assert await _entries(bot) == []  # nothing before Save
    await sam.tap("💾 Save")
    saved = (await sam.reply()).text
    assert "✅ Saved: 1.5 h FuA on Tue 24 Nov" in saved
    assert "Week 48 (Mon 23 Nov–Sun 29 Nov), Sozialraumteam Süd B" in saved
    assert "FuA 1.5 / 8 h ▓▓░░░░░░░░" in saved and "Consultation 0 / 18 h" in saved
    assert await _entries(bot) == [(90, date(2026, 11, 24), None)]
    await sam.send("/week")
    week = (await sam.reply()).text
    assert week.startswith("Week 48 (Mon 23 Nov–Sun 29 Nov), Sozialraumteam Süd B")
    assert "Consultation 0 / 18 h" in week and "FuA 1.5 / 8 h" in week and "FüA 0 h" in week
    assert "◀ Previous week" in sam.last.button_labels


async def test_shortcut_with_english_words_for_kind_of_work_and_day(bot):
    sam = await bot.member("Sam", Role.NETWORKER, team="sued-b", locale="en")
    for line, shown in [("/hours 1h30 consultation today", "Collegial consultation"),
                        ("/hours 2 independent yesterday", "Case-independent work (FuA)"),
                        ("/hours 45 min cross-case monday Planning", "Cross-case work (FüA)")]:
        await sam.send(line)
        summary = (await sam.reply()).text
        assert f"Kind of work: {shown}" in summary, summary
        await sam.tap("💾 Save")
        assert "✅ Saved:" in (await sam.reply()).text
    assert await _entries(bot) == [(90, date(2026, 11, 24), None),
                                   (120, date(2026, 11, 23), None),
                                   (45, date(2026, 11, 23), "Planning")]
    await sam.send("/hours 2 gardening today")
    assert "I don't know the kind of work gardening. Use one of: beratung, fua, fuea." in (
        await sam.reply()).text


async def _save(person, line: str) -> str:
    await person.send(line)
    await person.reply()
    await person.tap("💾 Speichern")
    return (await person.reply()).text


async def test_stale_myhours_buttons_after_the_entry_was_deleted(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await _save(pia, "/hours 2 fua heute")
    await _save(pia, "/hours 1 beratung heute")
    await pia.send("/myhours")
    listing = await pia.reply()
    assert "1. Di. 24.11. Koll. Beratung 1 Std." in listing.text
    await pia.tap("🗑 1", message=listing)
    await pia.reply()
    await pia.tap("Ja, löschen")
    assert "Gelöscht." in (await pia.reply()).text
    for label in ("✏️ 1", "🗑 1"):  # the old list still shows the deleted entry's buttons
        await pia.tap(label, message=listing)
        assert (await pia.reply()).text == "Diesen Eintrag gibt es nicht mehr."
    await pia.send("3")  # no edit dialogue was started by the stale ✏️
    assert "Geändert" not in (await pia.reply()).text
    assert await _entries(bot) == [(120, date(2026, 11, 24), None)]


async def test_a_week_closed_meanwhile_refuses_edit_and_delete(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await _save(pia, "/hours 2 fua 09.11.2026")  # the week of 9.–15.11. closes on 30.11.
    await pia.send("/myhours")
    await pia.reply()
    await pia.tap("Dieser Monat")
    month = await pia.reply()
    assert "1. Mo. 09.11. FuA 2 Std." in month.text and "✏️ 1" in month.button_labels
    await pia.tap("🗑 1", message=month)
    confirm = await pia.reply()
    bot.clock.advance(timedelta(days=6))  # Monday 30.11.: the week is locked now
    closed = "Die Woche KW 46 (09.–15.11.2026) ist abgeschlossen."
    await pia.tap("✏️ 1", message=month)
    assert (await pia.reply()).text.startswith(closed)
    await pia.tap("Ja, löschen", message=confirm)
    assert (await pia.reply()).text.startswith(closed)
    assert await _entries(bot) == [(120, date(2026, 11, 9), None)]


async def test_myhours_month_view_offers_changes_only_in_open_weeks(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    today = bot.clock.now()
    bot.clock.set(today - timedelta(days=20))  # Wednesday 4.11.
    await _save(pia, "/hours 1 fua 02.11.2026")  # its week closes on 23.11.
    bot.clock.set(today)
    await _save(pia, "/hours 2 beratung 16.11.2026")
    await _save(pia, "/hours 1,5 fua heute")
    await pia.send("/myhours")
    week = await pia.reply()
    assert week.text.startswith("Meine Stunden in dieser Woche")
    assert "16.11." not in week.text and "Summe: 1,5 Std." in week.text
    await pia.tap("Dieser Monat", message=week)
    month = await pia.reply()
    lines = month.text.splitlines()
    assert lines[0] == "Meine Stunden in diesem Monat"
    assert lines[1:] == ["1. Di. 24.11. FuA 1,5 Std.",
                         "2. Mo. 16.11. Koll. Beratung 2 Std.",
                         "3. Mo. 02.11. FuA 1 Std. 🔒",
                         "Summe: 4,5 Std."]
    assert month.button_labels == ["✏️ 1", "🗑 1", "✏️ 2", "🗑 2", "Diese Woche"]
    await pia.tap("Diese Woche", message=month)
    assert (await pia.reply()).text.startswith("Meine Stunden in dieser Woche")


async def test_quota_reached_exactly_is_said_in_the_chat(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    nils = await bot.member("Nils", Role.NETWORKER, team="nord-a")
    assert "Kontingent FuA erreicht" not in await _save(pia, "/hours 4 fua heute")
    saved = await _save(nils, "/hours 4 fua gestern")  # the team's 8 h, from two people
    assert "FuA 8 / 8 Std. ▓▓▓▓▓▓▓▓▓▓" in saved
    assert "✅ Kontingent FuA erreicht." in saved and "überschritten" not in saved
    await pia.send("/week")
    assert "✅ Kontingent FuA erreicht." in (await pia.reply()).text


# --- issue 17: days without a year, closed weeks named as weeks, hints that are accepted ----

SATURDAY_5_DECEMBER = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


async def test_a_day_later_this_year_without_a_year_is_in_the_future(bot):
    bot.clock.set(SATURDAY_5_DECEMBER)
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/hours")
    await pia.reply()
    await pia.tap("Fallunabhängige Arbeit (FuA)")
    await pia.reply()
    await pia.send("2")
    await pia.reply()
    for typed in ("06.12.", "6.12", "24.12.", "1.1."):
        await pia.send(typed)
        answer = (await pia.reply()).text
        assert "Zukunft" in answer and "abgeschlossen" not in answer, typed
    await pia.send("4.12")
    assert "Notiz" in (await pia.reply()).text  # yesterday: the dialogue goes on
    await pia.send("/hours 2 fua 24.12.")
    answer = (await pia.reply()).text
    assert "Zukunft" in answer and "abgeschlossen" not in answer
    assert await _entries(bot) == []


async def test_after_new_year_a_december_day_without_a_year_is_last_december(bot):
    bot.clock.set(datetime(2027, 1, 3, 9, 0, tzinfo=UTC))  # a Sunday
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/hours 2 fua 24.12.")
    assert "Tag: Do. 24.12." in (await pia.reply()).text
    await pia.tap("💾 Speichern")
    assert "✅ Gespeichert: 2 Std. FuA am Do. 24.12." in (await pia.reply()).text
    assert await _entries(bot) == [(120, date(2026, 12, 24), None)]


async def test_a_closed_week_is_named_by_calendar_week_and_days(bot):
    bot.clock.set(SATURDAY_5_DECEMBER)
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    sam = await bot.member("Sam", Role.PROVIDER, team="sued-b", locale="en")
    await pia.send("/hours 2 fua 14.11.2026")  # a Saturday; its week closed on 30.11.
    assert (await pia.reply()).text == (
        "Die Woche KW 46 (09.–15.11.2026) ist abgeschlossen. Ihre Regionalleitung kann sie "
        "wieder öffnen; bitte wenden Sie sich an sie.")
    await sam.send("/hours 2 fua 14.11.2026")
    assert (await sam.reply()).text == (
        "Week 46 (9–15 Nov 2026) is closed. Please ask your regional lead to reopen it.")


async def test_the_steps_a_hint_proposes_are_accepted_when_typed_back(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/hours")
    await pia.reply()
    await pia.tap("Fallunabhängige Arbeit (FuA)")
    await pia.reply()
    await pia.send("1,2345")
    hint = (await pia.reply()).text
    assert hint == "Bitte erfassen Sie die Zeit in Schritten von 15 Min., z. B. 1:00 oder 1:15."
    for proposed in ("1:00", "1:15"):
        await pia.send(proposed)
        assert "Für welchen Tag" in (await pia.reply()).text
        await pia.tap("« Zurück")
        await pia.reply()
