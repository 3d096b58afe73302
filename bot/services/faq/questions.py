"""Questions in the chat: answer, suggest, rate, pass on to a lead, answer, keep as entry.

Every function re-checks who may do what against the database: button data only says what
was pressed. A question's text is a short free-text field, checked for personal data before
anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, STALE, Conflict, InvalidInput, NotAllowed, NotFound
from bot.services import audit
from bot.services.faq.catalog import ChatEntry, FaqCatalog
from bot.services.faq.organisation_entries import load_organisation
from bot.services.faq.ranking import Decision, Verdict
from bot.services.faq.schema import QUESTION_MAX
from bot.services.privacy import check_free_text
from storage.models import FaqChatEntry, FaqNotice, FaqQuestion, QuestionOutcome, Role, User
from storage.repositories.budget import BudgetRepository
from storage.repositories.faq import FaqRepository, Rating
from storage.repositories.users import UserRepository

ANSWER_MAX = 1000  # a lead's answer in the chat
# A question may be as long as one Telegram message: people ramble, and the ranking copes.
ASKED_MAX = 4096
STATS_LIMIT = 10
GONE = N_("This question does not exist (any more).")


@dataclass(frozen=True)
class Asked:
    """What became of a question: None when the text held no meaningful word."""

    question: FaqQuestion | None
    decision: Decision


async def ensure_current(session: AsyncSession, catalog: FaqCatalog) -> None:
    """Merge the entries written in the chat (once after start-up), and generate the
    organisation's entries again when an import changed it, here or in another process."""
    if not catalog.chat_entries_loaded:
        await catalog.set_chat_entries(await _chat_entries(session))
    await _follow_organisation(session, catalog)


async def _follow_organisation(session: AsyncSession, catalog: FaqCatalog) -> None:
    if catalog.generates_organisation_entries:
        await catalog.set_organisation(await load_organisation(session))


async def reload(session: AsyncSession, catalog: FaqCatalog, *, user: User,
                 now: datetime) -> None:
    """Read the FAQ files (and the organisation) again (admins); an invalid file raises
    FaqFileError, the old stays."""
    _require_admin(user)
    await catalog.reload(await _chat_entries(session))
    await _follow_organisation(session, catalog)
    audit.record(session, at=now, actor_id=user.id, action="faq.reloaded",
                 subject_type="faq", subject_id="files", entries=catalog.file_entry_count,
                 organisation_entries=catalog.organisation_entry_count,
                 chat_entries=catalog.chat_entry_count)


async def ask(session: AsyncSession, catalog: FaqCatalog, *, user: User, text: str,
              now: datetime) -> Asked:
    """Check the text, search the FAQ and keep the question for the statistics.

    A question is checked for personal data with the FAQ's own words as public: asking about
    a speaker the FAQ names is not writing about a person.
    """
    await ensure_current(session, catalog)
    cleaned = check_free_text(text, max_length=ASKED_MAX, public=catalog.public_words)
    if not catalog.understands(cleaned):
        return Asked(None, Decision(Verdict.NONE, ()))
    decision = catalog.ask(cleaned, user.locale)
    question = FaqQuestion(
        user_id=user.id, locale=user.locale, text=cleaned, asked_at=now,
        outcome=QuestionOutcome(decision.verdict.value),
        entry_key=decision.matches[0].key if decision.verdict == Verdict.CONFIDENT else None,
        suggestions=[m.key for m in decision.matches],
    )
    session.add(question)
    await session.flush()
    return Asked(question, decision)


async def ask_entry(session: AsyncSession, catalog: FaqCatalog, *, user: User, key: str | None,
                    now: datetime) -> FaqQuestion:
    """One of the example questions of /faq was tapped: counts as asking it."""
    await ensure_current(session, catalog)
    found = catalog.entry(key, user.locale) if key else None
    if found is None:
        raise NotFound(N_("This answer is no longer in the FAQ."))
    question = FaqQuestion(
        user_id=user.id, locale=user.locale, text=found[0].question[:QUESTION_MAX],
        asked_at=now, outcome=QuestionOutcome.CONFIDENT, entry_key=key, suggestions=[key],
    )
    session.add(question)
    await session.flush()
    return question


