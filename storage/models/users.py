"""Registered users, their team memberships and invitations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base
from storage.models.enums import Role
from storage.models.org import Region, Team
from storage.types import UTCDateTime


class User(Base):
    """A registered team member. Holds as little personal data as the product needs."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8), default="de")
    role: Mapped[Role] = mapped_column(String(20))
    # Leads belong to a region; team roles to teams (memberships); admins to everything.
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("region.id", ondelete="SET NULL"), nullable=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Member of the Steuerungsgruppe: receives the digest and reports of every region.
    steering_group: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Set when the person's data was erased (/forgetme or retention): the row stays as an
    # anonymous placeholder so that hours, budget figures and the audit log keep their links.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    region: Mapped[Region | None] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def anonymised(self) -> bool:
        return self.anonymised_at is not None


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship(back_populates="memberships")
    team: Mapped[Team] = relationship()


class Invitation(Base):
    """A single-use invitation. Only a hash of the code is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(String(20))
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), nullable=True
    )
    region_id: Mapped[int | None] = mapped_column(
        ForeignKey("region.id", ondelete="CASCADE"), nullable=True
    )
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    used_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True
    )

    team: Mapped[Team | None] = relationship()
    region: Mapped[Region | None] = relationship()
