"""/audit: administrators read the audit log, newest first, page by page, filtered by kind."""

from __future__ import annotations

import html
import re
from datetime import tzinfo

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.errors import N_, STALE, InvalidInput
from bot.i18n import Translator
from bot.services import audit
from bot.services.audit import AuditLine
from handlers.common import answer, keyboard, pressed_data, require_role, show
from handlers.context import BotApp, BotContext
from handlers.registry import Command, Feature
from storage.models import Role

PREFIX = "aud"
ALL = "-"
KIND = re.compile(r"^[a-z_]{1,40}$")


async def audit_command(update: Update, context: BotContext) -> None:
    """The newest entries of every kind."""
    require_role(context, Role.ADMIN)
    await _page(update, context, None, 0)


async def _page(update: Update, context: BotContext, kind: str | None, page: int) -> None:
    scope, t = context.scope, context.t
    result = await audit.recent(scope.session, scope.require_user(), kind=kind, page=page)
    tz = context.state.settings.tz
    lines = ["<b>" + t("Audit log – {kind} (page {page} of {pages})").format(
        kind=html.escape(kind) if kind else t("all kinds"), page=result.page + 1,
        pages=result.pages) + "</b>"]
    lines += [_line(t, line, tz) for line in result.lines] or [t("No entries.")]
    code = kind or ALL
    nav = []
    if result.page > 0:
        nav.append(("◀", callbacks.pack(PREFIX, "ls", code, result.page - 1)))
    if result.page + 1 < result.pages:
        nav.append(("▶", callbacks.pack(PREFIX, "ls", code, result.page + 1)))
    kinds = [(t("all kinds"), callbacks.pack(PREFIX, "ls", ALL, 0))]
    kinds += [(name, callbacks.pack(PREFIX, "ls", name, 0)) for name in result.kinds]
    rows = [kinds[i:i + 3] for i in range(0, len(kinds), 3)]
    await show(update, context, "\n".join(lines), keyboard([*rows, nav] if nav else rows))


def _line(t: Translator, line: AuditLine, tz: tzinfo) -> str:
    entry = line.entry
    if line.actor_name:
        who = html.escape(line.actor_name)
    elif line.actor_erased:
        who = t("(erased)") + f" #{entry.actor_user_id}"
    elif entry.details.get("source") == "command line":
        who = t("the command line")
    else:
        who = t("the bot")
    details = " ".join(f"{key}={value}" for key, value in entry.details.items()
                       if value is not None)
    when = t.datetime(entry.at.astimezone(tz))
    return html.escape(f"{when} · ") + who + html.escape(
        f" · {entry.action} · {entry.subject_type} {entry.subject_id}"
        + (f" · {details}" if details else "")
    )


async def pressed(update: Update, context: BotContext) -> None:
    """Page and filter buttons; the viewer is checked again on every press."""
    await answer(update)
    require_role(context, Role.ADMIN)
    data = pressed_data(update, PREFIX)
    kind = data.arg(0) if data.action == "ls" else None
    if kind is None or not (kind == ALL or KIND.match(kind)):
        raise InvalidInput(STALE)
    await _page(update, context, None if kind == ALL else kind, data.int_arg(1) or 0)


def register(application: BotApp) -> None:
    application.add_handler(CommandHandler("audit", audit_command))
    application.add_handler(CallbackQueryHandler(pressed, pattern=callbacks.pattern(PREFIX)))


FEATURE = Feature(
    name="audit",
    register=register,
    commands=(Command("audit", N_("The audit log: decisions, admin actions, exports"),
                      roles=frozenset({Role.ADMIN})),),
)
