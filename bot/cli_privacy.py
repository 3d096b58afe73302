"""``sozialraum-bot users …`` and ``sozialraum-bot retention run``: the admin's tools on the
server, using the same services (and rules, and audit entries) as /users in the chat."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import SystemClock
from bot.settings import Settings

T = TypeVar("T")
ROLES = ["caseworker", "networker", "provider", "lead", "admin"]


def add_parsers(sub: Any) -> None:
    users = sub.add_parser("users", help="list people, deactivate, reactivate, change roles")
    users_sub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    listing = users_sub.add_parser("list", help="active people (or --inactive ones)")
    listing.add_argument("--team", help="only members of this team (key)")
    listing.add_argument("--role", choices=ROLES)
    listing.add_argument("--inactive", action="store_true", help="deactivated people")
    for action, text in (("deactivate", "end a person's access (audited)"),
                         ("reactivate", "give a deactivated person access again"),
                         ("export", "print everything stored about a person as JSON (audited)"),
                         ("erase", "erase a person's data now, like /forgetme (audited)")):
        users_sub.add_parser(action, help=text).add_argument("id", type=int)
    role = users_sub.add_parser("role", help="give a person another role")
    role.add_argument("id", type=int)
    role.add_argument("role", choices=ROLES)
    where = role.add_mutually_exclusive_group()
    where.add_argument("--team", help="team key (team roles)")
    where.add_argument("--region", help="region key (lead)")

    retention = sub.add_parser("retention", help="erase what the retention periods make due")
    retention_sub = retention.add_subparsers(dest="retention_command", required=True,
                                             metavar="ACTION")
    retention_sub.add_parser("run", help="run the daily retention now; prints counts")


async def users_command(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import retention, users
    from bot.services.users import UserFilter
    from storage.models import Role
    from storage.repositories.users import OrgRepository

    now = SystemClock().now()

    async def work(session: AsyncSession) -> int:
        command = args.users_command
        if command == "list":
            team = await OrgRepository(session).team_by_key(args.team) if args.team else None
            if args.team and team is None:
                raise _cli_error(f"there is no team {args.team}")
            wanted = UserFilter(team_id=team.id if team else None,
                                role=Role(args.role) if args.role else None,
                                inactive=args.inactive)
            page = 0
            while True:
                result = await users.list_users(session, None, wanted, page)
                for user in result.users:
                    units = ", ".join(sorted(m.team.key for m in user.memberships)) or (
                        user.region.key if user.region else "-")
                    state = "active" if user.active else "deactivated"
                    print(f"{user.id:>5}  {user.display_name:<24} {user.role:<10} "
                          f"{units:<16} {state}")
                page += 1
                if page >= result.pages:
                    print(f"{result.total} people")
                    return 0
        if command == "deactivate":
            await users.deactivate(session, actor=None, user_id=args.id, now=now)
        elif command == "reactivate":
            await users.reactivate(session, actor=None, user_id=args.id, now=now)
        elif command == "role":
            await users.change_role(session, actor=None, user_id=args.id, role=Role(args.role),
                                    unit_key=args.team or args.region, now=now)
        elif command == "export":
            from bot.services import audit

            user = await users.get_user(session, None, args.id)
            periods = retention.retention_periods(settings)
            data = await retention.export_user_data(session, user, now, periods)
            audit.record(session, at=now, actor_id=None, action="export.personal_data",
                         subject_type="user", subject_id=user.id, format="json",
                         source="command line")
            json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
            print()
            return 0
        elif command == "erase":
            counts = await retention.erase_user(session, actor=None, user_id=args.id, now=now)
            print("erased: " + " ".join(f"{k}={v}" for k, v in counts.items()))
            return 0
        print(f"user {args.id}: {command} done")
        return 0

    return await _in_transaction(settings, work)


async def retention_command(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services import retention

    async def work(session: AsyncSession) -> int:
        report = await retention.purge_due(session, SystemClock().now(),
                                           retention.retention_periods(settings))
        print(f"retention: {report.summary()}")
        return 1 if report.failed else 0

    return await _in_transaction(settings, work)


async def _in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one committed transaction on an up-to-date schema; domain errors
    become one clear line."""
    from bot.cli import _guard_db
    from bot.errors import DomainError
    from storage import migrate
    from storage.db import create_engine, create_session_factory

    engine = create_engine(settings.database_url)
    try:
        await _guard_db(migrate.upgrade(engine))
        async with create_session_factory(engine)() as session, session.begin():
            try:
                return await work(session)
            except DomainError as exc:
                raise _cli_error(exc.render(lambda m: m)) from None
    finally:
        await engine.dispose()


def _cli_error(message: str) -> Exception:
    from bot.cli import CliError

    return CliError(message)
