"""/remind, /reminders, /mute, /unmute, /quiet: personal reminders and reminder preferences.

The scheduler (``handlers/scheduler.py``) sends them; this module registers its job.
"""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.errors import N_, STALE, InvalidInput
from bot.parsing.when import parse_when
from bot.services.privacy import FREE_TEXT_REMINDER
from bot.services.reminders import personal, preferences
from bot.services.reminders.quiet import QuietHours
from handlers import reminder_views as views
from handlers import scheduler
from handlers.common import (
    answer,
    claim_press,
    keyboard,
    local_now,
    pressed_data,
    send,
    show,
)
from handlers.context import BotApp, BotContext
from handlers.registry import Command, Feature
from storage.models import Reminder


def _default_quiet(context: BotContext) -> QuietHours | None:
    quiet = context.state.settings.quiet_hours
    return QuietHours(*quiet) if quiet else None


def _confirmation(context: BotContext, reminder: Reminder) -> str:
    t, tz = context.t, context.state.settings.tz
    if reminder.rule and reminder.local_time:
        when = views.recurrence(t, reminder.rule, reminder.local_time) + " (" + t(
            "next: {when}").format(when=views.moment(t, reminder.next_at, tz)) + ")"
    else:
        when = views.moment(t, reminder.next_at, tz)
    return t("✅ Reminder saved for {when}:\n{text}").format(
        when=when, text=html.escape(reminder.text))


async def remind_command(update: Update, context: BotContext) -> None:
    """/remind WHEN TEXT: save a personal reminder, or explain how with examples."""
    scope, t = context.scope, context.t
    words = context.args or []
    if not words:
        await send(update, context, t("Tell me when and what, e.g.:\n"
                                      "<code>/remind morgen 9:00 Bericht schicken</code>\n"
                                      "<code>/remind in 2 Stunden Rückruf Kita</code>\n"
                                      "<code>/remind jeden Montag 8:00 Wochenplanung</code>\n"
                                      "<code>/remind tomorrow 9am call the school</code>")
                   + "\n\n" + t(FREE_TEXT_REMINDER))
        return
    parsed = parse_when(" ".join(words), local_now(context))
    reminder = await personal.create(scope.session, scope.require_user(), parsed,
                                     now=scope.now, tz=context.state.settings.tz)
    await scope.commit()
    await send(update, context, _confirmation(context, reminder),
               keyboard([[(t("Undo"), callbacks.pack(views.REMINDERS, "del", reminder.id)),
                          (t("All reminders"), callbacks.pack(views.REMINDERS, "list"))]]))


async def reminders_command(update: Update, context: BotContext) -> None:
    """/reminders: the user's pending reminders with delete buttons."""
    await _show_list(update, context)


async def _show_list(update: Update, context: BotContext, note: str | None = None) -> None:
    scope, t = context.scope, context.t
    user = scope.require_user()
    reminders = await personal.active(scope.session, user)
    prefs = await preferences.current(scope.session, user, _default_quiet(context))
    text, markup = views.reminder_list(t, reminders, context.state.settings.tz, prefs)
    await show(update, context, (note + "\n\n" + text) if note else text, markup)


async def pressed(update: Update, context: BotContext) -> None:
    """Delete and snooze buttons; each press is checked against the user's own reminders."""
    await answer(update)
    data = pressed_data(update, views.REMINDERS)
    if data.action not in ("del", "snz", "list"):
        raise InvalidInput(STALE)
    scope, t = context.scope, context.t
    if data.action == "list":
        await _show_list(update, context)
        return
    if data.action == "del":
        await personal.delete(scope.session, scope.require_user(), data.int_arg(0))
        await scope.commit()
        await _show_list(update, context, note=t("Deleted."))
        return
    if not await claim_press(update, context, "reminder-snooze"):
        raise InvalidInput(N_("This reminder has been snoozed already."))
    tz = context.state.settings.tz
    original = await personal.own(scope.session, scope.require_user(), data.int_arg(0))
    again = await personal.snooze(scope.session, scope.require_user(), data.int_arg(0),
                                  data.arg(1), now=scope.now, tz=tz)
    await scope.commit()
    await show(update, context, views.fired_reminder(t, original, tz) + "\n\n" + t(
        "💤 I will remind you again {when}.").format(when=views.moment(t, again.next_at, tz)))


async def mute_command(update: Update, context: BotContext) -> None:
    """/mute: no more automatic reminders (meetings, hours) until /unmute."""
    scope, t = context.scope, context.t
    prefs = await preferences.set_muted(scope.session, scope.require_user(), True, scope.now,
                                        _default_quiet(context))
    await scope.commit()
    await send(update, context, t("🔕 Automatic reminders (meetings, hours) are muted. "
                                  "Reminders you set yourself still arrive, and so do FuA "
                                  "requests waiting for your decision. /unmute turns them on.")
               + "\n\n" + views.preferences_text(t, prefs))


async def unmute_command(update: Update, context: BotContext) -> None:
    """/unmute: automatic reminders again."""
    scope, t = context.scope, context.t
    prefs = await preferences.set_muted(scope.session, scope.require_user(), False, scope.now,
                                        _default_quiet(context))
    await scope.commit()
    await send(update, context, t("🔔 Automatic reminders are on again.")
               + "\n\n" + views.preferences_text(t, prefs))


async def quiet_command(update: Update, context: BotContext) -> None:
    """/quiet 21:00-06:30 | off | default: when automatic reminders wait."""
    scope, t = context.scope, context.t
    user = scope.require_user()
    if not context.args:
        prefs = await preferences.current(scope.session, user, _default_quiet(context))
        await send(update, context, views.preferences_text(t, prefs) + "\n\n" + t(
            "Set your own like this: <code>/quiet 21:00-06:30</code>, none with "
            "<code>/quiet off</code>, the office's with <code>/quiet default</code>."))
        return
    prefs = await preferences.set_quiet_hours(scope.session, user, " ".join(context.args),
                                              scope.now, _default_quiet(context))
    await scope.commit()
    await send(update, context, t("Saved.") + "\n\n" + views.preferences_text(t, prefs))


def register(application: BotApp) -> None:
    application.add_handler(CommandHandler("remind", remind_command))
    application.add_handler(CommandHandler("reminders", reminders_command))
    application.add_handler(CommandHandler("mute", mute_command))
    application.add_handler(CommandHandler("unmute", unmute_command))
    application.add_handler(CommandHandler("quiet", quiet_command))
    application.add_handler(
        CallbackQueryHandler(pressed, pattern=callbacks.pattern(views.REMINDERS))
    )
    scheduler.schedule(application)


FEATURE = Feature(
    name="reminders",
    register=register,
    commands=(
        Command("remind", N_("Remind me, e.g. /remind morgen 9:00 Bericht")),
        Command("reminders", N_("My reminders, quiet hours and muting")),
        Command("mute", N_("Mute automatic reminders"), in_menu=False),
        # Shown where they matter: in the /mute answer and under /reminders.
        Command("unmute", N_("Turn automatic reminders on again"), in_menu=False),
        Command("quiet", N_("Quiet hours for automatic reminders"), in_menu=False),
    ),
)
