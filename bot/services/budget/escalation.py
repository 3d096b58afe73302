"""Requests pending too long are raised to the deciders again, once per period."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import audit
from storage.models import BudgetRequest
from storage.repositories.budget import BudgetRepository


async def raise_overdue(
    session: AsyncSession, *, now: datetime, after: timedelta
) -> list[BudgetRequest]:
    """Pending requests last raised ``after`` ago or earlier; each is marked raised at ``now``.

    Marking uses a conditional update, so two overlapping runs never raise a request twice;
    the next raise comes one full period later.
    """
    repo = BudgetRepository(session)
    raised: list[BudgetRequest] = []
    for request in await repo.raised_before(now - after):
        if await repo.claim_raise(request, now):
            audit.record(
                session, at=now, actor_id=None, action="budget_request.escalated",
                subject_type="budget_request", subject_id=request.id, number=request.number,
                from_state=request.state, to_state=request.state,
                amount_cents=request.amount_cents,
            )
            loaded = await repo.request(request.id)
            assert loaded is not None
            raised.append(loaded)
    return raised
