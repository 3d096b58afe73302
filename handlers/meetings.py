"""/meetings (the user's next meetings, who comes) and /meeting (leads and admins create one).

Every button is checked again: the meeting must exist and be active, the time a real
occurrence of it, the user a participant (to answer) or its organiser or lead (to see names
and to cancel).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks
from bot.errors import N_, STALE, InvalidInput
from bot.i18n import Translator
from bot.parsing.when import Every, Once, parse_when
from bot.persistence import persisted
from bot.services.privacy import FREE_TEXT_REMINDER
from bot.services.reminders import meetings
from bot.services.reminders.meetings import MeetingDraft, Occurrence
from handlers import reminder_views as views
from handlers.common import (
    Markup,
    answer,
    claim_press,
    dialogue,
    keyboard,
    local_now,
    message_text,
    pressed_data,
    send,
    show,
)
from handlers.context import BotApp, BotContext
from handlers.labels import role_name
from handlers.registry import Command, Feature
from storage.models import Meeting, Role, User

log = logging.getLogger(__name__)

PREFIX = views.MEETINGS
TITLE, WHEN, PLACE, WHO, DURATION, CONFIRM = range(6)
DRAFT = "meeting_draft"
# The draft lives in user_data, which is kept in the database between updates.
for _kept in (MeetingDraft, Once, Every):
    persisted(_kept)
TEXT = filters.TEXT & ~filters.COMMAND
ORGANISERS = frozenset({Role.LEAD, Role.ADMIN})
PEOPLE_PAGE = 8  # people per page when choosing participants by name


def _tz(context: BotContext) -> ZoneInfo:
    return context.state.settings.tz


def _pressed(update: Update) -> callbacks.Callback:
    return pressed_data(update, PREFIX)


# --- /meetings ---------------------------------------------------------------------------------


async def meetings_command(update: Update, context: BotContext) -> None:
    """/meetings: the next two weeks' meetings, each with its details behind a button."""
    await _list(update, context)


async def _list(update: Update, context: BotContext) -> None:
    scope, t, tz = context.scope, context.t, _tz(context)
    found = await meetings.upcoming(scope.session, scope.require_user(), now=scope.now, tz=tz)
    if not found:
        text = t("No meetings in the next two weeks.")
        if scope.role in ORGANISERS:
            text += "\n" + t("Create one with /meeting.")
        await show(update, context, text)
        return
    rows = [[(f"{views.moment(t, o.starts_at, tz)} · {o.meeting.title}"[:60],
              callbacks.pack(PREFIX, "show", o.meeting.id, views.stamp(o.starts_at)))]
            for o in found]
    await show(update, context, "<b>" + t("Your next meetings") + "</b>\n"
               + t("Tap one for details and to say whether you come."), keyboard(rows))


async def _details(update: Update, context: BotContext, found: Occurrence,
                   note: str | None = None) -> None:
    scope, t, tz = context.scope, context.t, _tz(context)
    user = scope.require_user()
    answer_now = await meetings.my_answer(scope.session, user, found)
    attendance = (await meetings.attendance(scope.session, found)
                  if meetings.oversees(user, found.meeting) else None)
    text = views.meeting_text(t, found, tz, answer=answer_now, attendance=attendance,
                              heading=note)
    extra: list[list[tuple[str, str]]] = []
    if meetings.may_cancel(user, found.meeting):
        extra.append([(t("Cancel this meeting"), callbacks.pack(PREFIX, "end", found.meeting.id))])
    extra.append([(t("« All meetings"), callbacks.pack(PREFIX, "list"))])
    if meetings.takes_part(user, found.meeting) and found.starts_at > scope.now:
        await show(update, context, text, views.answer_keyboard(t, found, extra))
    else:
        await show(update, context, text, keyboard(extra))


