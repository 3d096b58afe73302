"""/hours: log time in a few taps (category → team → time → day → note → save),
or in one line: ``/hours 2,5 fua gestern``.
"""

from __future__ import annotations

from datetime import date, timedelta

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks
from bot.errors import N_, STALE, InvalidInput
from bot.parsing import parse_day
from bot.parsing.dates import DAY_WORDS
from bot.persistence import persisted
from bot.services import hours
from bot.services.hours import Draft, HoursPolicy, Week
from bot.services.organisation import OrgFile
from bot.services.privacy import FREE_TEXT_REMINDER
from handlers.common import (
    answer,
    claim_press,
    dialogue,
    keyboard,
    leave_dialogue,
    message_text,
    pressed_data,
    show,
    today,
)
from handlers.context import BotApp, BotContext
from handlers.hours_views import draft_summary, week_text
from handlers.registry import Command, Feature
from storage.models import HourCategory, Role, Team

PREFIX = "hrs"
CATEGORY, TEAM, AMOUNT, DAY, NOTE, CONFIRM = range(6)
STEP_NAMES = {CATEGORY: "cat", TEAM: "team", AMOUNT: "amt", DAY: "day", NOTE: "note",
              CONFIRM: "ok"}
QUICK_MINUTES = ((30, 60, 90), (120, 180, 240))
DRAFT_KEY = "hours_draft"
CANCELLED = N_("Cancelled. Nothing was saved.")
persisted(Draft)  # the draft lives in user_data, which is kept in the database


def logging_roles(org: OrgFile) -> frozenset[Role]:
    """The roles that log hours: the organisation file's ``hours.roles`` (menus, /help)."""
    return frozenset(Role(role) for role in org.hours.roles)


def policy(context: BotContext) -> HoursPolicy:
    return context.state.org.hours


def _draft(context: BotContext) -> Draft:
    assert context.user_data is not None
    draft = context.user_data.get(DRAFT_KEY)
    if not isinstance(draft, Draft):
        raise InvalidInput(N_("This dialogue has expired. Please start again with /hours."))
    return draft


def _nav(context: BotContext, back_to: int | None) -> list[tuple[str, str]]:
    row = []
    if back_to is not None:
        row.append((context.t("« Back"), callbacks.pack(PREFIX, "back", STEP_NAMES[back_to])))
    row.append((context.t("Cancel"), callbacks.pack(PREFIX, "cancel")))
    return row


async def _teams(context: BotContext) -> list[Team]:
    return await hours.loggable_teams(context.scope.require_user(), policy(context))


async def _previous(context: BotContext, step: int) -> int | None:
    """The step before ``step``; the team step exists only for members of several teams."""
    if step == CATEGORY:
        return None
    if step == AMOUNT:
        return TEAM if len(await _teams(context)) > 1 else CATEGORY
    return step - 1


async def show_step(update: Update, context: BotContext, step: int) -> int:
    """Render ``step`` of the dialogue and return it as the conversation state."""
    t = context.t
    draft = _draft(context)
    back = _nav(context, await _previous(context, step))
    if step == CATEGORY:
        categories = await hours.loggable_categories(context.scope.session)
        rows = [[(c.name(t.locale), callbacks.pack(PREFIX, "cat", c.id))] for c in categories]
        await show(update, context, t("<b>Log hours</b> – what kind of work?"),
                   keyboard([*rows, back]))
    elif step == TEAM:
        rows = [[(team.name, callbacks.pack(PREFIX, "team", team.id))]
                for team in await _teams(context)]
        await show(update, context, t("For which team?"), keyboard([*rows, back]))
    elif step == AMOUNT:
        rows = [[(t.hours_value(m), callbacks.pack(PREFIX, "amt", m)) for m in row]
                for row in QUICK_MINUTES]
        question = t("How much time? Tap or type it (e.g. 2,5 or 1:30 or 90 min).")
        await show(update, context, question, keyboard([*rows, back]))
    elif step == DAY:
        day = today(context)
        rows = [[(t("Today"), callbacks.pack(PREFIX, "day", day.isoformat())),
                 (t("Yesterday"), callbacks.pack(PREFIX, "day", (day - timedelta(1)).isoformat()))]]
        await show(update, context, t("For which day? Tap or type it (e.g. 22.11.)."),
                   keyboard([*rows, back]))
    elif step == NOTE:
        rows = [[(t("No note"), callbacks.pack(PREFIX, "note", "none"))]]
        text = t("Optional: a short note (at most {limit} characters). {reminder}").format(
            limit=policy(context).note_max_length, reminder=t(FREE_TEXT_REMINDER))
        await show(update, context, text, keyboard([*rows, back]))
    else:
        category, team = await _chosen(context, draft)
        rows = [[(t("💾 Save"), callbacks.pack(PREFIX, "save"))]]
        await show(update, context, draft_summary(t, draft, category, team),
                   keyboard([*rows, back]))
    return step


