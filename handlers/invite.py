"""/invite: admins and leads create single-use invitation links in the chat.

Stateless flow: every choice travels in the callback data and is re-checked against the
inviter's role and region by the access service when the invitation is created.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.errors import N_, STALE, InvalidInput
from bot.services import access
from handlers.common import answer, claim_press, keyboard, pressed_data, require_role, show
from handlers.context import BotApp, BotContext
from handlers.labels import role_name
from handlers.registry import Command, Feature
from storage.models import Role

PREFIX = "inv"
INVITER_ROLES = (Role.ADMIN, Role.LEAD)


def _cancel_row(context: BotContext) -> list[tuple[str, str]]:
    return [(context.t("Cancel"), callbacks.pack(PREFIX, "cancel"))]


async def invite_command(update: Update, context: BotContext) -> None:
    """Step 1: which role should the new member have?"""
    require_role(context, *INVITER_ROLES)
    roles = list(Role) if context.scope.role == Role.ADMIN else [
        Role.CASEWORKER, Role.NETWORKER, Role.PROVIDER,
    ]
    rows = [[(role_name(context.t, r), callbacks.pack(PREFIX, "role", r.value))] for r in roles]
    await show(
        update, context, context.t("Whom do you want to invite? Choose the role:"),
        keyboard([*rows, _cancel_row(context)]),
    )


async def invite_pressed(update: Update, context: BotContext) -> None:
    """Steps 2 and 3: choose team or region, then create the invitation."""
    await answer(update)
    require_role(context, *INVITER_ROLES)
    data = pressed_data(update, PREFIX)
    if data.action == "cancel":
        await show(update, context, context.t("Cancelled. Nothing was created."))
        return
    try:
        role = Role(data.arg(0) or "")
    except ValueError:
        raise InvalidInput(STALE) from None
    if data.action == "role":
        await _ask_unit(update, context, role)
    elif data.action == "go":
        await _create(update, context, role, data.arg(1))
    else:
        raise InvalidInput(STALE)


async def _ask_unit(update: Update, context: BotContext, role: Role) -> None:
    if role.is_team_role:
        question = context.t("For which team?")
    elif role == Role.LEAD:
        question = context.t("For which region?")
    else:
        await _create(update, context, role, None)
        return
    scope = context.scope
    units = await access.invitation_units(scope.session, scope.require_user(), role)
    rows = [[(unit.name, callbacks.pack(PREFIX, "go", role.value, unit.key))] for unit in units]
    await show(update, context, question, keyboard([*rows, _cancel_row(context)]))


async def _create(update: Update, context: BotContext, role: Role, unit: str | None) -> None:
    scope = context.scope
    if not await claim_press(update, context, "invite"):
        return  # a double tap: the first press already created the invitation
    settings = context.state.settings
    new = await access.create_invitation(
        scope.session,
        role=role,
        now=scope.now,
        ttl=timedelta(days=settings.invite_ttl_days),
        team_key=unit if role.is_team_role else None,
        region_key=unit if role == Role.LEAD else None,
        inviter=scope.require_user(),
    )
    await scope.commit()
    t = context.t
    expires = new.invitation.expires_at.astimezone(settings.tz)
    text = t(
        "Invitation for a new {role} created. It can be used once and is valid until {date}.\n\n"
        "Send this link to the person:\n{link}\n\nOr they send me: <code>/start {code}</code>"
    ).format(
        role=role_name(t, role),
        date=t.datetime(expires),
        link=new.deep_link(settings.telegram_bot_username or context.bot.username),
        code=new.code,
    )
    await show(update, context, text)


def register(application: BotApp) -> None:
    application.add_handler(CommandHandler("invite", invite_command))
    application.add_handler(CallbackQueryHandler(invite_pressed, pattern=callbacks.pattern(PREFIX)))


FEATURE = Feature(
    name="invite",
    register=register,
    commands=(
        Command("invite", N_("Invite a new team member"), roles=frozenset(INVITER_ROLES)),
    ),
)