async def choose(session: AsyncSession, catalog: FaqCatalog, *, user: User,
                 question_id: int | None, key: str | None) -> FaqQuestion:
    """The asker picked one of the suggestions ("did you mean …?")."""
    question = await own_question(session, question_id, user)
    if key is None or key not in question.suggestions:
        raise InvalidInput(STALE)
    await ensure_current(session, catalog)
    if catalog.entry(key, user.locale) is None:
        raise NotFound(N_("This answer is no longer in the FAQ."))
    question.entry_key = key
    await session.flush()
    return question


async def rate(session: AsyncSession, *, user: User, question_id: int | None, helpful: bool,
               now: datetime) -> bool:
    """👍/👎 on the answer shown; False if the user rated this entry before (kept as it was)."""
    question = await own_question(session, question_id, user)
    if question.entry_key is None:
        raise InvalidInput(STALE)
    return await FaqRepository(session).add_feedback(
        user_id=user.id, entry_key=question.entry_key, helpful=helpful,
        question_id=question.id, at=now,
    )


async def own_question(session: AsyncSession, question_id: int | None,
                       user: User) -> FaqQuestion:
    question = await FaqRepository(session).question(question_id) if question_id else None
    if question is None:
        raise NotFound(GONE)
    if question.user_id != user.id or not user.active:
        raise NotAllowed(N_("Only the person who asked can do this."))
    return question


# -- passing a question on -----------------------------------------------------------------------


async def _regions_of(session: AsyncSession, user: User) -> set[int]:
    if user.role == Role.LEAD and user.region_id is not None:
        return {user.region_id}
    return {team.region_id for team in await BudgetRepository(session).active_teams_of(user.id)}


async def coordinators(session: AsyncSession, asker: User) -> list[User]:
    """Who receives the asker's question: the leads of the asker's regions, else the admins."""
    users = UserRepository(session)
    found: dict[int, User] = {}
    for region_id in sorted(await _regions_of(session, asker)):
        for lead in await users.active_in_region(region_id, (Role.LEAD.value,)):
            if lead.region_id == region_id:
                found[lead.id] = lead
    found.pop(asker.id, None)
    if not found:
        admins = await BudgetRepository(session).active_with_role(Role.ADMIN)
        found = {u.id: u for u in admins if u.id != asker.id}
    return list(found.values())


async def may_answer(session: AsyncSession, user: User, question: FaqQuestion) -> bool:
    """Admins, and the leads of the asker's regions."""
    if not user.active or question.user is None:
        return user.active and user.role == Role.ADMIN
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.LEAD and user.region_id in await _regions_of(session, question.user)


async def forward(session: AsyncSession, *, user: User, question_id: int | None,
                  now: datetime) -> tuple[FaqQuestion, list[User]]:
    """Pass the asker's own question on, once; returns it and who should receive it."""
    question = await own_question(session, question_id, user)
    recipients = await coordinators(session, user)
    if not recipients:
        raise Conflict(N_("There is nobody I could pass your question to. Please ask your "
                          "team lead directly."))
    if not await FaqRepository(session).change_once(
        question.id, FaqQuestion.forwarded_at, forwarded_at=now
    ):
        raise Conflict(N_("You have already passed this question on."))
    audit.record(session, at=now, actor_id=user.id, action="faq.question_forwarded",
                 subject_type="faq_question", subject_id=question.id,
                 recipients=len(recipients))
    return await _reloaded(session, question.id), recipients


def remember_copy(session: AsyncSession, question: FaqQuestion, user: User, *, chat_id: int,
                  message_id: int) -> None:
    """A lead's copy of a passed-on question, so that the answer can update every copy."""
    session.add(FaqNotice(question_id=question.id, user_id=user.id, chat_id=chat_id,
                          message_id=message_id))


async def copies(session: AsyncSession,
                 question: FaqQuestion) -> list[tuple[FaqNotice, User | None]]:
    """Every lead's copy of the question, with the lead (None if deleted meanwhile)."""
    return [(notice, await session.get(User, notice.user_id))
            for notice in await FaqRepository(session).notices(question.id)]


