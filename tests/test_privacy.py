"""The free-text check catches likely personal data and lets ordinary work notes pass."""

from __future__ import annotations

import pytest

from bot.errors import InvalidInput
from bot.services.privacy import check_free_text, personal_data_kinds

MUST_CATCH = [
    "Gespräch mit Familie Müller wegen Schulbesuch",
    "Rückruf an Frau Schneider",
    "Tel. 040 123 456 78 zurückrufen",
    "Mail an mutter.kind@example.org",
    "geb. 12.03.2015, Kita Harksheide",
    "Termin Kind Lena in der Kita",
    "Hausbesuch Ulzburger Straße 12",
    "Treffen mit dem 7-jährigen Sohn",
    "call Mrs Smith about her daughter",
    "born on 1.2.2016",
    "+49 171 2345678",
]
MUST_PASS = [
    "Vorbereitung Ideenbörse Garstedt",
    "Ressourcenkarte Harksheide-Nord aktualisiert",
    "Kollegiale Beratung im Team, 3 Situationen",
    "Netzwerktreffen Kita und Schule",
    "Elternabend Familienzentrum Glashütte vorbereitet",
    "Sommerfest 2026 mit 40 Familien geplant",
    "Planning the resource map for the district",
    "Fortbildung am 22.11.",
    "2 Std. Austausch mit ISSAB",
]


@pytest.mark.parametrize("text", MUST_CATCH)
def test_likely_personal_data_is_refused(text):
    assert personal_data_kinds(text), text
    with pytest.raises(InvalidInput, match="personal data"):
        check_free_text(text)


@pytest.mark.parametrize("text", MUST_PASS)
def test_ordinary_work_notes_pass(text):
    assert check_free_text(text) == text


def test_length_limit_and_empty_text():
    with pytest.raises(InvalidInput) as info:
        check_free_text("x" * 201)
    assert info.value.params == {"length": 201, "limit": 200}
    with pytest.raises(InvalidInput):
        check_free_text("   \n ")
    assert check_free_text("  zwei   Leerzeichen ") == "zwei Leerzeichen"
