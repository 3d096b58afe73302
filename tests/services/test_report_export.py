"""Report periods and the report tables without free text (command line: test_export_cli)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.errors import InvalidInput
from bot.i18n import I18n
from bot.parsing.periods import Period, parse_period, preset
from bot.services.digest.figures import Scope
from bot.services.reports import files, tables
from storage.db import create_engine, create_session_factory
from storage.models import (
    AuditEntry,
    Budget,
    BudgetRequest,
    HourEntry,
    Region,
    RequestState,
    Role,
    Team,
)
from storage.repositories.audit import AuditRepository
from tests.support.people import BERLIN, berlin, ids, log, person

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(("text", "start", "end"), [
    ("01.01.2026-30.06.2026", date(2026, 1, 1), date(2026, 6, 30)),
    ("1.1.26 – 30.6.26", date(2026, 1, 1), date(2026, 6, 30)),
    ("01.01.-31.03.", date(2026, 1, 1), date(2026, 3, 31)),
    ("2026-01-01 bis 2026-06-30", date(2026, 1, 1), date(2026, 6, 30)),
    ("1.12.2025 to 31.1.2026", date(2025, 12, 1), date(2026, 1, 31)),
])
def test_typed_periods(text, start, end):
    assert parse_period(text, TODAY) == Period(start, end)


@pytest.mark.parametrize(("text", "today", "start", "end"), [
    # A report looks back: a period without years is the latest that has begun by today.
    ("01.12.-31.12.", date(2027, 1, 3), date(2026, 12, 1), date(2026, 12, 31)),
    ("1.11.-31.1.", date(2027, 1, 3), date(2026, 11, 1), date(2027, 1, 31)),
    ("01.01.-30.06.", date(2026, 12, 5), date(2026, 1, 1), date(2026, 6, 30)),
    ("01.12.-31.12.", date(2026, 12, 5), date(2026, 12, 1), date(2026, 12, 31)),
    ("01.12.-31.01.2027", date(2026, 12, 5), date(2026, 12, 1), date(2027, 1, 31)),
    ("01.12.2025-31.01.", date(2026, 12, 5), date(2025, 12, 1), date(2026, 1, 31)),
])
def test_periods_without_years_around_new_year(text, today, start, end):
    assert parse_period(text, today) == Period(start, end)


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31)),
       st.dates(min_value=date(2023, 1, 1), max_value=date(2023, 12, 31)),
       st.dates(min_value=date(2023, 1, 1), max_value=date(2023, 12, 31)))
def test_a_period_without_years_is_the_latest_that_has_begun(today, first, last):
    """Days of a common year: 29.02. is the latest one, possibly years ago, as it should."""
    period = parse_period(f"{first:%d.%m.}-{last:%d.%m.}", today)
    assert today - timedelta(days=366) < period.start <= today
    assert period.start <= period.end < period.start + timedelta(days=366)
    assert (period.start.day, period.start.month, period.end.day, period.end.month) == (
        first.day, first.month, last.day, last.month)


@pytest.mark.parametrize("text", ["irgendwann", "31.02.2026-01.03.2026", "01.03.2026",
                                  "30.06.2026-01.01.2026", "01.01.2020-01.01.2026"])
def test_periods_that_are_refused(text):
    with pytest.raises(InvalidInput):
        parse_period(text, TODAY)


def test_preset_periods_and_keys():
    assert preset("this_month", TODAY) == Period(date(2026, 11, 1), date(2026, 11, 30))
    assert preset("last_month", date(2026, 1, 15)) == Period(date(2025, 12, 1),
                                                             date(2025, 12, 31))
    assert preset("last_month", date(2026, 3, 31)) == Period(date(2026, 2, 1),
                                                             date(2026, 2, 28))
    assert preset("this_year", TODAY) == Period(date(2026, 1, 1), date(2026, 12, 31))
    assert preset("last_year", TODAY) == Period(date(2025, 1, 1), date(2025, 12, 31))
    period = Period(date(2026, 1, 1), date(2026, 6, 30))
    assert Period.from_key(period.key) == period
    assert Period.from_key("20260230-20260301") is None
    assert Period.from_key("20200101-20261231") is None


async def test_no_free_text_leaves_the_bot_in_a_report(session):
    pia = await person(session, "Pia", Role.PROVIDER, team="nord-a", at=berlin(2026, 1, 5))
    await log(session, pia, "nord-a", "fua", date(2026, 11, 10), 60)
    entry = await session.scalar(select(HourEntry))
    entry.note = "Vorbereitung Elternabend"
    budget = await session.scalar(select(Budget).where(
        Budget.region_id == await ids(session, Region, "nord"), Budget.year == 2026))
    session.add(BudgetRequest(
        number="FuA-2026-001", budget_id=budget.id, team_id=await ids(session, Team, "nord-a"),
        requester_id=pia.id, state=RequestState.REPORTED, amount_cents=25_000,
        approved_cents=20_000, actual_cents=18_050, title="Stadtteilfest Garstedt",
        description="Material für das Fest", reason="passt", planned_on=date(2026, 12, 5),
        created_at=berlin(2026, 11, 2, 23, 30), decided_at=berlin(2026, 11, 5, 9),
        raised_at=berlin(2026, 11, 2, 23, 30)))
    await session.commit()
    period = Period(date(2026, 11, 1), date(2026, 11, 30))
    now = datetime(2026, 11, 24, 9, tzinfo=UTC)
    hours = [await tables.hours_table(session, Scope(None), period, locale="de")]
    budget_tables = await tables.budget_tables(session, Scope(None), period, tz=BERLIN, now=now)
    de = I18n().get("de")
    for made in (hours, budget_tables):
        for file_format in files.FORMATS:
            content = files.write(made, file_format, de, "de")
            for secret in ("Elternabend", "Stadtteilfest", "Material", "passt"):
                assert secret.encode() not in content
    (request,) = budget_tables[1].rows
    assert request[:5] == ("FuA-2026-001", "Region Nord", "Sozialraumteam Nord A",
                           "cost reported", 250)
    assert request[6:] == (180.5, date(2026, 12, 5), date(2026, 11, 2), date(2026, 11, 5), 3)
    csv_rows = list(csv.reader(io.StringIO(files.write(budget_tables, "csv", de, "de")
                                           .decode("utf-8-sig")), delimiter=";"))
    assert csv_rows[1][3:7] == ["abgerechnet", "250,00", "200,00", "180,50"]


async def test_an_org_import_at_start_up_is_audited_only_when_it_changed_something(tmp_path):
    from bot.runner import prepare_database
    from bot.settings import Settings

    url = f"sqlite+aiosqlite:///{tmp_path}/start.db"
    settings = Settings(_env_file=None, telegram_bot_token="1:x",  # type: ignore[call-arg]
                        database_url=url)
    await prepare_database(settings)
    await prepare_database(settings)  # a restart with the same file
    engine = create_engine(url)
    async with create_session_factory(engine)() as session:
        entries = (await session.scalars(select(AuditEntry)
                                         .where(AuditEntry.action == "org.imported"))).all()
        kinds = await AuditRepository(session).kinds()
    await engine.dispose()
    assert [(e.actor_user_id, e.details["source"], e.details["created_teams"])
            for e in entries] == [(None, "start-up", 4)]
    assert "org" in kinds  # a kind of its own in /audit's filter
