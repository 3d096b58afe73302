"""The foundation through the simulator: access, registration, help, language, robustness."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from telegram import Update

from bot.services import access
from storage.models import HourEntry, Membership, ProcessedUpdate, Role, User


async def _code(bot, role=Role.PROVIDER, team="nord-a", region=None) -> str:
    async with bot.sessions() as session, session.begin():
        new = await access.create_invitation(
            session, role=role, now=bot.clock.now(), ttl=timedelta(days=7),
            team_key=team if role.is_team_role else None, region_key=region,
        )
    return new.code


async def _users(bot) -> int:
    async with bot.sessions() as session:
        return await session.scalar(select(func.count()).select_from(User))


async def test_stranger_learns_how_to_get_access_and_sees_nothing_else(bot):
    stranger = bot.stranger()
    await stranger.send("/hours")
    assert "nur eingeladenen Mitgliedern" in (await stranger.reply()).text
    await stranger.send("Wie viele Stunden hat Nord A?")
    assert "Einladungslink" in (await stranger.reply()).text
    await stranger.send("/help")
    text = (await stranger.reply()).text
    assert "/start CODE" in text and "/invite" not in text
    await stranger.tap_data("lang:1:set:en")
    assert any("nur eingeladenen" in alert for alert in stranger.alerts)
    assert await _users(bot) == 0


async def test_registration_by_invitation_code_in_german_and_english(bot):
    anna = bot.stranger("Anna", locale="de")
    await anna.send(f"/start {await _code(bot)}")
    text = (await anna.reply()).text
    assert "Willkommen, Anna! Sie sind registriert als Fachkraft eines freien Trägers." in text
    assert "Ihr Team: Sozialraumteam Nord A" in text

    ben = bot.stranger("Ben", locale="en-GB")
    await ben.send(f"/start {await _code(bot, Role.LEAD, region='sued')}")
    text = (await ben.reply()).text
    assert "Welcome, Ben! You are registered as regional lead." in text
    assert "Your region: Region Süd" in text
    assert "/invite" in text  # leads may invite

    commands = bot.sim.commands_for(scope={"type": "chat", "chat_id": ben.telegram_id})
    assert [c["command"] for c in commands] == [
        "week", "budget", "away", "digest", "report", "contacts", "team", "meetings", "meeting",
        "remind", "reminders", "faq", "help", "cancel", "language", "invite",
    ]
    # Rarely used commands stay out of the phone's menu but are listed by /help.
    assert {"/mute", "/unmute", "/quiet", "/mydata", "/forgetme"} <= set(text.split())


async def test_used_expired_and_wrong_codes_change_nothing(bot):
    code = await _code(bot)
    first, second = bot.stranger("Eins"), bot.stranger("Zwei")
    await first.send(f"/start {code}")
    await first.reply()
    await second.send(f"/start {code}")
    assert "ungültig oder wurde schon verwendet" in (await second.reply()).text
    late = await _code(bot)
    bot.clock.advance(timedelta(days=8))
    await second.send(f"/start {late}")
    assert "abgelaufen" in (await second.reply()).text
    await second.send("/start <b>nonsense</b>")
    assert "ungültig" in (await second.reply()).text
    assert await _users(bot) == 1


async def test_a_code_for_another_role_is_refused_in_plain_german(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send(f"/start {await _code(bot, Role.CASEWORKER, team='nord-b')}")
    text = (await pia.reply()).text
    # Issue 17: it said "Bitte bitten Sie die Administration …", which reads as a typo.
    assert text == ("Sie sind bereits mit einer anderen Rolle registriert. Bitte wenden Sie "
                    "sich an die Administration, wenn sie geändert werden soll.")


HELP_BY_ROLE = [
    # role, where, language, role name, commands listed, commands that must not be listed
    (Role.CASEWORKER, {"team": "nord-a"}, "de", "Fachkraft im ASD",
     {"week", "budget", "contacts", "team", "meetings", "faq"},
     {"hours", "myhours", "invite", "users", "audit", "digest", "report", "meeting", "away",
      "budget_set"}),
    (Role.NETWORKER, {"team": "nord-a"}, "en", "networker",
     {"hours", "myhours", "week", "budget", "contacts"},
     {"invite", "users", "audit", "digest", "report", "meeting", "away", "budget_set"}),
    (Role.PROVIDER, {"team": "nord-a"}, "de", "Fachkraft eines freien Trägers",
     {"hours", "myhours", "week", "budget", "contacts"},
     {"invite", "users", "audit", "digest", "report", "meeting", "away", "budget_set"}),
    (Role.LEAD, {"region": "nord"}, "de", "Regionalleitung",
     {"week", "invite", "digest", "report", "meeting", "away"},
     {"hours", "myhours", "users", "audit", "budget_set", "faq_reload", "faq_stats"}),
    (Role.ADMIN, {}, "en", "administrator",
     {"week", "invite", "users", "audit", "digest", "report", "budget_set", "faq_reload"},
     {"hours", "myhours", "away"}),
]


@pytest.mark.parametrize(("role", "where", "locale", "name", "can", "cannot"), HELP_BY_ROLE,
                         ids=[r[0].value for r in HELP_BY_ROLE])
async def test_help_shows_what_each_role_can_do(bot, role, where, locale, name, can, cannot):
    person = await bot.member("Pia", role, locale=locale, **where)
    await person.send("/help")
    text = (await person.reply()).text
    heading = "What I can do for you" if locale == "en" else "Was ich für Sie tun kann"
    assert text.startswith(f"{heading} ({name}):")
    listed = set(re.findall(r"^/(\w+) – ", text, flags=re.MULTILINE))
    assert can <= listed, can - listed
    assert not cannot & listed, cannot & listed
    assert {"help", "cancel", "language", "mydata", "forgetme"} <= listed  # everyone's
    if role == Role.ADMIN:
        assert "/invite – Invite a new team member" in text


def _menu(bot, person) -> dict[str, str]:
    commands = bot.sim.commands_for(scope={"type": "chat", "chat_id": person.telegram_id})
    return {c["command"]: c["description"] for c in commands}


async def test_the_digest_is_described_for_all_regions_to_admins_and_the_steering_group(bot):
    ada = bot.stranger("Ada")
    await ada.send(f"/start {await _code(bot, Role.ADMIN, team=None)}")
    await ada.reply()
    await ada.send("/help")
    help_de = (await ada.reply()).text
    assert "/digest – Überblick aller Regionen: Zeitplan, oder /digest jetzt" in help_de
    assert "Ihrer Region" not in help_de  # an admin has no region
    assert _menu(bot, ada)["digest"].startswith("Überblick aller Regionen")
    await ada.send("/language")
    await ada.reply()
    await ada.tap("English")
    await ada.reply()
    await ada.send("/help")
    help_en = (await ada.reply()).text
    assert "/digest – Digest of all regions: schedule, or /digest now" in help_en
    assert "your region" not in help_en
    assert _menu(bot, ada)["digest"] == "Digest of all regions: schedule, or /digest now"

    lea = await bot.member("Lea", Role.LEAD, region="nord")
    await lea.send("/help")
    assert "/digest – Überblick Ihrer Region: Zeitplan" in (await lea.reply()).text
    async with bot.sessions() as session, session.begin():
        (await session.get(User, lea.user_id)).steering_group = True
    await lea.send("/help")  # the steering group reads the digest of every region
    assert "/digest – Überblick aller Regionen: Zeitplan" in (await lea.reply()).text


async def test_language_switch_changes_replies_and_menu(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/language")
    assert "Bitte wählen Sie Ihre Sprache" in (await pia.reply()).text
    await pia.tap("English")
    assert (await pia.reply()).text == "I will talk to you in English from now on."
    await pia.send("/help")
    assert "What I can do for you" in (await pia.reply()).text
    commands = bot.sim.commands_for(scope={"type": "chat", "chat_id": pia.telegram_id})
    assert {c["command"]: c["description"] for c in commands}["help"] == (
        "What this bot can do for you"
    )


async def test_admin_ids_are_admins_from_the_start(engine, clock, simulator):
    from tests.support.harness import BotHarness

    harness = BotHarness(engine, clock, simulator)
    await harness.start(admin_ids=frozenset({4242}))
    try:
        boss = simulator.user(user_id=4242, first_name="Chefin", language_code="de")
        await harness.processed(await boss.send("/start"))
        assert "registriert als Administration" in (await boss.reply()).text
    finally:
        await harness.stop()


async def test_lead_invites_in_chat_and_double_tap_creates_one_invitation(bot):
    lead = await bot.member("Lea", Role.LEAD, region="nord")
    await lead.send("/invite")
    await lead.reply()
    assert [b.text for row in lead.last.buttons for b in row][:3] == [
        "Fachkraft im ASD", "Netzwerker/in", "Fachkraft eines freien Trägers",
    ]
    await lead.tap("Fachkraft im ASD")
    await lead.reply()
    labels = [b.text for row in lead.last.buttons for b in row]
    assert "Sozialraumteam Nord B" in labels and "Sozialraumteam Süd A" not in labels
    team_button = lead.last
    await lead.tap("Sozialraumteam Nord B", message=team_button)
    await lead.tap("Sozialraumteam Nord B", message=team_button)  # impatient second tap
    text = (await lead.reply()).text
    code = text.split("/start ")[-1].strip()
    assert "https://t.me/sozialraum_test_bot?start=" in text
    async with bot.sessions() as session:
        from storage.models import Invitation
        assert await session.scalar(select(func.count()).select_from(Invitation)) == 2  # own+new

    newcomer = bot.stranger("Nele")
    await newcomer.send(f"/start {code}")
    assert "Fachkraft im ASD" in (await newcomer.reply()).text


async def test_forged_invite_button_from_a_provider_changes_nothing(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.tap_data("inv:1:go:admin:x")
    assert "nicht zur Verfügung" in (await pia.reply()).text
    async with bot.sessions() as session:
        from storage.models import Invitation
        assert await session.scalar(select(func.count()).select_from(Invitation)) == 1


async def test_group_chats_get_a_pointer_and_no_data(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    group = pia.sim.in_group(-100123, "Team Nord A")
    await bot.processed(await group.send("/help"))
    text = (await group.reply()).text
    assert "nur im privaten Chat" in text and "@sozialraum_test_bot" in text
    await bot.processed(await group.send("Guten Morgen zusammen"))
    assert group.messages[-1].text == text  # plain chatter gets no answer


async def test_unknown_commands_media_and_stale_buttons_get_a_hint(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/fliegen")
    assert "Diesen Befehl kenne ich nicht" in (await pia.reply()).text
    await bot.processed(await pia.sim.send_sticker())
    assert "nur Textnachrichten" in (await pia.reply()).text
    await bot.processed(await pia.sim.send_photo())
    assert "nur Textnachrichten" in (await pia.reply()).text
    await pia.tap_data("zzz:9:boom")
    assert any("nicht mehr gültig" in alert for alert in pia.alerts)


async def test_redelivered_update_is_processed_once(bot):
    code = await _code(bot)
    nele = bot.stranger("Nele")
    await nele.send(f"/start {code}")
    await nele.reply()
    raw = bot.sim.last_update_for(nele.telegram_id)
    update = Update.de_json(raw, bot.app.bot)
    await bot.app.process_update(update)  # the same update once more, e.g. after a crash
    async with bot.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Membership)) == 1
        assert await session.get(ProcessedUpdate, update.update_id) is not None
    assert len([m for m in nele.sim.messages if "Willkommen" in m.text]) == 1


async def test_handler_crash_rolls_back_and_tells_the_user(bot, monkeypatch):
    from handlers import language

    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")

    async def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(language.access, "set_locale", broken)
    await pia.send("/language")
    await pia.reply()
    await pia.tap("English")
    assert "etwas schiefgegangen. Es wurde nichts gespeichert" in (await pia.reply()).text
    async with bot.sessions() as session:
        assert await session.scalar(select(User.locale).where(User.id == pia.user_id)) == "de"


async def test_guessing_invitation_codes_is_slowed_down(bot):
    guesser = bot.stranger("Rate")
    for attempt in range(5):
        await guesser.send(f"/start guess{attempt:04d}xxxxxxxxxxxxxx")
        assert "ungültig" in (await guesser.reply()).text
    await guesser.send(f"/start {await _code(bot)}")  # even a right code must wait now
    assert "Zu viele Versuche" in (await guesser.reply()).text
    assert await _users(bot) == 0


async def test_a_flooding_user_is_cut_off_without_affecting_others(bot):
    flood = await bot.member("Flut", Role.PROVIDER, team="nord-a")
    calm = await bot.member("Ruhe", Role.PROVIDER, team="nord-a")
    for _ in range(40):
        await flood.send("/help")
    answered = [m for m in flood.sim.messages if "Was ich für Sie tun kann" in m.text]
    assert 25 <= len(answered) <= 35  # the burst passes, the rest is dropped
    await calm.send("/help")
    assert "Was ich für Sie tun kann" in (await calm.reply()).text


def _commands_in(text: str) -> set[str]:
    return set(re.findall(r"^/(\w+) – ", text, flags=re.MULTILINE))


async def test_who_logs_hours_follows_the_organisation_file(engine, clock, simulator, tmp_path):
    """An office that lets caseworkers log hours, but not networkers: /help, the command menu
    and /hours itself all follow the file's ``hours.roles``."""
    from bot.settings import DEFAULT_ORG_FILE
    from tests.support.harness import BotHarness

    shipped = DEFAULT_ORG_FILE.read_text(encoding="utf-8")
    assert "  roles: [provider, networker]\n" in shipped
    org_file = tmp_path / "org.yaml"
    org_file.write_text(shipped.replace("  roles: [provider, networker]\n",
                                        "  roles: [caseworker, provider]\n"))
    harness = BotHarness(engine, clock, simulator)
    await harness.start(org_file=org_file)
    try:
        for role, logs in [(Role.CASEWORKER, True), (Role.NETWORKER, False),
                           (Role.PROVIDER, True)]:
            person = harness.stranger("Kim")
            await person.send(f"/start {await _code(harness, role)}")
            welcome = (await person.reply()).text  # the welcome shows the help too
            await person.send("/help")
            menu = {c["command"] for c in simulator.commands_for(
                scope={"type": "chat", "chat_id": person.telegram_id})}
            for shown in (_commands_in(welcome), _commands_in((await person.reply()).text), menu):
                assert ("hours" in shown, "myhours" in shown) == (logs, logs), (role, shown)
            await person.send("/hours 2 fua heute")
            answer = (await person.reply()).text
            assert ("Zeit: 2 Std." in answer) is logs, answer
            assert ("Ihre Rolle erfasst keine Stunden" in answer) is not logs
    finally:
        await harness.stop()


