"""The digest's figures, checked against the entries and records that produced them."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from bot.services.digest import figures
from bot.services.digest.schedule import WEEKLY, Schedule
from storage.models import (
    Budget,
    BudgetRequest,
    FaqQuestion,
    Meeting,
    MeetingAttendance,
    MeetingInvitee,
    Region,
    RequestState,
    Role,
    Team,
)
from tests.support.people import BERLIN, berlin, digest_of, ids, log, person


def line(digest, team_key: str, category_key: str) -> figures.QuotaLine:
    team = next(t for t in digest.teams if t.team.key == team_key)
    return next(x for x in team.lines if x.category.key == category_key)


async def test_hours_per_week_against_quota_with_trend_and_week_boundaries(session):
    monday = berlin(2026, 11, 23, 8)
    lena = await person(session, "Lena", Role.LEAD, region="nord", at=berlin(2026, 1, 5))
    pia = await person(session, "Pia", Role.PROVIDER, team="nord-a", at=berlin(2026, 1, 5))
    await log(session, pia, "nord-a", "beratung", date(2026, 11, 16), 60)  # Monday: in
    await log(session, pia, "nord-a", "beratung", date(2026, 11, 22), 90)  # Sunday: in
    await log(session, pia, "nord-a", "beratung", date(2026, 11, 23), 600)  # this week: out
    await log(session, pia, "nord-a", "beratung", date(2026, 11, 15), 120)  # the week before
    await log(session, pia, "nord-a", "beratung", date(2026, 10, 19), 30)  # 4 weeks before
    await log(session, pia, "nord-a", "beratung", date(2026, 10, 18), 999)  # too early
    await log(session, None, "nord-a", "fua", date(2026, 11, 20), 45)  # erased person: counts
    await log(session, pia, "sued-a", "beratung", date(2026, 11, 17), 240)  # other region

    digest = await digest_of(session, lena, monday)

    assert digest.week.start == date(2026, 11, 16) and digest.week.end == date(2026, 11, 22)
    assert [w.start for w in digest.earlier] == [date(2026, 10, 19), date(2026, 10, 26),
                                                 date(2026, 11, 2), date(2026, 11, 9)]
    beratung = line(digest, "nord-a", "beratung")
    assert (beratung.minutes, beratung.quota, beratung.earlier) == (150, 18 * 60,
                                                                    (30, 0, 0, 120))
    assert beratung.percent == 14 and beratung.trend == 1
    fua = line(digest, "nord-a", "fua")
    assert (fua.minutes, fua.quota, fua.earlier) == (45, 8 * 60, (0, 0, 0, 0))
    assert line(digest, "nord-b", "beratung").minutes == 0
    assert {t.team.key for t in digest.teams} == {"nord-a", "nord-b"}  # the lead's region only


async def test_the_week_of_the_autumn_clock_change_counts_whole_local_days(session):
    lena = await person(session, "Lena", Role.LEAD, region="nord", at=berlin(2026, 1, 5))
    pia = await person(session, "Pia", Role.PROVIDER, team="nord-a", at=berlin(2026, 1, 5))
    await log(session, pia, "nord-a", "fua", date(2026, 10, 19), 60)
    await log(session, pia, "nord-a", "fua", date(2026, 10, 25), 75)  # the 25-hour Sunday
    await log(session, pia, "nord-a", "fua", date(2026, 10, 26), 500)  # Monday after: not yet
    # Monday 26 October 00:30, winter time: the DST week has just ended.
    digest = await digest_of(session, lena, berlin(2026, 10, 26, 0, 30))
    assert digest.week.start == date(2026, 10, 19)
    assert line(digest, "nord-a", "fua").minutes == 135
    # A Sunday 23:30 just before is still in that week: its digest covers the week before.
    early = await digest_of(session, lena, berlin(2026, 10, 25, 23, 30))
    assert early.week.start == date(2026, 10, 12)
    assert line(early, "nord-a", "fua").earlier[-1] == 0


async def test_the_week_of_the_spring_clock_change_counts_whole_local_days(session):
    lena = await person(session, "Lena", Role.LEAD, region="nord", at=berlin(2026, 1, 5))
    pia = await person(session, "Pia", Role.PROVIDER, team="nord-a", at=berlin(2026, 1, 5))
    await log(session, pia, "nord-a", "beratung", date(2026, 3, 23), 60)  # Monday: in
    await log(session, pia, "nord-a", "beratung", date(2026, 3, 29), 45)  # the 23-hour Sunday
    await log(session, pia, "nord-a", "beratung", date(2026, 3, 30), 500)  # Monday after: out
    await log(session, pia, "nord-a", "beratung", date(2026, 3, 22), 30)  # Sunday before: out
    # Monday 30 March 00:30 summer time is still Sunday 22:30 in UTC: the week has ended.
    monday = berlin(2026, 3, 30, 0, 30)
    assert monday.astimezone(ZoneInfo("UTC")).day == 29
    digest = await digest_of(session, lena, monday)
    assert (digest.week.start, digest.week.end) == (date(2026, 3, 23), date(2026, 3, 29))
    beratung = line(digest, "nord-a", "beratung")
    assert (beratung.minutes, beratung.earlier[-1]) == (105, 30)
    # Sunday 23:30 summer time, the last minutes of the short day: still the week before.
    late = await digest_of(session, lena, berlin(2026, 3, 29, 23, 30))
    assert late.week.start == date(2026, 3, 16)
    assert line(late, "nord-a", "beratung").minutes == 30


def test_a_weekly_digest_stays_at_eight_local_time_across_the_spring_clock_change():
    weekly = Schedule(WEEKLY, 0, time(8))
    found = weekly.instants(BERLIN, berlin(2026, 3, 22), berlin(2026, 4, 7))
    assert found == [berlin(2026, 3, 23, 8), berlin(2026, 3, 30, 8), berlin(2026, 4, 6, 8)]
    assert [f.astimezone(BERLIN).utcoffset() for f in found] == [
        timedelta(hours=1), timedelta(hours=2), timedelta(hours=2)]
    assert [f.astimezone(ZoneInfo("UTC")).hour for f in found] == [7, 6, 6]


def test_a_weekly_digest_stays_at_eight_local_time_across_the_clock_change():
    weekly = Schedule(WEEKLY, 0, time(8))
    found = weekly.instants(BERLIN, berlin(2026, 10, 18), berlin(2026, 11, 3))
    assert found == [berlin(2026, 10, 19, 8), berlin(2026, 10, 26, 8), berlin(2026, 11, 2, 8)]
    assert [f.utcoffset() for f in found] == [timedelta(0)] * 3
    assert [f.astimezone(BERLIN).utcoffset() for f in found] == [
        timedelta(hours=2), timedelta(hours=1), timedelta(hours=1)]


async def test_who_logged_nothing_last_week(session):
    monday = berlin(2026, 11, 23, 8)
    lena = await person(session, "Lena", Role.LEAD, region="nord", at=berlin(2026, 1, 5))
    pia = await person(session, "Pia", Role.PROVIDER, team="nord-a", at=berlin(2026, 1, 5))
    await person(session, "Paul", Role.PROVIDER, team="nord-a", at=berlin(2026, 1, 5))
    await person(session, "Nils", Role.NETWORKER, team="nord-b", at=berlin(2026, 1, 5))
    await person(session, "Clara", Role.CASEWORKER, team="nord-a", at=berlin(2026, 1, 5))
    await person(session, "Sam", Role.PROVIDER, team="sued-b", at=berlin(2026, 1, 5))
    await log(session, pia, "nord-a", "beratung", date(2026, 11, 18), 60)
    digest = await digest_of(session, lena, monday)
    (nord,) = digest.regions
    assert [(p.name, p.team.key) for p in nord.silent] == [("Paul", "nord-a"),
                                                           ("Nils", "nord-b")]


async def test_budget_figures_and_requests_waiting_with_their_age(session):
    monday = berlin(2026, 11, 23, 8)
    lena = await person(session, "Lena", Role.LEAD, region="nord", at=berlin(2026, 1, 5))
    pia = await person(session, "Pia", Role.PROVIDER, team="nord-a", at=berlin(2026, 1, 5))
    nord = await ids(session, Region, "nord")
    budget = await session.scalar(select(Budget).where(Budget.region_id == nord,
                                                       Budget.year == 2026))
    team = await ids(session, Team, "nord-a")
    for number, (state, amount, approved, actual, created) in enumerate([
        (RequestState.PENDING, 50_000, None, None, berlin(2026, 11, 18, 10)),
        (RequestState.PENDING, 20_000, None, None, berlin(2026, 11, 22, 10)),
        (RequestState.APPROVED, 100_000, 80_000, None, berlin(2026, 10, 1)),
        (RequestState.REPORTED, 30_000, 30_000, 25_000, berlin(2026, 9, 1)),
        (RequestState.REJECTED, 99_000, None, None, berlin(2026, 9, 1)),
    ]):
        session.add(BudgetRequest(
            number=f"FuA-2026-{number:03d}", budget_id=budget.id, team_id=team,
            requester_id=pia.id, state=state, amount_cents=amount, approved_cents=approved,
            actual_cents=actual, title="Stadtteilfest", description="Material",
            planned_on=date(2026, 12, 5), created_at=created, raised_at=created))
    await session.commit()
    digest = await digest_of(session, lena, monday)
    (part,) = digest.regions
    assert part.budget is not None and part.budget.allocated == 3_000_000
    assert (part.budget.sums.approved, part.budget.sums.pending, part.budget.sums.spent) == (
        80_000, 70_000, 25_000)
    assert part.budget.allocated - part.budget.sums.committed == 2_895_000
    assert [(r.number, (digest.now - r.created_at).days) for r in part.requests] == [
        ("FuA-2026-000", 4), ("FuA-2026-001", 0)]


async def test_next_meetings_with_expected_attendance(session):
    monday = berlin(2026, 11, 23, 8)
    lena = await person(session, "Lena", Role.LEAD, region="nord", at=berlin(2026, 1, 5))
    ada = await person(session, "Ada", Role.ADMIN, at=berlin(2026, 1, 5))
    team = [await person(session, name, Role.PROVIDER, team="nord-a", at=berlin(2026, 1, 5))
            for name in ("Pia", "Paul", "Petra", "Peer")]
    meeting = await session.scalar(select(Meeting).where(Meeting.key == "nord-a-beratung"))
    tuesday = berlin(2026, 11, 24, 9)
    session.add_all([
        MeetingAttendance(meeting_id=meeting.id, starts_at=tuesday, user_id=team[0].id,
                          coming=True, answered_at=monday),
        MeetingAttendance(meeting_id=meeting.id, starts_at=tuesday, user_id=team[1].id,
                          coming=False, answered_at=monday),
        MeetingAttendance(meeting_id=meeting.id, starts_at=tuesday + timedelta(days=7),
                          user_id=team[2].id, coming=True, answered_at=monday),  # next week
    ])
    # Lena invites Pia by name: no region's meeting, so only the all-regions digest has it.
    chosen = Meeting(title="AG Ressourcenkarte", starts_at=tuesday + timedelta(hours=5),
                     created_by_user_id=lena.id)
    session.add(chosen)
    await session.flush()
    session.add(MeetingInvitee(meeting_id=chosen.id, user_id=team[0].id))
    await session.commit()
    digest = await digest_of(session, lena, monday)
    outlook = {(m.meeting.key, m.starts_at): (m.coming, m.not_coming, m.open)
               for m in digest.meetings}
    assert outlook == {("nord-a-beratung", tuesday): (1, 1, 2),
                       ("nord-b-beratung", berlin(2026, 11, 24, 13)): (0, 0, 0)}
    everything = await digest_of(session, ada, monday)
    assert {m.meeting.key for m in everything.meetings} == {
        "nord-a-beratung", "nord-b-beratung", "sued-a-beratung", "sued-b-beratung", None}
    assert "AG Ressourcenkarte" in {m.meeting.title for m in everything.meetings}
    # Pia is erased (her invitation goes with her): the meeting stays Lena's own business.
    await session.execute(delete(MeetingInvitee))
    await session.commit()
    session.expire(chosen, ["invitees"])
    assert "AG Ressourcenkarte" not in {
        m.meeting.title for m in (await digest_of(session, lena, monday)).meetings}


async def test_open_questions_and_new_members_of_the_region(session):
    monday = berlin(2026, 11, 23, 8)
    lena = await person(session, "Lena", Role.LEAD, region="nord", at=berlin(2026, 1, 5))
    ada = await person(session, "Ada", Role.ADMIN, at=berlin(2026, 1, 5))
    old = await person(session, "Olga", Role.PROVIDER, team="nord-a", at=berlin(2026, 1, 5))
    await person(session, "Nina", Role.NETWORKER, team="nord-b", at=berlin(2026, 11, 20))
    sued = await person(session, "Sam", Role.PROVIDER, team="sued-b", at=berlin(2026, 11, 21))
    for asker, answered, text in ((old, None, "Wer vertritt die Leitung?"),
                                  (sued, None, "Wann tagt die Lenkungsgruppe?"),
                                  (old, monday, "Schon beantwortet")):
        session.add(FaqQuestion(user_id=asker.id, locale="de", text=text, outcome="none",
                                asked_at=berlin(2026, 11, 19), suggestions=[],
                                forwarded_at=berlin(2026, 11, 19, 12), answered_at=answered))
    await session.commit()
    digest = await digest_of(session, lena, monday, since=berlin(2026, 11, 16))
    assert [q.text for q in digest.questions] == ["Wer vertritt die Leitung?"]
    assert [(m.name, m.team_names) for m in digest.new_members] == [
        ("Nina", ("Sozialraumteam Nord B",))]
    everything = await digest_of(session, ada, monday, since=berlin(2026, 11, 16))
    assert len(everything.questions) == 2
    assert [m.name for m in everything.new_members] == ["Nina", "Sam"]
