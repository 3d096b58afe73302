"""Idempotent import of the organisation file into the database.

Records are matched by their ``key``. A second run changes nothing; a changed file updates
in place. Teams, categories, providers and meetings missing from the file are deactivated,
never deleted, so hours and budget history stay intact.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.clock import SystemClock
from bot.services import audit
from bot.services.budget.allocation import import_budgets
from bot.services.organisation.schema import WEEKDAYS, ContactSpec, OrgFile
from storage.models import (
    HourCategory,
    Meeting,
    Provider,
    ProviderContact,
    ProviderTeam,
    Region,
    Team,
    TeamQuota,
    TeamSeat,
)
from storage.models.base import Base

M = TypeVar("M", bound=Base)
OFFICE_TZ = ZoneInfo("Europe/Berlin")  # the TIMEZONE default; callers pass the setting


@dataclass
class ImportReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    deactivated: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)

    def summary(self) -> str:
        def fmt(counter: Counter[str]) -> str:
            return ", ".join(f"{n} {kind}" for kind, n in sorted(counter.items())) or "nothing"

        return (
            f"created: {fmt(self.created)}; updated: {fmt(self.updated)}; "
            f"deactivated: {fmt(self.deactivated)}"
        )


def record_import(
    session: AsyncSession, report: ImportReport, *, file_name: str, now: datetime, source: str
) -> None:
    """Audit an import (``org.imported``) in the caller's transaction: run by the server's
    operator, not by a chat user, so without an actor; what changed as counts per kind."""
    counts = {f"{verb}_{kind}": number
              for verb, counter in (("created", report.created), ("updated", report.updated),
                                    ("deactivated", report.deactivated))
              for kind, number in sorted(counter.items())}
    audit.record(session, at=now, actor_id=None, action="org.imported",
                 subject_type="organisation", subject_id=file_name[:40], source=source,
                 changed=report.changed, **counts)


class _Upserter:
    """Sets attributes only when they differ, and counts what changed."""

    def __init__(self, session: AsyncSession, report: ImportReport) -> None:
        self.session = session
        self.report = report

    def apply(self, label: str, obj: M | None, factory: type[M], **values: Any) -> M:
        if obj is None:
            obj = factory(**values)
            self.session.add(obj)
            self.report.created[label] += 1
            return obj
        changed = False
        for name, value in values.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        if changed:
            self.report.updated[label] += 1
        return obj

    def deactivate(self, label: str, objs: list[Any], keep: set[str]) -> None:
        for obj in objs:
            if obj.key not in keep and obj.active:
                obj.active = False
                self.report.deactivated[label] += 1


async def _by_key(session: AsyncSession, model: type[M], *options: Any) -> dict[str, M]:
    rows = (await session.scalars(select(model).options(*options))).all()
    return {row.key: row for row in rows}  # type: ignore[attr-defined]


def _minutes(hours: float | None) -> int | None:
    return None if hours is None else round(hours * 60)


async def import_organisation(
    session: AsyncSession, org: OrgFile, *, now: datetime | None = None,
    tz: tzinfo = OFFICE_TZ,
) -> ImportReport:
    """Bring the database's organisation in line with ``org`` inside the caller's transaction.

    ``tz`` is the office's time zone: one-off meeting times without an offset are local."""
    report = ImportReport()
    up = _Upserter(session, report)
    categories = await _import_categories(up, org)
    providers = await _import_providers(up, org)
    regions, teams = await _import_regions_and_teams(up, org, categories, providers)
    await _import_provider_teams_and_contacts(up, org, providers, teams)
    await _import_meetings(up, org, regions, teams, tz)
    budgets = await import_budgets(session, org.budgets, now or SystemClock().now())
    if budgets:
        report.updated["budgets"] += budgets
    return report


async def _import_categories(up: _Upserter, org: OrgFile) -> dict[str, HourCategory]:
    """The kinds of work, in the file's order."""
    categories = await _by_key(up.session, HourCategory)
    for position, cat in enumerate(org.categories):
        categories[cat.key] = up.apply(
            "categories",
            categories.get(cat.key),
            HourCategory,
            key=cat.key,
            name_de=cat.name.de,
            name_en=cat.name.en,
            short_de=cat.short.de,
            short_en=cat.short.en,
            aliases=[a.lower() for a in cat.aliases],
            position=position,
            active=True,
        )
    up.deactivate("categories", list(categories.values()), {c.key for c in org.categories})
    return categories


async def _import_providers(up: _Upserter, org: OrgFile) -> dict[str, Provider]:
    """The providers themselves; their teams and contacts follow once the teams exist."""
    providers = await _by_key(
        up.session, Provider, selectinload(Provider.contacts), selectinload(Provider.team_links)
    )
    for spec in org.providers:
        providers[spec.key] = up.apply(
            "providers",
            providers.get(spec.key),
            Provider,
            key=spec.key,
            name=spec.name,
            description_de=spec.description.de if spec.description else "",
            description_en=spec.description.en if spec.description else "",
            services=list(spec.services),
            address=spec.address,
            opening_hours=spec.opening_hours,
            website=spec.website,
            phone=spec.phone,
            email=spec.email,
            is_example=spec.example,
            active=True,
        )
    up.deactivate("providers", list(providers.values()), {p.key for p in org.providers})
    await up.session.flush()
    return providers


