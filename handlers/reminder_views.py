"""Texts and buttons of reminders and meetings, in the reader's language."""

from __future__ import annotations

import html
from datetime import UTC, datetime, time, tzinfo

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.errors import STALE, InvalidInput
from bot.i18n import Translator
from bot.services.reminders.meetings import Attendance, Occurrence
from bot.services.reminders.preferences import Preferences
from handlers.common import keyboard
from storage.models import Meeting, Reminder, User

REMINDERS = "rem"
MEETINGS = "mtg"
_STAMP = "%Y%m%d%H%M"
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def stamp(instant: datetime) -> str:
    """An occurrence in callback data: its UTC start to the minute."""
    return instant.astimezone(UTC).strftime(_STAMP)


def from_stamp(text: str | None) -> datetime:
    try:
        return datetime.strptime(text or "", _STAMP).replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(STALE) from None


def moment(t: Translator, instant: datetime, tz: tzinfo) -> str:
    """``Mi. 25.11. 09:00`` / ``Wed 25 Nov 09:00``."""
    local = instant.astimezone(tz)
    return f"{t.short_date(local.date())} {t.time(local)}"


def _clock(t: Translator, at: time) -> str:
    return t.time(datetime.combine(datetime(2000, 1, 3).date(), at))


def recurrence(t: Translator, rule: str, at: time) -> str:
    """``every Monday at 08:00``, ``daily at 07:00``, ``Mon–Fri at 07:30``."""
    clock = _clock(t, at)
    if rule == "FREQ=DAILY":
        return t("daily at {time}").format(time=clock)
    days = [_BYDAY.index(code) + 1 for code in rule.rpartition("=")[2].split(",")]
    if days == [1, 2, 3, 4, 5]:
        return t("Monday to Friday at {time}").format(time=clock)
    names = ", ".join(t.weekday(day) for day in days)
    return t("every {weekdays} at {time}").format(weekdays=names, time=clock)


def reminder_when(t: Translator, reminder: Reminder, tz: tzinfo) -> str:
    if reminder.rule and reminder.local_time:
        return recurrence(t, reminder.rule, reminder.local_time) + " · " + t(
            "next: {when}").format(when=moment(t, reminder.next_at, tz))
    return moment(t, reminder.next_at, tz)


def reminder_list(
    t: Translator, reminders: list[Reminder], tz: tzinfo, prefs: Preferences
) -> tuple[str, InlineKeyboardMarkup | None]:
    lines = ["<b>" + t("Your reminders") + "</b>"]
    if not reminders:
        lines.append(t("You have no reminders. Set one like this: "
                       "<code>/remind morgen 9:00 Bericht schicken</code>"))
    for number, reminder in enumerate(reminders, start=1):
        lines.append(f"{number}. {reminder_when(t, reminder, tz)} – "
                     f"{html.escape(reminder.text)}")
    lines += ["", preferences_text(t, prefs)]
    rows = [[(t("🗑 Delete {number}").format(number=number),
              callbacks.pack(REMINDERS, "del", reminder.id))]
            for number, reminder in enumerate(reminders, start=1)]
    return "\n".join(lines), keyboard(rows) if rows else None


def preferences_text(t: Translator, prefs: Preferences) -> str:
    muted = (t("Automatic reminders (meetings, hours) are muted: /unmute") if prefs.muted
             else t("Automatic reminders (meetings, hours) are on: /mute"))
    if prefs.quiet is None:
        quiet = t("No quiet hours.")
    else:
        quiet = t("Quiet hours {start}–{end}: automatic reminders wait until then.").format(
            start=_clock(t, prefs.quiet.start), end=_clock(t, prefs.quiet.end))
    return muted + "\n" + quiet + " " + t("Change: /quiet")


def fired_reminder(t: Translator, reminder: Reminder, tz: tzinfo) -> str:
    text = "⏰ " + html.escape(reminder.text)
    if reminder.rule and reminder.local_time and not reminder.done:
        text += "\n\n" + t("Next time: {when}").format(when=moment(t, reminder.next_at, tz))
    return text


def snooze_keyboard(t: Translator, reminder: Reminder) -> InlineKeyboardMarkup:
    return keyboard([[
        (t("+15 min"), callbacks.pack(REMINDERS, "snz", reminder.id, "15m")),
        (t("+1 hour"), callbacks.pack(REMINDERS, "snz", reminder.id, "1h")),
        (t("Tomorrow"), callbacks.pack(REMINDERS, "snz", reminder.id, "1d")),
    ]])


# --- meetings ----------------------------------------------------------------------------------


def meeting_when(t: Translator, occurrence: Occurrence, tz: tzinfo) -> str:
    end = occurrence.ends_at.astimezone(tz)
    return f"{moment(t, occurrence.starts_at, tz)}–{t.time(end)}"


def meeting_schedule(t: Translator, meeting: Meeting, tz: tzinfo) -> str:
    if meeting.weekday is not None and meeting.local_time is not None:
        return recurrence(t, f"FREQ=WEEKLY;BYDAY={_BYDAY[meeting.weekday - 1]}",
                          meeting.local_time)
    return moment(t, meeting.starts_at, tz) if meeting.starts_at else ""


def answer_text(t: Translator, answer: bool | None) -> str:
    if answer is None:
        return t("You have not answered yet.")
    return t("Your answer: ✅ I'll come") if answer else t("Your answer: ❌ I can't come")


def meeting_text(
    t: Translator, occurrence: Occurrence, tz: tzinfo, *, answer: bool | None,
    attendance: Attendance | None = None, heading: str | None = None,
) -> str:
    meeting = occurrence.meeting
    lines = []
    if heading:
        lines.append(heading)
    lines.append("<b>" + html.escape(meeting.title) + "</b>")
    lines.append("🗓 " + meeting_when(t, occurrence, tz))
    if meeting.place:
        lines.append("📍 " + html.escape(meeting.place))
    lines.append("👥 " + participants_label(t, meeting))
    lines += ["", answer_text(t, answer)]
    if attendance is not None:
        lines += ["", attendance_text(t, attendance)]
    return "\n".join(lines)


def participants_label(t: Translator, meeting: Meeting) -> str:
    if meeting.team is not None:
        return meeting.team.name
    if meeting.region is not None:
        return meeting.region.name
    roles = meeting.audience.get("roles", []) if meeting.audience else []
    return t("Leads, administrators and others invited") if roles else t("Invited people")


def attendance_text(t: Translator, attendance: Attendance) -> str:
    def names(people: list[User]) -> str:
        return ", ".join(html.escape(p.display_name) for p in people) or "–"

    return "\n".join([
        t("✅ Coming ({count}): {names}").format(count=len(attendance.coming),
                                                names=names(attendance.coming)),
        t("❌ Not coming ({count}): {names}").format(count=len(attendance.not_coming),
                                                    names=names(attendance.not_coming)),
        t("❔ No answer yet: {count}").format(count=len(attendance.open)),
    ])


def answer_keyboard(t: Translator, occurrence: Occurrence,
                    extra: list[list[tuple[str, str]]] | None = None) -> InlineKeyboardMarkup:
    key = (occurrence.meeting.id, stamp(occurrence.starts_at))
    return keyboard([
        [(t("✅ I'll come"), callbacks.pack(MEETINGS, "att", *key, "y")),
         (t("❌ I can't"), callbacks.pack(MEETINGS, "att", *key, "n"))],
        *(extra or []),
    ])