async def _chosen(context: BotContext, draft: Draft) -> tuple[HourCategory | None, Team | None]:
    categories = {c.id: c for c in await hours.loggable_categories(context.scope.session)}
    teams = {team.id: team for team in await _teams(context)}
    return categories.get(draft.category_id or -1), teams.get(draft.team_id or -1)


# -- entry ------------------------------------------------------------------------------------

async def start(update: Update, context: BotContext) -> int:
    """/hours: start the dialogue, or take the one-line shortcut."""
    teams = await _teams(context)  # refuses roles that may not log
    assert context.user_data is not None
    draft = Draft(team_id=teams[0].id if len(teams) == 1 else None)
    context.user_data[DRAFT_KEY] = draft
    if context.args:
        await _fill_from_line(context, draft, context.args)
        return await show_step(update, context, TEAM if draft.team_id is None else CONFIRM)
    return await show_step(update, context, CATEGORY)


async def start_from_button(update: Update, context: BotContext) -> int:
    """The "Log hours" button of the weekly reminder: the same dialogue as /hours."""
    await answer(update)
    return await start(update, context)


async def _fill_from_line(context: BotContext, draft: Draft, words: list[str]) -> None:
    """``2,5 fua gestern [note…]``: time first, then kind of work, then optionally the day.

    The time may be written in words too (``90 min fua``, ``1 Std 30 fua``), as in the dialogue.
    """
    categories = await hours.loggable_categories(context.scope.session)
    draft.minutes, used = _leading_duration(words, policy(context))
    if len(words) <= used:
        raise InvalidInput(N_("Please add the kind of work, e.g. /hours 2,5 fua gestern"))
    draft.category_id = _category_for(words[used], categories)
    rest = words[used + 1:]
    if rest and (rest[0].lower() in DAY_WORDS or any(ch.isdigit() for ch in rest[0])):
        draft.day = parse_day(rest[0], today(context))
        rest = rest[1:]
    else:
        draft.day = today(context)
    draft.note = " ".join(rest) or None
    await hours.validate_draft(context.scope.session, context.scope.require_user(), draft,
                               today(context), policy(context))


def _leading_duration(words: list[str], rules: HoursPolicy) -> tuple[int, int]:
    """The time at the start of ``words`` and how many words it takes (at most three)."""
    for count in (3, 2):
        if len(words) > count:
            try:
                return hours.typed_minutes(" ".join(words[:count]), rules), count
            except InvalidInput:
                pass
    return hours.typed_minutes(words[0], rules), 1


def _category_for(word: str, categories: list[HourCategory]) -> int:
    wanted = word.lower().strip(".,")
    for category in categories:
        names = {category.key, category.short_de.lower(), category.short_en.lower(),
                 *category.aliases}
        if wanted in names:
            return category.id
    known = ", ".join(sorted(c.key for c in categories))
    raise InvalidInput(N_("I don't know the kind of work {word}. Use one of: {known}."),
                       word=word, known=known)


# -- steps ------------------------------------------------------------------------------------

async def pressed(update: Update, context: BotContext) -> int | None:
    """Any button of the dialogue: re-check it against the current draft and the rules."""
    await answer(update)
    data = pressed_data(update, PREFIX)
    if data.action == "cancel":
        return await leave_dialogue(update, context, CANCELLED, DRAFT_KEY)
    draft = _draft(context)
    scope = context.scope
    if data.action == "back":
        step = next((s for s, name in STEP_NAMES.items() if name == data.arg(0)), CATEGORY)
        return await show_step(update, context, step)
    if data.action == "cat":
        draft.category_id = (await hours.category(scope.session, data.int_arg(0))).id
        return await show_step(update, context, AMOUNT if draft.team_id else TEAM)
    if data.action == "team":
        draft.team_id = data.int_arg(0)
        await hours.validate_draft(scope.session, scope.require_user(), draft, today(context),
                                   policy(context))
        return await show_step(update, context, CONFIRM if draft.minutes else AMOUNT)
    if data.action == "amt":
        return await _set_minutes(update, context, draft, data.int_arg(0) or 0)
    if data.action == "day":
        try:
            day = date.fromisoformat(data.arg(0) or "")
        except ValueError:
            raise InvalidInput(STALE) from None
        return await _set_day(update, context, draft, day)
    if data.action == "note":
        draft.note = None
        return await show_step(update, context, CONFIRM)
    if data.action == "save":
        return await save(update, context)
    raise InvalidInput(STALE)


