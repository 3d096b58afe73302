"""How hours look in the chat: progress bars, week summaries, entries."""

from __future__ import annotations

import html

from bot.i18n import Translator
from bot.services.hours import Draft, WeekProgress
from storage.models import HourCategory, HourEntry, Team

BAR_CELLS = 10


def bar(minutes: int, quota: int) -> str:
    filled = min(BAR_CELLS, round(BAR_CELLS * minutes / quota)) if quota else BAR_CELLS
    return "▓" * filled + "░" * (BAR_CELLS - filled)


def week_title(t: Translator, progress: WeekProgress) -> str:
    _year, number = progress.week.iso
    text = t("Week {number} ({start}–{end}), {team}").format(
        number=number, start=t.short_date(progress.week.start),
        end=t.short_date(progress.week.end), team=html.escape(progress.team.name),
    )
    if progress.locked:
        text += " 🔒"
    return f"<b>{text}</b>"


def progress_lines(t: Translator, progress: WeekProgress) -> list[str]:
    """One line per category; a clear note where a quota is reached or exceeded."""
    lines = []
    notes = []
    for item in progress.categories:
        name = html.escape(item.category.short(t.locale))
        if item.quota is None:
            lines.append(f"{name} {t.hours(item.minutes)}")
            continue
        lines.append(
            f"{name} {t.hours_value(item.minutes)} / {t.hours(item.quota)} "
            f"{bar(item.minutes, item.quota)}"
        )
        if item.exceeded:
            notes.append("⚠️ " + t("Quota {category} exceeded: {hours} of {quota}.").format(
                category=name, hours=t.hours(item.minutes), quota=t.hours(item.quota)))
        elif item.reached:
            notes.append("✅ " + t("Quota {category} reached.").format(category=name))
    return lines + notes


def people_lines(t: Translator, progress: WeekProgress) -> list[str]:
    if not progress.people:
        return []
    short = {item.category.id: item.category.short(t.locale) for item in progress.categories}
    lines = ["", t("<b>Per person</b>")]
    for person in progress.people:
        name = html.escape(person.name) if person.name else t("(erased)")
        parts = [f"{html.escape(short.get(cid, '?'))} {t.hours_value(minutes)}"
                 for cid, minutes in sorted(person.minutes_by_category.items())]
        lines.append(f"{name}: " + " · ".join(parts))
    return lines


def week_text(t: Translator, progress: WeekProgress) -> str:
    return "\n".join([week_title(t, progress), *progress_lines(t, progress),
                      *people_lines(t, progress)])


def draft_summary(
    t: Translator, draft: Draft, category: HourCategory | None, team: Team | None
) -> str:
    """The summary shown before saving."""
    dash = "–"
    rows = [
        t("<b>Please check:</b>"),
        t("Kind of work: {value}").format(
            value=html.escape(category.name(t.locale)) if category else dash),
        t("Team: {value}").format(value=html.escape(team.name) if team else dash),
        t("Time: {value}").format(
            value=t.hours(draft.minutes) if draft.minutes is not None else dash),
        t("Day: {value}").format(value=t.short_date(draft.day) if draft.day else dash),
        t("Note: {value}").format(value=html.escape(draft.note) if draft.note else dash),
    ]
    return "\n".join(rows)


def entry_line(t: Translator, number: int, entry: HourEntry) -> str:
    note = f" – {html.escape(entry.note)}" if entry.note else ""
    return (f"{number}. {t.short_date(entry.work_date)} "
            f"{html.escape(entry.category.short(t.locale))} {t.hours(entry.minutes)}{note}")
