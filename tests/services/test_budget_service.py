"""FuA budget rules with the real database: figures, decisions, deputies, escalation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.services import access
from bot.services.budget import allocation, deciders, escalation
from bot.services.budget import requests as budget_requests
from bot.services.budget.requests import BudgetExceeded
from bot.services.organisation import import_organisation
from storage.models import AuditEntry, Budget, BudgetRequest, RequestState, Role
from storage.repositories.users import OrgRepository
from tests.support.people import TODAY, member, new_request


async def test_shipped_budgets_are_examples_and_figures_start_full(session):
    nord = await OrgRepository(session).region_by_key("nord")
    status = await allocation.status(session, nord.id, 2026)
    assert status.is_example and status.figures.allocated == 3_000_000
    assert status.figures.available == 3_000_000
    status_2027 = await allocation.status(session, nord.id, 2027)
    assert [t.team.key for t in status_2027.teams] == ["nord-a", "nord-b"]
    assert await allocation.status(session, nord.id, 2030) is None


async def test_request_numbers_and_figures_through_the_life_cycle(session, clock):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    first = await new_request(session, clock, pia, euros=1000)
    second = await new_request(session, clock, pia, euros=500)
    assert (first.number, second.number) == ("FuA-2026-001", "FuA-2026-002")
    assert first.state == RequestState.PENDING

    await budget_requests.approve(
        session, request_id=first.id, user=lea, now=clock.now(), today=TODAY
    )
    status = await allocation.status(session, first.budget.region_id, 2026)
    assert (status.figures.sums.approved, status.figures.sums.pending) == (100_000, 50_000)
    assert status.figures.available == 3_000_000 - 100_000  # pending is not subtracted

    with pytest.raises(InvalidInput, match="from that day on"):  # planned for 10.12.
        await budget_requests.report_cost(
            session, request_id=first.id, user=pia, now=clock.now(), today=TODAY,
            actual_cents=80_000,
        )
    reported = await budget_requests.report_cost(
        session, request_id=first.id, user=pia, now=clock.now(), today=date(2026, 12, 10),
        actual_cents=80_000,
    )
    assert reported.state == RequestState.REPORTED
    status = await allocation.status(session, first.budget.region_id, 2026)
    assert status.figures.sums.spent == 80_000 and status.figures.sums.approved == 0
    assert status.figures.available == 3_000_000 - 80_000  # the rest went back

    await budget_requests.withdraw(session, request_id=second.id, user=pia, now=clock.now())
    with pytest.raises(Conflict):
        await budget_requests.withdraw(session, request_id=second.id, user=pia, now=clock.now())
    history = await budget_requests.history(session, first)
    assert [e.action for e, _ in history] == [
        "budget_request.created", "budget_request.approved", "budget_request.reported",
    ]
    assert history[1][1] == "Lea" and history[1][0].details["amount_cents"] == 100_000
    assert history[1][0].details["from_state"] == "pending"


@pytest.mark.parametrize(
    ("euros", "message"),
    [(0, "more than 0"), (-5, "more than 0"), (10**9, "implausibly"), (40_000, "whole budget")],
)
async def test_bad_amounts_are_refused(session, clock, euros, message):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    with pytest.raises(InvalidInput, match=message):
        await new_request(session, clock, pia, euros=euros)
    assert await session.scalar(select(BudgetRequest)) is None


@pytest.mark.parametrize(
    ("title", "message"),
    [("   ", "short text"), ("x" * 81, "characters"), ("Ausflug mit Familie Meier", "personal")],
)
async def test_bad_purposes_are_refused(session, clock, title, message):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    with pytest.raises(InvalidInput, match=message):
        await new_request(session, clock, pia, title=title)


async def test_dates_and_missing_budgets(session, clock):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    with pytest.raises(InvalidInput, match="past"):
        await new_request(session, clock, pia, day=date(2026, 11, 1))
    with pytest.raises(InvalidInput, match="No FuA budget"):
        await new_request(session, clock, pia, day=date(2028, 3, 1))


async def test_only_team_members_request_for_their_own_team(session, clock):
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    with pytest.raises(NotAllowed):
        await new_request(session, clock, lea)
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    with pytest.raises(NotAllowed):
        await new_request(session, clock, pia, team="sued-a")


async def test_who_may_decide(session, clock):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    asd = await member(session, clock, "Ali", Role.CASEWORKER, team="nord-a")
    sued = await member(session, clock, "Sam", Role.LEAD, region="sued")
    request = await new_request(session, clock, pia)
    for outsider in (pia, asd, sued):
        with pytest.raises(NotAllowed):
            await budget_requests.approve(
                session, request_id=request.id, user=outsider, now=clock.now(), today=TODAY
            )
    with pytest.raises(NotFound):
        await budget_requests.approve(
            session, request_id=999_999, user=sued, now=clock.now(), today=TODAY
        )
    assert (await budget_requests.get_request(session, request.id)).state == "pending"


async def test_admins_decide_only_for_a_region_without_a_lead(session, clock):
    ada = await access.ensure_admin(session, telegram_id=2, display_name="Ada", locale="de",
                                    now=clock.now())
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    sam = await member(session, clock, "Sam", Role.PROVIDER, team="sued-a")
    nord_request = await new_request(session, clock, pia)
    sued_request = await new_request(session, clock, sam, team="sued-a")
    assert [u.display_name for u in await deciders.deciders(session, lea.region_id, TODAY)] == [
        "Lea"]

    with pytest.raises(NotAllowed, match="has a regional lead"):
        await budget_requests.approve(session, request_id=nord_request.id, user=ada,
                                      now=clock.now(), today=TODAY)
    with pytest.raises(NotAllowed, match="has a regional lead"):
        await budget_requests.reject(session, request_id=nord_request.id, user=ada,
                                     now=clock.now(), today=TODAY, reason="Nein")
    assert (await budget_requests.get_request(session, nord_request.id)).state == "pending"
    # Süd has no lead: its requests go to the admins, who decide them.
    assert [r.number for r in await budget_requests.pending_for(session, ada, TODAY)] == [
        sued_request.number]
    approved = await budget_requests.approve(session, request_id=sued_request.id, user=ada,
                                             now=clock.now(), today=TODAY)
    assert approved.decided_by.display_name == "Ada"

    # Once Süd has a lead, the admin no longer decides there either.
    await member(session, clock, "Sven", Role.LEAD, region="sued")
    later = await new_request(session, clock, sam, team="sued-a")
    assert await budget_requests.pending_for(session, ada, TODAY) == []
    with pytest.raises(NotAllowed, match="has a regional lead"):
        await budget_requests.approve(session, request_id=later.id, user=ada, now=clock.now(),
                                      today=TODAY)


async def test_a_lead_cannot_decide_an_own_request(session, clock):
    # A caseworker who deputises for the lead must not approve their own request.
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    asd = await member(session, clock, "Ali", Role.CASEWORKER, team="nord-a")
    await deciders.name_deputy(
        session, lead=lea, deputy_id=asd.id, until=date(2026, 12, 12), today=TODAY,
        now=clock.now(),
    )
    own = await new_request(session, clock, asd)
    with pytest.raises(NotAllowed, match="own request"):
        await budget_requests.approve(
            session, request_id=own.id, user=asd, now=clock.now(), today=TODAY
        )


async def test_decided_once_and_reject_needs_a_reason(session, clock):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    request = await new_request(session, clock, pia)
    with pytest.raises(InvalidInput):
        await budget_requests.reject(
            session, request_id=request.id, user=lea, now=clock.now(), today=TODAY, reason=" "
        )
    rejected = await budget_requests.reject(
        session, request_id=request.id, user=lea, now=clock.now(), today=TODAY,
        reason="Bitte über den Träger abrechnen",
    )
    assert rejected.state == "rejected" and rejected.reason.startswith("Bitte")
    with pytest.raises(Conflict):
        await budget_requests.approve(
            session, request_id=request.id, user=lea, now=clock.now(), today=TODAY
        )


async def test_approval_beyond_available_is_refused(session, clock):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    big = await new_request(session, clock, pia, euros=20_000)
    second = await new_request(session, clock, pia, euros=15_000)
    await budget_requests.approve(session, request_id=big.id, user=lea, now=clock.now(),
                                  today=TODAY)
    with pytest.raises(BudgetExceeded) as refused:
        await budget_requests.approve(session, request_id=second.id, user=lea, now=clock.now(),
                                      today=TODAY)
    assert refused.value.available_cents == 1_000_000
    with pytest.raises(InvalidInput, match="at most the requested"):
        await budget_requests.approve(session, request_id=second.id, user=lea, now=clock.now(),
                                      today=TODAY, amount_cents=2_000_000)
    partly = await budget_requests.approve(
        session, request_id=second.id, user=lea, now=clock.now(), today=TODAY,
        amount_cents=1_000_000,
    )
    assert partly.approved_cents == 1_000_000


async def test_team_share_caps_a_team(session, clock):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    first = await new_request(session, clock, pia, euros=10_000, day=date(2027, 2, 1))
    second = await new_request(session, clock, pia, euros=6_000, day=date(2027, 2, 2))
    assert second.number == "FuA-2027-002"
    await budget_requests.approve(session, request_id=first.id, user=lea, now=clock.now(),
                                  today=TODAY)
    with pytest.raises(BudgetExceeded) as refused:
        await budget_requests.approve(session, request_id=second.id, user=lea,
                                      now=clock.now(), today=TODAY)
    assert refused.value.available_cents == 500_000  # 15,000 share − 10,000


async def test_deputy_decides_while_the_lead_is_away(session, clock):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    sam = await member(session, clock, "Sam", Role.LEAD, region="sued")
    assert sam.id in {u.id for u in await deciders.deputy_candidates(session, lea)}
    assert pia.id not in {u.id for u in await deciders.deputy_candidates(session, lea)}
    with pytest.raises(NotFound):
        await deciders.name_deputy(session, lead=lea, deputy_id=pia.id,
                                   until=date(2026, 12, 12), today=TODAY, now=clock.now())
    with pytest.raises(InvalidInput, match="past"):
        await deciders.name_deputy(session, lead=lea, deputy_id=sam.id,
                                   until=date(2026, 11, 1), today=TODAY, now=clock.now())
    await deciders.name_deputy(session, lead=lea, deputy_id=sam.id, until=date(2026, 12, 12),
                               today=TODAY, now=clock.now())
    nord = lea.region_id
    assert {u.display_name for u in await deciders.deciders(session, nord, TODAY)} == {
        "Lea", "Sam"}
    request = await new_request(session, clock, pia)
    # After the absence, the deputy no longer decides.
    with pytest.raises(NotAllowed):
        await budget_requests.approve(session, request_id=request.id, user=sam,
                                      now=clock.now(), today=date(2026, 12, 13))
    approved = await budget_requests.approve(session, request_id=request.id, user=sam,
                                             now=clock.now(), today=date(2026, 12, 12))
    assert approved.decided_by.display_name == "Sam"


async def test_questions_and_answers(session, clock):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    request = await new_request(session, clock, pia)
    question = await budget_requests.ask(session, request_id=request.id, user=lea,
                                         now=clock.now(), today=TODAY, text="Wie viele Gäste?")
    with pytest.raises(NotAllowed):
        await budget_requests.answer(session, question_id=question.id, user=lea,
                                     now=clock.now(), text="Ich weiß es")
    answered = await budget_requests.answer(session, question_id=question.id, user=pia,
                                            now=clock.now(), text="Etwa 40")
    assert answered.answer == "Etwa 40"
    with pytest.raises(Conflict):
        await budget_requests.answer(session, question_id=question.id, user=pia,
                                     now=clock.now(), text="Doch 50")


async def test_escalation_once_per_period(session, clock):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    request = await new_request(session, clock, pia)
    after = timedelta(days=3)
    assert await escalation.raise_overdue(session, now=clock.now(), after=after) == []
    clock.advance(timedelta(days=3))
    raised = await escalation.raise_overdue(session, now=clock.now(), after=after)
    assert [r.number for r in raised] == [request.number]
    clock.advance(timedelta(hours=1))
    assert await escalation.raise_overdue(session, now=clock.now(), after=after) == []
    clock.advance(timedelta(days=3))
    assert len(await escalation.raise_overdue(session, now=clock.now(), after=after)) == 1


async def test_admin_sets_budgets_and_reimport_respects_it(session, clock, org):
    admin = await access.ensure_admin(session, telegram_id=1, display_name="Ada", locale="de",
                                      now=clock.now())
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    with pytest.raises(NotAllowed):
        await allocation.set_allocation(session, actor=lea, unit_key="nord", year=2026,
                                        cents=1, now=clock.now())
    await allocation.set_allocation(session, actor=admin, unit_key="nord", year=2026,
                                    cents=4_000_000, now=clock.now())
    await import_organisation(session, org, now=clock.now())  # file unchanged: chat value stays
    budget = await session.scalar(select(Budget).where(Budget.year == 2026, Budget.region_id ==
                                                       lea.region_id))
    assert budget.allocated_cents == 4_000_000 and not budget.is_example
    changed = org.model_copy(update={"budgets": [
        b.model_copy(update={"amount": b.amount + 1}) if (b.region, b.year) == ("nord", 2026)
        else b for b in org.budgets
    ]})
    await import_organisation(session, changed, now=clock.now())
    await session.refresh(budget)
    assert budget.allocated_cents == 3_000_100  # the file's value changed: the file wins

    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    request = await new_request(session, clock, pia, euros=2000)
    await budget_requests.approve(session, request_id=request.id, user=lea, now=clock.now(),
                                  today=TODAY)
    with pytest.raises(Conflict):
        await allocation.set_allocation(session, actor=admin, unit_key="nord", year=2026,
                                        cents=100_000, now=clock.now())
    await allocation.set_allocation(session, actor=admin, unit_key="nord-b", year=2026,
                                    cents=500_000, now=clock.now())
    with pytest.raises(InvalidInput):
        await allocation.set_allocation(session, actor=admin, unit_key="ost", year=2026,
                                        cents=1, now=clock.now())
    actions = (await session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject_type == "budget"))).all()
    assert actions.count("budget.set") >= 3


@pytest.mark.parametrize(
    ("budgets", "message"),
    [
        ([{"region": "ost", "year": 2026, "amount": 1}], "unknown region"),
        ([{"region": "nord", "year": 2026, "amount": 100, "teams": {"nord-a": 60, "nord-b": 60}}],
         "exceed"),
        ([{"region": "nord", "year": 2026, "amount": 100, "teams": {"sued-a": 10}}],
         "not in the region"),
        ([{"region": "nord", "year": 2026, "amount": "12.345"}], "decimal"),
        ([{"region": "nord", "year": 2026, "amount": 1}] * 2, "used twice"),
    ],
)
def test_budget_section_of_the_org_file_is_validated(org, tmp_path, budgets, message):
    import yaml

    from bot.services.organisation import OrgFileError, load_org_file

    raw = org.model_dump(mode="json", exclude_none=True)
    raw["budgets"] = budgets
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(OrgFileError, match=message):
        load_org_file(path)


async def test_every_decision_deputy_and_escalation_is_audited_with_who_when_and_what(
        session, clock):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    sam = await member(session, clock, "Sam", Role.LEAD, region="sued")
    rejected = await new_request(session, clock, pia, euros=300)
    withdrawn = await new_request(session, clock, pia, euros=200)
    amended = await new_request(session, clock, pia, euros=1000)
    overdue = await new_request(session, clock, pia, euros=50)
    start = clock.now()

    async def entries_since(moment):
        return (await session.scalars(select(AuditEntry).where(AuditEntry.at >= moment)
                                      .order_by(AuditEntry.id))).all()

    def summary(entry):
        details = entry.details
        return (entry.action, entry.actor_user_id, entry.at, details.get("number"),
                details.get("from_state"), details.get("to_state"), details.get("amount_cents"))

    clock.advance(timedelta(hours=1))
    await budget_requests.reject(session, request_id=rejected.id, user=lea, now=clock.now(),
                                 today=TODAY, reason="Zu spät eingereicht")
    rejected_at = clock.now()
    clock.advance(timedelta(hours=1))
    await budget_requests.withdraw(session, request_id=withdrawn.id, user=pia, now=clock.now())
    withdrawn_at = clock.now()
    clock.advance(timedelta(hours=1))
    await budget_requests.approve(session, request_id=amended.id, user=lea, now=clock.now(),
                                  today=TODAY, amount_cents=75_000)  # less than asked
    amended_at = clock.now()
    clock.advance(timedelta(hours=1))
    await deciders.name_deputy(session, lead=lea, deputy_id=sam.id, until=date(2026, 12, 12),
                               today=TODAY, now=clock.now())
    named_at = clock.now()
    clock.advance(timedelta(days=3))
    await escalation.raise_overdue(session, now=clock.now(), after=timedelta(days=3))
    raised_at = clock.now()

    entries = await entries_since(start + timedelta(minutes=1))
    assert [summary(e) for e in entries] == [
        ("budget_request.rejected", lea.id, rejected_at, rejected.number, "pending",
         "rejected", 30_000),
        ("budget_request.withdrawn", pia.id, withdrawn_at, withdrawn.number, "pending",
         "withdrawn", 20_000),
        ("budget_request.approved", lea.id, amended_at, amended.number, "pending",
         "approved", 75_000),
        ("lead.deputy_named", lea.id, named_at, None, None, None, None),
        ("budget_request.escalated", None, raised_at, overdue.number, "pending", "pending",
         5_000),
    ]
    deputy = entries[3]
    assert (deputy.subject_id, deputy.details) == (
        str(lea.id), {"deputy": sam.id, "until": "2026-12-12"})
    assert all(str(e.subject_id) == str(r.id) for e, r in zip(
        [entries[0], entries[1], entries[2], entries[4]],
        [rejected, withdrawn, amended, overdue], strict=True))
    # The reason is free text: it is on the request (until retention), never in the log.
    assert all("spät" not in str(e.details) for e in entries)
