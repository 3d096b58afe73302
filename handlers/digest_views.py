"""How a digest reads in the chat, and its chart's labels, in the reader's language.

The text is built from blocks that never split an HTML tag across lines, then packed into
messages within Telegram's 4,096 characters (an administrator's digest of many regions
becomes several messages). With the chart, a caption (at most 1,024 characters) carries the
whole digest when it fits, else the heading and a one-line summary, and the text follows.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import tzinfo

from bot.i18n import Translator
from bot.services.digest.chart import Chart, Series
from bot.services.digest.figures import Digest, QuotaLine, RegionPart, TeamHours
from bot.services.digest.schedule import DAILY, WEEKLY, Choice
from handlers.labels import role_name
from handlers.reminder_views import moment

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
NAMES_PER_LINE = 8
LIST_LIMIT = 10
QUESTION_CHARS = 80
ARROWS = {1: "↗", 0: "→", -1: "↘"}


@dataclass(frozen=True)
class DigestText:
    caption: str  # with the chart, or the first message without one
    messages: tuple[str, ...]  # what follows


def schedule_text(t: Translator, choice: Choice) -> str:
    schedule = choice.schedule
    at = schedule.at.strftime("%H:%M")
    if schedule.frequency == WEEKLY:
        text = t("weekly on {weekday} at {time}").format(
            weekday=t.weekday(schedule.weekday + 1), time=at)
    elif schedule.frequency == DAILY:
        text = t("Monday to Friday at {time}").format(time=at)
    else:
        text = t("off")
    return text if choice.own else text + " " + t("(the office's default)")


def _heading(t: Translator, digest: Digest) -> str:
    if digest.scope.region_ids is None:
        where = t("all regions")
    else:
        where = ", ".join(html.escape(part.region.name) for part in digest.regions)
    number = digest.week.iso[1]
    return "\n".join([
        "<b>📊 " + t("Digest – {where}").format(where=where) + "</b>",
        t("Hours of week {number} ({start}–{end}), against each weekly quota").format(
            number=number, start=t.short_date(digest.week.start),
            end=t.short_date(digest.week.end)),
    ])


def _quota_line(t: Translator, line: QuotaLine) -> str:
    name = html.escape(line.category.short(t.locale))
    earlier = " · ".join(t.hours_value(minutes) for minutes in line.earlier)
    if line.quota:
        figures = t("{hours} of {quota} ({percent} %)").format(
            hours=t.hours_value(line.minutes), quota=t.hours(line.quota), percent=line.percent)
    else:
        figures = t.hours(line.minutes)
    return f"{name}: {figures} {ARROWS[line.trend]} · " + t("before: {weeks}").format(
        weeks=earlier)


def _team_block(t: Translator, team: TeamHours) -> list[str]:
    reached, total = team.quotas_reached
    mark = " ✅" if total and reached == total else ""
    return [f"<b>{html.escape(team.team.name)}</b>{mark}",
            *(_quota_line(t, line) for line in team.lines)]


def _names(t: Translator, names: list[str], limit: int) -> str:
    shown = ", ".join(html.escape(name) for name in names[:limit])
    if len(names) > limit:
        shown += " " + t("and {count} more").format(count=len(names) - limit)
    return shown


def _silent_block(t: Translator, part: RegionPart) -> list[str]:
    if not part.silent:
        return ["🔇 " + t("Everyone who logs hours logged some last week.")]
    lines = ["🔇 <b>" + t("No hours logged last week ({count})").format(
        count=len(part.silent)) + "</b>"]
    by_team: dict[str, list[str]] = {}
    for person in part.silent:
        by_team.setdefault(person.team.name, []).append(person.name)
    lines += [f"{html.escape(team)}: {_names(t, names, NAMES_PER_LINE)}"
              for team, names in by_team.items()]
    return lines


def _budget_block(t: Translator, digest: Digest, part: RegionPart) -> list[str]:
    budget = part.budget
    if budget is None:
        lines = ["💶 " + t("No FuA budget is set for {year}.").format(year=digest.year)]
    else:
        lines = ["💶 <b>" + t("FuA budget {year}").format(year=budget.year) + "</b>: " + t(
            "allocated {allocated} · approved {approved} · pending {pending} · spent {spent} · "
            "<b>available {available}</b>").format(
            allocated=t.money(budget.allocated), approved=t.money(budget.sums.approved),
            pending=t.money(budget.sums.pending), spent=t.money(budget.sums.spent),
            available=t.money(budget.allocated - budget.sums.committed))]
        if budget.is_example:
            lines.append(t("<i>Example figures: the office sets the real budget.</i>"))
    if not part.requests:
        lines.append("⏳ " + t("No requests are waiting for a decision."))
        return lines
    lines.append("⏳ <b>" + t("Waiting for a decision ({count})").format(
        count=len(part.requests)) + "</b>")
    for request in part.requests[:LIST_LIMIT]:
        days = (digest.now - request.created_at).days
        lines.append(f"• {request.number} · {html.escape(request.team_name)} · "
                     f"{t.money(request.amount_cents)} · " + t.ngettext(
                         "for {days} day", "for {days} days", days).format(days=days))
    if len(part.requests) > LIST_LIMIT:
        lines.append(t("and {count} more").format(count=len(part.requests) - LIST_LIMIT))
    return lines


def _meetings_block(t: Translator, digest: Digest, tz: tzinfo) -> list[str]:
    if not digest.meetings:
        return ["📅 " + t("No meetings in the next 7 days.")]
    lines = ["📅 <b>" + t("Meetings in the next 7 days") + "</b>"]
    for item in digest.meetings[:3 * LIST_LIMIT]:
        lines.append(f"• {moment(t, item.starts_at, tz)} {html.escape(item.meeting.title)}: " + t(
            "✅ {coming} · ❌ {not_coming} · ❔ {open}").format(
            coming=item.coming, not_coming=item.not_coming, open=item.open))
    if len(digest.meetings) > 3 * LIST_LIMIT:
        lines.append(t("and {count} more").format(count=len(digest.meetings) - 3 * LIST_LIMIT))
    lines.append(t("✅ coming · ❌ not coming · ❔ not answered yet"))
    return lines


def _questions_block(t: Translator, digest: Digest) -> list[str]:
    if not digest.questions:
        return ["❓ " + t("No passed-on question is waiting for an answer.")]
    lines = ["❓ <b>" + t("Questions waiting for an answer ({count})").format(
        count=len(digest.questions)) + "</b>"]
    for question in digest.questions[:LIST_LIMIT]:
        text = question.text if len(question.text) <= QUESTION_CHARS else (
            question.text[:QUESTION_CHARS - 1] + "…")
        days = (digest.now - question.forwarded_at).days
        lines.append(f"• „{html.escape(text)}“ · " + t.ngettext(
            "for {days} day", "for {days} days", days).format(days=days))
    if len(digest.questions) > LIST_LIMIT:
        lines.append(t("and {count} more").format(count=len(digest.questions) - LIST_LIMIT))
    return lines


def _members_block(t: Translator, digest: Digest, tz: tzinfo) -> list[str]:
    since = t.date(digest.members_since.astimezone(tz).date())
    if not digest.new_members:
        return ["👋 " + t("No new members since {date}.").format(date=since)]
    lines = ["👋 <b>" + t("New members since {date} ({count})").format(
        date=since, count=len(digest.new_members)) + "</b>"]
    for member in digest.new_members[:2 * LIST_LIMIT]:
        where = ", ".join(html.escape(name) for name in member.team_names)
        lines.append(f"• {html.escape(member.name)} · {role_name(t, member.role)}"
                     + (f" · {where}" if where else ""))
    if len(digest.new_members) > 2 * LIST_LIMIT:
        lines.append(t("and {count} more").format(
            count=len(digest.new_members) - 2 * LIST_LIMIT))
    return lines


def _summary(t: Translator, digest: Digest) -> str:
    reached = [team.quotas_reached for team in digest.teams]
    return t("Weekly quotas reached: {reached} of {total} · requests waiting: {requests} · "
             "meetings: {meetings} · open questions: {questions} · new members: {members}"
             ).format(reached=sum(r for r, _ in reached), total=sum(n for _, n in reached),
                      requests=sum(len(p.requests) for p in digest.regions),
                      meetings=len(digest.meetings), questions=len(digest.questions),
                      members=len(digest.new_members))


def render(t: Translator, digest: Digest, tz: tzinfo, *, with_chart: bool) -> DigestText:
    """The digest as a caption (for the chart, or the first message) and further messages."""
    blocks: list[list[str]] = []
    several = len(digest.regions) > 1
    for part in digest.regions:
        if several:
            blocks.append(["", f"<b>━━ {html.escape(part.region.name)} ━━</b>"])
        blocks += [["", *_team_block(t, team)] for team in part.teams]
        if not part.teams:
            blocks.append(["", t("This region has no active teams.")])
        blocks.append(["", *_silent_block(t, part)])
        blocks.append(["", *_budget_block(t, digest, part)])
    blocks += [["", *_meetings_block(t, digest, tz)], ["", *_questions_block(t, digest)],
               ["", *_members_block(t, digest, tz)]]
    heading = _heading(t, digest)
    whole = heading + "\n" + "\n".join("\n".join(block) for block in blocks)
    limit = CAPTION_LIMIT if with_chart else MESSAGE_LIMIT
    if size(whole) <= limit:
        return DigestText(whole, ())
    caption = heading + "\n\n" + _summary(t, digest)
    return DigestText(caption, tuple(pack(blocks, MESSAGE_LIMIT)))


def size(text: str) -> int:
    """Telegram's length of a text: UTF-16 code units (an emoji counts twice). Measured on
    the HTML, which is never shorter than what Telegram counts after parsing it."""
    return len(text.encode("utf-16-le")) // 2


def pack(blocks: list[list[str]], limit: int) -> list[str]:
    """Join blocks of lines into as few messages of at most ``limit`` characters as they
    fit; a block too long on its own is split between lines."""
    messages: list[str] = []
    current: list[str] = []
    for block in blocks:
        for line in _fitting(block, limit):
            if current and size("\n".join([*current, line])) > limit:
                messages.append("\n".join(current).strip("\n"))
                current = []
            current.append(line)
    if current:
        messages.append("\n".join(current).strip("\n"))
    return [message for message in messages if message]


def _fitting(lines: list[str], limit: int) -> list[str]:
    """Lines of at most ``limit`` characters (a longer one is cut; none is in practice)."""
    return [line if size(line) <= limit else line[:limit // 2 - 1] + "…" for line in lines]


def chart_of(t: Translator, digest: Digest) -> Chart | None:
    """Hours against quota per team and category; None when no team has a quota."""
    teams = [team for team in digest.teams if any(line.quota for line in team.lines)]
    if not teams:
        return None
    categories = [category for category in (line.category for line in teams[0].lines)
                  if any(line.quota for team in teams for line in team.lines
                         if line.category.id == category.id)]
    series = []
    for category in categories:
        lines = [next(line for line in team.lines if line.category.id == category.id)
                 for team in teams]
        series.append(Series(
            label=category.short(t.locale),
            percent=tuple(100 * line.minutes / line.quota if line.quota else None
                          for line in lines),
            average=tuple(100 * line.average / line.quota if line.quota else None
                          for line in lines),
            notes=tuple(f"{t.hours_value(line.minutes)}/{t.hours_value(line.quota)}"
                        if line.quota else "" for line in lines),
        ))
    number = digest.week.iso[1]
    return Chart(
        title=t("Hours against the weekly quota, week {number} ({start}–{end})").format(
            number=number, start=t.short_date(digest.week.start),
            end=t.short_date(digest.week.end)),
        axis_label=t("% of the weekly quota"),
        average_label=t("Ø of the {weeks} weeks before").format(weeks=len(digest.earlier)),
        teams=tuple(team.team.name for team in teams),
        series=tuple(series),
    )
