"""/report: leads (their region) and administrators (all) get hours and budget of a period
as CSV or XLSX files.

The period is a button (this month, last month, this year, last year) or typed
(``01.01.2026-30.06.2026``, also right after the command). Each file button is checked
again: role, period and kind of file come from the press, never trusted. Every file sent is
audited as ``export.hours`` or ``export.budget``.
"""

from __future__ import annotations

import asyncio
import html

from telegram import InputFile, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks
from bot.errors import N_, STALE, InvalidInput
from bot.parsing.periods import PRESETS, Period, parse_period, preset
from bot.services.digest.figures import Scope, scope_of
from bot.services.reports import files, tables
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
from handlers.registry import Command, Feature
from storage.models import Role

PREFIX = "rep"
TYPED = 0
TEXT = filters.TEXT & ~filters.COMMAND
PRESET_LABELS = {
    "this_month": N_("This month"),
    "last_month": N_("Last month"),
    "this_year": N_("This year"),
    "last_year": N_("Last year"),
}
WHAT_LABELS = {"hours": N_("Hours"), "budget": N_("Budget")}
FORMAT_LABELS = {"xlsx": "Excel", "csv": "CSV"}


def _scope(context: BotContext) -> Scope:
    return scope_of(context.scope.require_user())


async def report_command(update: Update, context: BotContext) -> None:
    """/report: choose a period; /report 01.01.2026-30.06.2026 goes straight to the files."""
    _scope(context)
    if context.args:
        await _files_menu(update, context, parse_period(" ".join(context.args), today(context)))
        return
    await _periods_menu(update, context)


async def _periods_menu(update: Update, context: BotContext) -> None:
    t = context.t
    buttons = [(t(PRESET_LABELS[name]), callbacks.pack(PREFIX, "p", name)) for name in PRESETS]
    await show(update, context, "<b>" + t("Report") + "</b>\n" + t(
        "Hours and FuA budget as a file for a spreadsheet. Which period?"), keyboard(
        [buttons[:2], buttons[2:], [(t("Other period…"), callbacks.pack(PREFIX, "typed"))]]))


async def _files_menu(update: Update, context: BotContext, period: Period) -> None:
    t = context.t
    rows = [[(f"{t(WHAT_LABELS[what])} · {label}",
              callbacks.pack(PREFIX, "f", what, file_format, period.key))
             for file_format, label in FORMAT_LABELS.items()] for what in tables.WHAT]
    rows.append([(t("◀ Other period"), callbacks.pack(PREFIX, "home"))])
    text = "\n".join([
        "<b>" + t("Report {start} – {end}").format(start=t.date(period.start),
                                                   end=t.date(period.end)) + "</b>",
        t("Which file? Excel has the budget's figures and its requests on two sheets; the "
          "CSV file holds the requests."),
        t("Notes on hours and the texts of requests are not exported: they are free text and "
          "stay in the bot, where they are erased after the retention period."),
    ])
    await show(update, context, text, keyboard(rows))


async def pressed(update: Update, context: BotContext) -> None:
    """Period and file buttons; each press is checked again."""
    await answer(update)
    data = pressed_data(update, PREFIX)
    _scope(context)
    if data.action == "home":
        await _periods_menu(update, context)
    elif data.action == "p" and data.arg(0) in PRESETS:
        await _files_menu(update, context, preset(str(data.arg(0)), today(context)))
    elif data.action == "f":
        await _send_file(update, context, data)
    else:
        raise InvalidInput(STALE)


async def pressed_in_dialogue(update: Update, context: BotContext) -> int:
    """A report button while a typed period was awaited: that ends the waiting."""
    await pressed(update, context)
    return ConversationHandler.END


async def ask_period(update: Update, context: BotContext) -> int:
    await answer(update)
    _scope(context)
    t = context.t
    await show(update, context, t("Please write the period, e.g. <code>01.01.2026-30.06.2026"
                                  "</code> or <code>01.01.-31.03.</code> (/cancel stops)."))
    return TYPED


async def typed_period(update: Update, context: BotContext) -> int:
    period = parse_period(message_text(update), today(context))
    await _files_menu(update, context, period)
    return ConversationHandler.END


async def _send_file(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    what, file_format, period = data.arg(0), data.arg(1), Period.from_key(data.arg(2))
    if what not in tables.WHAT or file_format not in files.FORMATS or period is None:
        raise InvalidInput(STALE)
    scope, t, settings = context.scope, context.t, context.state.settings
    user = scope.require_user()
    region_scope = _scope(context)
    if what == "hours":
        made = [await tables.hours_table(scope.session, region_scope, period, locale=t.locale)]
    else:
        made = await tables.budget_tables(scope.session, region_scope, period, tz=settings.tz,
                                          now=scope.now)
    rows = len(files.csv_table(made).rows) if file_format == "csv" else sum(
        len(table.rows) for table in made)
    regions = await tables.covered_regions(scope.session, region_scope)
    key = "all" if region_scope.region_ids is None else ",".join(r.key for r in regions)
    tables.record_export(scope.session, actor=user, what=what, file_format=file_format,
                         period=period, scope_key=key, rows=rows, now=scope.now, source="chat")
    await scope.commit()  # before writing the file (up to a second), so no lock waits on it
    content = await asyncio.to_thread(files.write, made, file_format, t, t.locale)
    where = t("all regions") if region_scope.region_ids is None else ", ".join(
        html.escape(r.name) for r in regions)
    assert update.effective_chat is not None
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(content, filename=files.file_name(what, period, file_format)),
        caption=t("{what} {start} – {end}, {where}: {rows} rows.").format(
            what=t(WHAT_LABELS[what]), start=t.date(period.start), end=t.date(period.end),
            where=where, rows=rows),
    )


def register(application: BotApp) -> None:
    application.add_handler(dialogue(
        "report",
        [CallbackQueryHandler(ask_period, pattern=callbacks.pattern(PREFIX, "typed"))],
        {TYPED: [MessageHandler(TEXT, typed_period),
                 CallbackQueryHandler(pressed_in_dialogue, pattern=callbacks.pattern(PREFIX))]},
        cancelled=N_("Cancelled. Nothing was changed.")))
    application.add_handler(CommandHandler("report", report_command))
    application.add_handler(CallbackQueryHandler(pressed, pattern=callbacks.pattern(PREFIX)))


FEATURE = Feature(
    name="report",
    register=register,
    commands=(Command("report", N_("Hours and budget of a period as CSV or Excel file"),
                      roles=frozenset({Role.LEAD, Role.ADMIN}), steering_group=True),),
)
