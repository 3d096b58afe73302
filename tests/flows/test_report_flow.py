"""/report through the simulator: periods, files that open and hold the right rows, audit,
forged buttons; and ``sozialraum-bot export`` on the command line."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
from sqlalchemy import select

from storage.models import AuditEntry, Role
from tests.support.chat import ONLY_RECIPIENTS, _log


def _csv(data: bytes, delimiter: str) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def _sheets(data: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


async def _exports(bot, user_id: int) -> list[tuple[str, dict]]:
    async with bot.sessions() as session:
        rows = (await session.execute(
            select(AuditEntry.action, AuditEntry.details)
            .where(AuditEntry.actor_user_id == user_id, AuditEntry.action.startswith("export."))
            .order_by(AuditEntry.id))).all()
    return [(action, details) for action, details in rows]


async def test_a_lead_gets_last_months_hours_of_the_region_as_excel_and_csv(bot):
    lena = await bot.member("Lena", Role.LEAD, region="nord")
    pia = await bot.member("Pia", Role.PROVIDER, team=["nord-a", "sued-a"])
    await _log(bot, pia, "nord-a", "beratung", date(2026, 10, 30), 90)  # before the month
    await _log(bot, pia, "nord-a", "beratung", date(2026, 11, 1), 60)  # Sunday: week 44
    await _log(bot, pia, "nord-a", "beratung", date(2026, 11, 2), 120)  # Monday: week 45
    await _log(bot, pia, "nord-a", "fua", date(2026, 11, 4), 45)
    await _log(bot, pia, "sued-a", "beratung", date(2026, 11, 3), 300)  # another region
    bot.clock.set(bot.clock.now().replace(month=12, day=2))  # December: "last month"
    await lena.send("/report")
    assert "Welcher Zeitraum?" in (await lena.reply()).text
    await lena.tap("Letzter Monat")
    menu = await lena.reply()
    assert "Bericht 01.11.2026 – 30.11.2026" in menu.text
    assert "nicht exportiert" in menu.text
    await lena.tap("Stunden · Excel", message=menu)
    excel = await lena.reply()
    assert excel.document is not None
    assert excel.document.name == "sozialraum-hours-2026-11-01_2026-11-30.xlsx"
    assert "Stunden 01.11.2026 – 30.11.2026, Region Nord" in excel.text
    (rows,) = _sheets(excel.document.data).values()
    header, body = rows[0], rows[1:]
    assert header[:4] == ("Region", "Team", "Woche", "Woche ab")
    assert {row[1] for row in body} == {"Sozialraumteam Nord A", "Sozialraumteam Nord B"}
    week44 = next(r for r in body if r[1].endswith("Nord A") and r[2] == "2026-W44"
                  and r[5] == "Kollegiale Beratung im Vorfeld")
    assert week44[4] == 1 and week44[6] == 1 and round(week44[7], 2) == round(18 / 7, 2)
    week45 = [r for r in body if r[1].endswith("Nord A") and r[2] == "2026-W45"]
    assert sorted((r[5], r[6], r[7]) for r in week45) == [
        ("Fallunabhängige Arbeit (FuA)", 0.75, 8), ("Kollegiale Beratung im Vorfeld", 2, 18)]
    assert sum(r[6] for r in body) == 3.75  # 90 min before the month and Süd A left out

    await lena.tap("Stunden · CSV", message=menu)
    table = _csv((await lena.reply()).document.data, ";")
    assert table[0][6] == "Stunden"
    assert ["Region Nord", "Sozialraumteam Nord A", "2026-W45", "2026-11-02", "7",
            "Fallunabhängige Arbeit (FuA)", "0,75", "8,00", "9"] in table
    assert [action for action, _ in await _exports(bot, lena.user_id)] == [
        "export.hours", "export.hours"]
    (_, details), _ = await _exports(bot, lena.user_id)
    assert details["format"] == "xlsx" and details["start"] == "2026-11-01"
    assert details["source"] == "chat"


async def test_an_admin_gets_the_budget_of_every_region_in_english(bot):
    ada = await bot.member("Ada", Role.ADMIN, locale="en")
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/budget")
    await pia.reply()
    await ada.send("/report 01.01.2026-31.12.2026")
    menu = await ada.reply()
    assert "Report 1 Jan 2026 – 31 Dec 2026" in menu.text
    await ada.tap("Budget · Excel", message=menu)
    sheets = _sheets((await ada.reply()).document.data)
    assert list(sheets) == ["Budget", "Requests"]
    summary = sheets["Budget"]
    assert summary[0] == ("Region", "Year", "Allocated", "Approved", "Pending", "Spent",
                          "Available", "As of")
    assert sorted(row[:3] for row in summary[1:]) == [("Region Nord", 2026, 30000),
                                                      ("Region Süd", 2026, 30000)]
    assert sheets["Requests"][0][0] == "Number" and len(sheets["Requests"]) == 1
    await ada.tap("Budget · CSV", message=menu)
    table = _csv((await ada.reply()).document.data, ",")
    assert table == [["Number", "Region", "Team", "State", "Requested", "Approved",
                      "Actual cost", "Planned on", "Filed on", "Decided on",
                      "Days to decision (so far)"]]
    assert [d["start"] for _, d in await _exports(bot, ada.user_id)] == ["2026-01-01"] * 2


async def test_a_typed_period_and_what_is_refused(bot):
    lena = await bot.member("Lena", Role.LEAD, region="nord")
    await lena.send("/report")
    await lena.reply()
    await lena.tap("Anderer Zeitraum …")
    assert "Bitte schreiben Sie den Zeitraum" in (await lena.reply()).text
    await lena.send("30.06.2026-01.01.2026")
    assert "endet, bevor er beginnt" in (await lena.reply()).text
    await lena.send("irgendwann")
    assert "so: 01.01.2026-30.06.2026" in (await lena.reply()).text
    await lena.send("01.01.-31.03.")
    assert "Bericht 01.01.2026 – 31.03.2026" in (await lena.reply()).text
    await lena.send("Wie viele Stunden hat Nord A?")  # the dialogue is over: a question
    assert "Bericht" not in (await lena.reply()).text
    await lena.send("/report 01.01.2020-31.12.2026")
    assert "höchstens drei Jahren" in (await lena.reply()).text


async def test_forged_report_buttons_and_other_roles_get_no_file(bot):
    lena = await bot.member("Lena", Role.LEAD, region="nord")
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await lena.send("/report")
    await lena.reply()
    for forged in ("rep:1:f:hours:pdf:20261101-20261130", "rep:1:f:people:csv:20261101-20261130",
                   "rep:1:f:hours:csv:20261301-20261130", "rep:1:f:hours:csv:20261130-20261101",
                   "rep:1:f:hours:csv:20200101-20261231", "rep:1:p:next_year", "rep:1:zz"):
        await lena.tap_data(forged)
        assert "nicht mehr gültig" in (await lena.reply()).text, forged
    await pia.send("/report")
    assert ONLY_RECIPIENTS in (await pia.reply()).text
    await pia.tap_data("rep:1:f:hours:csv:20261101-20261130")
    assert ONLY_RECIPIENTS in (await pia.reply()).text
    assert all(m.document is None for m in pia.sim.messages + lena.sim.messages)
    assert await _exports(bot, pia.user_id) == [] and await _exports(bot, lena.user_id) == []


async def test_the_budget_csv_in_the_chat_holds_the_requests_of_the_region(bot):
    from tests.support.chat import _send_request

    lena = await bot.member("Lena", Role.LEAD, region="nord")
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    sven = await bot.member("Sven", Role.PROVIDER, team="sued-a")
    await _send_request(pia)
    await lena.reply()
    await lena.tap("Genehmigen")
    await lena.reply()
    await _send_request(pia, amount="80", title="Bastelmaterial Kita")
    await _send_request(sven, amount="500", title="Ausflug Süd")  # another region
    lena.drain()
    await lena.send("/report 01.11.2026-30.11.2026")
    menu = await lena.reply()
    await lena.tap("Budget · CSV", message=menu)
    document = (await lena.reply()).document
    assert document.name == "sozialraum-budget-2026-11-01_2026-11-30.csv"
    table = _csv(document.data, ";")
    assert table[0][:4] == ["Nummer", "Region", "Team", "Status"]
    assert [row[:7] + row[8:] for row in table[1:]] == [
        ["FuA-2026-001", "Region Nord", "Sozialraumteam Nord A", "genehmigt", "1250,50",
         "1250,50", "", "2026-11-24", "2026-11-24", "0"],
        ["FuA-2026-002", "Region Nord", "Sozialraumteam Nord A", "offen", "80,00", "", "",
         "2026-11-24", "", "0"],
    ]
    assert b"Stadtteilfest" not in document.data and b"Bastelmaterial" not in document.data
    ((_, details),) = await _exports(bot, lena.user_id)
    assert (details["format"], details["rows"]) == ("csv", 2)
