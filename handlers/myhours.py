"""/myhours: one's own entries of this week or month, with edit and delete while open."""

from __future__ import annotations

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
from bot.services import hours
from bot.services.hours import Week
from handlers.common import (
    answer,
    dialogue,
    keyboard,
    message_text,
    pressed_data,
    show,
    today,
)
from handlers.context import BotApp, BotContext
from handlers.hours import QUICK_MINUTES, logging_roles, policy
from handlers.hours_views import entry_line
from handlers.registry import Command, Feature

PREFIX = "my"
EDIT_AMOUNT = 0
EDIT_KEY = "myhours_edit"


async def myhours_command(update: Update, context: BotContext) -> None:
    await _list(update, context, "week")


async def _list(update: Update, context: BotContext, span: str) -> None:
    scope = context.scope
    t = context.t
    day = today(context)
    if span == "month":
        start, title = day.replace(day=1), t("<b>My hours this month</b>")
    else:
        start, title = Week.of(day).start, t("<b>My hours this week</b>")
    entries = await hours.my_entries(scope.session, scope.require_user(), start, day)
    editable = await hours.open_entry_ids(scope.session, entries, day, policy(context))
    lines = [title]
    rows: list[list[tuple[str, str]]] = []
    for number, entry in enumerate(entries, start=1):
        lines.append(entry_line(t, number, entry) + ("" if entry.id in editable else " 🔒"))
        if entry.id in editable:  # a closed week's entries are listed, not offered for change
            rows.append([(f"✏️ {number}", callbacks.pack(PREFIX, "edit", entry.id)),
                         (f"🗑 {number}", callbacks.pack(PREFIX, "del", entry.id))])
    if not entries:
        lines.append(t("No entries yet. /hours logs time."))
    total = sum(e.minutes for e in entries)
    if entries:
        lines.append(t("Total: {hours}").format(hours=t.hours(total)))
    other = "month" if span == "week" else "week"
    label = t("This month") if other == "month" else t("This week")
    rows.append([(label, callbacks.pack(PREFIX, "list", other))])
    await show(update, context, "\n".join(lines), keyboard(rows))


async def pressed(update: Update, context: BotContext) -> int | None:
    """List, delete (with confirmation) or start editing an entry; all re-checked."""
    await answer(update)
    data = pressed_data(update, PREFIX)
    scope = context.scope
    t = context.t
    if data.action == "list":
        await _list(update, context, "month" if data.arg(0) == "month" else "week")
        return ConversationHandler.END
    entry_id = data.int_arg(0) or 0
    if data.action in ("del", "edit"):  # an old list's button: is the entry still changeable?
        await hours.own_open_entry(scope.session, scope.require_user(), entry_id,
                                   today(context), policy(context))
    if data.action == "del":
        await show(update, context, t("Delete this entry?"), keyboard([[
            (t("Yes, delete"), callbacks.pack(PREFIX, "delok", entry_id)),
            (t("No"), callbacks.pack(PREFIX, "list", "week"))]]))
        return ConversationHandler.END
    if data.action == "delok":
        await hours.delete_entry(scope.session, scope.require_user(), entry_id,
                                 today=today(context), now=scope.now, policy=policy(context))
        await scope.commit()
        await show(update, context, t("Deleted."))
        return ConversationHandler.END
    if data.action == "edit":
        assert context.user_data is not None
        context.user_data[EDIT_KEY] = entry_id
        rows = [[(t.hours_value(m), callbacks.pack(PREFIX, "set", entry_id, m)) for m in row]
                for row in QUICK_MINUTES]
        rows.append([(t("Cancel"), callbacks.pack(PREFIX, "list", "week"))])
        await show(update, context, t("New time for this entry? Tap or type it."),
                   keyboard(rows))
        return EDIT_AMOUNT
    if data.action == "set":
        await _update(update, context, entry_id, data.int_arg(1) or 0)
        return ConversationHandler.END
    raise InvalidInput(STALE)


async def typed_amount(update: Update, context: BotContext) -> int:
    assert context.user_data is not None
    entry_id = context.user_data.get(EDIT_KEY)
    if not isinstance(entry_id, int):
        raise InvalidInput(N_("This dialogue has expired. Please start again with /myhours."))
    minutes = hours.typed_minutes(message_text(update), policy(context))
    await _update(update, context, entry_id, minutes)
    return ConversationHandler.END


async def _update(update: Update, context: BotContext, entry_id: int, minutes: int) -> None:
    scope = context.scope
    entry = await hours.update_entry_minutes(scope.session, scope.require_user(), entry_id,
                                             minutes, today=today(context), now=scope.now,
                                             policy=policy(context))
    await scope.commit()
    await show(update, context, context.t("Changed to {hours}.").format(
        hours=context.t.hours(entry.minutes)))


def register(application: BotApp) -> None:
    buttons: CallbackQueryHandler[BotContext, object] = CallbackQueryHandler(
        pressed, pattern=callbacks.pattern(PREFIX)
    )
    application.add_handler(CommandHandler("myhours", myhours_command))
    application.add_handler(dialogue(
        "myhours", [buttons],
        {EDIT_AMOUNT: [buttons, MessageHandler(filters.TEXT & ~filters.COMMAND, typed_amount)]},
        cancelled=N_("Cancelled. Nothing was saved.")))



FEATURE = Feature(
    name="myhours",
    register=register,
    commands=(Command("myhours", N_("My own entries, to correct or delete"),
                      roles=logging_roles),),
)
