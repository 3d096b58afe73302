"""Pydantic schema of the organisation YAML; errors name the file, the field and the problem."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot import yaml_files
from bot.errors import N_
from bot.services.budget.schema import BudgetSpec
from bot.services.hours.policy import HoursPolicy
from bot.services.privacy import PrivacySpec

Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TEAM_ROLES = ("caseworker", "networker", "provider")
SEAT_NAMES = {  # what each provider seat of a team stands for, as users read it
    "stationaer": N_("residential (stationär)"),
    "ambulant": N_("outpatient (ambulant)"),
    "fua_fuea": N_("FüA/FuA"),
}


class OrgFileError(Exception):
    """The organisation file is missing, not YAML, or does not match the schema."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(_Model):
    de: str = Field(min_length=1, max_length=160)
    en: str = Field(min_length=1, max_length=160)


class CategorySpec(_Model):
    key: Key
    name: Localized
    short: Localized
    aliases: list[str] = Field(default_factory=list)
    weekly_quota_hours: float | None = Field(default=None, ge=0, le=168)


class SeatSpec(_Model):
    kind: Literal["stationaer", "ambulant", "fua_fuea"]
    provider: Key | None = None


class TeamSpec(_Model):
    key: Key
    name: str = Field(min_length=1, max_length=120)
    districts: list[str] = Field(min_length=1)
    composition: dict[Literal["caseworker", "networker", "provider"], int] = Field(
        default_factory=dict
    )
    # Per-team quota overrides in hours, by category key; null removes the quota.
    quotas: dict[str, float | None] = Field(default_factory=dict)
    seats: list[SeatSpec] = Field(default_factory=list)


class RegionSpec(_Model):
    key: Key
    name: str = Field(min_length=1, max_length=120)
    teams: list[TeamSpec] = Field(min_length=1)


class SeatRef(_Model):
    """A team seat, named by its team and kind (``{team: nord-a, kind: stationaer}``)."""

    team: Key
    kind: Literal["stationaer", "ambulant", "fua_fuea"]


