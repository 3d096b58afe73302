"""``sozialraum-bot export hours|budget``: the reports of /report on the server, audited."""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import SystemClock
from bot.settings import SUPPORTED_LOCALES, Settings


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("use YYYY-MM-DD, e.g. 2026-01-31") from None


def add_parser(sub: Any) -> None:
    export = sub.add_parser("export", help="hours or FuA budget of a period as CSV or XLSX "
                                           "(audited)")
    export.add_argument("what", choices=["hours", "budget"])
    export.add_argument("--from", dest="start", type=_day, required=True, help="YYYY-MM-DD")
    export.add_argument("--to", dest="end", type=_day, required=True,
                        help="YYYY-MM-DD (included)")
    export.add_argument("--format", dest="file_format", choices=["csv", "xlsx"],
                        required=True)
    export.add_argument("--out", type=Path, required=True, help="file to write (mode 0600)")
    export.add_argument("--region", help="region key (default: every region)")
    export.add_argument("--lang", choices=SUPPORTED_LOCALES,
                        help="column names and number format (default: DEFAULT_LOCALE)")


async def export_command(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_privacy import _cli_error, _in_transaction
    from bot.i18n import I18n
    from bot.parsing.periods import MAX_DAYS, Period
    from bot.services.digest.figures import Scope
    from bot.services.reports import files, tables
    from storage.repositories.users import OrgRepository

    if args.end < args.start or (args.end - args.start).days >= MAX_DAYS:
        raise _cli_error("--to must not lie before --from, and a period spans at most 3 years")
    period = Period(args.start, args.end)
    translator = I18n(settings.default_locale).get(args.lang or settings.default_locale)
    now = SystemClock().now()

    async def work(session: AsyncSession) -> tuple[bytes, int]:
        scope = Scope(None)
        if args.region:
            region = await OrgRepository(session).region_by_key(args.region)
            if region is None:
                raise _cli_error(f"there is no region {args.region}")
            scope = Scope(frozenset({region.id}))
        if args.what == "hours":
            made = [await tables.hours_table(session, scope, period, locale=translator.locale)]
        else:
            made = await tables.budget_tables(session, scope, period, tz=settings.tz, now=now)
        content = files.write(made, args.file_format, translator, translator.locale)
        rows = len(files.csv_table(made).rows) if args.file_format == "csv" else sum(
            len(table.rows) for table in made)
        tables.record_export(session, actor=None, what=args.what, file_format=args.file_format,
                             period=period, scope_key=args.region or "all", rows=rows, now=now,
                             source="command line")
        return content, rows

    content, rows = await _in_transaction(settings, work)
    descriptor = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(content)
    print(f"{args.out}: {args.what} {period.start}–{period.end}, "
          f"{args.region or 'all regions'}, {rows} rows")
    return 0
