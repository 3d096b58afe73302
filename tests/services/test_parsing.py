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
from bot.parsing.dates import FUTURE_HORIZON_DAYS

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
        ("0,33", "steps of"), ("1000", "like 2,5"), ("2 Äpfel", "like 2,5"),
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


@pytest.mark.parametrize(
    ("text", "hint"),
    [  # Issue 17: "1,2345" was answered with "e.g. 1:20", which 15-minute steps refuse.
        ("1,2345", "e.g. 1:00 or 1:15"), ("0:20", "e.g. 0:15 or 0:30"), ("10 min", "e.g. 0:15."),
        ("0,1", "e.g. 0:15."), ("0,33", "e.g. 0:15 or 0:30"), ("11,99", "e.g. 11:45 or 12:00"),
        ("11:59", "e.g. 11:45 or 12:00"),
    ],
)
def test_an_amount_between_steps_is_answered_with_the_steps_next_to_it(text, hint):
    with pytest.raises(InvalidInput) as refused:
        parse_duration(text, step=15, maximum=12 * 60)
    assert hint in refused.value.render(lambda message: message)


def test_an_amount_above_the_maximum_names_the_maximum_not_a_step():
    with pytest.raises(InvalidInput) as refused:
        parse_duration("12,1", step=15, maximum=12 * 60)
    assert "at most 12 hours" in refused.value.render(lambda message: message)


@given(
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(24), places=4),
    st.sampled_from([1, 5, 10, 15, 20, 25, 30, 45, 60]),
    st.integers(min_value=60, max_value=24 * 60),
    st.sampled_from(["de_DE", "en_GB"]),
)
def test_every_proposed_amount_is_accepted_when_typed_back(hours, step, maximum, locale):
    typed = format_decimal(hours, format="0.####", locale=locale)
    try:
        parse_duration(typed, step=step, maximum=maximum)
        return
    except InvalidInput as refused:
        proposed = [value for name, value in refused.params.items() if name in (
            "amount", "lower", "upper")]
    for text in proposed:
        minutes = parse_duration(text, step=step, maximum=maximum)
        assert abs(minutes - hours * 60) < step  # a step next to what was typed


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
        ("Dienstag", TODAY), ("Fr", date(2026, 11, 20)), ("30.06.", date(2026, 6, 30)),
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
        ("30.12.", {}, "future"), ("25.11.", {}, "future"), ("29.02.", {}, "not exist"),
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


@given(st.integers(min_value=0, max_value=182))
def test_a_date_without_year_is_the_nearest_one_in_the_past(days_ago):
    day = TODAY - timedelta(days=days_ago)
    assert parse_day(day.strftime("%d.%m."), TODAY) == day


# Issue 17: a day without a year is the nearest such day; where it must have happened, a
# nearest day in the future is refused as such (not read as a year ago); where it must lie
# ahead, it is the next such day. Dates as staff type them: "6.12", "06.12", "24.12.", "1.1.".
SATURDAY = date(2026, 12, 5)
AFTER_NEW_YEAR = date(2027, 1, 3)


@pytest.mark.parametrize("text", ["06.12.", "6.12", "06.12", "6.12.", "24.12.", "1.1.", "31.12"])
def test_a_day_later_this_year_is_in_the_future_not_last_year(text):
    with pytest.raises(InvalidInput, match="future"):
        parse_day(text, SATURDAY)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("5.12", SATURDAY, SATURDAY), ("04.12.", SATURDAY, date(2026, 12, 4)),
        ("1.7.", SATURDAY, date(2026, 7, 1)), ("1.6.", SATURDAY, date(2026, 6, 1)),
        ("24.12.", AFTER_NEW_YEAR, date(2026, 12, 24)),
        ("31.12", AFTER_NEW_YEAR, date(2026, 12, 31)), ("1.1.", AFTER_NEW_YEAR, date(2027, 1, 1)),
        ("3.1.", AFTER_NEW_YEAR, AFTER_NEW_YEAR), ("8.7.", AFTER_NEW_YEAR, date(2026, 7, 8)),
    ],
)
def test_a_day_that_has_happened_is_the_nearest_one(text, today, expected):
    assert parse_day(text, today) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("05.01.", AFTER_NEW_YEAR, date(2027, 1, 5)), ("24.12.", AFTER_NEW_YEAR,
                                                        date(2027, 12, 24)),
        ("6.12", SATURDAY, date(2026, 12, 6)), ("1.1.", SATURDAY, date(2027, 1, 1)),
        ("5.12.", SATURDAY, SATURDAY), ("4.12", SATURDAY, date(2027, 12, 4)),
        ("29.02.", date(2027, 3, 1), date(2028, 2, 29)),
    ],
)
def test_a_day_ahead_is_the_next_one_from_today_on(text, today, expected):
    assert parse_day(text, today, allow_future=True, allow_past=False) == expected


def _typed_forms(day: date) -> list[str]:
    return [f"{day.day}.{day.month}", f"{day:%d.%m}", f"{day:%d.%m.}", f"{day.day}.{day.month}."]


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31)),
       st.integers(min_value=-400, max_value=400))
def test_a_day_without_year_is_never_read_further_away_than_another_year(today, offset):
    meant = today + timedelta(days=offset)
    for text in _typed_forms(meant):
        try:
            read = parse_day(text, today)
        except InvalidInput as error:
            # Refused only as a day in the future, and only when the nearest reading is one
            # that lies at most a quarter ahead.
            assert error.message == "That day lies in the future."
            nearest = min((d for d in _same_day_in_years(meant, today) if d), key=lambda d: (
                abs((d - today).days), d))
            assert today < nearest <= today + timedelta(days=FUTURE_HORIZON_DAYS)
            continue
        assert read <= today
        assert (read.day, read.month) == (meant.day, meant.month)
        for other in _same_day_in_years(meant, today):
            # The latest such day that has happened, unless one ahead is nearer and soon.
            assert other is None or other > today or other <= read


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31)),
       st.integers(min_value=0, max_value=400))
def test_a_day_ahead_without_year_is_the_first_such_day_from_today(today, offset):
    meant = today + timedelta(days=offset)
    for text in _typed_forms(meant):
        read = parse_day(text, today, allow_future=True, allow_past=False)
        assert (read.day, read.month) == (meant.day, meant.month)
        assert today <= read <= meant


def _same_day_in_years(day: date, today: date) -> list[date | None]:
    found: list[date | None] = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            found.append(day.replace(year=year))
        except ValueError:
            found.append(None)
    return found


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
