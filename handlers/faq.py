"""The FAQ in the chat: any text outside a dialogue is a question.

A confident match is answered with 👍/👎; an unsure one gets up to three "Did you mean …?"
buttons; no match is said honestly, with an offer to pass the question to the asker's
regional lead (or the administrators), who answers in the chat and can keep the answer as a
new FAQ entry – if the question is about the work; an off-topic one (the weather) gets a
pointer to what the bot can do instead. Admins reload the files with /faq_reload and see /faq_stats.

Stray text reaches :func:`question_typed` through the fallback (``handlers/fallback.py``),
which PTB only calls when no dialogue took the message, so a running /hours or /budget
dialogue always gets its text first.
"""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks
from bot.errors import N_, STALE, InvalidInput
from bot.i18n import Translator
from bot.services.faq import questions
from bot.services.faq.catalog import FaqCatalog
from bot.services.faq.organisation_entries import Organisation
from bot.services.faq.ranking import Verdict
from bot.services.faq.schema import FaqFileError
from bot.services.privacy import FREE_TEXT_REMINDER
from handlers import faq_views as views
from handlers.budget_notify import tell
from handlers.common import (
    Markup,
    answer,
    dialogue,
    keyboard,
    message_text,
    pressed_data,
    require_role,
    send,
    show,
    user_data,
)
from handlers.context import BotApp, BotContext
from handlers.fallback import STRAY_TEXT
from handlers.menu import commands_for
from handlers.registry import Command, Feature
from storage.models import FaqQuestion, Role

log = logging.getLogger(__name__)

CATALOG = "faq_catalog"  # bot_data key
TARGET = "faq_answering"  # user_data key: the question a lead is answering
ANSWER = 0
EXAMPLES = 5
PASS_ON = N_("Pass my question on")


def catalog(context: BotContext) -> FaqCatalog:
    found: FaqCatalog = context.application.bot_data[CATALOG]
    return found


def _related(context: BotContext, names: tuple[str, ...]) -> list[str]:
    """The entry's related commands that this user actually has."""
    scope = context.scope
    role = scope.role
    available = {c.command for c in commands_for(
        role, context.t, context.state.org,
        steering_group=bool(scope.user and scope.user.steering_group))
    } if role else set()
    return [name for name in names if name in available]


def _answer_view(context: BotContext, question: FaqQuestion) -> str:
    t = context.t
    found = catalog(context).entry(question.entry_key, t.locale) if question.entry_key else None
    if found is None:
        raise InvalidInput(N_("This answer is no longer in the FAQ."))
    entry, language = found
    return views.answer_text(t, entry, language, _related(context, entry.commands))


async def _show_answer(update: Update, context: BotContext, question: FaqQuestion, *,
                       new: bool = False) -> None:
    """The answer with 👍/👎; in place of the pressed message unless ``new``."""
    markup = keyboard(views.rating_keyboard(context.t, question.id))
    text = _answer_view(context, question)
    if new:
        await send(update, context, text, markup)
    else:
        await show(update, context, text, markup)


# --- Asking ------------------------------------------------------------------------------------


async def question_typed(update: Update, context: BotContext) -> None:
    """Text outside any dialogue: answer it, suggest, or offer to pass it on."""
    await _reply_to(update, context, message_text(update))


async def faq_command(update: Update, context: BotContext) -> None:
    """/faq QUESTION asks; /faq alone explains and offers the most asked questions."""
    if context.args:
        await _reply_to(update, context, " ".join(context.args))
        return
    scope, t = context.scope, context.t
    await questions.ensure_current(scope.session, catalog(context))
    popular = await questions.popular(scope.session, EXAMPLES)
    rows = [[(views.short(question), views.data("ex", key))]
            for key, question in catalog(context).examples(t.locale, popular, EXAMPLES)]
    await send(update, context,
               t("Ask me about the Sozialraum reorganisation or about this bot: just type "
                 "your question in your own words. For example:"),
               keyboard(rows))


async def _reply_to(update: Update, context: BotContext, text: str) -> None:
    """Answer, suggest or offer to pass on; text without a meaningful word gets a hint."""
    scope, t = context.scope, context.t
    asked = await questions.ask(scope.session, catalog(context), user=scope.require_user(),
                                text=text, now=scope.now)
    question = asked.question
    if question is None:
        await send(update, context, t("I did not understand that. /help shows what you can do.")
                   + " " + t("You can also ask me a question in your own words."))
        return
    await scope.commit()
    decision = asked.decision
    if decision.verdict == Verdict.CONFIDENT:
        await _show_answer(update, context, question, new=True)
    elif decision.verdict == Verdict.UNSURE:
        suggestions = [
            (m.key, found[0].question) for m in decision.matches
            if (found := catalog(context).entry(m.key, t.locale)) is not None
        ]
        await send(update, context, t("I am not sure what you mean. Did you mean …"),
                   views.suggestions_keyboard(t, question.id, suggestions))
    elif not decision.about_the_work:
        await send(update, context, t("I can only answer questions about the work in the "
                                      "Sozialräume: the reorganisation, teams, hours, budget, "
                                      "contacts, meetings and this bot. /help shows what you "
                                      "can do."))
    else:
        await send(update, context,
                   t("Sorry, the FAQ has no answer to that.") + "\n\n"
                   + t("Shall I pass your question on to your regional lead? The answer will "
                       "come here, in this chat."),
                   keyboard([views.forward_row(t, question.id, PASS_ON),
                             [(t("No, thanks"), views.data("keep", question.id))]]))


