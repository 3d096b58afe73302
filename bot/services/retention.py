"""Retention, access and erasure across every kind of stored data.

``DATA_KINDS`` is the one list of what the bot stores about people. Each entry
(:class:`bot.services.data_kind.DataKind`) says how long it is kept and how it is purged,
exported for ``/mydata`` and erased for ``/forgetme``. A new feature that stores such data adds
its kind here, e.g. ``reminders.personal_data.REMINDERS`` — one line.

- :func:`purge_due` is the daily job's single entry point: every kind removes or blanks what
  its retention period has made due. Free text goes; figures (hours, amounts) stay.
- :func:`export_user_data` collects everything about one person.
- :func:`forget_user` erases a person: each kind forgets its part, then the account is
  anonymised (:func:`bot.services.users.anonymise`). Deactivated people are forgotten this
  way once ``RETENTION_INACTIVE_USERS_DAYS`` have passed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, NotAllowed
from bot.services import audit, users
from bot.services.audit import AUDIT_LOG
from bot.services.bookkeeping import ONE_SHOT_CLAIMS, PROCESSED_UPDATES
from bot.services.budget.personal_data import BUDGET_BOOKKEEPING, BUDGET_REQUESTS
from bot.services.data_kind import DataKind, iso
from bot.services.digest.personal_data import DIGEST_SETTINGS
from bot.services.faq.personal_data import FAQ_QUESTIONS
from bot.services.hours.personal_data import HOUR_ENTRIES
from bot.services.maintenance import DIALOGUES
from bot.services.reminders.personal_data import REMINDERS
from storage.models import Role, User

log = logging.getLogger(__name__)

ABOUT = (
    "Everything sozialraum-bot stores about you, as of generated_at. Dates are ISO 8601, times "
    "UTC, amounts in euro cents. Free-text notes are erased after the retention period; hours "
    "and budget figures stay in the team's records, without your name once you are erased "
    "(/forgetme). Telegram keeps the messages of this chat until you delete the chat there."
)


async def _anonymise_deactivated(session: AsyncSession, before: datetime, now: datetime) -> int:
    """Forget everyone deactivated before ``before`` who is not anonymised yet."""
    due = (await session.scalars(
        select(User).where(User.active.is_(False), User.anonymised_at.is_(None),
                           User.deactivated_at < before)
    )).all()
    for user in due:
        await forget_user(session, user, now, actor_id=None, reason="retention")
    return len(due)


ACCOUNTS = DataKind(
    name="account",
    setting="retention_inactive_users_days",
    purge=_anonymise_deactivated,
    export=users.export_account,
)

DATA_KINDS: tuple[DataKind, ...] = (
    ACCOUNTS,
    HOUR_ENTRIES,
    BUDGET_REQUESTS,
    BUDGET_BOOKKEEPING,
    REMINDERS,
    DIGEST_SETTINGS,
    FAQ_QUESTIONS,
    DIALOGUES,
    users.INVITATIONS,
    AUDIT_LOG,
    PROCESSED_UPDATES,
    ONE_SHOT_CLAIMS,
)


def retention_periods(settings: object) -> dict[str, timedelta]:
    """Every kind's retention period, by setting name, read from the settings object."""
    return {
        kind.setting: timedelta(days=int(getattr(settings, kind.setting)))
        for kind in DATA_KINDS if kind.setting is not None
    }


@dataclass(frozen=True)
class PurgeReport:
    counts: dict[str, int] = field(default_factory=dict)
    failed: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        """``hour_entries=3 audit_log=0 …``: counts only, safe for the log."""
        parts = [f"{name}={count}" for name, count in self.counts.items()]
        parts += [f"{name}=failed" for name in self.failed]
        return " ".join(parts)


async def purge_due(
    session: AsyncSession, now: datetime, periods: Mapping[str, timedelta]
) -> PurgeReport:
    """Purge every kind that is due; one kind's failure does not stop the others.

    Each kind runs in a savepoint; the caller commits. A run that removed anything is
    audited with its counts, so the log shows that retention actually happens.
    """
    counts: dict[str, int] = {}
    failed: list[str] = []
    for kind in DATA_KINDS:
        if kind.purge is None or kind.setting is None:
            continue
        try:
            async with session.begin_nested():
                counts[kind.name] = await kind.purge(session, now - periods[kind.setting], now)
        except Exception as exc:  # a broken kind is logged (type only) and retried tomorrow
            log.error("retention of %s failed: %s", kind.name, type(exc).__name__)
            failed.append(kind.name)
    report = PurgeReport(counts, tuple(failed))
    if report.total:
        audit.record(session, at=now, actor_id=None, action="retention.purged",
                     subject_type="system", subject_id="retention",
                     **{name: count for name, count in counts.items() if count})
    return report


async def export_user_data(
    session: AsyncSession, user: User, now: datetime, periods: Mapping[str, timedelta]
) -> dict[str, Any]:
    """Everything stored about ``user``, one section per kind."""
    data: dict[str, Any] = {
        "generated_at": iso(now),
        "about": ABOUT,
        "retention_days": {
            kind.name: periods[kind.setting].days for kind in DATA_KINDS if kind.setting
        },
    }
    for kind in DATA_KINDS:
        if kind.export is not None:
            data[kind.name] = await kind.export(session, user)
    return data


def to_json(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


async def forget_user(
    session: AsyncSession, user: User, now: datetime, *, actor_id: int | None, reason: str
) -> dict[str, int]:
    """Erase the person's data of every kind, then anonymise the account; audited by id only."""
    counts = {kind.name: await kind.forget(session, user, now)
              for kind in DATA_KINDS if kind.forget is not None}
    await users.anonymise(session, user, now)
    audit.record(session, at=now, actor_id=actor_id, action="user.erased", subject_type="user",
                 subject_id=user.id, reason=reason, role=str(user.role),
                 **{name: count for name, count in counts.items() if count})
    return counts


async def forget_me(session: AsyncSession, user: User, now: datetime) -> dict[str, int]:
    """/forgetme: a member erases their own data; the last administrator cannot."""
    if not user.active or user.anonymised:
        raise NotAllowed(N_("Your access has been deactivated. Please contact the administrator."))
    if user.role == Role.ADMIN and not await users.other_active_admins(session, user):
        raise NotAllowed(
            N_("You are the last active administrator. Please make someone else an "
               "administrator first; then you can erase your data.")
        )
    return await forget_user(session, user, now, actor_id=user.id, reason="request")


async def erase_user(
    session: AsyncSession, *, actor: User | None, user_id: int | None, now: datetime
) -> dict[str, int]:
    """An administrator erases a person on request (e.g. a former member who wrote to the
    office); the same rules as for deactivation apply, then everything is forgotten."""
    user = await users.deactivate_for_erasure(session, actor=actor, user_id=user_id)
    return await forget_user(session, user, now, actor_id=actor.id if actor else None,
                             reason="administrator")
