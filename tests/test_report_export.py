"""Report periods, the report tables without free text, and ``sozialraum-bot export``."""

from __future__ import annotations

import asyncio
import csv
import io
import stat
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.errors import InvalidInput
from bot.i18n import I18n
from bot.parsing.periods import Period, parse_period, preset
from bot.services.digest.figures import Scope
from bot.services.reports import files, tables
from bot.settings import DEFAULT_ORG_FILE
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
from tests.test_cli import env, run  # noqa: F401 - env is a fixture
from tests.test_digest_figures import BERLIN, berlin, ids, log, person

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


def _audit(url: str) -> list[tuple[str, dict]]:
    async def go():
        engine = create_engine(url)
        async with create_session_factory(engine)() as session:
            rows = (await session.execute(select(AuditEntry.action, AuditEntry.details)
                                          .where(AuditEntry.action.startswith("export.")))).all()
        await engine.dispose()
        return [(a, d) for a, d in rows]

    return asyncio.run(go())


def test_export_on_the_command_line(env, tmp_path):  # noqa: F811
    assert run("org", "import", env=env, cwd=tmp_path).returncode == 0
    out = tmp_path / "hours.csv"
    done = run("export", "hours", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "csv",
               "--out", str(out), "--region", "nord", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "hours 2026-11-01–2026-11-30, nord" in done.stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Region", "Team", "Woche"]
    assert {row[1] for row in rows[1:]} == {"Sozialraumteam Nord A", "Sozialraumteam Nord B"}

    book = tmp_path / "budget.xlsx"
    done = run("export", "budget", "--from", "2026-01-01", "--to", "2027-12-31", "--format",
               "xlsx", "--out", str(book), "--lang", "en", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    sheets = openpyxl.load_workbook(book, read_only=True)
    summary = list(sheets["Budget"].iter_rows(values_only=True))
    assert len(summary) == 1 + 4  # two regions, two years
    assert _audit(env["DATABASE_URL"]) == [
        ("export.hours", {"format": "csv", "start": "2026-11-01", "end": "2026-11-30",
                          "rows": len(rows) - 1, "source": "command line"}),
        ("export.budget", {"format": "xlsx", "start": "2026-01-01", "end": "2027-12-31",
                           "rows": 4, "source": "command line"}),
    ]

    wrong = run("export", "hours", "--from", "2026-11-30", "--to", "2026-11-01", "--format",
                "csv", "--out", str(out), env=env, cwd=tmp_path)
    assert wrong.returncode == 2 and "--to must not lie before --from" in wrong.stderr
    unknown = run("export", "hours", "--from", "2026-11-01", "--to", "2026-11-30", "--format",
                  "csv", "--out", str(out), "--region", "west", env=env, cwd=tmp_path)
    assert unknown.returncode == 2 and "there is no region west" in unknown.stderr


def _seed(url: str) -> None:
    """Hours in both regions and one decided request, straight into the CLI's database."""
    async def go():
        engine = create_engine(url)
        async with create_session_factory(engine)() as session:
            pia = await person(session, "Pia", Role.PROVIDER, team="nord-a",
                               at=berlin(2026, 1, 5))
            await log(session, pia, "nord-a", "beratung", date(2026, 11, 10), 150)
            await log(session, pia, "nord-a", "fua", date(2026, 11, 11), 45)
            await log(session, pia, "sued-a", "fua", date(2026, 11, 12), 60)
            await log(session, pia, "nord-a", "fua", date(2026, 10, 30), 999)  # before
            budget = await session.scalar(select(Budget).where(
                Budget.region_id == await ids(session, Region, "nord"), Budget.year == 2026))
            session.add(BudgetRequest(
                number="FuA-2026-007", budget_id=budget.id,
                team_id=await ids(session, Team, "nord-a"), requester_id=pia.id,
                state=RequestState.APPROVED, amount_cents=40_000, approved_cents=35_000,
                title="Fest", description="Material", planned_on=date(2026, 12, 5),
                created_at=berlin(2026, 11, 3, 10), decided_at=berlin(2026, 11, 5, 9),
                raised_at=berlin(2026, 11, 3, 10)))
            await session.commit()
        await engine.dispose()

    asyncio.run(go())


def _read(path, file_format: str) -> dict[str, list[tuple]]:
    """The file's tables as the reader's program opens them: one per sheet, or the CSV."""
    if file_format == "xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {"csv": [tuple(row) for row in csv.reader(handle, delimiter=";")]}


@pytest.mark.parametrize("what", ["hours", "budget"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_every_export_kind_and_format_holds_the_rows_of_the_period(
        env, tmp_path, what, file_format):  # noqa: F811
    assert run("org", "import", env=env, cwd=tmp_path).returncode == 0
    _seed(env["DATABASE_URL"])
    out = tmp_path / f"{what}.{file_format}"
    done = run("export", what, "--from", "2026-11-01", "--to", "2026-11-30", "--format",
               file_format, "--out", str(out), env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    tables_read = _read(out, file_format)
    if what == "hours":
        (rows,) = tables_read.values()
        assert rows[0][:3] == ("Region", "Team", "Woche")
        logged = {(r[1], r[2], r[5]): r[6] for r in rows[1:] if r[6] not in (0, "0,00")}
        if file_format == "xlsx":
            assert logged == {
                ("Sozialraumteam Nord A", "2026-W46", "Kollegiale Beratung im Vorfeld"): 2.5,
                ("Sozialraumteam Nord A", "2026-W46", "Fallunabhängige Arbeit (FuA)"): 0.75,
                ("Sozialraumteam Süd A", "2026-W46", "Fallunabhängige Arbeit (FuA)"): 1}
        else:
            assert logged == {
                ("Sozialraumteam Nord A", "2026-W46", "Kollegiale Beratung im Vorfeld"): "2,50",
                ("Sozialraumteam Nord A", "2026-W46", "Fallunabhängige Arbeit (FuA)"): "0,75",
                ("Sozialraumteam Süd A", "2026-W46", "Fallunabhängige Arbeit (FuA)"): "1,00"}
        # a row per team, week (W44 from Sunday 1st to W49 of Monday 30th) and category with
        # a quota (FüA has none and nothing logged)
        assert len(rows) - 1 == 4 * 6 * 2
    elif file_format == "xlsx":
        assert list(tables_read) == ["Budget", "Anträge"]
        summary = {row[0]: row[1:7] for row in tables_read["Budget"][1:]}
        assert summary == {"Region Nord": (2026, 30000, 350, 0, 0, 29650),
                           "Region Süd": (2026, 30000, 0, 0, 0, 30000)}
        (header, request) = tables_read["Anträge"]
        assert header[0] == "Nummer"
        assert request[:7] == ("FuA-2026-007", "Region Nord", "Sozialraumteam Nord A",
                               "genehmigt", 400, 350, None)
        assert request[8:] == (datetime(2026, 11, 3), datetime(2026, 11, 5), 2)
    else:
        (rows,) = tables_read.values()  # a CSV holds one table: the requests
        assert rows == [
            ("Nummer", "Region", "Team", "Status", "Beantragt", "Genehmigt",
             "Tatsächliche Kosten", "Geplant am", "Gestellt am", "Entschieden am",
             "Tage bis zur Entscheidung (bisher)"),
            ("FuA-2026-007", "Region Nord", "Sozialraumteam Nord A", "genehmigt", "400,00",
             "350,00", "", "2026-12-05", "2026-11-03", "2026-11-05", "2")]
    assert f"{what} 2026-11-01–2026-11-30, all regions" in done.stdout


def _org_imports(url: str) -> list[tuple]:
    async def go():
        engine = create_engine(url)
        async with create_session_factory(engine)() as session:
            rows = (await session.execute(
                select(AuditEntry.actor_user_id, AuditEntry.subject_id, AuditEntry.details)
                .where(AuditEntry.action == "org.imported").order_by(AuditEntry.id))).all()
        await engine.dispose()
        return [tuple(row) for row in rows]

    return asyncio.run(go())


def test_org_import_on_the_command_line_is_audited_with_what_changed(env, tmp_path):  # noqa: F811
    assert run("org", "import", env=env, cwd=tmp_path).returncode == 0
    changed = tmp_path / "org.yaml"
    text = DEFAULT_ORG_FILE.read_text(encoding="utf-8")
    changed.write_text(text.replace("name: Sozialraumteam Nord A",
                                    "name: Sozialraumteam Nord-A"), encoding="utf-8")
    done = run("org", "import", str(changed), env=env, cwd=tmp_path)
    assert done.returncode == 0 and "updated: 1 teams" in done.stdout, done.stdout
    assert run("org", "import", str(changed), env=env, cwd=tmp_path).returncode == 0

    first, second, third = _org_imports(env["DATABASE_URL"])
    assert first[:2] == (None, "norderstedt.yaml")  # nobody in the chat: the server's operator
    assert first[2]["source"] == "command line" and first[2]["changed"] is True
    assert (first[2]["created_regions"], first[2]["created_teams"]) == (2, 4)
    assert second == (None, "org.yaml", {"source": "command line", "changed": True,
                                         "updated_teams": 1})
    assert third == (None, "org.yaml", {"source": "command line", "changed": False})


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
