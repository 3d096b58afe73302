"""/remind's time expressions in German and English: real inputs and property-based tests."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.errors import InvalidInput
from bot.parsing.when import Every, Once, parse_when

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN)  # a Tuesday, 10:00
WEEKDAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WORDS = st.lists(st.sampled_from(["Bericht", "Anruf", "Kita", "Akten", "prüfen", "call",
                                  "school", "Elternabend", "vorbereiten", "Team"]),
                 min_size=1, max_size=4).map(" ".join)


def local(text: str, now: datetime = NOW) -> tuple[datetime | None, object, str]:
    parsed = parse_when(text, now)
    when = parsed.when
    at = when.at.astimezone(now.tzinfo) if isinstance(when, Once) else None
    return at, when, parsed.text


def at(day: int, month: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("text", "expected", "rest"),
    [
        ("morgen 9:00 Bericht schicken", at(25, 11, 9), "Bericht schicken"),
        ("in 2 Stunden Rückruf Kita", at(24, 11, 12), "Rückruf Kita"),
        ("Freitag 14 Uhr Teamrunde", at(27, 11, 14), "Teamrunde"),
        ("24.12. 10:00 Geschenke", at(24, 12, 10), "Geschenke"),
        ("tomorrow 9am call the school", at(25, 11, 9), "call the school"),
        ("in 30 min Pause", at(24, 11, 10, 30), "Pause"),
        ("heute 17:30 Akten", at(24, 11, 17, 30), "Akten"),
        ("übermorgen 8 Uhr x", at(26, 11, 8), "x"),
        ("am Freitag um 14:30 Uhr: Bericht", at(27, 11, 14, 30), "Bericht"),
        ("nächsten Dienstag 9:00 x", at(1, 12, 9), "x"),
        ("Dienstag 9:00 x", at(1, 12, 9), "x"),  # today's 9:00 is past: next week
        ("dienstag 11 x", at(24, 11, 11), "x"),
        ("in 3 Tagen um 9 x", at(27, 11, 9), "x"),
        ("in 3 Tagen x", at(27, 11, 10), "x"),
        ("in einer halben Stunde x", at(24, 11, 10, 30), "x"),
        ("in half an hour x", at(24, 11, 10, 30), "x"),
        ("in an hour and 30 minutes x", at(24, 11, 11, 30), "x"),
        ("in 1h30 x", at(24, 11, 11, 30), "x"),
        ("in 90min x", at(24, 11, 11, 30), "x"),
        ("halb 10 x", at(25, 11, 9, 30), "x"),
        ("morgen 9 Uhr 30 x", at(25, 11, 9, 30), "x"),
        ("24. Dezember 10 Uhr", at(24, 12, 10), ""),
        ("Dec 24 at 10am", at(24, 12, 10), ""),
        ("2026-12-24 10:00", at(24, 12, 10), ""),
        ("24.12 10:00", at(24, 12, 10), ""),
        ("24.12.26 10:00", at(24, 12, 10), ""),
        ("3.1. 8:00 Neujahr", at(3, 1, 8, year=2027), "Neujahr"),
        ("9am tomorrow x", at(25, 11, 9), "x"),
        ("5pm on Friday do it", at(27, 11, 17), "do it"),
        ("at 5:30 pm x", at(24, 11, 17, 30), "x"),
        ("12pm lunch", at(24, 11, 12), "lunch"),
        ("12am x", at(25, 11, 0), "x"),
        ("8:00 x", at(25, 11, 8), "x"),  # a bare time already past today means tomorrow
        ("17:30 am Bahnhof", at(24, 11, 17, 30), "am Bahnhof"),
        ("morgen 9:00: Bericht", at(25, 11, 9), "Bericht"),
        ("Morgen 9:00 - Bericht", at(25, 11, 9), "Bericht"),
    ],
)
def test_single_times_people_type(text, expected, rest):
    found, _, text_rest = local(text)
    assert (found, text_rest) == (expected, rest)


@pytest.mark.parametrize(
    ("text", "weekdays", "clock", "rest"),
    [
        ("jeden Montag 8:00 Wochenplanung", (0,), time(8), "Wochenplanung"),
        ("every Monday 8:00 plan the week", (0,), time(8), "plan the week"),
        ("montags 8 Uhr x", (0,), time(8), "x"),
        ("Mondays at 8am x", (0,), time(8), "x"),
        ("jeden Tag um 7 x", tuple(range(7)), time(7), "x"),
        ("täglich 7:00 x", tuple(range(7)), time(7), "x"),
        ("every day at 7:15 pm x", tuple(range(7)), time(19, 15), "x"),
        ("werktags 7:30 x", (0, 1, 2, 3, 4), time(7, 30), "x"),
        ("every weekday at 7:30 x", (0, 1, 2, 3, 4), time(7, 30), "x"),
        ("jeden Mo und Do 9:00 x", (0, 3), time(9), "x"),
        ("every Tuesday and Friday at 14:00 x", (1, 4), time(14), "x"),
    ],
)
def test_recurrences_people_type(text, weekdays, clock, rest):
    _, when, text_rest = local(text)
    assert when == Every(weekdays, clock) and text_rest == rest


def test_recurrence_rules_are_icalendar():
    assert Every((0,), time(8)).rule == "FREQ=WEEKLY;BYDAY=MO"
    assert Every((0, 3), time(8)).rule == "FREQ=WEEKLY;BYDAY=MO,TH"
    assert Every(tuple(range(7)), time(8)).rule == "FREQ=DAILY"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "did not understand"), ("bald", "did not understand"),
        ("3 Berichte", "did not understand"), ("jeden Morgen", "did not understand"),
        ("in 0 min", "did not understand"), ("14 am", "did not understand"),
        ("um 25", "did not understand"), ("morgen", "add a time"),
        ("Freitag Bericht", "add a time"), ("jeden Montag", "add a time"),
        ("heute 8:00 x", "already passed"), ("24.12.2025 10:00", "already passed"),
        ("31.02. 10:00", "does not exist"), ("01.01.2030 10:00", "two years"),
    ],
)
def test_refused_with_a_clear_answer(text, message):
    with pytest.raises(InvalidInput, match=message):
        parse_when(text, NOW)


def test_the_examples_in_the_answer_are_the_issue_s_examples():
    with pytest.raises(InvalidInput) as refused:
        parse_when("irgendwann", NOW)
    for example in ("morgen 9:00", "in 2 Stunden", "Freitag 14 Uhr", "jeden Montag 8:00",
                    "24.12. 10:00", "tomorrow 9am", "every Monday 8:00"):
        assert example in refused.value.message


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [  # Issue 17: a day without a year is the next such day, also across New Year.
        ("05.01. 9:00", datetime(2027, 1, 3, 10, tzinfo=BERLIN), at(5, 1, 9, year=2027)),
        ("1.1. 9:00", datetime(2026, 12, 5, 10, tzinfo=BERLIN), at(1, 1, 9, year=2027)),
        ("6.12 9:00", datetime(2026, 12, 5, 10, tzinfo=BERLIN), at(6, 12, 9)),
        ("24.12. 9:00", datetime(2027, 1, 3, 10, tzinfo=BERLIN), at(24, 12, 9, year=2027)),
        ("29.02. 9:00", datetime(2027, 3, 1, 10, tzinfo=BERLIN), at(29, 2, 9, year=2028)),
        ("5. Januar 9 Uhr", datetime(2027, 1, 3, 10, tzinfo=BERLIN), at(5, 1, 9, year=2027)),
    ],
)
def test_a_day_without_year_is_the_next_such_day(text, now, expected):
    assert local(text, now)[0] == expected


def test_a_naive_now_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_when("morgen 9:00", datetime(2026, 11, 24, 10, 0))


# --- properties ----------------------------------------------------------------------------------

FUTURE = st.datetimes(min_value=datetime(2026, 11, 25), max_value=datetime(2028, 11, 1)).map(
    lambda d: d.replace(second=0, microsecond=0))


def _exists(naive: datetime) -> bool:
    """False for wall-clock times skipped by the spring switch."""
    aware = naive.replace(tzinfo=BERLIN)
    return aware.astimezone(UTC).astimezone(BERLIN).replace(tzinfo=None) == naive


@given(FUTURE, WORDS)
def test_any_future_date_and_time_round_trips_in_german_notations(moment, words):
    assume(_exists(moment))
    expected = moment.replace(tzinfo=BERLIN)
    for text in (f"{moment:%d.%m.%Y %H:%M}", f"{moment:%Y-%m-%d} {moment:%H:%M}",
                 f"am {moment.day}.{moment.month}.{moment.year} um {moment:%H}.{moment:%M} Uhr",
                 f"{moment:%d.%m.%y} um {moment.hour} Uhr {moment:%M}"):
        found, _, rest = local(f"{text} {words}")
        assert found == expected, text
        assert rest == words


@given(FUTURE, WORDS)
def test_any_future_time_round_trips_in_english_twelve_hour_notation(moment, words):
    assume(_exists(moment))
    hour12 = moment.hour % 12 or 12
    meridiem = "am" if moment.hour < 12 else "pm"
    text = f"{moment:%Y-%m-%d} at {hour12}:{moment:%M}{meridiem} {words}"
    found, _, rest = local(text)
    assert found == moment.replace(tzinfo=BERLIN) and rest == words


@given(st.integers(min_value=1, max_value=600), st.sampled_from(
    [("min", 1), ("Minuten", 1), ("minutes", 1), ("Stunden", 60), ("hours", 60), ("h", 60)]))
def test_in_n_units_is_exactly_that_much_later(count, unit):
    name, minutes = unit
    found, _, _ = local(f"in {count} {name} x")
    assert found is not None
    assert found.astimezone(UTC) - NOW.astimezone(UTC) == timedelta(minutes=count * minutes)


@given(st.integers(min_value=0, max_value=6), st.integers(min_value=0, max_value=23),
       st.integers(min_value=0, max_value=59), WORDS)
def test_weekly_recurrences_in_both_languages(weekday, hour, minute, words):
    for text in (f"jeden {WEEKDAYS_DE[weekday]} {hour}:{minute:02d} {words}",
                 f"every {WEEKDAYS_EN[weekday]} at {hour}:{minute:02d} {words}",
                 f"{WEEKDAYS_DE[weekday].lower()}s um {hour}.{minute:02d} Uhr {words}"):
        _, when, rest = local(text)
        assert when == Every((weekday,), time(hour, minute)), text
        assert rest == words


@given(st.integers(min_value=0, max_value=6), st.integers(min_value=0, max_value=23),
       st.integers(min_value=0, max_value=59))
def test_a_weekday_is_the_next_such_day_within_a_week(weekday, hour, minute):
    found, _, _ = local(f"{WEEKDAYS_DE[weekday]} {hour}:{minute:02d}")
    assert found is not None and found.weekday() == weekday
    assert NOW < found <= NOW + timedelta(days=7)
    assert (found.hour, found.minute) == (hour, minute)


@given(st.text(max_size=40), st.datetimes(min_value=datetime(2026, 1, 1),
                                          max_value=datetime(2027, 12, 31)))
def test_any_text_is_understood_in_the_future_or_refused_clearly(text, moment):
    now = moment.replace(tzinfo=BERLIN)
    with contextlib.suppress(InvalidInput):
        parsed = parse_when(text, now)
        if isinstance(parsed.when, Once):
            assert parsed.when.at > now


@pytest.mark.parametrize(
    ("now", "text", "expected"),
    [
        # The day before the spring switch (29 March 2026) and the autumn switch (25 October).
        (datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN), "morgen 9:00", at(29, 3, 9)),
        (datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN), "morgen 9:00", at(25, 10, 9)),
        (datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN), "in 1 Tag", at(29, 3, 12)),
        # The skipped hour moves forward by the gap; the doubled hour means its first pass.
        (datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN), "morgen 2:30", at(29, 3, 3, 30)),
        (datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN), "morgen 2:30",
         datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    ],
)
def test_days_ahead_keep_the_wall_clock_across_dst(now, text, expected):
    found, _, _ = local(text, now)
    # In UTC: an aware time in the doubled hour never equals one of another zone (PEP 495).
    assert found is not None and found.astimezone(UTC) == expected.astimezone(UTC)


def test_in_hours_across_the_switch_counts_real_hours():
    before = datetime(2026, 3, 29, 1, 0, tzinfo=BERLIN)
    found, _, _ = local("in 2 Stunden", before)
    assert found is not None and found.hour == 4  # 01:00 + 2 h is 04:00 CEST