async def pressed(update: Update, context: BotContext) -> None:
    """Buttons outside the dialogue: list, details, attendance, cancelling."""
    await answer(update)
    data = _pressed(update)
    scope, t, tz = context.scope, context.t, _tz(context)
    user = scope.require_user()
    if data.action == "list":
        await _list(update, context)
    elif data.action == "show":
        found = await meetings.occurrence(scope.session, data.int_arg(0),
                                          views.from_stamp(data.arg(1)), tz)
        if not (meetings.takes_part(user, found.meeting) or meetings.oversees(user,
                                                                              found.meeting)):
            raise InvalidInput(STALE)
        await _details(update, context, found)
    elif data.action == "att" and data.arg(2) in ("y", "n"):
        found = await meetings.answer(scope.session, user, data.int_arg(0),
                                      views.from_stamp(data.arg(1)), data.arg(2) == "y",
                                      now=scope.now, tz=tz)
        await scope.commit()
        await _details(update, context, found, note=t("Thank you, noted."))
    elif data.action == "end":
        meeting = await _cancellable(context, data.int_arg(0))
        await show(update, context, t("Cancel “{title}” for everyone? All future dates end, "
                                      "and the participants are told.").format(
                                          title=html.escape(meeting.title)),
                   keyboard([[(t("Yes, cancel it"), callbacks.pack(PREFIX, "endok", meeting.id)),
                              (t("No"), callbacks.pack(PREFIX, "list"))]]))
    elif data.action == "endok":
        meeting = await meetings.cancel(scope.session, user, data.int_arg(0), now=scope.now)
        people = await meetings.participants(scope.session, meeting)
        await scope.commit()
        await show(update, context, t("Cancelled: {title}.").format(
            title=html.escape(meeting.title)))
        await _tell_all(context, [p for p in people if p.id != user.id], lambda t: (
            t("❌ Cancelled by {name}: {title}").format(
                name=html.escape(user.display_name), title=html.escape(meeting.title)), None))
    else:
        raise InvalidInput(STALE)


async def _cancellable(context: BotContext, meeting_id: int | None) -> Meeting:
    scope = context.scope
    found = await meetings.get(scope.session, meeting_id)
    if found is None or not found.active or not meetings.may_cancel(scope.require_user(), found):
        raise InvalidInput(STALE)
    return found


Build = Callable[[Translator], tuple[str, Markup]]


async def _tell_all(context: BotContext, people: list[User], build: Build) -> None:
    """A message to each person in their language; an unreachable chat is only logged."""
    for person in people:
        text, markup = build(context.state.i18n.get(person.locale))
        try:
            await context.bot.send_message(person.telegram_id, text, reply_markup=markup)
        except TelegramError:
            log.warning("meeting notice not delivered to user %s", person.id)


# --- /meeting: the dialogue ----------------------------------------------------------------------


def _draft(context: BotContext) -> MeetingDraft:
    assert context.user_data is not None
    draft = context.user_data.get(DRAFT)
    if not isinstance(draft, MeetingDraft):
        raise InvalidInput(N_("This dialogue has expired. Please start again with /meeting."))
    return draft


def _cancel_row(context: BotContext) -> list[tuple[str, str]]:
    return [(context.t("Cancel"), callbacks.pack(PREFIX, "cancel"))]


async def meeting_command(update: Update, context: BotContext) -> int:
    """Step 1: the title."""
    meetings.require_organiser(context.scope.require_user())
    assert context.user_data is not None
    context.user_data[DRAFT] = MeetingDraft()
    t = context.t
    await send(update, context, t("<b>New meeting</b> – what is its title (at most {limit} "
                                  "characters)?").format(limit=meetings.TITLE_MAX)
               + "\n\n" + t(FREE_TEXT_REMINDER), keyboard([_cancel_row(context)]))
    return TITLE


async def got_title(update: Update, context: BotContext) -> int:
    """Step 2: when, once or weekly."""
    _draft(context).title = meetings.check_title(message_text(update))
    t = context.t
    await send(update, context, t("When? For example <code>Dienstag 9:00</code>, "
                                  "<code>03.12. 14:00</code> or, for a weekly meeting, "
                                  "<code>jeden Dienstag 9:00</code>."),
               keyboard([_cancel_row(context)]))
    return WHEN


async def got_when(update: Update, context: BotContext) -> int:
    """Step 3: where (optional)."""
    scope, t = context.scope, context.t
    parsed = parse_when(message_text(update), local_now(context))
    if parsed.text:
        raise InvalidInput(N_("Please give only the time, e.g. Dienstag 9:00 or jeden Dienstag "
                              "9:00."))
    _draft(context).when = meetings.check_when(parsed.when, scope.now)
    await send(update, context, t("Where does it take place (at most {limit} characters)?")
               .format(limit=meetings.PLACE_MAX),
               keyboard([[(t("No place"), callbacks.pack(PREFIX, "noplace"))],
                         _cancel_row(context)]))
    return PLACE