async def pressed(update: Update, context: BotContext) -> None:
    """Buttons outside the answer dialogue: examples, suggestions, ratings, passing on."""
    await answer(update)
    data = pressed_data(update, views.PREFIX)
    handler = _ACTIONS.get(data.action)
    if handler is None:
        raise InvalidInput(STALE)
    await handler(update, context, data)


async def _example(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    scope = context.scope
    question = await questions.ask_entry(scope.session, catalog(context),
                                         user=scope.require_user(), key=data.arg(0),
                                         now=scope.now)
    await scope.commit()
    await _show_answer(update, context, question, new=True)  # the examples stay tappable


async def _pick(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    scope = context.scope
    question = await questions.choose(scope.session, catalog(context), user=scope.require_user(),
                                      question_id=data.int_arg(0), key=data.arg(1))
    await scope.commit()
    await _show_answer(update, context, question)


async def _rate(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    scope, t = context.scope, context.t
    helpful = data.arg(1) == "1"
    question = await questions.own_question(scope.session, data.int_arg(0),
                                            scope.require_user())
    if not await questions.rate(scope.session, user=scope.require_user(),
                                question_id=question.id, helpful=helpful, now=scope.now):
        await show(update, context, _answer_view(context, question) + "\n\n"
                   + t("You have already rated this answer; your first rating counts."))
        return
    await scope.commit()
    text = _answer_view(context, question) + "\n\n" + t("Thank you for your feedback.")
    if helpful:
        await show(update, context, text)
        return
    await show(update, context,
               text + " " + t("Shall I pass your question on to your regional lead?"),
               keyboard([views.forward_row(t, question.id, PASS_ON)]))


async def _keep(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    await questions.own_question(context.scope.session, data.int_arg(0),
                                 context.scope.require_user())
    await show(update, context, context.t("All right, I have not passed it on."))


async def _forward(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    """Pass the question on (once) and send it to the coordinators."""
    scope, t = context.scope, context.t
    question, recipients = await questions.forward(
        scope.session, user=scope.require_user(), question_id=data.int_arg(0), now=scope.now)
    await scope.commit()
    await show(update, context,
               t("I have passed your question on: “{question}”. You will get the answer "
                 "here.").format(question=views.quote(question)))
    i18n = context.state.i18n
    for user in recipients:
        lead_t = i18n.get(user.locale)
        try:
            message = await context.bot.send_message(
                user.telegram_id, views.card_text(lead_t, question),
                reply_markup=views.card_keyboard(lead_t, question),
            )
        except TelegramError:
            log.warning("question %s not delivered to user %s", question.id, user.id)
            continue
        questions.remember_copy(scope.session, question, user, chat_id=message.chat_id,
                                message_id=message.message_id)


# --- A lead answers -----------------------------------------------------------------------------


async def answer_start(update: Update, context: BotContext) -> int:
    """A lead taps Answer: re-check, then ask for the text."""
    await answer(update)
    scope, t = context.scope, context.t
    question = await questions.answerable(scope.session, user=scope.require_user(),
                                          question_id=pressed_data(update, views.PREFIX).int_arg(0))
    user_data(context)[TARGET] = question.id
    asker = question.user.display_name if question.user else "?"
    await send(update, context,
               t("Please type your answer to “{question}” (at most {limit} characters). It goes "
                 "to {name}.").format(question=views.quote(question),
                                      limit=questions.ANSWER_MAX, name=html.escape(asker))
               + "\n\n" + t(FREE_TEXT_REMINDER),
               keyboard([[(t("Cancel"), views.data("cancel"))]]))
    return ANSWER


async def answer_typed(update: Update, context: BotContext) -> int:
    """The lead's answer: store it once, tell the asker, update every copy of the card."""
    scope, t = context.scope, context.t
    question = await questions.answer(
        scope.session, user=scope.require_user(), question_id=user_data(context).get(TARGET),
        text=message_text(update), now=scope.now)
    await scope.commit()
    user_data(context).pop(TARGET, None)
    await _update_copies(context, question)
    if question.user is not None:
        asker = question.user
        lead = html.escape(scope.require_user().display_name)

        def build(t: Translator) -> tuple[str, Markup]:
            return (t("💬 {name} answered your question “{question}”:").format(
                        name=lead, question=views.quote(question))
                    + "\n\n" + html.escape(question.answer or ""), None)

        await tell(context.bot, context.state.i18n, asker, build)
    name = html.escape(question.user.display_name) if question.user else "?"
    await send(update, context,
               t("Sent to {name}. Shall I add question and answer to the FAQ, so that I can "
                 "answer it myself next time?").format(name=name),
               keyboard([[(t("➕ Add to the FAQ"), views.data("add", question.id))]]))
    return ConversationHandler.END


async def _update_copies(context: BotContext, question: FaqQuestion) -> None:
    i18n = context.state.i18n
    for notice, user in await questions.copies(context.scope.session, question):
        lead_t = i18n.get(user.locale if user is not None else None)
        try:
            await context.bot.edit_message_text(views.card_text(lead_t, question),
                                                chat_id=notice.chat_id,
                                                message_id=notice.message_id)
        except TelegramError:
            log.info("copy of question %s not updated", question.id)


async def _promote(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    scope, t = context.scope, context.t
    entry = await questions.promote(scope.session, user=scope.require_user(),
                                    question_id=data.int_arg(0), now=scope.now)
    await scope.commit()
    await catalog(context).add(entry)
    await show(update, context,
               t("Added to the FAQ: “{question}”. From now on I answer similar questions "
                 "myself.").format(question=html.escape(entry.question)))


# --- Admins ------------------------------------------------------------------------------------


async def reload_command(update: Update, context: BotContext) -> None:
    """/faq_reload: read the FAQ files again without a restart."""
    require_role(context, Role.ADMIN)
    scope, t = context.scope, context.t
    faq = catalog(context)
    try:
        await questions.reload(scope.session, faq, user=scope.require_user(), now=scope.now)
    except FaqFileError as exc:
        await send(update, context,
                   t("The FAQ was not reloaded; the previous version stays active. "
                     "Problem: {problem}").format(problem=html.escape(str(exc))))
        return
    await scope.commit()
    await send(update, context,
               t("FAQ reloaded: {files} entries from the files, {organisation} from the "
                 "organisation, {chat} written in the chat.")
               .format(files=faq.file_entry_count, organisation=faq.organisation_entry_count,
                       chat=faq.chat_entry_count))


async def stats_command(update: Update, context: BotContext) -> None:
    """/faq_stats: most asked, without an answer, rated 👎."""
    require_role(context, Role.ADMIN)
    scope, t = context.scope, context.t
    stats = await questions.stats(scope.session, user=scope.require_user())
    await questions.ensure_current(scope.session, catalog(context))
    keys = {key for key, _ in stats.most_asked} | {r.entry_key for r in stats.badly_rated}
    titles = {key: found[0].question for key in keys
              if (found := catalog(context).entry(key, t.locale)) is not None}
    await send(update, context, views.stats_text(t, stats, titles))


_ACTIONS = {
    "ex": _example,
    "pick": _pick,
    "rate": _rate,
    "fwd": _forward,
    "keep": _keep,
    "add": _promote,
}


def _dialogue() -> ConversationHandler[BotContext]:
    return dialogue(
        "faq",
        [CallbackQueryHandler(answer_start, pattern=callbacks.pattern(views.PREFIX, "ans"))],
        {ANSWER: [MessageHandler(filters.TEXT & ~filters.COMMAND, answer_typed)]},
        cancelled=N_("Cancelled. Nothing was sent."), drafts=(TARGET,),
        cancel_button=callbacks.pattern(views.PREFIX, "cancel"),
    )


def register(application: BotApp) -> None:
    state = application.bot_data["state"]
    # The organisation's entries exist from the start (from the file the start-up imported);
    # questions then keep them in line with the database (see questions.ensure_current).
    application.bot_data[CATALOG] = FaqCatalog(
        state.settings.faq_dir,
        texts={locale: state.i18n.get(locale) for locale in state.i18n.locales},
        organisation=Organisation.from_file(state.org))
    application.bot_data[STRAY_TEXT] = question_typed
    application.add_handler(_dialogue())
    application.add_handler(CommandHandler("faq", faq_command))
    application.add_handler(CommandHandler("faq_reload", reload_command))
    application.add_handler(CommandHandler("faq_stats", stats_command))
    application.add_handler(CallbackQueryHandler(pressed, pattern=callbacks.pattern(views.PREFIX)))


FEATURE = Feature(
    name="faq",
    register=register,
    commands=(
        Command("faq", N_("Questions and answers: ask in your own words")),
        Command("faq_reload", N_("Reload the FAQ files"), roles=frozenset({Role.ADMIN})),
        Command("faq_stats", N_("FAQ statistics: most asked, unanswered, badly rated"),
                roles=frozenset({Role.ADMIN})),
    ),
)
