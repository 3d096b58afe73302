"""Search quality: queries as caseworkers type them → the provider they are looking for.

Runs on the shipped organisation (SQLite, and PostgreSQL with TEST_DATABASE_URL), plus a
variant in which Pestalozzi serves Nord A, to show that district names find the providers
tied to them before the city-wide ones – and that a re-import shows in the next search.
"""

from __future__ import annotations

import pytest

from bot.services import contacts
from bot.services.contacts.normalize import fold, terms
from bot.services.contacts.phones import parse_phone
from bot.services.contacts.vcard import vcard
from bot.services.organisation import import_organisation

PESTALOZZI = "Pestalozzi Stiftung"
ST_JOSEF = "Kinder- und Jugendheim St. Josef"
SOZIALWERK = "Sozialwerk (Träger des Familienzentrum Glashütte)"
EVANG = "Evang. Familienbildung"
SOS = "SOS Kinderdorf"
VICELIN = "Kirchengemeinde Vicelin/Schalom (Träger des Lichtblick)"

# query → the provider that must come first
TOP_HIT = [
    ("Pestalozzi", PESTALOZZI),
    ("pestalozzi", PESTALOZZI),
    ("PESTALOZZI STIFTUNG", PESTALOZZI),
    ("pestaloz", PESTALOZZI),  # a prefix
    ("pestalozi", PESTALOZZI),  # a typo
    ("Pestalozzi-Stiftung", PESTALOZZI),
    ("st josef", ST_JOSEF),
    ("St.-Josef", ST_JOSEF),
    ("St. Josef", ST_JOSEF),
    ("Sankt Josef", ST_JOSEF),
    ("jugendheim", ST_JOSEF),
    ("Kinder- und Jugendheim", ST_JOSEF),
    ("Familienzentrum Glashuette", SOZIALWERK),  # ü written out
    ("Familienzentrum Glashütte", SOZIALWERK),
    ("familienzentrum glashutte", SOZIALWERK),  # umlaut dropped
    ("Glashütte", SOZIALWERK),  # a district in the name and in its team
    ("zentrum", SOZIALWERK),  # part of a compound word
    ("sozialwerk", SOZIALWERK),
    ("Harksheide-Süd", SOZIALWERK),  # a district of the team it serves
    ("harksheide sued", SOZIALWERK),
    ("Süd B", SOZIALWERK),  # its team
    ("evang", EVANG),  # an abbreviation
    ("Evangelische Familienbildung", EVANG),  # the data abbreviates
    ("familienbildung", EVANG),
    ("sos", SOS),
    ("SOS-Kinderdorf", SOS),
    ("kinderdorf", SOS),
    ("kinderdorff", SOS),  # a typo
    ("iuvo", "IUVO"),
    ("wiegman", "Wiegmann Hilfen"),
    ("Wigmann", "Wiegmann Hilfen"),  # a typo
    ("Freiräume", "Freiräume"),
    ("freiraeume", "Freiräume"),
    ("freiraume", "Freiräume"),
    ("lichtblick", VICELIN),
    ("Vicelin", VICELIN),
    ("schalom", VICELIN),
    ("heimleitung", ST_JOSEF),  # a contact person's function
    ("Wer ist bei der Pestalozzi Stiftung zuständig?", PESTALOZZI),  # plain words
]

# query → every provider that must be among the hits (services, German and English)
ALL_OF = [
    ("stationär", {SOS, ST_JOSEF, PESTALOZZI}),
    ("stationaer", {SOS, ST_JOSEF, PESTALOZZI}),
    ("residential", {SOS, ST_JOSEF, PESTALOZZI}),
    ("ambulant", {SOS, "Wiegmann Hilfen", "IUVO", PESTALOZZI, "Freiräume"}),
    ("FuA", {"Freiräume", SOZIALWERK, EVANG, VICELIN}),
    ("family centre", {SOZIALWERK}),
]


@pytest.mark.parametrize(("query", "expected"), TOP_HIT)
async def test_the_provider_meant_comes_first(session, query, expected):
    result = await contacts.search(session, query)
    assert result.hits, f"{query!r}: no hits"
    assert result.hits[0].label == expected, [h.label for h in result.hits]


@pytest.mark.parametrize(("query", "expected"), ALL_OF)
async def test_services_find_every_provider_offering_them(session, query, expected):
    result = await contacts.search(session, query)
    assert {hit.label for hit in result.hits} == expected