async def got_place(update: Update, context: BotContext) -> int:
    _draft(context).place = meetings.check_place(message_text(update))
    return await _ask_who(update, context)


async def no_place(update: Update, context: BotContext) -> int:
    await answer(update)
    _draft(context).place = None
    return await _ask_who(update, context)


async def _ask_who(update: Update, context: BotContext) -> int:
    """Step 4: who takes part: a team or a region the user may invite, or chosen people."""
    scope, t = context.scope, context.t
    regions, teams = await meetings.choices(scope.session, scope.require_user())
    rows = [[(region.name, callbacks.pack(PREFIX, "who", "r", region.id))] for region in regions]
    rows += [[(team.name, callbacks.pack(PREFIX, "who", "t", team.id))] for team in teams]
    rows.append([(t("👤 Choose people"), callbacks.pack(PREFIX, "ppl", 0))])
    await show(update, context, t("Who takes part?"), keyboard([*rows, _cancel_row(context)]))
    return WHO


async def _show_people(update: Update, context: BotContext, page: int) -> int:
    """One page of the people the user may invite, the chosen ones ticked."""
    scope, t = context.scope, context.t
    draft = _draft(context)
    people = await meetings.invitable(scope.session, scope.require_user())
    pages = max(1, -(-len(people) // PEOPLE_PAGE))
    page = min(max(page, 0), pages - 1)
    rows = [[(("✅ " if person.id in draft.user_ids else "") + person.display_name
              + " · " + role_name(t, person.role),
              callbacks.pack(PREFIX, "pick", person.id, page))]
            for person in people[page * PEOPLE_PAGE:(page + 1) * PEOPLE_PAGE]]
    nav = []
    if page > 0:
        nav.append(("«", callbacks.pack(PREFIX, "ppl", page - 1)))
    if page < pages - 1:
        nav.append(("»", callbacks.pack(PREFIX, "ppl", page + 1)))
    if nav:
        rows.append(nav)
    rows.append([(t("Done ({count} chosen)").format(count=len(draft.user_ids)),
                  callbacks.pack(PREFIX, "pdone"))])
    text = t("Choose the participants; tap a name again to remove it. Page {page} of "
             "{pages}.").format(page=page + 1, pages=pages)
    if not people:
        text = t("There is nobody you could invite by name.")
    await show(update, context, text, keyboard([*rows, _cancel_row(context)]))
    return WHO


async def people_page(update: Update, context: BotContext) -> int:
    await answer(update)
    page = _pressed(update).int_arg(0)
    if page is None:
        raise InvalidInput(STALE)
    _draft(context)  # an expired dialogue says so
    return await _show_people(update, context, page)


async def toggle_person(update: Update, context: BotContext) -> int:
    """Tick or untick one person; the id is checked against whom the user may invite."""
    await answer(update)
    data = _pressed(update)
    scope = context.scope
    await meetings.toggle_person(scope.session, scope.require_user(), _draft(context),
                                 data.int_arg(0))
    return await _show_people(update, context, data.int_arg(1) or 0)


async def people_done(update: Update, context: BotContext) -> int:
    await answer(update)
    meetings.check_people(_draft(context))
    return await _ask_duration(update, context)


async def got_who(update: Update, context: BotContext) -> int:
    """A team or a region was chosen."""
    await answer(update)
    data = _pressed(update)
    scope = context.scope
    regions, teams = await meetings.choices(scope.session, scope.require_user())
    draft = _draft(context)
    chosen = data.int_arg(1)
    if data.arg(0) == "t" and chosen in {team.id for team in teams}:
        draft.team_id, draft.region_id = chosen, None
    elif data.arg(0) == "r" and chosen in {region.id for region in regions}:
        draft.team_id, draft.region_id = None, chosen
    else:
        raise InvalidInput(STALE)
    draft.user_ids = []
    return await _ask_duration(update, context)


async def _ask_duration(update: Update, context: BotContext) -> int:
    """Step 5: how long."""
    t = context.t
    rows = [[(t.hours(minutes), callbacks.pack(PREFIX, "dur", minutes))
             for minutes in meetings.DURATIONS]]
    await show(update, context, t("How long does it take?"),
               keyboard([*rows, _cancel_row(context)]))
    return DURATION


async def got_duration(update: Update, context: BotContext) -> int:
    """Step 6: the summary, then Save."""
    await answer(update)
    minutes = _pressed(update).int_arg(0)
    if minutes not in meetings.DURATIONS:
        raise InvalidInput(STALE)
    draft = _draft(context)
    draft.duration_minutes = minutes
    t = context.t
    await show(update, context, "<b>" + t("Please check:") + "</b>\n"
               + await _summary(context, draft),
               keyboard([[(t("💾 Save"), callbacks.pack(PREFIX, "save"))],
                         _cancel_row(context)]))
    return CONFIRM


async def _summary(context: BotContext, draft: MeetingDraft) -> str:
    t, tz = context.t, _tz(context)
    when = draft.when
    if isinstance(when, Every):
        schedule = views.recurrence(t, when.rule, when.at)
    else:
        assert when is not None
        schedule = views.moment(t, when.at, tz)
    lines = [html.escape(draft.title or ""), "🗓 " + schedule + " · " + t.hours(
        draft.duration_minutes)]
    if draft.place:
        lines.append("📍 " + html.escape(draft.place))
    if draft.user_ids:
        people = await meetings.chosen_people(context.scope.session, draft)
        lines.append("👥 " + ", ".join(html.escape(p.display_name) for p in people))
    return "\n".join(lines)


async def save(update: Update, context: BotContext) -> int:
    """Save once (double taps create one meeting) and invite the participants."""
    await answer(update)
    if not await claim_press(update, context, "meeting-save"):
        return ConversationHandler.END
    scope, t, tz = context.scope, context.t, _tz(context)
    user = scope.require_user()
    meeting = await meetings.create(scope.session, user, _draft(context), now=scope.now, tz=tz)
    assert context.user_data is not None
    context.user_data.pop(DRAFT, None)  # consumed with the meeting: committed together
    await scope.commit()
    loaded = await meetings.get(scope.session, meeting.id)
    assert loaded is not None
    first = meetings.occurrences_of(loaded, tz, scope.now, scope.now + timedelta(days=740))
    people = [p for p in await meetings.participants(scope.session, loaded) if p.id != user.id]
    await show(update, context, t("✅ Saved. {count} participants are invited.").format(
        count=len(people)) + "\n\n" + views.meeting_schedule(t, loaded, tz))
    if first:
        occurrence = Occurrence(loaded, first[0])

        def build(t: Translator) -> tuple[str, Markup]:
            text = views.meeting_text(t, occurrence, tz, answer=None, heading="📅 " + t(
                "New meeting from {name}").format(name=html.escape(user.display_name)))
            return text, views.answer_keyboard(t, occurrence)

        await _tell_all(context, people, build)
    return ConversationHandler.END


def _on(*actions: str) -> str:
    return rf"^{PREFIX}:{callbacks.VERSION}:({'|'.join(actions)})(:|$)"


def register(application: BotApp) -> None:
    application.add_handler(dialogue(
        "meeting",
        [CommandHandler("meeting", meeting_command)],
        {
            TITLE: [MessageHandler(TEXT, got_title)],
            WHEN: [MessageHandler(TEXT, got_when)],
            PLACE: [MessageHandler(TEXT, got_place),
                    CallbackQueryHandler(no_place, pattern=_on("noplace"))],
            WHO: [CallbackQueryHandler(got_who, pattern=_on("who")),
                  CallbackQueryHandler(people_page, pattern=_on("ppl")),
                  CallbackQueryHandler(toggle_person, pattern=_on("pick")),
                  CallbackQueryHandler(people_done, pattern=_on("pdone"))],
            DURATION: [CallbackQueryHandler(got_duration, pattern=_on("dur"))],
            CONFIRM: [CallbackQueryHandler(save, pattern=_on("save"))],
        },
        cancelled=N_("Cancelled. Nothing was saved."), drafts=(DRAFT,),
        cancel_button=_on("cancel"),
    ))
    application.add_handler(CommandHandler("meetings", meetings_command))
    application.add_handler(CallbackQueryHandler(pressed, pattern=_on("list", "show", "att",
                                                                      "end", "endok")))


FEATURE = Feature(
    name="meetings",
    register=register,
    commands=(
        Command("meetings", N_("My next meetings; say whether you come")),
        Command("meeting", N_("Create a meeting (once or weekly)"), roles=ORGANISERS),
    ),
)
