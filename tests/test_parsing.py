"""Parsers for durations, days and money: tables of real inputs and property-based tests."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import InvalidInput
from bot.parsing import parse_day, parse_duration, parse_money

TODAY = date(2026, 11, 24)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("2,5", 150), ("2.5", 150), ("2", 120), ("0,5", 30), (",5", 30), ("1:30", 90),
        ("0:45", 45), ("90 min", 90), ("90min", 90), ("90 Minuten", 90), ("1h30", 90),
        ("1h 30", 90), ("1 h 30 min", 90), ("1 Std 30", 90), ("1 Std. 30 Min.", 90),
        ("1,5 h", 90), ("1,5 Std", 90), ("2 Stunden", 120), ("1 Stunde 30 Minuten", 90),
        ("1 hour 30 minutes", 90), ("2 hrs", 120), ("½", 30), ("1½", 90), ("  3  ", 180),
        ("0,1", 6),
    ],
)
def test_durations_people_type(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "like 2,5"), ("viel", "like 2,5"), ("1:75", "like 2,5"), ("1,2,3", "like 2,5"),
        ("0", "more than zero"), ("-2", "more than zero"), ("0:00", "more than zero"),
        ("0,33", "whole minutes"), ("1000", "like 2,5"), ("2 Äpfel", "like 2,5"),
    ],
)
def test_durations_refused(text, message):
    with pytest.raises(InvalidInput, match=message):
        parse_duration(text)


@given(st.integers(min_value=1, max_value=4 * 24).map(lambda q: q * 15))
def test_every_quarter_hour_round_trips_in_all_notations(minutes):
    hours, rest = divmod(minutes, 60)
    decimal = Decimal(minutes) / 60
    assert parse_duration(f"{hours}:{rest:02d}") == minutes
    assert parse_duration(format_decimal(decimal, locale="de_DE")) == minutes
    assert parse_duration(format_decimal(decimal, locale="en_GB", group_separator=False)) == (
        minutes
    )
    assert parse_duration(f"{minutes} min") == minutes
    if hours and rest:
        assert parse_duration(f"{hours}h{rest}") == minutes


@given(st.text(max_size=30))
def test_duration_parser_only_ever_raises_invalid_input(text):
    with contextlib.suppress(InvalidInput):
        assert parse_duration(text) > 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("heute", TODAY), ("Heute", TODAY), ("today", TODAY), ("gestern", date(2026, 11, 23)),
        ("yesterday", date(2026, 11, 23)), ("vorgestern", date(2026, 11, 22)),
        ("22.11.", date(2026, 11, 22)), ("22.11", date(2026, 11, 22)),
        ("22.11.2026", date(2026, 11, 22)), ("22.11.26", date(2026, 11, 22)),
        ("2026-11-22", date(2026, 11, 22)), ("22/11/2026", date(2026, 11, 22)),
        ("Montag", date(2026, 11, 23)), ("mo", date(2026, 11, 23)), ("monday", date(2026, 11, 23)),
        ("Dienstag", TODAY), ("Fr", date(2026, 11, 20)), ("30.12.", date(2025, 12, 30)),
    ],
)
def test_days_in_the_past(text, expected):
    assert parse_day(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("morgen", date(2026, 11, 25)), ("übermorgen", date(2026, 11, 26)),
        ("Freitag", date(2026, 11, 27)), ("dienstag", TODAY), ("3.1.", date(2027, 1, 3)),
        ("12.12.", date(2026, 12, 12)),
    ],
)
def test_days_in_the_future(text, expected):
    assert parse_day(text, TODAY, allow_future=True, allow_past=False) == expected


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("morgen", {}, "future"), ("25.11.2026", {}, "future"), ("31.02.2026", {}, "not exist"),
        ("30.02.", {}, "not exist"), ("bald", {}, "heute, gestern"), ("32.1.", {}, "not exist"),
        ("gestern", {"allow_future": True, "allow_past": False}, "past"),
        ("bald", {"allow_future": True, "allow_past": False}, "heute, morgen"),
    ],
)
def test_days_refused(text, kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        parse_day(text, TODAY, **kwargs)


@given(st.dates(min_value=date(2000, 1, 1), max_value=TODAY))
def test_any_past_date_round_trips(day):
    assert parse_day(day.strftime("%d.%m.%Y"), TODAY) == day
    assert parse_day(day.isoformat(), TODAY) == day


@given(st.integers(min_value=0, max_value=364))
def test_a_date_without_year_is_the_nearest_one_in_the_past(days_ago):
    day = TODAY - timedelta(days=days_ago)
    assert parse_day(day.strftime("%d.%m."), TODAY) == day


@pytest.mark.parametrize(
    ("text", "locale", "cents"),
    [
        ("1.250,50", "de", 125050), ("1250,50", "de", 125050), ("250 €", "de", 25000),
        ("€ 250", "de", 25000), ("EUR 250", "de", 25000), ("250,-", "de", 25000),
        ("250", "de", 25000), ("1250.5", "de", 125050), ("1.250", "de", 125000),
        ("1,250.50", "en", 125050), ("1,250", "en", 125000), ("0,99", "de", 99),
        ("1.000.000", "de", 100_000_000), ("12,5 Euro", "de", 1250),
    ],
)
def test_amounts_people_type(text, locale, cents):
    assert parse_money(text, locale) == cents


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "like 250"), ("viel Geld", "like 250"), ("0", "more than zero"),
        ("-50", "more than zero"), ("12,345", "two decimal"), ("20000000", "too large"),
        ("1.2.3", "like 250"), ("1,2.3", "like 250"),
    ],
)
def test_amounts_refused(text, message):
    with pytest.raises(InvalidInput, match=message):
        parse_money(text)


def test_an_actual_cost_may_be_zero_but_not_negative():
    assert parse_money("0", allow_zero=True) == 0
    assert parse_money("0,00 €", allow_zero=True) == 0
    with pytest.raises(InvalidInput, match="negative"):
        parse_money("-5", allow_zero=True)
    with pytest.raises(InvalidInput, match="like 250"):
        parse_money("teuer", allow_zero=True)


@given(st.integers(min_value=1, max_value=1_000_000_000))
def test_any_amount_round_trips_as_babel_formats_it(cents):
    amount = Decimal(cents) / 100
    assert parse_money(format_decimal(amount, format="#,##0.00", locale="de_DE"), "de") == cents
    assert parse_money(format_decimal(amount, format="#,##0.00", locale="en_GB"), "en") == cents


@given(st.text(max_size=30))
def test_money_parser_only_ever_raises_invalid_input(text):
    with contextlib.suppress(InvalidInput):
        assert parse_money(text) > 0
