"""Texts and keyboards of the FAQ, in the user's language."""

from __future__ import annotations

import html
from collections.abc import Iterable

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.errors import N_
from bot.i18n import Translator
from bot.services.faq.questions import Stats
from bot.services.faq.schema import FaqEntry
from handlers.common import keyboard
from handlers.labels import LANGUAGE_NAMES
from storage.models import FaqQuestion, User

PREFIX = "faq"
BUTTON_CHARS = 60  # longer questions are shortened on buttons
QUOTE_CHARS = 500  # a question quoted in a message (it may be as long as a message itself)


def data(action: str, *args: str | int) -> str:
    return callbacks.pack(PREFIX, action, *args)


def short(text: str, limit: int = BUTTON_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quote(question: FaqQuestion) -> str:
    """The asked question for a message, HTML-escaped, cut to leave room for the rest."""
    return html.escape(short(question.text, QUOTE_CHARS))


def answer_text(t: Translator, entry: FaqEntry, language: str,
                commands: Iterable[str]) -> str:
    """The entry's question and answer; a note when it exists in another language only."""
    lines = [f"<b>{html.escape(entry.question)}</b>", "", html.escape(entry.answer)]
    if language != t.locale:
        lines += ["", t("(This answer exists in {language} only.)").format(
            language=LANGUAGE_NAMES.get(language, language))]
    related = " ".join(f"/{name}" for name in commands)
    if related:
        lines += ["", t("Related: {commands}").format(commands=related)]
    return "\n".join(lines)


def rating_keyboard(t: Translator, question_id: int) -> list[list[tuple[str, str]]]:
    return [[(t("👍 Helpful"), data("rate", question_id, 1)),
             (t("👎 Not helpful"), data("rate", question_id, 0))]]


def forward_row(t: Translator, question_id: int, label: str) -> list[tuple[str, str]]:
    return [(t(label), data("fwd", question_id))]


def suggestions_keyboard(t: Translator, question_id: int,
                         suggestions: Iterable[tuple[str, str]]) -> InlineKeyboardMarkup:
    rows = [[(short(question), data("pick", question_id, key))] for key, question in suggestions]
    rows.append(forward_row(t, question_id, N_("None of these – pass my question on")))
    return keyboard(rows)


def who(user: User | None, t: Translator) -> str:
    if user is None:
        return t("a former member")
    teams = ", ".join(sorted(m.team.name for m in user.memberships))
    name = html.escape(user.display_name)
    return f"{name} ({html.escape(teams)})" if teams else name


def card_keyboard(t: Translator, question: FaqQuestion) -> InlineKeyboardMarkup:
    return keyboard([[(t("✍️ Answer"), data("ans", question.id))]])


def card_text(t: Translator, question: FaqQuestion) -> str:
    """A passed-on question as a lead sees it, with the answer once there is one."""
    lines = [
        t("❓ <b>Question from {asker}</b> that the FAQ could not answer:").format(
            asker=who(question.user, t)),
        "", f"„{quote(question)}“",
    ]
    if question.answered_at is not None and question.answer is not None:
        name = question.answered_by.display_name if question.answered_by else "?"
        lines += ["", t("✅ Answered by {name}:").format(name=html.escape(name)),
                  html.escape(question.answer)]
    return "\n".join(lines)


def stats_text(t: Translator, stats: Stats, question_of: dict[str, str]) -> str:
    def title(key: str) -> str:
        return html.escape(short(question_of.get(key, key)))

    lines = ["<b>" + t("FAQ statistics") + "</b>", "", "<b>" + t("Most asked") + "</b>"]
    lines += [f"{n}× {title(key)}" for key, n in stats.most_asked] or [t("No questions yet.")]
    lines += ["", "<b>" + t("Not found in the FAQ: {count}").format(count=stats.unanswered_total)
              + "</b>"]
    for question in stats.unanswered_latest:
        state = (t("answered") if question.answered_at else
                 t("passed on") if question.forwarded_at else t("not passed on"))
        lines.append(f"• {html.escape(short(question.text, 80))} ({state})")
    lines += ["", "<b>" + t("Rated 👎") + "</b>"]
    lines += [f"{r.unhelpful}× 👎 / {r.helpful}× 👍 {title(r.entry_key)}"
              for r in stats.badly_rated] or [t("No bad ratings.")]
    return "\n".join(lines)
