"""/contacts, inline mode and /team through the simulator, as members and strangers see them."""

from __future__ import annotations

from bot.services.organisation import import_organisation
from storage.models import Role

PESTALOZZI_PHONE = "+49-40-00000501"


async def test_search_opens_the_card_with_tappable_numbers_and_example_marks(bot):
    clara = await bot.member("Clara", Role.CASEWORKER, team="nord-a")
    await clara.send("/contacts pestaloz")
    card = await clara.reply()
    assert card.text.startswith("Pestalozzi Stiftung\n⚠️ Beispieldaten")
    assert "Angebote: stationär, ambulant" in card.text
    assert "Teams: stadtweit oder nicht angegeben" in card.text
    assert "👤 Beispiel-Ansprechperson – Regionalleitung (Beispiel)\n" in card.text
    assert f"☎️ {PESTALOZZI_PHONE} (Beispiel)\n" in card.text
    assert card.text.endswith("✉️ kontakt@pestalozzi.example.org (Beispiel)")
    assert card.phone_numbers == [PESTALOZZI_PHONE]  # Telegram makes it tappable
    assert card.emails == ["kontakt@pestalozzi.example.org"]
    assert card.button_labels == ["📇 Als Kontakt senden: Beispiel-Ansprechperson"]


async def test_result_list_opens_a_card_and_goes_back(bot):
    clara = await bot.member("Clara", Role.CASEWORKER, team="nord-a")
    await clara.send("/contacts stationär")
    listing = await clara.reply()
    assert listing.text.startswith("3 Träger passen zu „stationär“")
    assert listing.button_labels == [
        "Kinder- und Jugendheim St. Josef", "Pestalozzi Stiftung", "SOS Kinderdorf"]
    await clara.tap("SOS Kinderdorf")
    card = await clara.reply()
    assert card.edited and card.text.startswith("SOS Kinderdorf")
    await clara.tap("« Zurück zur Liste")
    assert (await clara.reply()).text == listing.text


async def test_empty_search_lists_all_providers_by_team_in_pages(bot):
    clara = await bot.member("Clara", Role.CASEWORKER, team="nord-a")
    await clara.send("/contacts")
    first = await clara.reply()
    assert first.text.startswith("Alle Träger nach Sozialraumteam")
    assert "Sozialraumteam Süd B (Glashütte, Harksheide-Süd)\n• Sozialwerk" in first.text
    assert "Stadtweit oder ohne Teamangabe" in first.text and "Seite 1 von 2" in first.text
    assert len(first.button_labels) == 9  # 8 providers and "More"
    await clara.tap("Weiter ▶")
    second = await clara.reply()
    assert "Seite 2 von 2" in second.text
    assert second.button_labels == ["Wiegmann Hilfen", "◀ Zurück"]
    # A page beyond the end (the directory shrank meanwhile) shows the last page.
    await clara.tap_data("ct:1:pg:1:7", message=second)
    assert clara.sim.messages[-1].text == second.text
    # A list the bot no longer remembers, and forged data, are refused with a hint.
    await clara.tap_data("ct:1:pg:99:0", message=second)
    await clara.tap_data("ct:1:p:abc", message=second)
    assert clara.alerts[-2:] == [
        "Diese Liste ist abgelaufen. Bitte suchen Sie erneut mit /contacts.",
        "Dieser Träger ist nicht mehr im Verzeichnis. Bitte suchen Sie erneut.",
    ]


async def test_send_as_contact_sends_one_real_contact_card(bot):
    clara = await bot.member("Clara", Role.CASEWORKER, team="nord-a")
    await clara.send("/contacts pestalozzi")
    card = await clara.reply()
    await clara.tap("📇 Als Kontakt senden: Beispiel-Ansprechperson", message=card)
    contact = (await clara.reply()).contact
    assert contact is not None
    assert contact["phone_number"] == "+494000000501"
    assert (contact["first_name"], contact["last_name"]) == (
        "Beispiel-Ansprechperson", "(Beispiel)")
    assert "ORG:Pestalozzi Stiftung" in contact["vcard"]
    assert "NOTE:Beispieldaten\\, keine echte Ansprechperson." in contact["vcard"]
    await clara.tap("📇 Als Kontakt senden: Beispiel-Ansprechperson", message=card)
    assert clara.alerts[-1] == "Diese Kontaktkarte wurde oben schon gesendet."
    assert sum(1 for m in clara.sim.messages if m.contact) == 1


