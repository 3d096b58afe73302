"""/start: register with an invitation code (also from a deep link), or say hello again."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CommandHandler

from bot.errors import N_, NotAllowed
from bot.services import access
from handlers.context import BotApp, BotContext
from handlers.gate import not_registered_text
from handlers.help import help_text
from handlers.labels import role_name
from handlers.menu import publish_user_menu
from handlers.registry import Feature
from storage.models import Role, User

# Deep-link parameters that are not invitation codes (e.g. from the inline-mode button).
NON_CODE_PARAMETERS = frozenset({"help", "inline"})


async def start(update: Update, context: BotContext) -> None:
    """Redeem an invitation code, or greet a known user."""
    scope = context.scope
    tg_user = update.effective_user
    message = update.message
    assert tg_user is not None and message is not None
    code = context.args[0] if context.args else None
    if code in NON_CODE_PARAMETERS:
        code = None

    if code is not None:
        if not context.state.code_attempts.allow(tg_user.id):
            raise NotAllowed(N_("Too many attempts. Please try again in a few minutes."))
        registration = await access.register(
            scope.session,
            telegram_id=tg_user.id,
            display_name=tg_user.first_name,
            locale=scope.user.locale if scope.user else scope.t.locale,
            code=code,
            now=scope.now,
        )
        await _welcome(update, context, registration.user, joined=not registration.created)
    elif scope.registered:
        user = scope.require_user()
        await message.reply_text(
            context.t("Welcome back, {name}!").format(name=html.escape(user.display_name))
            + "\n\n"
            + help_text(context.t, Role(user.role), context.state.org,
                        steering_group=user.steering_group)
        )
    elif tg_user.id in context.state.settings.admin_ids:
        user = await access.ensure_admin(
            scope.session,
            telegram_id=tg_user.id,
            display_name=tg_user.first_name,
            locale=scope.t.locale,
            now=scope.now,
        )
        await _welcome(update, context, user, joined=False)
    else:
        await message.reply_text(not_registered_text(context))


async def _welcome(update: Update, context: BotContext, user: User, *, joined: bool) -> None:
    scope = context.scope
    scope.user = user
    scope.t = context.state.i18n.get(user.locale)
    await scope.commit()
    t = scope.t
    teams = html.escape(", ".join(m.team.name for m in user.memberships if m.team is not None))
    if joined:
        text = t("You are now also a member of {teams}.").format(teams=teams)
    else:
        text = t("Welcome, {name}! You are registered as {role}.").format(
            name=html.escape(user.display_name), role=role_name(t, user.role)
        )
        if teams:
            text += "\n" + t("Your team: {teams}").format(teams=teams)
        elif user.region is not None:
            text += "\n" + t("Your region: {region}").format(region=html.escape(user.region.name))
    assert update.message is not None
    org = context.state.org
    await update.message.reply_text(
        text + "\n\n" + help_text(t, Role(user.role), org, steering_group=user.steering_group))
    await publish_user_menu(context.bot, user.telegram_id, Role(user.role), t, org,
                            steering_group=user.steering_group)


def register(application: BotApp) -> None:
    application.add_handler(CommandHandler("start", start))


FEATURE = Feature(name="start", register=register, commands=())
