"""The rows of the hours and budget reports, for one scope (a lead's region, or all).

Hours: one row per team, ISO week and category, with the hours logged on the days of the
week that lie in the period, and the weekly quota for those days (a week cut by the
period's edge gets its share: 3 of 7 days, 3/7 of the quota). Budget: each region's figures
for every year the period touches, as of the export, and every request filed in the period.
Titles, texts and notes are left out (see the package's docstring).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_
from bot.parsing.periods import Period
from bot.services import audit
from bot.services.digest.figures import Scope
from bot.services.hours import Week
from storage.models import Region, RequestState, User
from storage.repositories.budget import BudgetRepository
from storage.repositories.digest import DigestRepository
from storage.repositories.hours import HoursRepository

Kind = Literal["text", "label", "int", "hours", "money", "date", "percent"]
Cell = str | int | Decimal | date | None
HUNDREDTH = Decimal("0.01")
WHAT = ("hours", "budget")

STATE_LABELS = {
    RequestState.PENDING: N_("pending"),
    RequestState.APPROVED: N_("approved"),
    RequestState.REJECTED: N_("rejected"),
    RequestState.WITHDRAWN: N_("withdrawn"),
    RequestState.REPORTED: N_("cost reported"),
}


@dataclass(frozen=True)
class Column:
    title: str  # catalog id, translated by the writer
    kind: Kind  # "label": the cell is a catalog id too


@dataclass(frozen=True)
class Table:
    title: str  # catalog id: the sheet's name
    columns: tuple[Column, ...]
    rows: list[tuple[Cell, ...]]


HOURS_COLUMNS = (
    Column(N_("Region"), "text"), Column(N_("Team"), "text"), Column(N_("Week"), "text"),
    Column(N_("Week from"), "date"), Column(N_("Days in period"), "int"),
    Column(N_("Category"), "text"), Column(N_("Hours"), "hours"),
    Column(N_("Quota (hours)"), "hours"), Column(N_("% of quota"), "percent"),
)
SUMMARY_COLUMNS = (
    Column(N_("Region"), "text"), Column(N_("Year"), "int"), Column(N_("Allocated"), "money"),
    Column(N_("Approved"), "money"), Column(N_("Pending"), "money"),
    Column(N_("Spent"), "money"), Column(N_("Available"), "money"), Column(N_("As of"), "date"),
)
REQUEST_COLUMNS = (
    Column(N_("Number"), "text"), Column(N_("Region"), "text"), Column(N_("Team"), "text"),
    Column(N_("State"), "label"), Column(N_("Requested"), "money"),
    Column(N_("Approved"), "money"), Column(N_("Actual cost"), "money"),
    Column(N_("Planned on"), "date"), Column(N_("Filed on"), "date"),
    Column(N_("Decided on"), "date"), Column(N_("Days to decision (so far)"), "int"),
)


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(HUNDREDTH)


def _euros(cents: int | None) -> Decimal | None:
    return None if cents is None else (Decimal(cents) / 100).quantize(HUNDREDTH)


async def covered_regions(session: AsyncSession, scope: Scope) -> list[Region]:
    """The regions a report of ``scope`` covers, for its audit key and caption."""
    return await DigestRepository(session, scope.region_ids).regions()


async def hours_table(session: AsyncSession, scope: Scope, period: Period, *,
                      locale: str) -> Table:
    """Hours per team, week and category in ``period``; inactive teams only with hours."""
    repo = DigestRepository(session, scope.region_ids)
    regions = {region.id: region.name for region in await repo.regions()}
    teams = await repo.teams(active_only=False)
    categories = await HoursRepository(session).categories()
    quotas = await repo.quotas()
    minutes = await repo.week_totals(period.start, period.end)
    logged_teams = {team_id for team_id, _, _ in minutes}
    weeks = []
    week = Week.of(period.start)
    while week.start <= period.end:
        weeks.append(week)
        week = week.shifted(1)
    rows: list[tuple[Cell, ...]] = []
    for team in sorted(teams, key=lambda t: (regions.get(t.region_id, ""), t.key)):
        if not team.active and team.id not in logged_teams:
            continue
        for week in weeks:
            days = (min(week.end, period.end) - max(week.start, period.start)).days + 1
            year, number = week.iso
            for category in categories:
                quota = quotas.get((team.id, category.id))
                logged = minutes.get((team.id, category.id, week.start), 0)
                if quota is None and not logged:
                    continue
                share = None if quota is None else Decimal(quota * days) / 7
                rows.append((
                    regions.get(team.region_id, ""), team.name, f"{year}-W{number:02d}",
                    week.start, days, category.name(locale), _hours(logged),
                    None if share is None else (share / 60).quantize(HUNDREDTH),
                    round(100 * logged / share) if share else None,
                ))
    return Table(N_("Hours"), HOURS_COLUMNS, rows)


async def budget_tables(session: AsyncSession, scope: Scope, period: Period, *, tz: tzinfo,
                        now: datetime) -> list[Table]:
    """Each region's budget of the period's years (as of ``now``) and the requests filed in
    the period (local days)."""
    repo = DigestRepository(session, scope.region_ids)
    regions = {region.id: region.name for region in await repo.regions()}
    today = now.astimezone(tz).date()
    years = range(period.start.year, period.end.year + 1)
    summary: list[tuple[Cell, ...]] = [
        (regions.get(b.region_id, ""), b.year, _euros(b.allocated), _euros(b.sums.approved),
         _euros(b.sums.pending), _euros(b.sums.spent),
         _euros(b.allocated - b.sums.committed), today)
        for b in await BudgetRepository(session).figures_of_years(years, scope.region_ids)
    ]
    summary.sort(key=lambda row: (str(row[0]), row[1] or 0))
    start = datetime.combine(period.start, time(0), tz).astimezone(UTC)
    end = datetime.combine(period.end + timedelta(days=1), time(0), tz).astimezone(UTC)
    requests: list[tuple[Cell, ...]] = []
    for r in await repo.requests(created=(start, end)):
        filed = r.created_at.astimezone(tz).date()
        decided = r.decided_at.astimezone(tz).date() if r.decided_at else None
        requests.append((
            r.number, regions.get(r.region_id, ""), r.team_name,
            STATE_LABELS[RequestState(r.state)], _euros(r.amount_cents),
            _euros(r.approved_cents), _euros(r.actual_cents), r.planned_on, filed, decided,
            ((decided or today) - filed).days,
        ))
    return [Table(N_("Budget"), SUMMARY_COLUMNS, summary),
            Table(N_("Requests"), REQUEST_COLUMNS, requests)]


def record_export(
    session: AsyncSession, *, actor: User | None, what: str, file_format: str,
    period: Period, scope_key: str, rows: int, now: datetime, source: str,
) -> None:
    """Audit an export (``export.hours`` / ``export.budget``) in the caller's transaction."""
    audit.record(session, at=now, actor_id=actor.id if actor else None,
                 action=f"export.{what}", subject_type="region", subject_id=scope_key,
                 format=file_format, start=period.start.isoformat(),
                 end=period.end.isoformat(), rows=rows, source=source)