async def test_a_district_lists_its_own_providers_before_city_wide_ones(session, org):
    tied = org.model_copy(update={"providers": [
        p.model_copy(update={"teams": ["nord-a"]}) if p.key == "pestalozzi" else p
        for p in org.providers
    ]})
    await import_organisation(session, tied)
    await session.flush()
    result = await contacts.search(session, "Friedrichsgabe")
    assert result.hits[0].label == PESTALOZZI
    # City-wide providers serve Friedrichsgabe too, after it; Sozialwerk serves only Süd B.
    assert SOS in {h.label for h in result.hits[1:]}
    assert SOZIALWERK not in {h.label for h in result.hits}
    assert result.hits[0].score > result.hits[1].score


async def test_no_match_says_so_and_suggests_close_names(session):
    nothing = await contacts.search(session, "xyzzy")
    assert nothing.hits == [] and nothing.suggestions == []
    two = await contacts.search(session, "pestalozzi kinderdorf")
    assert two.hits == []
    assert {s.label for s in two.suggestions} >= {PESTALOZZI, SOS}


@pytest.mark.parametrize("query", ["😀", "<b>&amp;", "\x00\x07\u202e", "a", "-", "ü" * 4096])
async def test_odd_input_finds_nothing_and_breaks_nothing(session, query):
    result = await contacts.search(session, query)
    assert result.hits == []
    assert len(result.query) <= contacts.directory.MAX_QUERY_CHARS
    assert "\x00" not in result.query and "\u202e" not in result.query


async def test_a_reimport_shows_in_the_next_search(session, org):
    renamed = org.model_copy(update={"providers": [
        p.model_copy(update={"name": "Pestalozzi-Stiftung Hamburg"}) if p.key == "pestalozzi"
        else p
        for p in org.providers if p.key != "iuvo"
    ]})
    await import_organisation(session, renamed)
    await session.flush()
    assert (await contacts.search(session, "pestalozzi")).hits[0].label == (
        "Pestalozzi-Stiftung Hamburg")
    assert (await contacts.search(session, "iuvo")).hits == []  # deactivated


async def test_empty_search_groups_every_provider_by_team(session):
    groups = await contacts.by_team(session)
    assert [(g.team.name if g.team else None) for g in groups] == ["Sozialraumteam Süd B", None]
    assert [name for _, name in groups[0].providers] == [SOZIALWERK]
    assert len(groups[1].providers) == 8


def test_folding_treats_case_umlauts_and_punctuation_alike():
    assert fold("St.-Josef") == fold("st josef") == "st josef"
    assert fold("Glashütte") == fold("GLASHÜTTE") == fold("Glashuette") == "glashuette"
    assert fold("Straße") == fold("STRASSE") == "strasse"
    assert fold("Crème brûlée") == "creme brulee"
    assert fold("😀 <b>Süd</b>\x00") == "b sued b"
    assert {"glashuette", "glashutte"} <= terms("Glashütte")


def test_phone_numbers_become_dialable_whatever_the_file_wrote():
    assert parse_phone("040 / 52 60 12-0").tappable == "+49-40-5260120"
    assert parse_phone("+49 (0)40 1234567").e164 == "+49401234567"
    odd = parse_phone("12")
    assert (odd.e164, odd.tappable, odd.dialable) == (None, "12", "12")


def test_vcards_escape_values_and_stay_within_telegrams_limit():
    card = vcard(name="Anna; Beispiel", organisation="Träger, e.V.", phone="+49401234567",
                 note="Zeile\neins")
    assert "FN:Anna\\; Beispiel" in card and "ORG:Träger\\, e.V." in card
    assert "NOTE:Zeile eins" in card and card.startswith("BEGIN:VCARD\r\nVERSION:3.0")
    huge = vcard(name="N" * 120, organisation="𝔒" * 160, title="𝔗" * 120, note="𝔑" * 300)
    assert len(huge.encode()) <= 2048 and "FN:" in huge


async def test_a_district_named_in_a_providers_name_shows_that_provider_apart_and_first(session):
    result = await contacts.search(session, "Glashuette")
    assert [section.kind for section in result.sections] == [
        contacts.NAME_MATCH, contacts.PLACE_MATCH]
    assert [hit.label for hit in result.sections[0].hits] == [SOZIALWERK]
    assert len(result.sections[1].hits) == 8  # the city-wide providers serve Glashütte too
    assert result.place == "Glashütte"
    assert result.hits[0].label == SOZIALWERK and len(result.hits) == 9


async def test_a_search_that_matches_one_way_only_is_one_section(session):
    for query in ("ambulant", "pestalozzi", "Süd B"):
        assert len((await contacts.search(session, query)).sections) == 1, query
