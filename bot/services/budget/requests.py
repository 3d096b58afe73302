"""Requests against the FuA budget: create, decide exactly once, withdraw, report, ask."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, Conflict, InvalidInput, NotAllowed, NotFound
from bot.services import audit
from bot.services.budget.deciders import may_decide
from bot.services.privacy import check_free_text
from storage.models import (
    AuditEntry,
    BudgetNotice,
    BudgetQuestion,
    BudgetRequest,
    RequestState,
    Role,
    Team,
    User,
)
from storage.repositories.budget import BudgetRepository
from storage.repositories.users import OrgRepository

MAX_REQUEST_CENTS = 10_000_000  # 100,000 euros: more is not a FuA activity but a typo
TITLE_MAX = 80
DESCRIPTION_MAX = 400
TEXT_MAX = 300  # reasons, questions, answers
MAX_PLANNING_AHEAD = timedelta(days=2 * 366)
OWN_REQUESTS_SHOWN = 10


class BudgetExceeded(Conflict):
    """An approval does not fit into what is still available; the figure is money."""

    def __init__(self, available_cents: int) -> None:
        super().__init__(
            N_("This approval would exceed the budget: only {available} are still available. "
               "Nothing was approved."),
            available=available_cents,
        )
        self.available_cents = available_cents

    def render(self, gettext: Any) -> str:
        money = getattr(gettext, "money", None)
        amount = money(self.available_cents) if money else f"{self.available_cents / 100:.2f} €"
        return str(gettext(self.message)).format(available=amount)


class CostTooEarly(InvalidInput):
    """An actual cost above 0 before the planned day: the activity has not taken place yet."""

    def __init__(self, planned_on: date) -> None:
        super().__init__(
            N_("The activity is planned for {date}: its actual cost can be reported from that "
               "day on. If it does not take place, you can report 0 € now."),
            date=planned_on,
        )
        self.planned_on = planned_on

    def render(self, gettext: Any) -> str:
        format_date = getattr(gettext, "date", None)
        day = format_date(self.planned_on) if format_date else self.planned_on.isoformat()
        return str(gettext(self.message)).format(date=day)


class AlreadyDecided(Conflict):
    """The request is no longer pending; ``request`` (reloaded) says by whom and how."""

    def __init__(self, request: BudgetRequest) -> None:
        super().__init__(N_("This request has already been decided. Nothing was changed."))
        self.request = request


@dataclass(frozen=True)
class Draft:
    """What a team member typed, before it is sent."""

    team_id: int
    amount_cents: int
    title: str
    description: str
    planned_on: date


def check_amount(cents: int) -> int:
    if cents <= 0:
        raise InvalidInput(N_("The amount must be more than 0 €."))
    if cents > MAX_REQUEST_CENTS:
        raise InvalidInput(
            N_("That amount is implausibly high for a FuA request. Please check the number.")
        )
    return cents


def check_title(text: str) -> str:
    return check_free_text(text, max_length=TITLE_MAX)


def check_description(text: str) -> str:
    return check_free_text(text, max_length=DESCRIPTION_MAX)


def check_planned_on(day: date, today: date) -> date:
    if day < today:
        raise InvalidInput(N_("The planned date is in the past. Please give a future date."))
    if day - today > MAX_PLANNING_AHEAD:
        raise InvalidInput(N_("Please plan at most two years ahead."))
    return day


async def requester_teams(session: AsyncSession, user: User) -> list[Team]:
    """Teams the user may request money for: members of a team only."""
    if not user.active or not Role(user.role).is_team_role:
        raise NotAllowed(N_("Only members of a Sozialraumteam can request money."))
    teams = await BudgetRepository(session).active_teams_of(user.id)
    if not teams:
        raise NotAllowed(N_("Only members of a Sozialraumteam can request money."))
    return teams


async def requester_team(session: AsyncSession, user: User, team_id: int | None) -> Team:
    """The team chosen for a request, if the user may request money for it (checked on
    every step: a forged or stale team button names a team the user is not in)."""
    team = next((t for t in await requester_teams(session, user) if t.id == team_id), None)
    if team is None:
        raise NotAllowed(N_("You can only request money for your own team."))
    return team


async def create_request(
    session: AsyncSession, *, user: User, draft: Draft, now: datetime, today: date
) -> BudgetRequest:
    """Validate everything again and file the request with the next readable number."""
    team = await requester_team(session, user, draft.team_id)
    amount = check_amount(draft.amount_cents)
    title = check_title(draft.title)
    description = check_description(draft.description)
    planned_on = check_planned_on(draft.planned_on, today)
    repo = BudgetRepository(session)
    budget = await repo.budget(team.region_id, planned_on.year)
    if budget is None:
        raise InvalidInput(
            N_("No FuA budget is set for your region in {year} yet. "
               "Please ask your regional lead."),
            year=planned_on.year,
        )
    share = next((s for s in budget.shares if s.team_id == team.id), None)
    if amount > (share.allocated_cents if share else budget.allocated_cents):
        raise InvalidInput(N_("That is more than the whole budget. Please check the amount."))
    number = await repo.next_number(planned_on.year)
    request = BudgetRequest(
        number=f"FuA-{planned_on.year}-{number:03d}",
        budget_id=budget.id,
        team_id=team.id,
        requester_id=user.id,
        state=RequestState.PENDING,
        amount_cents=amount,
        title=title,
        description=description,
        planned_on=planned_on,
        created_at=now,
        raised_at=now,
    )
    session.add(request)
    await session.flush()
    _audit(session, request, actor=user, now=now, action="created", before=None,
           after=RequestState.PENDING, amount=amount)
    loaded = await repo.request(request.id)
    assert loaded is not None
    return loaded


async def get_request(session: AsyncSession, request_id: int | None) -> BudgetRequest:
    request = await BudgetRepository(session).request(request_id) if request_id else None
    if request is None:
        raise NotFound(N_("This request does not exist (any more)."))
    return request


async def ensure_may_decide(
    session: AsyncSession, request: BudgetRequest, user: User, today: date
) -> None:
    """Role, region and own-request check, then the state; run on every tap."""
    if user.id == request.requester_id:
        raise NotAllowed(N_("You cannot decide your own request."))
    if not await may_decide(session, user, request.budget.region_id, today):
        if user.active and user.role == Role.ADMIN:
            raise NotAllowed(
                N_("This region has a regional lead: the lead (or their deputy) decides its "
                   "requests. Administrators decide only while a region has no lead.")
            )
        raise NotAllowed(
            N_("Only the regional lead of this region (or their deputy) can decide this request.")
        )
    if request.state != RequestState.PENDING:
        raise AlreadyDecided(request)


def ensure_requester_can_answer(request: BudgetRequest) -> None:
    """A question only makes sense while the requester still has access."""
    if not request.requester.active:
        raise Conflict(N_("The requester no longer has access to the bot and cannot answer. "
                          "Please decide without a question."))


async def approve(
    session: AsyncSession, *, request_id: int, user: User, now: datetime, today: date,
    amount_cents: int | None = None,
) -> BudgetRequest:
    """Approve (optionally a smaller amount) exactly once, never beyond the budget.

    The budget row is locked first, so concurrent approvals queue; the available amount is
    then computed in SQL, and the state changes only if the request is still pending.
    """
    repo = BudgetRepository(session)
    request = await get_request(session, request_id)
    await ensure_may_decide(session, request, user, today)
    amount = check_amount(request.amount_cents if amount_cents is None else amount_cents)
    if amount > request.amount_cents:
        raise InvalidInput(
            N_("You can approve at most the requested amount. A higher amount needs a new "
               "request.")
        )
    budget = await repo.lock_budget(request.budget_id)
    available = budget.allocated_cents - await repo.committed(budget.id)
    share = next((s for s in budget.shares if s.team_id == request.team_id), None)
    if share is not None:
        available = min(
            available, share.allocated_cents - await repo.committed(budget.id, request.team_id)
        )
    if amount > available:
        raise BudgetExceeded(max(available, 0))
    if not await repo.transition(
        request.id, RequestState.PENDING, state=RequestState.APPROVED, approved_cents=amount,
        decided_at=now, decided_by_id=user.id,
    ):
        raise AlreadyDecided(await get_request(session, request.id))
    _audit(session, request, actor=user, now=now, action="approved",
           before=RequestState.PENDING, after=RequestState.APPROVED, amount=amount)
    return await get_request(session, request.id)


async def reject(
    session: AsyncSession, *, request_id: int, user: User, now: datetime, today: date,
    reason: str,
) -> BudgetRequest:
    """Reject exactly once; a reason is required."""
    request = await get_request(session, request_id)
    await ensure_may_decide(session, request, user, today)
    cleaned = check_free_text(reason, max_length=TEXT_MAX)
    if not await BudgetRepository(session).transition(
        request.id, RequestState.PENDING, state=RequestState.REJECTED, reason=cleaned,
        decided_at=now, decided_by_id=user.id,
    ):
        raise AlreadyDecided(await get_request(session, request.id))
    _audit(session, request, actor=user, now=now, action="rejected",
           before=RequestState.PENDING, after=RequestState.REJECTED,
           amount=request.amount_cents)
    return await get_request(session, request.id)


async def withdraw(
    session: AsyncSession, *, request_id: int, user: User, now: datetime
) -> BudgetRequest:
    """The requester takes back a request that is still pending."""
    request = await _own(session, request_id, user)
    if not await BudgetRepository(session).transition(
        request.id, RequestState.PENDING, state=RequestState.WITHDRAWN, decided_at=now,
    ):
        raise Conflict(N_("Only a pending request can be withdrawn. Nothing was changed."))
    _audit(session, request, actor=user, now=now, action="withdrawn",
           before=RequestState.PENDING, after=RequestState.WITHDRAWN,
           amount=request.amount_cents)
    return await get_request(session, request.id)


async def report_cost(
    session: AsyncSession, *, request_id: int, user: User, now: datetime, today: date,
    actual_cents: int,
) -> BudgetRequest:
    """After the activity: the actual cost replaces the approved amount in the figures.

    It may be lower (the rest returns to the budget) but not higher: spending more than was
    approved needs a new request, so the budget is never overdrawn by a report. A cost is
    known from the planned day on; before it only a cancellation (0 €) can be reported, which
    returns the money at once.
    """
    request = await reportable(session, request_id, user)
    if actual_cents < 0:
        raise InvalidInput(N_("The amount cannot be negative."))
    if actual_cents > 0 and today < request.planned_on:
        raise CostTooEarly(request.planned_on)
    assert request.approved_cents is not None
    if actual_cents > request.approved_cents:
        raise InvalidInput(
            N_("That is more than was approved. For the difference, please send a new request.")
        )
    if not await BudgetRepository(session).transition(
        request.id, RequestState.APPROVED, state=RequestState.REPORTED, actual_cents=actual_cents,
    ):
        raise Conflict(N_("The cost can be reported once, for an approved request."))
    _audit(session, request, actor=user, now=now, action="reported",
           before=RequestState.APPROVED, after=RequestState.REPORTED, amount=actual_cents)
    return await get_request(session, request.id)


async def ask(
    session: AsyncSession, *, request_id: int, user: User, now: datetime, today: date,
    text: str,
) -> BudgetQuestion:
    """A decider asks the requester a question; the request stays pending."""
    request = await get_request(session, request_id)
    await ensure_may_decide(session, request, user, today)
    ensure_requester_can_answer(request)
    question = BudgetQuestion(
        request_id=request.id, asked_by_id=user.id,
        question=check_free_text(text, max_length=TEXT_MAX), asked_at=now,
    )
    session.add(question)
    await session.flush()
    _audit(session, request, actor=user, now=now, action="question",
           before=request.state, after=request.state, amount=None)
    await session.refresh(question, ["request", "asked_by"])
    await get_request(session, request.id)  # loads the request's people for the messages
    return question


async def answer(
    session: AsyncSession, *, question_id: int | None, user: User, now: datetime, text: str
) -> BudgetQuestion:
    """The requester answers a question once, while the request is still pending."""
    question = await open_question(session, question_id, user)
    request = question.request
    question.answer = check_free_text(text, max_length=TEXT_MAX)
    question.answered_at = now
    _audit(session, request, actor=user, now=now, action="answered",
           before=request.state, after=request.state, amount=None)
    await session.flush()
    return question


async def open_question(
    session: AsyncSession, question_id: int | None, user: User
) -> BudgetQuestion:
    """A question the user may still answer: on their own request, unanswered, pending."""
    question = await BudgetRepository(session).question(question_id) if question_id else None
    if question is None:
        raise NotFound(N_("This request does not exist (any more)."))
    request = await _own(session, question.request_id, user)
    if question.answered_at is not None:
        raise Conflict(N_("You have already answered this question."))
    if request.state != RequestState.PENDING:
        raise AlreadyDecided(request)
    await session.refresh(question, ["request", "asked_by"])
    await get_request(session, request.id)  # loads the request's people for the messages
    return question


async def reportable(session: AsyncSession, request_id: int | None, user: User) -> BudgetRequest:
    """An own approved request whose actual cost is still to be reported."""
    request = await _own(session, request_id, user)
    if request.state != RequestState.APPROVED:
        raise Conflict(N_("The cost can be reported once, for an approved request."))
    return request


async def own_requests(session: AsyncSession, user: User) -> list[BudgetRequest]:
    return await BudgetRepository(session).requests_of(user.id, OWN_REQUESTS_SHOWN)


async def visible_request(
    session: AsyncSession, request_id: int | None, user: User, today: date
) -> BudgetRequest:
    """A request the user may look at: their own, or one of a region they decide for."""
    request = await get_request(session, request_id)
    if request.requester_id == user.id or await may_decide(
        session, user, request.budget.region_id, today
    ):
        return request
    raise NotAllowed(N_("You cannot see this request."))


async def history(
    session: AsyncSession, request: BudgetRequest
) -> list[tuple[AuditEntry, str | None]]:
    return await BudgetRepository(session).history(request.id)


async def pending_for(session: AsyncSession, user: User, today: date) -> list[BudgetRequest]:
    """Pending requests the user can decide (leads: their region; deputies: the lead's)."""
    found: list[BudgetRequest] = []
    for region in await OrgRepository(session).regions():
        if await may_decide(session, user, region.id, today):
            found += await BudgetRepository(session).pending_in_region(region.id)
    return [r for r in found if r.requester_id != user.id]


async def pending_in_region(session: AsyncSession, region_id: int) -> list[BudgetRequest]:
    return await BudgetRepository(session).pending_in_region(region_id)


def remember_copy(session: AsyncSession, request: BudgetRequest, user: User, *, chat_id: int,
                  message_id: int) -> None:
    """A decider's copy of the request, so that a decision can update every copy."""
    session.add(BudgetNotice(request_id=request.id, user_id=user.id, chat_id=chat_id,
                             message_id=message_id))


async def remember_copies(session: AsyncSession, request: BudgetRequest,
                          sent: Iterable[tuple[User, int, int]]) -> None:
    """The copies just sent, as (decider, chat id, message id), written at once."""
    for user, chat_id, message_id in sent:
        remember_copy(session, request, user, chat_id=chat_id, message_id=message_id)
    await session.flush()


async def copies(session: AsyncSession,
                 request: BudgetRequest) -> list[tuple[BudgetNotice, User | None]]:
    """Every decider's copy of the request, with the decider (None if deleted meanwhile)."""
    return [(notice, await session.get(User, notice.user_id))
            for notice in await BudgetRepository(session).notices(request.id)]


async def _own(session: AsyncSession, request_id: int | None, user: User) -> BudgetRequest:
    request = await get_request(session, request_id)
    if request.requester_id != user.id or not user.active:
        raise NotAllowed(N_("Only the person who sent this request can do this."))
    return request


def _audit(
    session: AsyncSession, request: BudgetRequest, *, actor: User | None, now: datetime,
    action: str, before: str | None, after: str, amount: int | None,
) -> None:
    audit.record(
        session, at=now, actor_id=actor.id if actor else None,
        action=f"budget_request.{action}", subject_type="budget_request", subject_id=request.id,
        number=request.number, from_state=before, to_state=after, amount_cents=amount,
    )
