"""The audit log: every decision, admin action and export is recorded here.

Actions are dotted names, the part before the dot is the kind an admin filters by in
``/audit``: ``budget_request.approved``, ``user.deactivated``, ``user.role_changed``,
``export.personal_data``, ``retention.purged``. An export of data (a digest, a CSV, a file
for an auditor) records one entry in the same transaction as the export, e.g.::

    audit.record(session, at=now, actor_id=lead.id, action="export.digest",
                 subject_type="region", subject_id=region.id, format="pdf", weeks=4)

Details are short plain values (ids, keys, states, amounts, ISO dates) and never users' free
text or names: :func:`record` refuses anything else, so the log itself holds no personal data
beyond the (pseudonymous) user ids of the people who acted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, NotAllowed
from bot.services.data_kind import DataKind, changed_rows, iso
from storage.models import AuditEntry, Role, User
from storage.repositories.audit import AuditRepository

MAX_DETAIL_LENGTH = 40  # keys, states, numbers and ISO dates fit; sentences do not
PAGE_SIZE = 10


def record(
    session: AsyncSession,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: int | str,
    **details: Any,
) -> AuditEntry:
    """Add an audit entry to the current transaction; never pass users' free text."""
    for key, value in details.items():
        if not _plain(value):
            raise ValueError(f"audit detail {key!r} of {action} must be a short plain value")
    entry = AuditEntry(
        at=at,
        actor_user_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        details=details,
    )
    session.add(entry)
    return entry


def _plain(value: Any) -> bool:
    if value is None or isinstance(value, bool | int | float):
        return True
    return isinstance(value, str) and len(value) <= MAX_DETAIL_LENGTH and "\n" not in value


@dataclass(frozen=True)
class AuditLine:
    entry: AuditEntry
    actor_name: str | None  # None: the bot itself, the command line, or an erased person
    actor_erased: bool


@dataclass(frozen=True)
class AuditPage:
    lines: list[AuditLine]
    page: int
    pages: int
    kinds: list[str]


async def recent(
    session: AsyncSession, viewer: User, *, kind: str | None, page: int
) -> AuditPage:
    """Newest entries first, ``PAGE_SIZE`` per page, optionally of one kind; admins only."""
    if not viewer.active or viewer.role != Role.ADMIN:
        raise NotAllowed(N_("Only administrators can read the audit log."))
    repo = AuditRepository(session)
    total = await repo.count(kind)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    rows = await repo.newest(kind, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    lines = [
        AuditLine(entry, actor.display_name or None if actor else None,
                  actor is not None and actor.anonymised)
        for entry, actor in rows
    ]
    return AuditPage(lines, page, pages, await repo.kinds())


async def purge_audit_log(session: AsyncSession, before: datetime, now: datetime) -> int:
    return await changed_rows(session, delete(AuditEntry).where(AuditEntry.at < before))


async def export_audit_log(session: AsyncSession, user: User) -> list[dict[str, Any]]:
    """Entries the person caused or that are about them."""
    return [
        {"at": iso(e.at), "action": e.action, "by_you": e.actor_user_id == user.id,
         "subject": f"{e.subject_type} {e.subject_id}", "details": e.details}
        for e in await AuditRepository(session).about(user.id)
    ]


AUDIT_LOG = DataKind(
    name="audit_log",
    setting="retention_audit_days",
    purge=purge_audit_log,
    export=export_audit_log,
)