class ContactSpec(_Model):
    key: Key
    name: str = Field(min_length=1, max_length=120)
    function: str | None = Field(default=None, max_length=120)
    phone: str | None = Field(default=None, max_length=40, pattern=r"^\+?[0-9 ()/-]{3,40}$")
    email: str | None = Field(default=None, max_length=120, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    # The team seat this person holds; the team must give that seat to the contact's provider.
    seat: SeatRef | None = None
    example: bool = False


class ProviderSpec(_Model):
    key: Key
    name: str = Field(min_length=1, max_length=160)
    description: Localized | None = None
    services: list[str] = Field(default_factory=list)
    teams: list[Key] = Field(default_factory=list)
    address: str | None = Field(default=None, max_length=200)
    opening_hours: str | None = Field(default=None, max_length=200)
    website: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40, pattern=r"^\+?[0-9 ()/-]{3,40}$")
    email: str | None = Field(default=None, max_length=120, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    example: bool = False
    contacts: list[ContactSpec] = Field(default_factory=list)


class WeeklySpec(_Model):
    weekday: Literal[
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
    ]
    time: time


class MeetingSpec(_Model):
    key: Key
    title: str = Field(min_length=1, max_length=160)
    kind: str = Field(default="other", max_length=40)
    place: str | None = Field(default=None, max_length=200)
    team: Key | None = None
    region: Key | None = None
    roles: list[Literal["caseworker", "networker", "provider", "lead", "admin"]] = Field(
        default_factory=list
    )
    weekly: WeeklySpec | None = None
    # A one-off date and time (``2027-01-19 14:00``), in the office's TIMEZONE unless it
    # carries an offset. A meeting with neither ``weekly`` nor ``at`` has no date yet.
    at: datetime | None = None
    duration_minutes: int = Field(default=90, ge=5, le=24 * 60)
    example: bool = False

    @model_validator(mode="after")
    def _has_audience(self) -> MeetingSpec:
        if not (self.team or self.region or self.roles):
            raise ValueError("a meeting needs a team, a region or roles as participants")
        if self.weekly is not None and self.at is not None:
            raise ValueError("a meeting is either weekly or at one date (at), not both")
        return self


class OrganisationInfo(_Model):
    name: str
    source: str | None = None


class OrgFile(_Model):
    organisation: OrganisationInfo
    categories: list[CategorySpec] = Field(min_length=1)
    regions: list[RegionSpec] = Field(min_length=1)
    providers: list[ProviderSpec] = Field(default_factory=list)
    meetings: list[MeetingSpec] = Field(default_factory=list)
    # Feature sections: each typed by its feature.
    hours: HoursPolicy = Field(default_factory=HoursPolicy)
    budgets: list[BudgetSpec] = Field(default_factory=list)
    privacy: PrivacySpec = Field(default_factory=PrivacySpec)

    @model_validator(mode="after")
    def _references_resolve(self) -> OrgFile:
        _unique("categories", [c.key for c in self.categories])
        _unique("regions", [r.key for r in self.regions])
        team_keys = [t.key for r in self.regions for t in r.teams]
        _unique("teams", team_keys)
        provider_keys = [p.key for p in self.providers]
        _unique("providers", provider_keys)
        _unique("meetings", [m.key for m in self.meetings])
        category_keys = {c.key for c in self.categories}
        for region in self.regions:
            for team in region.teams:
                for cat in team.quotas:
                    if cat not in category_keys:
                        raise ValueError(f"team {team.key}: unknown category {cat!r} in quotas")
                for seat in team.seats:
                    if seat.provider and seat.provider not in provider_keys:
                        raise ValueError(
                            f"team {team.key}: seat {seat.kind} names unknown provider "
                            f"{seat.provider!r}"
                        )
        held = {(t.key, s.kind): s.provider for r in self.regions for t in r.teams
                for s in t.seats}
        for provider in self.providers:
            for key in provider.teams:
                if key not in team_keys:
                    raise ValueError(f"provider {provider.key}: unknown team {key!r}")
            for contact in provider.contacts:
                ref = contact.seat
                if ref is not None and held.get((ref.team, ref.kind)) != provider.key:
                    raise ValueError(
                        f"provider {provider.key}: contact {contact.key} names seat "
                        f"{ref.kind} in team {ref.team!r}, which the team does not give "
                        f"to {provider.key}"
                    )
        region_keys = {r.key for r in self.regions}
        _unique("budgets", [f"{b.region} {b.year}" for b in self.budgets])
        for budget in self.budgets:
            if budget.region not in region_keys:
                raise ValueError(f"budget {budget.year}: unknown region {budget.region!r}")
            region_teams = {t.key for r in self.regions if r.key == budget.region for t in r.teams}
            for key in budget.teams:
                if key not in region_teams:
                    raise ValueError(
                        f"budget {budget.region} {budget.year}: team {key!r} is not in the region"
                    )
        for meeting in self.meetings:
            if meeting.team and meeting.team not in team_keys:
                raise ValueError(f"meeting {meeting.key}: unknown team {meeting.team!r}")
            if meeting.region and meeting.region not in region_keys:
                raise ValueError(f"meeting {meeting.key}: unknown region {meeting.region!r}")
        return self

    def team(self, key: str) -> TeamSpec:
        return next(t for r in self.regions for t in r.teams if t.key == key)

    @staticmethod
    def quota_hours(team: TeamSpec, category: CategorySpec) -> float | None:
        """The team's weekly quota in the category: its own override, else the category's."""
        return team.quotas.get(category.key, category.weekly_quota_hours)


def _unique(what: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"{what}: key {key!r} is used twice")
        seen.add(key)


def load_org_file(path: Path) -> OrgFile:
    """Read and validate an organisation file; raise :class:`OrgFileError` in one line."""
    try:
        raw = yaml_files.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise OrgFileError(f"{path}: cannot read file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise OrgFileError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise OrgFileError(f"{path}:{where} not valid YAML") from None
    if not isinstance(raw, dict):
        raise OrgFileError(f"{path}: expected a mapping at the top level")
    try:
        return OrgFile.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = _format_loc(error["loc"], raw)
        message = str(error["msg"]).removeprefix("Value error, ")
        raise OrgFileError(f"{path}: {field or 'file'}: {message}") from None


def _format_loc(loc: tuple[int | str, ...], raw: Any) -> str:
    """Render a pydantic location like ``regions[0].teams[1].districts`` (with keys)."""
    parts: list[str] = []
    node = raw
    for item in loc:
        if isinstance(item, int):
            child = node[item] if isinstance(node, list) and item < len(node) else None
            key = child.get("key") if isinstance(child, dict) else None
            parts[-1] += f"[{key}]" if key else f"[{item}]"
            node = child
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)
