"""The organisation: regions, Sozialraumteams, hour categories, providers, meetings."""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base
from storage.types import UTCDateTime

if TYPE_CHECKING:
    from storage.models.reminders import MeetingInvitee


class Region(Base):
    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    teams: Mapped[list[Team]] = relationship(back_populates="region", order_by="Team.key")


class Team(Base):
    """A Sozialraumteam responsible for one Sozialraum (a set of districts)."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(120))
    districts: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Expected composition by role, e.g. {"caseworker": 2, "networker": 1, "provider": 3}.
    composition: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    region: Mapped[Region] = relationship(back_populates="teams")
    quotas: Mapped[list[TeamQuota]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )
    seats: Mapped[list[TeamSeat]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="TeamSeat.position"
    )


class HourCategory(Base):
    """A kind of logged work, e.g. collegial consultation or FuA."""

    __tablename__ = "hour_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name_de: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    short_de: Mapped[str] = mapped_column(String(40))
    short_en: Mapped[str] = mapped_column(String(40))
    # Words users type in the one-line shortcut (/hours 2,5 fua), lower case.
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_de

    def short(self, locale: str) -> str:
        return self.short_en if locale == "en" else self.short_de


class TeamQuota(Base):
    """Weekly quota of a team for one category; ``None`` minutes means no quota."""

    __tablename__ = "team_quota"
    __table_args__ = (UniqueConstraint("team_id", "category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("hour_category.id", ondelete="CASCADE"))
    weekly_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)

    team: Mapped[Team] = relationship(back_populates="quotas")
    category: Mapped[HourCategory] = relationship()


class Provider(Base):
    """A freier Träger (independent provider) working in the Sozialräume."""

    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    description_de: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    opening_hours: Mapped[str | None] = mapped_column(String(200), nullable=True)
    website: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    email: Mapped[str | None] = mapped_column(String(120), nullable=True)
    # True where details are placeholders, not taken from the source material.
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    team_links: Mapped[list[ProviderTeam]] = relationship(
        back_populates="provider", cascade="all, delete-orphan"
    )
    contacts: Mapped[list[ProviderContact]] = relationship(
        back_populates="provider", cascade="all, delete-orphan", order_by="ProviderContact.id"
    )

    def description(self, locale: str) -> str:
        return (self.description_en if locale == "en" else self.description_de) or (
            self.description_de
        )


class ProviderTeam(Base):
    __tablename__ = "provider_team"
    __table_args__ = (UniqueConstraint("provider_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))

    provider: Mapped[Provider] = relationship(back_populates="team_links")
    team: Mapped[Team] = relationship()


class ProviderContact(Base):
    """A contact person at a provider (example data unless the office fills it in)."""

    __tablename__ = "provider_contact"
    __table_args__ = (UniqueConstraint("provider_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    function: Mapped[str | None] = mapped_column(String(120), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    email: Mapped[str | None] = mapped_column(String(120), nullable=True)
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    # The team seat this person holds for the provider, if the organisation file names it.
    seat_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_seat.id", ondelete="SET NULL"), nullable=True
    )

    provider: Mapped[Provider] = relationship(back_populates="contacts")
    seat: Mapped[TeamSeat | None] = relationship()


class TeamSeat(Base):
    """One of a team's three provider seats (stationär, ambulant, FüA/FuA)."""

    __tablename__ = "team_seat"
    __table_args__ = (UniqueConstraint("team_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("provider.id", ondelete="SET NULL"), nullable=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    team: Mapped[Team] = relationship(back_populates="seats")
    provider: Mapped[Provider | None] = relationship()


class Meeting(Base):
    """A recurring or one-off meeting (team consultation, Steuerungsgruppe, …)."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(60), unique=True, nullable=True)
    title: Mapped[str] = mapped_column(String(160))
    kind: Mapped[str] = mapped_column(String(40), default="other")
    place: Mapped[str | None] = mapped_column(String(200), nullable=True)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), nullable=True
    )
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"), nullable=True
    )
    # Participants beyond a team/region, e.g. {"roles": ["lead", "admin"]}.
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Weekly recurrence: ISO weekday 1..7 and local wall-clock time; or a one-off start.
    weekday: Mapped[int | None] = mapped_column(Integer, nullable=True)
    local_time: Mapped[time | None] = mapped_column(Time, nullable=True)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90)
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    team: Mapped[Team | None] = relationship()
    region: Mapped[Region | None] = relationship()
    # People chosen by name in /meeting; always loaded with the meeting, since whether
    # someone takes part is decided on the loaded object.
    invitees: Mapped[list[MeetingInvitee]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="MeetingInvitee.user_id"
    )