async def test_edited_and_voice_messages_in_a_dialogue_change_nothing(bot, caplog):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/hours")
    await pia.reply()
    await pia.tap("Fallunabhängige Arbeit (FuA)")
    await pia.reply()
    await pia.send("2")
    typed = bot.sim.last_update_for(pia.telegram_id)["message"]["message_id"]
    assert "Für welchen Tag" in (await pia.reply()).text
    await bot.processed(await pia.sim.edit(typed, "4"))  # the edit is not taken as new input
    await bot.processed(await pia.sim.send_voice())
    assert (await pia.reply()).text == (
        "Ich verstehe nur Textnachrichten und Schaltflächen. /help zeigt, was Sie tun können.")
    await pia.send("heute")  # the dialogue goes on where it was
    assert "Notiz" in (await pia.reply()).text
    await pia.tap("Ohne Notiz")
    assert "Zeit: 2 Std." in (await pia.reply()).text
    await bot.processed(await pia.sim.edit(typed, "/hours 9 fua heute"))
    await pia.tap("💾 Speichern")
    assert "✅ Gespeichert: 2 Std. FuA" in (await pia.reply()).text
    await bot.processed(await pia.sim.send_voice())  # outside a dialogue: the same hint
    assert "nur Textnachrichten" in (await pia.reply()).text
    async with bot.sessions() as session:
        assert (await session.execute(select(HourEntry.minutes))).scalars().all() == [120]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [m for m in pia.sim.messages if "etwas schiefgegangen" in m.text]


async def _invite_link(inviter) -> str:
    """/invite → a provider for Nord A: the link of the new invitation."""
    await inviter.send("/invite")
    await inviter.reply()
    await inviter.tap("Fachkraft eines freien Trägers")
    await inviter.reply()
    await inviter.tap("Sozialraumteam Nord A")
    return re.search(r"https://t\.me/\S+", (await inviter.reply()).text).group(0)


async def test_invitation_links_use_the_configured_bot_username(bot):
    await bot.stop()
    await bot.start(telegram_bot_username="@Jugendamt_Sozialraum_bot")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    assert (await _invite_link(lea)).startswith("https://t.me/Jugendamt_Sozialraum_bot?start=")

    await bot.stop()
    await bot.start(telegram_bot_username=None)  # unset: the name the Bot API reports
    assert (await _invite_link(lea)).startswith("https://t.me/sozialraum_test_bot?start=")