async def test_no_match_says_so_and_offers_close_names(bot):
    clara = await bot.member("Clara", Role.CASEWORKER, team="nord-a")
    await clara.send("/contacts xyzzy")
    text = (await clara.reply()).text
    assert text.startswith("Kein Träger passt zu „xyzzy“.")
    assert "/contacts ohne Suchwort zeigt alle Träger" in text
    await clara.send("/contacts pestalozzi kinderdorf")
    reply = await clara.reply()
    assert "Meinten Sie einen dieser Träger?" in reply.text
    assert {"Pestalozzi Stiftung", "SOS Kinderdorf"} <= set(reply.button_labels)
    await clara.tap("SOS Kinderdorf")
    assert (await clara.reply()).text.startswith("SOS Kinderdorf")


async def test_odd_input_is_answered_safely(bot):
    clara = await bot.member("Clara", Role.CASEWORKER, team="nord-a")
    for query in ["<b>Pest</b> & <i>", "😀🎉", "\x07\u202e\u200bpestalozzi", "x" * 4086,
                  "&lt;script&gt;"]:
        await clara.send(f"/contacts {query}")
        reply = await clara.reply()
        assert "Etwas ist schiefgelaufen" not in reply.text
    assert clara.sim.messages[0].text.startswith("Kein Träger passt zu „<b>Pest</b> & <i>“")
    assert clara.sim.messages[2].text.startswith("Pestalozzi Stiftung")
    assert len(clara.sim.messages[3].text) < 400  # a 4,096-character query is cut, not echoed
    assert "„&lt;script&gt;“" in clara.sim.messages[4].text


async def test_english_user_gets_english_cards(bot):
    sam = await bot.member("Sam", Role.PROVIDER, team="sued-b", locale="en")
    await sam.send("/contacts familienzentrum glashütte")
    card = (await sam.reply()).text
    assert card.startswith("Sozialwerk (Träger des Familienzentrum Glashütte)\n⚠️ Example data")
    assert "Operator of the Familienzentrum Glashütte" in card
    assert "Services: family centre, case-independent work (FuA)" in card
    assert "Teams: Sozialraumteam Süd B (Glashütte, Harksheide-Süd)" in card
    await sam.send("/contacts")
    assert (await sam.reply()).text.startswith("All providers by Sozialraumteam")


async def test_inline_mode_lists_cards_and_contacts_for_members(bot):
    clara = await bot.member("Clara", Role.CASEWORKER, team="nord-a")
    results = await clara.inline("pestalozzi")
    article, person = results
    assert article["type"] == "article" and article["title"] == "Pestalozzi Stiftung"
    assert article["description"] == "stationär, ambulant · stadtweit oder nicht angegeben · " \
        "Beispieldaten"
    pasted = article["input_message_content"]
    assert pasted["parse_mode"] == "HTML" and "⚠️ Beispieldaten" in pasted["message_text"]
    assert PESTALOZZI_PHONE in pasted["message_text"]
    assert person["type"] == "contact" and person["phone_number"] == "+494000000501"
    assert person["last_name"] == "(Beispiel)"
    answer = clara.sim.last_inline_answer
    assert answer is not None and answer["is_personal"] is True and answer["cache_time"] == 0
    everyone = await clara.inline("")
    assert len([r for r in everyone if r["type"] == "article"]) == 9


async def test_inline_mode_pages_past_fifty_results(bot, org):
    many = org.model_copy(update={"providers": [
        *org.providers,
        *(org.providers[0].model_copy(update={"key": f"traeger-{n}", "name": f"Träger {n}"})
          for n in range(30)),
    ]})
    async with bot.sessions() as session, session.begin():
        await import_organisation(session, many)
    clara = await bot.member("Clara", Role.CASEWORKER, team="nord-a")
    first = await clara.inline("träger")
    offset = clara.sim.last_inline_answer["next_offset"]
    assert len(first) <= 50 and offset
    rest = await clara.inline("träger", offset=offset)
    assert clara.sim.last_inline_answer.get("next_offset", "") == ""
    titles = [r["title"] for r in first + rest if r["type"] == "article"]
    assert len(titles) == len(set(titles)) and {f"Träger {n}" for n in range(30)} <= set(titles)


