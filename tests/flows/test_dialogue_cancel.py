"""/cancel ends every kind of dialogue alike: it says what was kept, and what is typed next is
no longer taken as the dialogue's answer."""

from __future__ import annotations

from storage.models import Role


async def test_cancel_ends_the_report_dialogue(bot):
    lena = await bot.member("Lena", Role.LEAD, region="nord")
    await lena.send("/report")
    await lena.reply()
    await lena.tap("Anderer Zeitraum …")
    assert "Bitte schreiben Sie den Zeitraum" in (await lena.reply()).text
    await lena.send("/cancel")
    assert "Abgebrochen. Es wurde nichts geändert." in (await lena.reply()).text
    await lena.send("01.01.-31.03.")
    assert "Bericht" not in (await lena.reply()).text


async def test_cancel_drops_the_hours_draft(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/hours")
    await pia.reply()
    await pia.tap("Fallunabhängige Arbeit (FuA)")
    await pia.reply()
    await pia.send("/cancel")
    assert "Abgebrochen. Es wurde nichts gespeichert." in (await pia.reply()).text
    await pia.send("/hours")
    assert "welche Art von Arbeit" in (await pia.reply()).text  # afresh, not at the amount


async def test_cancel_of_a_new_meeting_by_command_and_by_button(bot):
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    await lea.send("/meeting")
    assert "Neuer Termin" in (await lea.reply()).text
    await lea.send("AG Ressourcenkarte")
    assert "Wann?" in (await lea.reply()).text
    await lea.send("/cancel")
    assert "Abgebrochen. Es wurde nichts gespeichert." in (await lea.reply()).text
    await lea.send("03.12. 14:00")
    assert "Wo findet" not in (await lea.reply()).text
    await lea.send("/meeting")
    assert "Neuer Termin" in (await lea.reply()).text
    await lea.send("AG Ressourcenkarte")
    await lea.reply()
    await lea.send("03.12. 14:00")
    await lea.reply()
    await lea.tap("Abbrechen")
    assert "Abgebrochen. Es wurde nichts gespeichert." in (await lea.reply()).text
