"""Command menus per language and scope: strangers see /start and /help only."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.errors import N_
from bot.i18n import I18n, Translator
from bot.services.organisation import OrgFile
from handlers.context import BotApp
from storage.models import Role

PUBLIC_COMMANDS = (
    ("start", N_("Register with your invitation code")),
    ("help", N_("What this bot can do for you")),
)


async def publish_default_menus(application: BotApp) -> None:
    i18n: I18n = application.bot_data["state"].i18n
    for locale in i18n.locales:
        t = i18n.get(locale)
        commands = [BotCommand(name, t(desc)) for name, desc in PUBLIC_COMMANDS]
        await application.bot.set_my_commands(
            commands, scope=BotCommandScopeDefault(), language_code=locale
        )
    t = i18n.get(i18n.default_locale)
    commands = [BotCommand(name, t(desc)) for name, desc in PUBLIC_COMMANDS]
    await application.bot.set_my_commands(commands, scope=BotCommandScopeDefault())


def commands_for(
    role: Role, t: Translator, org: OrgFile, *, menu_only: bool = True,
    steering_group: bool = False,
) -> list[BotCommand]:
    """The role's commands in the menu (``menu_only``), or all of them for /help; ``org``
    decides the roles of commands the organisation file configures (who logs hours);
    members of the steering group also get the digest and reports."""
    from handlers import FEATURES  # late import: features import this module

    return [
        BotCommand(command.name,
                   t(command.description_for(role, steering_group=steering_group)))
        for feature in FEATURES
        for command in feature.commands_for(role, org, steering_group=steering_group)
        if command.in_menu or not menu_only
    ]


async def publish_user_menu(
    bot: Bot, telegram_id: int, role: Role, t: Translator, org: OrgFile, *,
    steering_group: bool = False,
) -> None:
    """The registered user's own menu, in their language."""
    await bot.set_my_commands(commands_for(role, t, org, steering_group=steering_group),
                              scope=BotCommandScopeChat(telegram_id))
