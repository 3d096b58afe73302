"""``sozialraum-bot export`` and ``org import`` on the command line: the files and the audit."""

from __future__ import annotations

import asyncio
import csv
import io
import stat
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from bot.settings import DEFAULT_ORG_FILE
from storage.db import create_engine, create_session_factory
from storage.models import (
    AuditEntry,
    Budget,
    BudgetRequest,
    Region,
    RequestState,
    Role,
    Team,
)
from tests.support.cli import run
from tests.support.people import berlin, ids, log, person


def _audit(url: str) -> list[tuple[str, dict]]:
    async def go():
        engine = create_engine(url)
        async with create_session_factory(engine)() as session:
            rows = (await session.execute(select(AuditEntry.action, AuditEntry.details)
                                          .where(AuditEntry.action.startswith("export.")))).all()
        await engine.dispose()
        return [(a, d) for a, d in rows]

    return asyncio.run(go())


def test_export_on_the_command_line(env, tmp_path):
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
        env, tmp_path, what, file_format):
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


def test_org_import_on_the_command_line_is_audited_with_what_changed(env, tmp_path):
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
