"""The free-text check catches likely personal data and lets ordinary work notes pass."""

from __future__ import annotations

import pytest

from bot.errors import InvalidInput
from bot.i18n import I18n
from bot.services.privacy import (
    PersonalDataFound,
    PrivacySpec,
    check_free_text,
    personal_data_kinds,
)

# (text, the kind the user is told about)
MUST_CATCH = [
    # families and people by title
    ("Gespräch mit Familie Müller wegen Schulbesuch", "family"),
    ("Hausbesuch bei Fam. Yilmaz", "family"),
    ("Familie Al-Hassan braucht einen Kitaplatz", "family"),
    ("mit familie Schröder telefoniert", "family"),
    ("Visited the Smith family about school", "family"),
    ("call with family Johnson", "family"),
    ("Rückruf an Frau Schneider", "name"),
    ("Herrn Becker wegen Ferienfahrt angerufen", "name"),
    ("Termin mit Frau Dr. Weber", "name"),
    ("call Mrs Smith about her daughter", "name"),
    # full names (built-in first names) and relatives
    ("Gespräch mit Lena Schmidt in der Kita", "name"),
    ("Beratung Mehmet Yılmaz", "name"),
    ("Ayşe K. kommt nächste Woche", "name"),
    ("Meeting with Kevin Meyer at school", "name"),
    ("Mutter von Lena hat angerufen", "name"),
    ("Leons Vater war da", "name"),
    ("Emma's mother asked for help", "name"),
    ("Mädchen Mia aus der 3b", "name"),
    # children
    ("Termin Kind Jaroslav in der Kita", "child"),
    ("Sohn Maximilian geht nicht zur Schule", "child"),
    ("the daughter Amelie was there", "child"),
    ("Treffen mit dem 7-jährigen Sohn", "age"),
    ("Junge, 9 Jahre alt, Schulangst", "age"),
    ("a 12-year-old from Garstedt", "age"),
    ("Mädchen (14 J.) bei Freunden untergebracht", "age"),
    # dates of birth
    ("geb. 12.03.2015, Kita Harksheide", "birthdate"),
    ("born on 1.2.2016", "birthdate"),
    ("Geburtstag am 12.03.", "birthdate"),
    ("DOB: 03/04/2015", "birthdate"),
    ("Kind *05.06.2019", "birthdate"),
    ("Lena 12.03.2015 Kita", "birthdate"),
    # phones, e-mail, user names
    ("Tel. 040 123 456 78 zurückrufen", "phone"),
    ("Handy 0160-1234567", "phone"),
    ("+49 171 2345678", "phone"),
    ("bitte 0171/2345678 anrufen", "phone"),
    ("Rückruf unter (040) 5252 1234", "phone"),
    ("Mail an mutter.kind@example.org", "email"),
    ("Kontakt über @lena_mama_22", "handle"),
    # addresses
    ("Hausbesuch Ulzburger Straße 12", "address"),
    ("Ochsenzoller Str. 5a, 2. OG", "address"),
    ("Treffen Rathausallee 50", "address"),
    ("wohnt jetzt in 22846 Norderstedt", "address"),
    ("home visit at 12 Baker Street", "address"),
    # case references and bank accounts
    ("Az. 51.2-1234/2026 besprochen", "case_reference"),
    ("Fallnummer 4711 an WJH", "case_reference"),
    ("case no. 2026-117 discussed", "case_reference"),
    ("Überweisung auf DE89 3704 0044 0532 0130 00", "bank_account"),
]

MUST_PASS = [
    # German work notes
    "Vorbereitung Ideenbörse Garstedt",
    "Ressourcenkarte Harksheide-Nord aktualisiert",
    "Kollegiale Beratung im Team, 3 Situationen",
    "Netzwerktreffen Kita und Schule",
    "Elternabend Familienzentrum Glashütte vorbereitet",
    "Sommerfest 2026 mit 40 Familien geplant",
    "Fortbildung am 22.11.",
    "2 Std. Austausch mit ISSAB",
    "Protokoll Lenkungsgruppe vom 14.01.2026",
    "Steuerungsgruppe am 03.12.2026, 10 Uhr",
    "Ferienprogramm 14.07.–25.07.2026 geplant",
    "Hausaufgabenhilfe im Jugendhaus, ca. 12 Jugendliche",
    "Angebot für 8-12-Jährige geplant",
    "Gruppe für 10- bis 14-Jährige, ab 16 Jahre alt nicht mehr",
    "Fallübergreifende Arbeit: Muster aus 4 Beratungen ausgewertet",
    "Kooperation Kita Sonnenschein und Familienzentrum",
    "Telefonat mit Schulsozialarbeit wegen Ferienprogramm",
    "Ferienprogramm 2026: 25 Plätze, 15 € pro Kind",
    "Eintritt 5 € pro Familie Eintritt frei für Geschwister",
    "Quartiersbegehung Harksheide-Süd mit Polizei und Bezirksamt",
    "Infostand in der Ulzburger Straße",
    "Hin- und Rückweg 2 Std. zur Fortbildung",
    "Austausch mit Pestalozzi Stiftung, IUVO und Wiegmann Hilfen",
    "Treffen im Kinder- und Jugendheim St. Josef",
    "Schuljahr 2025/2026, Zeitraum 2024 - 2026",
    "Budget 1.250,50 € für 20 Familien",
    "Kosten 1 000 000 € sind zu viel",
    "Junge Erwachsene im Quartier erreichen",
    "Raum 2.14, Team-Sitzung 1,5 Std.",
    "Elterncafé mit 12 Teilnehmenden",
    # English work notes
    "Planning the resource map for the district",
    "Team meeting on resources in Garstedt",
    "Prepared the flyer for the holiday programme",
    "Call with the school social worker about the holiday programme",
    "Workshop for parents, 15 participants",
    "Met the youth centre team on 14.01.2026",
    "Visited the Glashütte family centre",
    "Budget for 20 families at the summer party",
    "Family Centre Glashütte: planning day",
]


