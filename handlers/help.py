"""/help: what the user's role can do."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.errors import N_
from bot.i18n import Translator
from bot.services.organisation import OrgFile
from handlers.context import BotApp, BotContext
from handlers.gate import not_registered_text
from handlers.labels import role_name
from handlers.menu import commands_for
from handlers.registry import Command, Feature
from storage.models import Role


def help_text(t: Translator, role: Role, org: OrgFile, *, steering_group: bool = False) -> str:
    lines = [t("<b>What I can do for you</b> ({role}):").format(role=role_name(t, role)), ""]
    lines += [f"/{c.command} – {c.description}"
              for c in commands_for(role, t, org, menu_only=False,
                                    steering_group=steering_group)]
    lines += [
        "",
        t("Please never write names or details of children and families into the bot."),
    ]
    return "\n".join(lines)


async def help_command(update: Update, context: BotContext) -> None:
    """Show the commands of the user's role, or how to get access."""
    scope = context.scope
    assert update.message is not None
    if scope.role is None:
        await update.message.reply_text(
            not_registered_text(context)
            + "\n\n"
            + context.t("/start CODE – register with your invitation code\n/help – this help")
        )
        return
    in_group = bool(scope.user and scope.user.steering_group)
    await update.message.reply_text(
        help_text(context.t, scope.role, context.state.org, steering_group=in_group))


def register(application: BotApp) -> None:
    application.add_handler(CommandHandler("help", help_command))


FEATURE = Feature(
    name="help",
    register=register,
    commands=(
        Command("help", N_("What this bot can do for you")),
        Command("cancel", N_("Cancel the current dialogue")),
    ),
)
