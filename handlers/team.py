"""/team: the user's Sozialraumteam – districts, members by role, provider seats, meeting.

Members see their own teams, leads the teams of their region, admins every team; a team
chosen by button is checked against that again.
"""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.errors import N_, STALE, InvalidInput
from bot.i18n import Translator
from bot.services import access
from bot.services.contacts import team as teams
from handlers.common import answer, keyboard, pressed_data, show
from handlers.contacts_views import example_mark, seat_name
from handlers.context import BotApp, BotContext
from handlers.registry import Command, Feature
from storage.models import Meeting, Role

PREFIX = "tm"
MEMBER_HEADINGS = {
    Role.CASEWORKER: N_("ASD caseworkers"),
    Role.NETWORKER: N_("Networkers"),
    Role.PROVIDER: N_("Provider staff"),
}


async def team_command(update: Update, context: BotContext) -> None:
    """Show the user's team, or let them choose when they see several."""
    scope = context.scope
    visible = await access.visible_teams(scope.session, scope.require_user())
    if not visible:
        raise InvalidInput(N_("You are not a member of any team yet."))
    if len(visible) == 1:
        await _show_team(update, context, visible[0].id)
        return
    rows = [[(team.name, callbacks.pack(PREFIX, "show", team.id))] for team in visible]
    await show(update, context, context.t("Which team?"), keyboard(rows))


async def team_pressed(update: Update, context: BotContext) -> None:
    """A team chosen from the picker; answered after the check, so a refusal is an alert."""
    data = pressed_data(update, PREFIX)
    if data.action != "show":
        raise InvalidInput(STALE)
    await _show_team(update, context, data.int_arg(0))
    await answer(update)


async def _show_team(update: Update, context: BotContext, team_id: int | None) -> None:
    scope = context.scope
    page = await teams.team_page(scope.session, scope.require_user(), team_id)
    await show(update, context, team_text(context, page))


def team_text(context: BotContext, page: teams.TeamPage) -> str:
    t = context.t
    team = page.team
    lines = [f"<b>{html.escape(team.name)}</b> · {html.escape(team.region.name)}",
             t("Districts: {districts}").format(districts=html.escape(", ".join(team.districts))),
             "", "<b>" + t("Members") + "</b>"]
    for role, members in page.members.items():
        names = ", ".join(html.escape(m.display_name) for m in members) or "–"
        expected = team.composition.get(role.value)
        count = (" " + t("({registered} of {expected})").format(
            registered=len(members), expected=expected)) if expected else ""
        lines.append(f"{t(MEMBER_HEADINGS[role])}{count}: {names}")
    leads = ", ".join(html.escape(lead.display_name) for lead in page.leads) or "–"
    lines.append(t("Regional lead: {names}").format(names=leads))
    if page.seats:
        lines += ["", "<b>" + t("Provider seats") + "</b>"]
        for seat in page.seats:
            holder = (html.escape(seat.provider.name) if seat.provider
                      else t("not assigned in the organisation file yet"))
            people = ", ".join(html.escape(contact.name) + (
                " " + example_mark(t) if contact.is_example else "")
                for contact in page.holders.get(seat.id, []))
            if people:
                holder += " – " + people
            lines.append(f"{html.escape(seat_name(t, seat.kind))}: {holder}")
    if page.meetings:
        lines += ["", "<b>" + t("Team meeting") + "</b>"]
        lines += [_meeting_line(context, meeting) for meeting in page.meetings]
    return "\n".join(lines)


def _meeting_line(context: BotContext, meeting: Meeting) -> str:
    t: Translator = context.t
    title = html.escape(meeting.title)
    if meeting.weekday is not None and meeting.local_time is not None:
        line = t("{title}: every {weekday}, {time}, {minutes} min").format(
            title=title, weekday=t.weekday(meeting.weekday),
            time=meeting.local_time.strftime("%H:%M"), minutes=meeting.duration_minutes)
    elif meeting.starts_at is not None:
        local = meeting.starts_at.astimezone(context.state.settings.tz)
        line = f"{title}: {t.datetime(local)}"
    else:
        line = title
    if meeting.place:
        line += " · " + html.escape(meeting.place)
    # The organisation file marks invented days and times; the database has no such column.
    spec = next((m for m in context.state.org.meetings if m.key == meeting.key), None)
    if spec is not None and spec.example:
        line += " " + example_mark(t)
    return line


def register(application: BotApp) -> None:
    application.add_handler(CommandHandler("team", team_command))
    application.add_handler(CallbackQueryHandler(team_pressed, pattern=callbacks.pattern(PREFIX)))


FEATURE = Feature(
    name="team",
    register=register,
    commands=(Command("team", N_("Your Sozialraumteam: members, provider seats, meeting")),),
)
