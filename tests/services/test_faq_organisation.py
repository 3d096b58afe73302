"""The FAQ entries generated from the organisation: one per region, team and district, in both
languages, correct for the shipped file and for any other (long names, shared districts)."""

from __future__ import annotations

import re

import pytest

from bot.i18n import I18n
from bot.services.faq.evaluation import LabelledQuestion
from bot.services.faq.organisation_entries import (
    Organisation,
    Quota,
    RegionFacts,
    TeamFacts,
    load_organisation,
    organisation_entries,
)
from bot.services.faq.schema import ANSWER_MAX, ENTRY_ID, FaqEntry
from bot.settings import SUPPORTED_LOCALES

I18N = I18n()
TEXTS = {locale: I18N.get(locale) for locale in SUPPORTED_LOCALES}
DISTRICTS = {
    "friedrichsgabe": "nord-a", "harksheide-nord": "nord-a", "harksheide-mitte": "nord-b",
    "norderstedt-mitte": "nord-b", "garstedt": "sued-a", "glashuette": "sued-b",
    "harksheide-sued": "sued-b",
}


def _by_id(org: Organisation, locale: str) -> dict[str, FaqEntry]:
    return {e.id: e for e in organisation_entries(org, TEXTS).entries[locale]}


def test_every_region_team_and_district_has_its_entry_in_both_languages(org):
    generated = organisation_entries(Organisation.from_file(org), TEXTS)
    expected = {"org-overview", "org-region-nord", "org-region-sued", *(
        f"org-team-{team}" for team in ("nord-a", "nord-b", "sued-a", "sued-b")), *(
        f"org-district-{district}" for district in DISTRICTS)}
    for locale in SUPPORTED_LOCALES:
        assert {e.id for e in generated.entries[locale]} == expected


def test_the_answers_say_what_the_organisation_file_says(org):
    german, english = (_by_id(Organisation.from_file(org), locale) for locale in ("de", "en"))
    glashuette = german["org-district-glashuette"]
    assert glashuette.question == "Zu welchem Team und welcher Region gehört Glashütte?"
    assert glashuette.answer == (
        "Für Glashütte ist das Sozialraumteam Süd B zuständig (Region Süd). Sozialraumteam Süd B: "
        "4 ASD-Fachkräfte, 1 Netzwerker und 3 Fachkräfte freier Träger; Stadtteile: Glashütte "
        "und Harksheide-Süd.")
    assert {"glashuette", "Glashuette"} & set(glashuette.tags)
    assert english["org-team-nord-a"].answer == (
        "Sozialraumteam Nord A belongs to Region Nord and covers Friedrichsgabe and "
        "Harksheide-Nord.\n"
        "• Staff: 2 ASD caseworkers, 1 networker, and 3 provider staff members.\n"
        "• Provider seats: residential (stationär), outpatient (ambulant), and FüA/FuA.\n"
        "• Weekly hours: Collegial consultation (preliminary) 18 h and Case-independent work "
        "(FuA) 8 h; 26 h in all.")
    assert "Zusammen: 7 ASD-Fachkräfte, 2 Netzwerker und 6 Fachkräfte freier Träger." in (
        german["org-region-sued"].answer)
    assert "Fachbereichsleitung" in german["org-region-sued"].answer
    overview = german["org-overview"].answer
    assert overview.startswith("Es gibt 2 Regionen mit zusammen 4 Sozialraumteams:")
    assert "• Sozialraumteam Süd A: Garstedt – 3 ASD-Fachkräfte" in overview
    assert {"ASDler", "ASD-Kollegen", "Netzwerker", "Traeger"} <= set(
        german["org-team-sued-b"].tags)
    assert german["org-district-garstedt"].commands == ("team", "contacts")


async def test_the_database_after_an_import_says_the_same_as_the_file(session, org):
    assert await load_organisation(session) == Organisation.from_file(org)


def _team(key: str, districts: tuple[str, ...]) -> TeamFacts:
    return TeamFacts(key, f"Team {key}", "Region X", districts, 3, 1, 3,
                     ("stationaer", "ambulant", "fua_fuea"), (Quota("Beratung", "Consultation",
                                                                   18 * 60),))


def test_long_names_and_shared_districts_still_give_valid_unique_entries():
    long_key = "a-very-long-team-key-of-forty-chars-xxxx"
    shared = "Altstadt"
    org = Organisation((RegionFacts("x", "Region X", (
        _team(long_key, (shared, "Ä" * 300)),
        _team(long_key[:-1] + "y", (shared,)),
        *(_team(f"t{i}", (f"Stadtteil {i} mit einem sehr langen Namen",)) for i in range(60)),
    )),))
    generated = organisation_entries(org, TEXTS)
    for locale in SUPPORTED_LOCALES:
        entries = generated.entries[locale]
        ids = [e.id for e in entries]
        assert len(ids) == len(set(ids))
        assert all(re.match(ENTRY_ID, key) for key in ids)
        by_id = {e.id: e for e in entries}
        both = by_id["org-district-altstadt"].answer  # one entry naming both teams
        assert f"Team {long_key}" in both and f"Team {long_key[:-1]}y" in both
        assert len(by_id["org-overview"].answer) <= ANSWER_MAX  # the short form, or cut
    assert "orgteamt1" not in generated.synonyms  # one word needs no group


def test_an_evaluation_label_is_one_entry_or_several():
    assert LabelledQuestion(q="x", id="a").right == ("a",)
    assert LabelledQuestion(q="x", ids=("a", "b")).right == ("a", "b")
    with pytest.raises(ValueError, match="either id or ids"):
        LabelledQuestion(q="x", id="a", ids=("b",))
    with pytest.raises(ValueError, match="either id or ids"):
        LabelledQuestion(q="x")


def test_an_organisation_without_teams_gives_no_entries():
    assert organisation_entries(Organisation(), TEXTS).entries == {}