async def _import_regions_and_teams(
    up: _Upserter, org: OrgFile, categories: dict[str, HourCategory],
    providers: dict[str, Provider],
) -> tuple[dict[str, Region], dict[str, Team]]:
    """Regions and their teams, each team with its quotas and provider seats."""
    session = up.session
    regions = await _by_key(session, Region)
    teams = await _by_key(session, Team, selectinload(Team.quotas), selectinload(Team.seats))
    for region_spec in org.regions:
        region = up.apply(
            "regions", regions.get(region_spec.key), Region,
            key=region_spec.key, name=region_spec.name,
        )
        regions[region_spec.key] = region
        await session.flush()
        for team_spec in region_spec.teams:
            team = up.apply(
                "teams",
                teams.get(team_spec.key),
                Team,
                key=team_spec.key,
                name=team_spec.name,
                region_id=region.id,
                districts=list(team_spec.districts),
                composition=dict(team_spec.composition),
                active=True,
            )
            teams[team_spec.key] = team
            await session.flush()
            await session.refresh(team, ["quotas", "seats"])
            _sync_quotas(up, team, org, categories)
            _sync_seats(up, team, team_spec.seats, providers)
    up.deactivate("teams", list(teams.values()), {t.key for r in org.regions for t in r.teams})
    await session.flush()
    return regions, teams


async def _import_provider_teams_and_contacts(
    up: _Upserter, org: OrgFile, providers: dict[str, Provider], teams: dict[str, Team]
) -> None:
    """Which teams each provider works in, and its contacts (who may hold a team's seat)."""
    seats = {(team.key, seat.kind): seat.id for team in teams.values() for seat in team.seats}
    for provider_spec in org.providers:
        provider = providers[provider_spec.key]
        await up.session.refresh(provider, ["team_links", "contacts"])
        _sync_provider_teams(up, provider, [teams[k].id for k in provider_spec.teams])
        _sync_contacts(up, provider, provider_spec.contacts, seats)


async def _import_meetings(
    up: _Upserter, org: OrgFile, regions: dict[str, Region], teams: dict[str, Team],
    tz: tzinfo,
) -> None:
    """The file's meetings; those created in the chat (without a key) are left alone."""
    session = up.session
    meetings = {m.key: m for m in (await session.scalars(select(Meeting))).all() if m.key}
    for meeting in org.meetings:
        meetings[meeting.key] = up.apply(
            "meetings",
            meetings.get(meeting.key),
            Meeting,
            key=meeting.key,
            title=meeting.title,
            kind=meeting.kind,
            place=meeting.place,
            team_id=teams[meeting.team].id if meeting.team else None,
            region_id=regions[meeting.region].id if meeting.region else None,
            audience={"roles": list(meeting.roles)} if meeting.roles else {},
            weekday=WEEKDAYS.index(meeting.weekly.weekday) + 1 if meeting.weekly else None,
            local_time=meeting.weekly.time if meeting.weekly else None,
            starts_at=_instant(meeting.at, tz) if meeting.at else None,
            duration_minutes=meeting.duration_minutes,
            active=True,
        )
    up.deactivate("meetings", list(meetings.values()), {m.key for m in org.meetings})
    await session.flush()


def _instant(at: datetime, tz: tzinfo) -> datetime:
    """A one-off meeting's start in UTC; a time without an offset is the office's local time."""
    return (at if at.tzinfo is not None else at.replace(tzinfo=tz)).astimezone(UTC)


def _sync_quotas(
    up: _Upserter, team: Team, org: OrgFile, categories: dict[str, HourCategory]
) -> None:
    spec = org.team(team.key)
    existing = {q.category_id: q for q in team.quotas}
    for cat_spec in org.categories:
        hours = org.quota_hours(spec, cat_spec)
        category = categories[cat_spec.key]
        quota = existing.get(category.id)
        if quota is None:
            team.quotas.append(TeamQuota(category=category, weekly_minutes=_minutes(hours)))
            up.report.created["quotas"] += 1
        elif quota.weekly_minutes != _minutes(hours):
            quota.weekly_minutes = _minutes(hours)
            up.report.updated["quotas"] += 1


def _sync_seats(
    up: _Upserter, team: Team, seats: list[Any], providers: dict[str, Provider]
) -> None:
    existing = {s.kind: s for s in team.seats}
    for position, seat_spec in enumerate(seats):
        provider = providers[seat_spec.provider] if seat_spec.provider else None
        seat = existing.pop(seat_spec.kind, None)
        if seat is None:
            team.seats.append(TeamSeat(kind=seat_spec.kind, provider=provider, position=position))
            up.report.created["seats"] += 1
        elif seat.provider_id != (provider.id if provider else None) or seat.position != position:
            seat.provider = provider
            seat.position = position
            up.report.updated["seats"] += 1
    for seat in existing.values():
        team.seats.remove(seat)
        up.report.deactivated["seats"] += 1


def _sync_provider_teams(up: _Upserter, provider: Provider, team_ids: list[int]) -> None:
    current = {link.team_id: link for link in provider.team_links}
    if set(current) == set(team_ids):
        return
    for team_id, link in current.items():
        if team_id not in team_ids:
            provider.team_links.remove(link)
    for team_id in team_ids:
        if team_id not in current:
            provider.team_links.append(ProviderTeam(team_id=team_id))
    up.report.updated["provider teams"] += 1


def _sync_contacts(
    up: _Upserter, provider: Provider, contacts: list[ContactSpec],
    seats: dict[tuple[str, str], int],
) -> None:
    existing = {c.key: c for c in provider.contacts}
    for contact in contacts:
        obj = up.apply(
            "contacts",
            existing.get(contact.key),
            ProviderContact,
            key=contact.key,
            name=contact.name,
            function=contact.function,
            phone=contact.phone,
            email=contact.email,
            seat_id=seats[(contact.seat.team, contact.seat.kind)] if contact.seat else None,
            is_example=contact.example,
        )
        if obj.key not in existing:
            provider.contacts.append(obj)
    for key, contact_obj in existing.items():
        if key not in {c.key for c in contacts}:
            provider.contacts.remove(contact_obj)
            up.report.deactivated["contacts"] += 1
