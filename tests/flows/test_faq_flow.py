"""The FAQ through the simulator: answers, did-you-mean, feedback, passing a question to a
lead and back, turning the answer into an entry, reload and statistics; German and English."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from bot.services.organisation import import_organisation, load_org_file
from bot.settings import DEFAULT_FAQ_DIR, DEFAULT_ORG_FILE
from storage.models import FaqChatEntry, FaqFeedback, FaqQuestion, Role


async def _count(bot, model) -> int:
    async with bot.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_confident_answer_with_feedback_once_per_user(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("wie viele stunden haben wir pro woche für fua")
    answer = await pia.reply()
    assert "18 Stunden für kollegiale Beratung im Vorfeld und 8 Stunden für FuA" in answer.text
    assert "Passende Befehle: /week /hours" in answer.text
    assert answer.button_labels == ["👍 Hilfreich", "👎 Nicht hilfreich"]
    await pia.tap("👍 Hilfreich")
    assert "Danke für Ihre Rückmeldung" in (await pia.reply()).text
    await pia.tap_data(answer.buttons[0][1].callback_data, message=answer)  # 👎 on the same answer
    assert "es zählt Ihre erste Bewertung" in (await pia.reply()).text
    async with bot.sessions() as session:
        ratings = (await session.scalars(select(FaqFeedback))).all()
    assert [(r.entry_key, r.helpful) for r in ratings] == [("hour-quota", True)]


async def test_answers_come_in_the_users_language_whatever_language_the_question(bot):
    sam = await bot.member("Sam", Role.PROVIDER, team="sued-b", locale="en")
    await sam.send("Wer entscheidet über FuA-Anträge?")
    text = (await sam.reply()).text
    assert "The region's regional lead decides" in text and "Related: /budget" in text
    clara = await bot.member("Clara", Role.CASEWORKER, team="nord-a")
    await clara.send("what is the difference between FuA and FüA")
    assert "FüA (fallübergreifend): Was aus mehreren Fällen" in (await clara.reply()).text
    await clara.send("Steurungsgruppe wie oft getroffen")  # a typo, German word order
    assert "bislang 18-mal getagt" in (await clara.reply()).text


async def test_districts_teams_and_regions_are_answered_from_the_organisation(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("Glashütte gehört zu welcher Region?")
    answer = await pia.reply()
    assert "Für Glashütte ist das Sozialraumteam Süd B zuständig (Region Süd)." in answer.text
    assert "4 ASD-Fachkräfte, 1 Netzwerker und 3 Fachkräfte freier Träger" in answer.text
    assert answer.button_labels == ["👍 Hilfreich", "👎 Nicht hilfreich"]
    await pia.send("wie viele ASDler hat Nord A?")
    assert "Besetzung: 2 ASD-Fachkräfte" in (await pia.reply()).text
    await pia.send("Wie viele Regionen gibt es?")
    assert "Es gibt 2 Regionen mit zusammen 4 Sozialraumteams" in (await pia.reply()).text
    sam = await bot.member("Sam", Role.PROVIDER, team="sued-b", locale="en")
    await sam.send("which team does harksheide sued belong to")
    assert ("Harksheide-Süd is covered by Sozialraumteam Süd B (Region Süd)."
            in (await sam.reply()).text)


async def test_an_imported_organisation_changes_the_answers_at_once(bot, tmp_path: Path):
    """As ``sozialraum-bot org import`` does, from another process, while the bot runs."""
    pia = await bot.member("Pia", Role.PROVIDER, team="sued-a")
    await pia.send("wieviele asd leute sind in garstedt")
    assert "3 ASD-Fachkräfte" in (await pia.reply()).text
    changed = tmp_path / "org.yaml"
    changed.write_text(DEFAULT_ORG_FILE.read_text(encoding="utf-8").replace(
        "districts: [Garstedt]\n        composition: {caseworker: 3,",
        "districts: [Garstedt, Garstedt-Ost]\n        composition: {caseworker: 5,"),
        encoding="utf-8")
    async with bot.sessions() as session, session.begin():
        await import_organisation(session, load_org_file(changed))
    await pia.send("wieviele asd leute sind in garstedt")
    assert "5 ASD-Fachkräfte" in (await pia.reply()).text
    await pia.send("welches team ist für garstedt-ost zuständig")
    answer = (await pia.reply()).text
    assert "Für Garstedt-Ost ist das Sozialraumteam Süd A zuständig (Region Süd)." in answer
    assert "Stadtteile: Garstedt und Garstedt-Ost" in answer


async def test_did_you_mean_offers_three_entries_and_shows_the_chosen_one(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("Was ist mit dem Geld?")
    unsure = await pia.reply()
    assert unsure.text.startswith("Ich bin nicht sicher, was Sie meinen. Meinten Sie")
    assert unsure.button_labels == [
        "Gibt es ein Budget für FuA, und wie hoch ist es?",
        "Hat jedes Sozialraumteam ein eigenes Budget?",
        "Wie beantrage ich Geld aus dem FuA-Budget?",
        "Keine davon – Frage weitergeben",
    ]
    await pia.tap("Wie beantrage ich Geld aus dem FuA-Budget?")
    shown = await pia.reply()
    assert shown.edited and "Mit /budget → „Neuer Antrag“" in shown.text
    assert "👍 Hilfreich" in shown.button_labels
    async with bot.sessions() as session:
        question = await session.scalar(select(FaqQuestion))
    assert (question.outcome, question.entry_key) == ("unsure", "fua-budget-request")


async def test_no_match_goes_to_the_lead_and_the_answer_becomes_an_entry(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    leo = await bot.member("Leo", Role.LEAD, region="nord")
    sven = await bot.member("Sven", Role.LEAD, region="sued")
    await pia.send("Gibt es Parkplätze am Rathaus?")
    none = await pia.reply()
    assert "Dazu hat die FAQ leider keine Antwort" in none.text
    await pia.tap("Frage weitergeben", message=none)
    await pia.tap("Frage weitergeben", message=none)  # an impatient second tap
    assert "Ich habe Ihre Frage weitergegeben" in (await pia.reply()).text
    assert "Sie haben diese Frage bereits weitergegeben" in (await pia.reply()).text

    card = await lea.reply()
    assert "Frage von Pia (Sozialraumteam Nord A)" in card.text
    assert "„Gibt es Parkplätze am Rathaus?“" in card.text
    leo_card = await leo.reply()
    assert lea.sim.unread == 0 and leo.sim.unread == 0 and sven.sim.unread == 0  # none south
    await sven.send("/help")
    await sven.reply()
    await sven.tap_data(card.buttons[0][0].callback_data)  # a lead of another region
    assert "nur die Regionalleitung der fragenden Person" in (await sven.reply()).text

    await lea.tap("✍️ Antworten", message=card)
    assert "Bitte schreiben Sie Ihre Antwort" in (await lea.reply()).text
    await lea.send("Ja, hinter dem Rathaus gibt es Stellplätze für Dienstfahrzeuge.")
    told = await pia.reply()
    assert "Lea hat Ihre Frage „Gibt es Parkplätze am Rathaus?“ beantwortet" in told.text
    assert "hinter dem Rathaus gibt es Stellplätze" in told.text
    updates = [await lea.reply(), await lea.reply()]
    assert any("✅ Beantwortet von Lea" in m.text for m in updates)
    offer = next(m for m in updates if "In die FAQ aufnehmen" in str(m.button_labels))
    assert "✅ Beantwortet von Lea" in (await leo.reply()).text and leo_card.buttons
    await leo.tap("✍️ Antworten", message=leo_card)  # too late: Lea answered
    assert "bereits beantwortet" in (await leo.reply()).text

    await lea.tap("➕ In die FAQ aufnehmen", message=offer)
    assert "In die FAQ aufgenommen" in (await lea.reply()).text
    await lea.tap("➕ In die FAQ aufnehmen", message=offer)
    assert "steht bereits in der FAQ" in (await lea.reply()).text
    assert await _count(bot, FaqChatEntry) == 1

    nils = await bot.member("Nils", Role.NETWORKER, team="nord-b")
    await nils.send("parkplätze rathaus?")
    answer = await nils.reply()
    assert "hinter dem Rathaus gibt es Stellplätze" in answer.text
    assert "👍 Hilfreich" in answer.button_labels


async def test_not_helpful_offers_to_pass_the_question_on_in_english(bot):
    sam = await bot.member("Sam", Role.PROVIDER, team="sued-b", locale="en")
    leo = await bot.member("Leo", Role.LEAD, region="sued", locale="en")
    await sam.send("how do I log my hours")
    assert "With /hours" in (await sam.reply()).text
    await sam.tap("👎 Not helpful")
    after = await sam.reply()
    assert "Thank you for your feedback. Shall I pass your question on" in after.text
    await sam.tap("Pass my question on")
    assert "I have passed your question on" in (await sam.reply()).text
    card = await leo.reply()
    assert "Question from Sam (Sozialraumteam Süd B)" in card.text


async def test_dialogues_get_their_text_first(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/budget")
    await pia.reply()
    await pia.tap("Neuer Antrag")
    await pia.reply()
    await pia.send("250")
    await pia.reply()
    await pia.send("Wer entscheidet über FuA-Anträge?")  # the title, not a question
    assert "Wofür" in (await pia.reply()).text
    await pia.send("/cancel")
    await pia.reply()
    await pia.send("/hours")
    await pia.reply()
    await pia.tap("Fallunabhängige Arbeit (FuA)")
    await pia.reply()
    await pia.send("1,5")  # the time of the entry
    assert "Für welchen Tag" in (await pia.reply()).text
    await pia.send("/cancel")
    await pia.reply()
    await pia.send("Wer entscheidet über FuA-Anträge?")  # no dialogue any more: a question
    assert "Die Regionalleitung der Region entscheidet" in (await pia.reply()).text
    assert await _count(bot, FaqQuestion) == 1


async def test_personal_data_and_empty_talk_are_not_stored(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("Bekommt Familie Yilmaz jetzt die Hilfe?")
    assert "personenbezogenen Daten" in (await pia.reply()).text
    await pia.send("Danke!")
    assert "Das habe ich nicht verstanden" in (await pia.reply()).text
    await pia.send("x" * 4097)  # more than one Telegram message: only a forged update
    assert "4097 Zeichen" in (await pia.reply()).text
    assert await _count(bot, FaqQuestion) == 0


async def test_forged_buttons_change_nothing(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    paul = await bot.member("Paul", Role.PROVIDER, team="nord-a")
    await pia.send("Gibt es Parkplätze am Rathaus?")
    await pia.reply()
    async with bot.sessions() as session:
        question_id = await session.scalar(select(FaqQuestion.id))
    for data in (f"faq:1:fwd:{question_id}", f"faq:1:rate:{question_id}:1",
                 f"faq:1:pick:{question_id}:hour-quota"):
        await paul.tap_data(data)
        assert "Das kann nur die Person, die gefragt hat" in (await paul.reply()).text
    await paul.tap_data(f"faq:1:ans:{question_id}")  # not passed on, and Paul is no lead
    assert "gibt es nicht" in (await paul.reply()).text
    await pia.tap_data(f"faq:1:pick:{question_id}:hour-quota")  # not one of the suggestions
    assert "nicht mehr gültig" in (await pia.reply()).text
    await pia.tap_data("faq:9:rate:1:1")
    assert "nicht mehr gültig" in (await pia.reply()).text
    async with bot.sessions() as session:
        question = await session.get(FaqQuestion, question_id)
    assert question.forwarded_at is None and question.entry_key is None
    assert await _count(bot, FaqFeedback) == 0


async def test_faq_command_offers_the_most_asked_questions(bot):
    sam = await bot.member("Sam", Role.PROVIDER, team="sued-b", locale="en")
    await sam.send("/faq")
    offer = await sam.reply()
    assert "just type your question in your own words" in offer.text
    assert len(offer.button_labels) == 5
    assert offer.button_labels[0].startswith('What does "Sozialraumorientierung" mean')
    await sam.send("/faq how many hours per week for FuA?")
    assert "18 hours per week in total" in (await sam.reply()).text
    await sam.send("/faq")
    offer = await sam.reply()
    assert offer.button_labels[0].startswith("How many hours per week do the provider staff")
    await sam.tap(offer.button_labels[0])
    answer = await sam.reply()
    assert not answer.edited and "18 hours per week in total" in answer.text
    assert answer.button_labels == ["👍 Helpful", "👎 Not helpful"]


async def test_reload_and_statistics_for_admins(engine, clock, simulator, tmp_path: Path):
    from tests.support.harness import BotHarness

    faq_dir = tmp_path / "faq"
    shutil.copytree(DEFAULT_FAQ_DIR, faq_dir)
    harness = BotHarness(engine, clock, simulator)
    await harness.start(faq_dir=faq_dir)
    try:
        ada = await harness.member("Ada", Role.ADMIN)
        pia = await harness.member("Pia", Role.PROVIDER, team="nord-a")
        await pia.send("/faq_reload")
        assert "steht Ihrer Rolle nicht zur Verfügung" in (await pia.reply()).text

        german = faq_dir / "de.yaml"
        original = german.read_text(encoding="utf-8")
        german.write_text(original.replace("  - id: what-is-fua\n", "  - id: What Is FuA\n"),
                          encoding="utf-8")
        await ada.send("/faq_reload")
        refused = (await ada.reply()).text
        assert "bisherige Fassung bleibt aktiv" in refused
        assert "de.yaml: entries[What Is FuA].id" in refused
        await pia.send("Was bedeutet FuA?")
        assert "fallunabhängige Arbeit" in (await pia.reply()).text  # the old index answers

        german.write_text(original.replace(
            "Was ist FuA – fallunabhängige Arbeit?", "Was genau ist FuA (fallunabhängige Arbeit)?"
        ), encoding="utf-8")
        await ada.send("/faq_reload")
        assert ("FAQ neu geladen: 58 Einträge aus den Dateien, 14 aus der Organisation, 0 im "
                "Chat") in (await ada.reply()).text
        await pia.send("Was bedeutet FuA?")
        fua = await pia.reply()
        assert "Was genau ist FuA" in fua.text
        await pia.tap("👎 Nicht hilfreich")
        await pia.reply()
        await pia.send("Wann ist die Weihnachtsfeier?")
        await pia.reply()

        await ada.send("/faq_stats")
        stats = (await ada.reply()).text
        assert "Am häufigsten gefragt\n2× Was genau ist FuA" in stats
        assert ("Nicht in der FAQ gefunden: 1\n"
                "• Wann ist die Weihnachtsfeier? (nicht weitergegeben)") in stats
        assert "1× 👎 / 0× 👍 Was genau ist FuA" in stats
    finally:
        await harness.stop()


async def test_questions_naming_a_speaker_or_families_in_general_are_answered(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("Worüber hat Frau Dr. Lüttringhaus referiert?")  # the FAQ prints her name
    answer = await pia.reply()
    assert "Vortrag von Frau Dr. Lüttringhaus" in answer.text
    assert "👍 Hilfreich" in answer.button_labels
    await pia.send("Wer entscheidet ob ne Familie Hilfe bekommt, der ASD oder das Team?")
    answer = await pia.reply()
    assert "Entscheidungen über Einzelfallhilfen (Hilfen zur Erziehung) bleiben beim ASD" in (
        answer.text)
    await pia.send("Familie Yilmaz aus Garstedt braucht Hilfe, was tun?")  # a real family
    assert "personenbezogenen Daten" in (await pia.reply()).text
    async with bot.sessions() as session:
        texts = (await session.scalars(select(FaqQuestion.text))).all()
    assert not any("Yilmaz" in text for text in texts) and len(texts) == 2


async def test_a_long_rambling_question_is_answered(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    question = (
        "Ich habe mal eine Frage zum Geld: Wir möchten im Stadtteil im Sommer ein kleines "
        "Nachbarschaftsfest mit den Familien organisieren, dafür bräuchten wir ein paar hundert "
        "Euro für Essen und Spiele. Wie beantrage ich das Geld aus dem FuA-Budget und wer muss "
        "das dann genehmigen, bevor wir loslegen können?"
    )
    assert len(question) > 300
    await pia.send(question)
    answer = await pia.reply()
    assert "Mit /budget → „Neuer Antrag“" in answer.text
    assert "👍 Hilfreich" in answer.button_labels


async def test_salary_is_not_answered_with_confidence(bot):
    pia = await bot.member("Pia", Role.CASEWORKER, team="sued-a")
    await pia.send("wie viel verdient man als asd fachkraft hier")
    reply = await pia.reply()
    assert "👍 Hilfreich" not in reply.button_labels  # no answer given as if it were one
    assert reply.text.startswith(("Ich bin nicht sicher", "Dazu hat die FAQ leider keine"))


async def test_only_questions_about_the_work_are_offered_to_the_lead(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    await pia.send("Wie wird das Wetter morgen?")
    off_topic = await pia.reply()
    assert "Ich kann nur Fragen zur Arbeit in den Sozialräumen beantworten" in off_topic.text
    assert "/help" in off_topic.text and off_topic.button_labels == []
    await pia.send("Wann ist die Weihnachtsfeier des Jugendamts?")
    on_topic = await pia.reply()
    assert "Dazu hat die FAQ leider keine Antwort" in on_topic.text
    await pia.tap("Frage weitergeben", message=on_topic)
    assert "Ich habe Ihre Frage weitergegeben" in (await pia.reply()).text
    assert "„Wann ist die Weihnachtsfeier des Jugendamts?“" in (await lea.reply()).text
    sam = await bot.member("Sam", Role.PROVIDER, team="sued-b", locale="en")
    await sam.send("whats the wether like tomorrow")
    assert "I can only answer questions about the work" in (await sam.reply()).text
