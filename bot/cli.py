"""The ``sozialraum-bot`` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from bot import cli_export, cli_privacy
from bot.settings import Settings, SettingsError, load_settings

EXIT_CONFIG = 2
T = TypeVar("T")
log = logging.getLogger("sozialraum_bot")


class CliError(Exception):
    """A problem to report in one line, without a traceback."""


def _duration(text: str) -> timedelta:
    match = re.fullmatch(r"\s*(\d+)\s*([dhw]?)\s*", text)
    if not match or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError("use e.g. 7d, 48h or 2w")
    value, unit = int(match.group(1)), match.group(2) or "d"
    return {"d": timedelta(days=value), "h": timedelta(hours=value), "w": timedelta(weeks=value)}[
        unit
    ]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sozialraum-bot",
        description="Telegram bot for the Sozialraumteams of a youth welfare office.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("run", help="run the bot (polling, or webhook when WEBHOOK_URL is set)")

    demo = sub.add_parser(
        "demo", help="local simulator + demo database + bot + terminal chat (no Telegram needed)"
    )
    demo.add_argument("--script", type=Path, help="play a file of chat lines, print transcript")
    demo.add_argument(
        "--database", default="data/demo.db", help="demo SQLite file (recreated on start)"
    )

    db = sub.add_parser("db", help="database schema (Alembic migrations)")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="bring the schema up to date")
    down = db_sub.add_parser("downgrade", help="go back to a revision (e.g. base)")
    down.add_argument("revision")
    db_sub.add_parser("current", help="show the current and the newest revision")

    org = sub.add_parser("org", help="organisation file")
    org_sub = org.add_subparsers(dest="org_command", required=True, metavar="ACTION")
    imp = org_sub.add_parser("import", help="import or update the organisation (idempotent)")
    imp.add_argument("file", type=Path, nargs="?", help="YAML file (default: ORG_FILE)")
    check = org_sub.add_parser("check", help="validate an organisation file without importing")
    check.add_argument("file", type=Path)

    inv = sub.add_parser("invite", help="create a single-use invitation code and deep link")
    inv.add_argument(
        "--role", required=True, choices=["caseworker", "networker", "provider", "lead", "admin"]
    )
    where = inv.add_mutually_exclusive_group()
    where.add_argument("--team", help="team key for caseworker, networker and provider")
    where.add_argument("--region", help="region key for lead")
    inv.add_argument("--expires", type=_duration, default=None, help="e.g. 7d (default), 48h")

    backup = sub.add_parser(
        "backup", help="consistent copy of the SQLite database, safe while the bot runs"
    )
    backup.add_argument("--out", type=Path, required=True, help="file to write (mode 0600)")
    cli_privacy.add_parsers(sub)
    cli_export.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "org" and args.org_command == "check":
            return _org_check(args.file)
        if args.command == "demo":
            from bot.demo import run_demo

            return asyncio.run(run_demo(script=args.script, database=Path(args.database)))
        settings = load_settings()
        _configure_logging(settings)
        handler: Callable[[Settings, argparse.Namespace], Coroutine[None, None, int]] = {
            "run": _run,
            "db": _db,
            "org": _org_import,
            "invite": _invite,
            "backup": _backup,
            "users": cli_privacy.users_command,
            "retention": cli_privacy.retention_command,
            "export": cli_export.export_command,
        }[args.command]
        return asyncio.run(handler(settings, args))
    except (SettingsError, CliError) as exc:
        print(f"sozialraum-bot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


def _configure_logging(settings: Settings) -> None:
    from bot.logs import configure_logging

    configure_logging(settings.log_level, settings.log_format)  # never texts, never the token


def _org_check(path: Path) -> int:
    from bot.services.organisation import OrgFileError, load_org_file

    try:
        org = load_org_file(path)
    except OrgFileError as exc:
        raise CliError(str(exc)) from None
    teams = sum(len(r.teams) for r in org.regions)
    print(f"{path}: valid ({len(org.regions)} regions, {teams} teams, "
          f"{len(org.providers)} providers, {len(org.meetings)} meetings)")
    return 0


async def _run(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.runner import run_bot
    from bot.services.faq.schema import FaqFileError

    try:
        await run_bot(settings)
    except FaqFileError as exc:
        raise CliError(str(exc)) from None
    return 0


async def _db(settings: Settings, args: argparse.Namespace) -> int:
    from storage import migrate
    from storage.db import create_engine

    engine = create_engine(settings.database_url)
    try:
        if args.db_command == "upgrade":
            await _guard_db(migrate.upgrade(engine))
            print(f"schema is at {migrate.head_revision()}")
        elif args.db_command == "downgrade":
            await _guard_db(migrate.downgrade(engine, args.revision))
            print(f"schema is at {await migrate.current_revision(engine) or 'base'}")
        else:
            current = await _guard_db(migrate.current_revision(engine))
            print(f"current: {current or 'none'}; newest: {migrate.head_revision()}")
    finally:
        await engine.dispose()
    return 0


async def _org_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.services.organisation import (
        OrgFileError,
        import_organisation,
        load_org_file,
        record_import,
    )
    from storage import migrate
    from storage.db import create_engine, create_session_factory

    path = args.file or settings.org_file
    try:
        org = load_org_file(path)
    except OrgFileError as exc:
        raise CliError(str(exc)) from None
    engine = create_engine(settings.database_url)
    try:
        await _guard_db(migrate.upgrade(engine))
        async with create_session_factory(engine)() as session, session.begin():
            now = SystemClock().now()
            report = await import_organisation(session, org, now=now, tz=settings.tz)
            # The operator ran it on purpose: on record even when nothing changed.
            record_import(session, report, file_name=Path(path).name, now=now,
                          source="command line")
    finally:
        await engine.dispose()
    print(f"{path}: " + (report.summary() if report.changed else "already up to date"))
    return 0


async def _invite(settings: Settings, args: argparse.Namespace) -> int:
    from bot.clock import SystemClock
    from bot.errors import DomainError
    from bot.services import access
    from storage import migrate
    from storage.db import create_engine, create_session_factory
    from storage.models import Role

    engine = create_engine(settings.database_url)
    try:
        await _guard_db(migrate.upgrade(engine))
        async with create_session_factory(engine)() as session, session.begin():
            try:
                new = await access.create_invitation(
                    session,
                    role=Role(args.role),
                    now=SystemClock().now(),
                    ttl=args.expires or timedelta(days=settings.invite_ttl_days),
                    team_key=args.team,
                    region_key=args.region,
                )
            except DomainError as exc:
                raise CliError(exc.render(lambda m: m)) from None
    finally:
        await engine.dispose()
    username = settings.telegram_bot_username or await _bot_username(settings)
    expires = new.invitation.expires_at.astimezone(settings.tz)
    print(f"code:    {new.code}")
    print(f"link:    {new.deep_link(username)}")
    print(f"role:    {args.role}" + (f" ({args.team or args.region})" if args.team or args.region
                                     else ""))
    print(f"expires: {expires:%Y-%m-%d %H:%M %Z} (single use)")
    return 0


async def _backup(settings: Settings, args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from storage.backup import BackupError, backup_sqlite

    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        plain = url.set(drivername="postgresql")
        raise CliError(
            "backup --out is for SQLite; back up PostgreSQL with its own tool, e.g.\n"
            f"  pg_dump --format=custom --file={args.out} "
            f"'{plain.render_as_string(hide_password=True)}'\n"
            "(see docs/operations.md, Backup and restore)")
    try:
        result = backup_sqlite(Path(url.database or ""), args.out)
    except BackupError as exc:
        raise CliError(str(exc)) from None
    print(f"{result.path}: {result.size} bytes, schema {result.revision or 'none'}")
    return 0


async def _bot_username(settings: Settings) -> str:
    """Ask the Bot API for the bot's username; a placeholder when it cannot be reached."""
    from telegram import Bot
    from telegram.error import TelegramError

    base = settings.telegram_api_base_url.rstrip("/")
    try:
        async with Bot(settings.telegram_bot_token, base_url=f"{base}/bot{{token}}") as bot:
            return bot.username
    except (TelegramError, OSError):
        return "<bot>"


async def _guard_db(awaitable: Awaitable[T]) -> T:
    """Turn connection failures into one clear line."""
    from bot.runner import DATABASE_ERRORS, database_problem

    try:
        return await awaitable
    except DATABASE_ERRORS as exc:
        raise CliError(database_problem(exc)) from None


if __name__ == "__main__":
    sys.exit(main())