@pytest.mark.parametrize(("text", "kind"), MUST_CATCH)
def test_likely_personal_data_is_refused(text, kind):
    assert kind in personal_data_kinds(text), (text, personal_data_kinds(text))
    with pytest.raises(InvalidInput, match="personal data"):
        check_free_text(text)


@pytest.mark.parametrize("text", MUST_PASS)
def test_ordinary_work_notes_pass(text):
    assert personal_data_kinds(text) == [], text
    assert check_free_text(text) == text


# Questions to the FAQ, checked with the FAQ's own words as public: a name the FAQ prints
# and "Familie" before a noun are fine; an unknown name, a child's name or birthday are not.
FAQ_WORDS = frozenset({"lüttringhaus", "hilfe", "hilfen", "unterstützung", "familie", "kind"})
QUESTIONS = [
    ("Worüber hat Frau Dr. Lüttringhaus referiert?", []),
    ("Wer entscheidet ob ne Familie Hilfe bekommt?", []),
    ("Wann bekommt eine Familie Unterstützung vom ASD?", []),
    ("Hat Prof. Dr. Lüttringhaus auch in Norderstedt gesprochen?", []),
    ("Familie Yilmaz aus Garstedt braucht Hilfe, was tun?", ["family"]),
    ("Was mache ich mit Familie Müller?", ["family"]),
    ("Hat Frau Dr. Schmidt den Antrag schon gesehen?", ["name"]),
    ("Kind Lena geb. 12.03.2015 – wer ist zuständig?", ["birthdate", "child", "name"]),
    ("Darf Lena Berger ins Jugendzentrum?", ["name"]),
    ("Lenas Familie braucht Hilfe, wen frage ich?", ["name"]),
]


@pytest.mark.parametrize(("text", "kinds"), QUESTIONS)
def test_a_question_may_name_what_the_faq_names_but_no_case(text, kinds):
    assert personal_data_kinds(text, public=FAQ_WORDS) == kinds


def test_without_public_words_a_title_and_a_name_stay_refused():
    assert personal_data_kinds("Worüber hat Frau Dr. Lüttringhaus referiert?") == ["name"]
    assert personal_data_kinds("Wer entscheidet ob ne Familie Hilfe bekommt?") == ["family"]


def test_the_user_is_told_what_was_found_in_their_language():
    with pytest.raises(PersonalDataFound) as info:
        check_free_text("Familie Müller, Tel. 040 1234567")
    de, en = I18n().get("de"), I18n().get("en")
    assert info.value.kinds == ["family", "phone"]
    assert "(der Name einer Familie, eine Telefonnummer)" in info.value.render(de)
    assert "(a family's name, a phone number)" in info.value.render(en)
    assert "nichts gespeichert" in info.value.render(de)


def test_length_limit_and_empty_text():
    with pytest.raises(InvalidInput) as info:
        check_free_text("x" * 201)
    assert info.value.params == {"length": 201, "limit": 200}
    with pytest.raises(InvalidInput):
        check_free_text("   \n ")
    assert check_free_text("  zwei   Leerzeichen ") == "zwei Leerzeichen"


def test_the_office_adds_first_names_patterns_and_allowed_phrases():
    spec = PrivacySpec(
        first_names=["Jolanda"],
        patterns=[r"\bFallakte\b", r"(?i)\bHzE-Nr\.?\s*\d+"],
        allowed_phrases=["Kita Maria Frieden"],
    )
    policy = spec.policy()
    assert personal_data_kinds("Gespräch Jolanda Berger", policy) == ["name"]
    assert personal_data_kinds("Gespräch Jolanda Berger") == []  # not a built-in name
    assert personal_data_kinds("Fallakte angelegt", policy) == ["pattern"]
    assert personal_data_kinds("hze-nr 1234 geprüft", policy) == ["pattern"]
    assert personal_data_kinds("Maria Frieden hat angerufen", policy) == ["name"]
    assert personal_data_kinds("Sommerfest in der Kita Maria Frieden", policy) == []


def test_the_built_in_names_can_be_switched_off():
    policy = PrivacySpec(builtin_first_names=False).policy()
    assert personal_data_kinds("Gespräch mit Lena Schmidt", policy) == []
    assert personal_data_kinds("Gespräch mit Familie Schmidt", policy) == ["family"]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"patterns": ["Fam("]}, "invalid regular expression 'Fam('"),
        ({"patterns": ["x*"]}, "matches every text"),
        ({"first_names": ["Lena Schmidt"]}, "not a first name"),
        ({"names": []}, "Extra inputs are not permitted"),
    ],
)
def test_a_bad_privacy_section_stops_start_up_with_a_clear_line(tmp_path, section, message):
    import yaml

    from bot.services.organisation import OrgFileError, load_org_file
    from bot.settings import DEFAULT_ORG_FILE

    raw = yaml.safe_load(DEFAULT_ORG_FILE.read_text(encoding="utf-8"))
    raw["privacy"] = section
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(OrgFileError) as info:
        load_org_file(path)
    assert "org.yaml: privacy." in str(info.value) and message in str(info.value)