async def test_strangers_and_group_chats_see_no_contact_data(bot):
    stranger = bot.stranger("Fremd")
    results = await stranger.inline("pestalozzi")
    assert results == [{"button": {"text": "Bot öffnen", "start_parameter": "help"}}]
    await stranger.send("/contacts pestalozzi")
    assert "nur eingeladenen Mitgliedern" in (await stranger.reply()).text
    clara = await bot.member("Clara", Role.CASEWORKER, team="nord-a")
    group = clara.sim.in_group(-100777, "Team Nord A")
    await bot.processed(await group.send("/contacts pestalozzi"))
    text = (await group.reply()).text
    assert "nur im privaten Chat" in text and "+49" not in text
    await bot.processed(await group.send("/team"))
    assert "nur im privaten Chat" in (await group.reply()).text


async def test_reimport_shows_at_once(bot, org):
    clara = await bot.member("Clara", Role.CASEWORKER, team="nord-a")
    renamed = org.model_copy(update={"providers": [
        p.model_copy(update={"name": "Wiegmann Jugendhilfe"}) if p.key == "wiegmann-hilfen"
        else p for p in org.providers]})
    async with bot.sessions() as session, session.begin():
        await import_organisation(session, renamed)
    await clara.send("/contacts wiegmann")
    assert (await clara.reply()).text.startswith("Wiegmann Jugendhilfe")


async def test_team_page_shows_members_seats_and_meeting(bot):
    clara = await bot.member("Clara", Role.CASEWORKER, team="nord-a")
    await bot.member("Paula", Role.PROVIDER, team="nord-a")
    await bot.member("<Nils>", Role.NETWORKER, team="nord-a")
    await bot.member("Lena", Role.LEAD, region="nord")
    await bot.member("Sven", Role.CASEWORKER, team="sued-a")
    await clara.send("/team")
    text = (await clara.reply()).text
    assert text.startswith("Sozialraumteam Nord A · Region Nord\n"
                           "Stadtteile: Friedrichsgabe, Harksheide-Nord")
    assert "Fachkräfte im ASD (1 von 2): Clara" in text
    assert "Netzwerker/innen (1 von 1): <Nils>" in text
    assert "Fachkräfte freier Träger (1 von 3): Paula" in text
    assert "Regionalleitung: Lena" in text and "Sven" not in text
    assert "stationär: in der Organisationsdatei noch nicht vergeben" in text
    assert ("Kollegiale Beratung Sozialraumteam Nord A: jeden Dienstag, 09:00 Uhr, 120 Min. "
            "(Beispiel)") in text


async def test_team_pages_are_for_the_team_its_lead_and_admins(bot):
    lena = await bot.member("Lena", Role.LEAD, region="nord", locale="en")
    await lena.send("/team")
    picker = await lena.reply()
    assert picker.button_labels == ["Sozialraumteam Nord A", "Sozialraumteam Nord B"]
    await lena.tap("Sozialraumteam Nord B")
    assert "Districts: Harksheide-Mitte, Norderstedt-Mitte" in (await lena.reply()).text
    sven = await bot.member("Sven", Role.CASEWORKER, team="sued-a")
    await sven.send("/team")
    shown = await sven.reply()
    nord_a = picker.buttons[0][0].callback_data
    await sven.tap_data(nord_a, message=shown)
    assert sven.alerts[-1] == "Sie können nur die Seiten Ihrer eigenen Teams sehen."
    assert sven.sim.messages[-1].text == shown.text


def _org_with_seats(tmp_path):
    """The shipped file with nord-a's seats filled, an address, opening hours and seat holders."""
    import yaml

    from bot.settings import DEFAULT_ORG_FILE

    raw = yaml.safe_load(DEFAULT_ORG_FILE.read_text(encoding="utf-8"))
    nord_a = raw["regions"][0]["teams"][0]
    nord_a["seats"] = [{"kind": "stationaer", "provider": "pestalozzi"},
                       {"kind": "ambulant", "provider": "freiraeume"}, {"kind": "fua_fuea"}]
    providers = {p["key"]: p for p in raw["providers"]}
    pestalozzi = providers["pestalozzi"]
    pestalozzi.update(address="Beispielweg 1, 22846 Norderstedt",
                      opening_hours="Mo–Fr 9–16 Uhr", teams=["nord-a"])
    pestalozzi["contacts"] = [
        {"key": "muster", "name": "Anna Muster", "function": "Teamleitung",
         "seat": {"team": "nord-a", "kind": "stationaer"}},
        *pestalozzi["contacts"],
    ]
    providers["freiraeume"]["contacts"][0]["seat"] = {"team": "nord-a", "kind": "ambulant"}
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return raw, path