async def popular(session: AsyncSession, limit: int) -> list[str]:
    """Keys of the entries shown most often."""
    return [key for key, _ in await FaqRepository(session).most_asked(limit)]


async def answerable(session: AsyncSession, *, user: User,
                     question_id: int | None) -> FaqQuestion:
    """A passed-on question that ``user`` may answer and nobody has answered yet."""
    question = await FaqRepository(session).question(question_id) if question_id else None
    if question is None or question.forwarded_at is None:
        raise NotFound(GONE)
    if not await may_answer(session, user, question):
        raise NotAllowed(N_("Only the asker's regional lead or an administrator can answer "
                            "this question."))
    if question.answered_at is not None:
        raise Conflict(N_("This question has already been answered. Nothing was changed."))
    return question


async def answer(session: AsyncSession, *, user: User, question_id: int | None, text: str,
                 now: datetime) -> FaqQuestion:
    """Answer a passed-on question exactly once."""
    question = await answerable(session, user=user, question_id=question_id)
    cleaned = check_free_text(text, max_length=ANSWER_MAX)
    if not await FaqRepository(session).change_once(
        question.id, FaqQuestion.answered_at, answered_at=now, answer=cleaned,
        answered_by_id=user.id,
    ):
        raise Conflict(N_("This question has already been answered. Nothing was changed."))
    audit.record(session, at=now, actor_id=user.id, action="faq.question_answered",
                 subject_type="faq_question", subject_id=question.id)
    return await _reloaded(session, question.id)


async def promote(session: AsyncSession, *, user: User, question_id: int | None,
                  now: datetime) -> ChatEntry:
    """Turn an answered question into an FAQ entry (once); the caller merges it in."""
    repo = FaqRepository(session)
    question = await repo.question(question_id) if question_id else None
    if question is None or question.answered_at is None or question.answer is None:
        raise NotFound(GONE)
    if not await may_answer(session, user, question):
        raise NotAllowed(N_("Only the asker's regional lead or an administrator can answer "
                            "this question."))
    if await repo.chat_entry_for(question.id) is not None:
        raise Conflict(N_("This question is already in the FAQ."))
    title = question.text  # an entry's question is short; a long one is cut, its answer stays
    if len(title) > QUESTION_MAX:
        title = title[: QUESTION_MAX - 1].rstrip() + "…"
    row = FaqChatEntry(
        key=f"chat-{question.id}", locale=question.locale, question=title,
        answer=question.answer, source_question_id=question.id, created_by_id=user.id,
        created_at=now, active=True,
    )
    session.add(row)
    await session.flush()
    audit.record(session, at=now, actor_id=user.id, action="faq.entry_added",
                 subject_type="faq_chat_entry", subject_id=row.id, key=row.key)
    return _chat_entry(row)


async def _reloaded(session: AsyncSession, question_id: int) -> FaqQuestion:
    question = await FaqRepository(session).question(question_id)
    assert question is not None
    return question


def _chat_entry(row: FaqChatEntry) -> ChatEntry:
    return ChatEntry(row.key, row.locale, row.question, row.answer)


async def _chat_entries(session: AsyncSession) -> list[ChatEntry]:
    return [_chat_entry(row) for row in await FaqRepository(session).chat_entries()]


# -- statistics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    most_asked: list[tuple[str, int]]  # entry key, times shown
    unanswered_total: int
    unanswered_latest: list[FaqQuestion]
    badly_rated: list[Rating]


async def stats(session: AsyncSession, *, user: User) -> Stats:
    """Most asked entries, questions without an answer, entries rated 👎 (admins)."""
    _require_admin(user)
    repo = FaqRepository(session)
    total, latest = await repo.unanswered(STATS_LIMIT)
    return Stats(
        most_asked=await repo.most_asked(STATS_LIMIT),
        unanswered_total=total,
        unanswered_latest=latest,
        badly_rated=await repo.badly_rated(STATS_LIMIT),
    )


def _require_admin(user: User) -> None:
    if user.role != Role.ADMIN or not user.active:
        raise NotAllowed(N_("Only an administrator can do this."))
