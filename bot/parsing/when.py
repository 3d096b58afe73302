"""When a reminder is due, in German or English, followed by its text.

"morgen 9:00 Bericht", "in 2 Stunden", "Freitag 14 Uhr", "jeden Montag 8:00", "24.12. 10:00",
"tomorrow 9am", "every Monday 8:00", "in 30 min", "heute 17:30", "montags 8 Uhr",
"every weekday at 7:30", "in 3 Tagen um 9", "nächsten Montag 9:00", "halb 10".

A small hand-written grammar (recursive descent over words) rather than a library: the
candidates (dateparser, ctparse) silently misread German phrases such as "Freitag 14 Uhr"
(the 14th, midnight) and "übermorgen 8 Uhr" (10:00), and neither knows recurrences ("jeden
Montag"). Reading the words greedily also tells where the time ends and the text begins.

Pure: the caller passes ``now`` (aware, in the office's time zone); relative words are seen
from it. Anything not understood raises :class:`InvalidInput` with examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.clock import at_wall_clock
from bot.errors import N_, InvalidInput
from bot.parsing.dates import DOTTED, ISO, WEEKDAY_WORDS, TypedDate, typed_date

NOT_UNDERSTOOD = N_(
    "I did not understand when. Please start with the time, for example: morgen 9:00 · "
    "in 2 Stunden · Freitag 14 Uhr · 24.12. 10:00 · jeden Montag 8:00 · tomorrow 9am · "
    "every Monday 8:00"
)
NEEDS_TIME = N_("Please add a time of day, e.g. morgen 9:00 or Freitag 14 Uhr.")
IN_THE_PAST = N_(
    "That time has already passed. For example: in 30 min · heute 17:30 · morgen 9:00 · "
    "tomorrow 9am"
)
TOO_FAR = N_("Please choose a time within the next two years.")
MAX_AHEAD = timedelta(days=731)

_EVERY = frozenset({"jeden", "jede", "jedes", "every", "each"})
_AT = frozenset({"um", "at", "@", "gegen"})
_ON = frozenset({"am", "on"})
_NEXT = frozenset({"nächsten", "naechsten", "nächster", "kommenden", "next", "this", "diesen"})
_IN = frozenset({"in"})
_AND = frozenset({"und", "and", ",", "+", "&"})
_DAYS_FROM_TODAY = {
    "heute": 0, "today": 0, "tonight": 0, "heut": 0,
    "morgen": 1, "tomorrow": 1, "übermorgen": 2, "uebermorgen": 2,
}
_ALL_DAYS, _WORKDAYS = tuple(range(7)), tuple(range(5))
_EVERY_DAY_ADVERBS = {
    **dict.fromkeys(("täglich", "taeglich", "daily"), _ALL_DAYS),
    **dict.fromkeys(("werktags", "weekdays", "wochentags"), _WORKDAYS),
}
_EVERY_DAY_NOUNS = {
    **dict.fromkeys(("tag", "day"), _ALL_DAYS),
    **dict.fromkeys(("werktag", "arbeitstag", "weekday", "workday", "wochentag"), _WORKDAYS),
}
# "montags" (German) and "mondays" (English) mean every Monday.
_PLURAL_WEEKDAYS = {
    word: day
    for day, words in enumerate((
        ("montags", "mondays"), ("dienstags", "tuesdays"), ("mittwochs", "wednesdays"),
        ("donnerstags", "thursdays"), ("freitags", "fridays"), ("samstags", "saturdays",
                                                                 "sonnabends"),
        ("sonntags", "sundays"),
    ))
    for word in words
}
_MONTHS = {
    word: number
    for number, words in enumerate((
        ("januar", "jan", "january", "jänner"), ("februar", "feb", "february"),
        ("märz", "maerz", "mär", "mar", "march"), ("april", "apr"), ("mai", "may"),
        ("juni", "jun", "june"), ("juli", "jul", "july"), ("august", "aug"),
        ("september", "sep", "sept"), ("oktober", "okt", "oct", "october"),
        ("november", "nov"), ("dezember", "dez", "dec", "december"),
    ), start=1)
    for word in words
}
_UNITS = {
    **dict.fromkeys(("min", "mins", "minute", "minuten", "minutes", "m"), timedelta(minutes=1)),
    **dict.fromkeys(("h", "std", "stunde", "stunden", "hour", "hours", "hr", "hrs"),
                    timedelta(hours=1)),
    **dict.fromkeys(("tag", "tagen", "tage", "day", "days", "d"), timedelta(days=1)),
    **dict.fromkeys(("woche", "wochen", "week", "weeks"), timedelta(weeks=1)),
}
_NUMBER_WORDS = {
    "ein": 1, "eine": 1, "einer": 1, "einem": 1, "einen": 1, "a": 1, "an": 1, "one": 1,
    "zwei": 2, "two": 2, "drei": 3, "three": 3, "vier": 4, "four": 4, "fünf": 5, "five": 5,
    "zehn": 10, "ten": 10, "zwanzig": 20, "twenty": 20, "dreißig": 30, "thirty": 30,
}
_HALF = frozenset({"halben", "halbe", "half"})

_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?(am|pm|a\.m\.|p\.m\.|h|uhr)?")
_GLUED = re.compile(r"(\d{1,4})(min|mins|m|h|std|d)")
_DAY_NUMBER = re.compile(r"(\d{1,2})(?:\.|st|nd|rd|th)?")


@dataclass(frozen=True)
class Once:
    """A single instant."""

    at: datetime  # aware, UTC


@dataclass(frozen=True)
class Every:
    """A recurrence: on these weekdays (0 = Monday) at a local wall-clock time."""

    weekdays: tuple[int, ...]
    at: time

    @property
    def rule(self) -> str:
        """The recurrence as an iCalendar RRULE (RFC 5545), without its start."""
        if len(self.weekdays) == 7:
            return "FREQ=DAILY"
        names = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
        return "FREQ=WEEKLY;BYDAY=" + ",".join(names[d] for d in self.weekdays)


When = Once | Every


@dataclass(frozen=True)
class ParsedReminder:
    when: When
    text: str  # what follows the time, possibly empty


def parse_when(text: str, now: datetime) -> ParsedReminder:
    """Read a time expression at the start of ``text``; the rest is the reminder's text.

    ``now`` must be aware and in the office's time zone. A single time in the past, or more
    than two years ahead, is refused.
    """
    if now.tzinfo is None:
        raise ValueError("parse_when needs an aware 'now'")
    words = text.split()
    reader = _Reader(words, now)
    when = reader.expression()
    if when is None:
        raise InvalidInput(NOT_UNDERSTOOD)
    rest = " ".join(words[reader.pos:]).lstrip(":-–—,; ").strip()
    if isinstance(when, Once):
        if when.at <= now:
            raise InvalidInput(IN_THE_PAST)
        if when.at - now > MAX_AHEAD:
            raise InvalidInput(TOO_FAR)
    return ParsedReminder(when, rest)


# --- the grammar -----------------------------------------------------------------------------


@dataclass
class _Day:
    value: date
    named_weekday: bool = False  # "Freitag" at a time already past today means next week


class _Reader:
    """Recursive descent over lower-cased words; ``pos`` advances only on a full match."""

    def __init__(self, words: list[str], now: datetime) -> None:
        self.words = [w.lower().rstrip(",;:") or w for w in words]
        self.now = now
        self.tz: tzinfo = now.tzinfo  # type: ignore[assignment]
        self.today = now.date()
        self.pos = 0

    def peek(self, offset: int = 0) -> str | None:
        index = self.pos + offset
        return self.words[index] if index < len(self.words) else None

    # expression := recurring | relative | day [AT] time | [AT] time | day   (the last: error)
    def expression(self) -> When | None:
        for option in (self.recurring, self.relative, self.absolute):
            start = self.pos
            found = option()
            if found is not None:
                return found
            self.pos = start
        return None

    def recurring(self) -> Every | None:
        word = self.peek()
        weekdays: tuple[int, ...] | None = None
        if word in _EVERY_DAY_ADVERBS:  # "täglich", "werktags"
            self.pos += 1
            weekdays = _EVERY_DAY_ADVERBS[word]
        elif word in _PLURAL_WEEKDAYS:
            weekdays = self.weekday_list(_PLURAL_WEEKDAYS)
        elif word in _EVERY:
            self.pos += 1
            following = self.peek()
            if following in _EVERY_DAY_NOUNS:  # "jeden Tag", "every weekday"
                self.pos += 1
                weekdays = _EVERY_DAY_NOUNS[following]
            else:
                weekdays = self.weekday_list(WEEKDAY_WORDS)
        if not weekdays:
            return None
        at = self.time_of_day(after_day=True)
        if at is None:
            raise InvalidInput(NEEDS_TIME)
        return Every(tuple(sorted(set(weekdays))), at)

    def weekday_list(self, names: dict[str, int]) -> tuple[int, ...] | None:
        """``montag und donnerstag``, ``mo, do``, ``mondays and fridays``."""
        days: list[int] = []
        while (word := self.peek()) is not None:
            cleaned = word.rstrip(".")
            if cleaned in names or cleaned in _PLURAL_WEEKDAYS:
                days.append(names.get(cleaned, _PLURAL_WEEKDAYS.get(cleaned, 0)))
                self.pos += 1
                if self.peek() in _AND and self._weekday_at(1, names):
                    self.pos += 1
                continue
            break
        return tuple(days) or None

    def _weekday_at(self, offset: int, names: dict[str, int]) -> bool:
        word = self.peek(offset)
        return word is not None and (word.rstrip(".") in names or word in _PLURAL_WEEKDAYS)

    def relative(self) -> Once | None:
        """``in 2 Stunden``, ``in 30 min``, ``in einer halben Stunde``, ``in 3 Tagen um 9``."""
        if self.peek() not in _IN:
            return None
        self.pos += 1
        total = timedelta(0)
        while (part := self.amount()) is not None:
            total += part
            if self.peek() in _AND and self.amount_follows(1):
                self.pos += 1
        if total <= timedelta(0):
            return None
        if total % timedelta(days=1) == timedelta(0):
            # Whole days move the calendar, not the clock: "in 2 Tagen" keeps the time of day.
            day = self.today + total
            at = self.time_of_day(after_day=True) or self.now.time().replace(tzinfo=None)
            return Once(at_wall_clock(datetime.combine(day, at), self.tz))
        return Once(self.now.astimezone(UTC) + total)

    def amount_follows(self, offset: int) -> bool:
        start = self.pos
        self.pos += offset
        found = self.amount() is not None
        self.pos = start
        return found

    def amount(self) -> timedelta | None:
        """``2 Stunden``, ``90min``, ``einer halben Stunde``, ``half an hour``, ``1,5 h``."""
        word = self.peek()
        if word is None:
            return None
        if glued := _GLUED.fullmatch(word):
            self.pos += 1
            return int(glued.group(1)) * _UNITS[glued.group(2)]
        if both := re.fullmatch(r"(\d{1,2})h(\d{2})", word):
            self.pos += 1
            return timedelta(hours=int(both.group(1)), minutes=int(both.group(2)))
        count: float | None = None
        if word in _HALF and self.peek(1) in ("an", "a") and self.peek(2) in _UNITS:
            self.pos += 3
            return _UNITS[self.words[self.pos - 1]] / 2
        if word in _NUMBER_WORDS:
            count = _NUMBER_WORDS[word]
        elif re.fullmatch(r"\d{1,4}(?:[.,]\d)?", word):
            count = float(word.replace(",", "."))
        if count is None:
            return None
        step = 1
        if self.peek(1) in _HALF:
            count, step = count / 2, 2
        unit = self.peek(step)
        if unit is None or unit not in _UNITS:
            return None
        self.pos += step + 1
        return timedelta(minutes=round(count * (_UNITS[unit] / timedelta(minutes=1))))

    def absolute(self) -> Once | None:
        day = self.day()
        at = self.time_of_day(after_day=day is not None)
        if at is None:
            if day is not None:
                raise InvalidInput(NEEDS_TIME)
            return None
        if day is None:
            day = self.day(after_time=True)  # "9am tomorrow", "17:30 heute"
        if day is None:
            candidate = datetime.combine(self.today, at)
            if at_wall_clock(candidate, self.tz) <= self.now:
                candidate += timedelta(days=1)  # a bare time is the next such time
            return Once(at_wall_clock(candidate, self.tz))
        instant = at_wall_clock(datetime.combine(day.value, at), self.tz)
        if day.named_weekday and instant <= self.now:
            instant = at_wall_clock(datetime.combine(day.value + timedelta(days=7), at), self.tz)
        return Once(instant)

    def day(self, *, after_time: bool = False) -> _Day | None:
        """``heute``, ``morgen``, ``Freitag``, ``nächsten Montag``, ``24.12.``, ``24. Dezember``."""
        start = self.pos
        if self.peek() in _ON:
            self.pos += 1
        word = self.peek()
        after_today = False
        if word in _NEXT:
            after_today = True
            self.pos += 1
            word = self.peek()
        if word is None:
            self.pos = start
            return None
        if word in _DAYS_FROM_TODAY and not after_today:
            self.pos += 1
            return _Day(self.today + timedelta(days=_DAYS_FROM_TODAY[word]))
        if (name := word.rstrip(".")) in WEEKDAY_WORDS and (len(name) > 3 or not after_time):
            self.pos += 1
            ahead = (WEEKDAY_WORDS[name] - self.today.weekday()) % 7
            if after_today and ahead == 0:
                ahead = 7
            return _Day(self.today + timedelta(days=ahead), named_weekday=not after_today)
        if after_time:
            self.pos = start
            return None
        if not after_today and (found := self.calendar_date()) is not None:
            return found
        self.pos = start
        return None

    def calendar_date(self) -> _Day | None:
        """``24.12.``, ``2026-12-24``, ``24. Dezember``: without a year, the next such day."""
        word = self.peek()
        assert word is not None
        typed: TypedDate | None = None
        if ISO.fullmatch(word) or (
            DOTTED.fullmatch(word) and (word.count(".") >= 2 or self.time_follows(1))
        ):
            typed, taken = typed_date(word), 1
        # "24. Dezember", "24 Dec", "Dec 24", "December 24th"
        elif (following := self.peek(1)) is not None:
            if (number := _DAY_NUMBER.fullmatch(word)) and following.rstrip(".") in _MONTHS:
                typed = TypedDate(int(number.group(1)), _MONTHS[following.rstrip(".")], None)
            elif word.rstrip(".") in _MONTHS and (number := _DAY_NUMBER.fullmatch(following)):
                typed = TypedDate(int(number.group(1)), _MONTHS[word.rstrip(".")], None)
            taken = 2
        if typed is None:
            return None
        self.pos += taken
        return _Day(typed.on_or_after(self.today))

    def time_follows(self, offset: int) -> bool:
        """True if a clock time starts ``offset`` words ahead (``24.12 10:00``)."""
        word = self.peek(offset)
        return word is not None and (word in _AT or bool(re.fullmatch(r"\d{1,2}[:.]\d{2}", word)))

    def time_of_day(self, *, after_day: bool) -> time | None:
        """``9:00``, ``9``, ``14 Uhr``, ``14.30 Uhr``, ``9am``, ``9:30 pm``, ``halb 10``."""
        start = self.pos
        marked = False
        if self.peek() in _AT:
            self.pos += 1
            marked = True
        found = self._clock(marked or after_day)
        if found is None:
            self.pos = start
        return found

    def _clock(self, bare_number_ok: bool) -> time | None:
        word = self.peek()
        if word is None:
            return None
        if word == "halb" and (following := self.peek(1)) and following.isdigit():
            hour = int(following)
            if 1 <= hour <= 24:
                self.pos += 2
                self._skip_uhr()
                return time((hour - 1) % 24, 30)
            return None
        match = _CLOCK.fullmatch(word)
        if match is None:
            return None
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        suffix = match.group(3)
        consumed = 1
        following = self.peek(1)
        if suffix is None and (following in ("uhr", "h") or (
            following in ("am", "pm", "a.m.", "p.m.") and 1 <= hour <= 12
        )):
            suffix = following  # "14 Uhr", "9 am"; but "17:30 am Bahnhof" is German
            consumed = 2
        if suffix is None and match.group(2) is None and not bare_number_ok:
            return None  # a lone number is a time only after a day or "um"/"at"
        if suffix is None and match.group(2) is not None and "." in word and not (
            bare_number_ok
        ):
            return None
        if suffix in ("am", "pm", "a.m.", "p.m."):
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if suffix.startswith("p") else 0)
        if hour > 23 or minute > 59:
            return None
        self.pos += consumed
        if suffix == "uhr" and (following := self.peek()) and re.fullmatch(r"\d{2}", following):
            minute = int(following)  # "9 Uhr 30"
            if minute > 59:
                return None
            self.pos += 1
        return time(hour, minute)

    def _skip_uhr(self) -> None:
        if self.peek() == "uhr":
            self.pos += 1