async def test_seats_and_their_holders_show_on_the_team_page_and_the_card(bot, tmp_path):
    from bot.services.organisation import load_org_file

    _, path = _org_with_seats(tmp_path)
    async with bot.sessions() as session, session.begin():
        await import_organisation(session, load_org_file(path))
    clara = await bot.member("Clara", Role.CASEWORKER, team="nord-a")
    await clara.send("/team")
    text = (await clara.reply()).text
    assert "stationär: Pestalozzi Stiftung – Anna Muster\n" in text
    assert "ambulant: Freiräume – Beispiel-Ansprechperson (Beispiel)\n" in text
    assert "FüA/FuA: in der Organisationsdatei noch nicht vergeben" in text

    await clara.send("/contacts pestalozzi")
    card = (await clara.reply()).text
    assert "Adresse: Beispielweg 1, 22846 Norderstedt" in card
    assert "Öffnungszeiten: Mo–Fr 9–16 Uhr" in card
    assert "Sitz im Sozialraumteam Nord A: stationär" in card  # the provider's seat
    assert "👤 Anna Muster – Teamleitung · Sitz im Sozialraumteam Nord A: stationär" in card
    assert "👤 Beispiel-Ansprechperson – Regionalleitung (Beispiel)\n" in card  # holds none


def test_a_contact_can_only_hold_a_seat_of_its_own_provider(tmp_path):
    import pytest
    import yaml

    from bot.services.organisation import OrgFileError, load_org_file

    raw, path = _org_with_seats(tmp_path)
    providers = {p["key"]: p for p in raw["providers"]}
    providers["sos-kinderdorf"]["contacts"][0]["seat"] = {"team": "nord-a", "kind": "stationaer"}
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(OrgFileError, match="does not give to sos-kinderdorf"):
        load_org_file(path)


async def test_a_search_with_many_results_pages_forth_and_back(bot, org):
    many = org.model_copy(update={"providers": [
        *org.providers,
        *(org.providers[0].model_copy(update={"key": f"jugendhilfe-{n:02}",
                                              "name": f"Jugendhilfe {n:02}"})
          for n in range(12)),
    ]})
    async with bot.sessions() as session, session.begin():
        await import_organisation(session, many)
    clara = await bot.member("Clara", Role.CASEWORKER, team="nord-a")
    await clara.send("/contacts jugendhilfe")
    first = await clara.reply()
    assert first.text.startswith("12 Träger passen zu „jugendhilfe“")
    assert "Seite 1 von 2" in first.text
    assert first.button_labels == [f"Jugendhilfe {n:02}" for n in range(8)] + ["Weiter ▶"]
    await clara.tap("Weiter ▶", message=first)
    second = await clara.reply()
    assert "Seite 2 von 2" in second.text
    assert second.button_labels == [f"Jugendhilfe {n:02}" for n in range(8, 12)] + ["◀ Zurück"]
    await clara.tap("Jugendhilfe 10", message=second)
    assert (await clara.reply()).text.startswith("Jugendhilfe 10")
    await clara.tap("« Zurück zur Liste")
    assert (await clara.reply()).text == second.text  # back to the page it came from
    await clara.tap("◀ Zurück")
    assert (await clara.reply()).text == first.text


async def test_a_name_match_is_listed_apart_from_and_above_providers_serving_the_district(bot):
    clara = await bot.member("Clara", Role.CASEWORKER, team="nord-a")
    await clara.send("/contacts Glashuette")
    first = await clara.reply()
    assert first.text.startswith("9 Träger passen zu „Glashuette“\n\n"
                                 "Treffer im Namen\n"
                                 "• Sozialwerk (Träger des Familienzentrum Glashütte)\n\n"
                                 "Im Sozialraum Glashütte tätig\n• Evang. Familienbildung")
    assert first.button_labels[0] == "Sozialwerk (Träger des Familienzentrum Glashütte)"
    await clara.tap("Weiter ▶", message=first)
    second = await clara.reply()  # the section's heading is repeated on the next page
    assert "Im Sozialraum Glashütte tätig\n• Wiegmann Hilfen" in second.text
    assert "Treffer im Namen" not in second.text
    articles = [r for r in await clara.inline("Glashuette") if r["type"] == "article"]
    assert articles[0]["title"] == "Sozialwerk (Träger des Familienzentrum Glashütte)"
    assert articles[0]["description"].startswith("Treffer im Namen · ")
    assert all(a["description"].startswith("Im Sozialraum Glashütte tätig · ")
               for a in articles[1:]) and len(articles) == 9
