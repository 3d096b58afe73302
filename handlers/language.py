"""/language: switch between Deutsch and English."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.errors import N_, InvalidInput
from bot.services import access
from handlers.common import answer, keyboard, show
from handlers.context import BotApp, BotContext
from handlers.labels import LANGUAGE_NAMES
from handlers.menu import publish_user_menu
from handlers.registry import Command, Feature
from storage.models import Role

PREFIX = "lang"


async def language_command(update: Update, context: BotContext) -> None:
    """Offer the available languages."""
    rows = [
        [(LANGUAGE_NAMES[locale], callbacks.pack(PREFIX, "set", locale))]
        for locale in context.state.i18n.locales
    ]
    await show(update, context, context.t("Please choose your language:"), keyboard(rows))


async def language_chosen(update: Update, context: BotContext) -> None:
    """Store the chosen language and answer in it."""
    await answer(update)
    data = callbacks.unpack(update.callback_query.data if update.callback_query else None, PREFIX)
    locale = data.arg(0) if data and data.action == "set" else None
    if locale not in context.state.i18n.locales:
        raise InvalidInput(N_("This language is not available."))
    assert locale is not None
    scope = context.scope
    user = scope.require_user()
    await access.set_locale(scope.session, user, locale, scope.now)
    scope.t = context.state.i18n.get(locale)
    await scope.commit()
    await show(update, context, scope.t("I will talk to you in English from now on."))
    await publish_user_menu(context.bot, user.telegram_id, Role(user.role), scope.t,
                            context.state.org, steering_group=user.steering_group)


def register(application: BotApp) -> None:
    application.add_handler(CommandHandler("language", language_command))
    application.add_handler(
        CallbackQueryHandler(language_chosen, pattern=callbacks.pattern(PREFIX))
    )


FEATURE = Feature(
    name="language",
    register=register,
    commands=(Command("language", N_("Sprache / language")),),
)