async def _set_minutes(update: Update, context: BotContext, draft: Draft, minutes: int) -> int:
    candidate = Draft(draft.category_id, draft.team_id, minutes, draft.day)
    await hours.validate_draft(context.scope.session, context.scope.require_user(), candidate,
                               today(context), policy(context))
    draft.minutes = minutes
    return await show_step(update, context, DAY)


async def _set_day(update: Update, context: BotContext, draft: Draft, day: date) -> int:
    candidate = Draft(draft.category_id, draft.team_id, draft.minutes, day)
    await hours.validate_draft(context.scope.session, context.scope.require_user(), candidate,
                               today(context), policy(context))
    draft.day = day
    return await show_step(update, context, NOTE)


async def typed_amount(update: Update, context: BotContext) -> int:
    return await _set_minutes(update, context, _draft(context),
                              hours.typed_minutes(message_text(update), policy(context)))


async def typed_day(update: Update, context: BotContext) -> int:
    return await _set_day(update, context, _draft(context),
                          parse_day(message_text(update), today(context)))


async def typed_note(update: Update, context: BotContext) -> int:
    draft = _draft(context)
    candidate = Draft(draft.category_id, draft.team_id, draft.minutes, draft.day,
                      message_text(update))
    await hours.validate_draft(context.scope.session, context.scope.require_user(), candidate,
                               today(context), policy(context))
    draft.note = candidate.note
    return await show_step(update, context, CONFIRM)


async def save(update: Update, context: BotContext) -> int:
    """Save once (a double tap or a redelivered update stores one entry) and show the week."""
    if not await claim_press(update, context, "hours-save"):
        return ConversationHandler.END
    scope = context.scope
    user = scope.require_user()
    draft = _draft(context)
    entry = await hours.log_hours(scope.session, user, draft, today=today(context),
                                  now=scope.now, policy=policy(context))
    team = next(m.team for m in user.memberships if m.team_id == entry.team_id)
    assert context.user_data is not None
    context.user_data.pop(DRAFT_KEY, None)  # consumed with the entry: committed together
    await scope.commit()
    progress = await hours.week_progress(scope.session, user, team, Week.of(entry.work_date),
                                         today=today(context), policy=policy(context))
    t = context.t
    category, _ = await _chosen(context, draft)
    saved = t("✅ Saved: {hours} {category} on {day}").format(
        hours=t.hours(entry.minutes), category=category.short(t.locale) if category else "",
        day=t.short_date(entry.work_date))
    await show(update, context, saved + "\n\n" + week_text(t, progress))
    return ConversationHandler.END


def register(application: BotApp) -> None:
    buttons: CallbackQueryHandler[BotContext, object] = CallbackQueryHandler(
        pressed, pattern=callbacks.pattern(PREFIX)
    )
    text = filters.TEXT & ~filters.COMMAND
    application.add_handler(dialogue(
        "hours",
        [CommandHandler("hours", start),
         CallbackQueryHandler(start_from_button, pattern=rf"^{PREFIX}:1:start$")],
        {
            CATEGORY: [buttons],
            TEAM: [buttons],
            AMOUNT: [buttons, MessageHandler(text, typed_amount)],
            DAY: [buttons, MessageHandler(text, typed_day)],
            NOTE: [buttons, MessageHandler(text, typed_note)],
            CONFIRM: [buttons],
        },
        cancelled=CANCELLED, drafts=(DRAFT_KEY,),
        fallbacks=[CommandHandler("hours", start)],
    ))


FEATURE = Feature(
    name="hours",
    register=register,
    commands=(Command("hours", N_("Log hours (e.g. /hours 2,5 fua gestern)"),
                      roles=logging_roles),),
)
