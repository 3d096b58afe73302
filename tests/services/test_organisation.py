"""The organisation file: the shipped default, validation errors, idempotent import."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from bot.services.organisation import OrgFileError, import_organisation, load_org_file
from bot.settings import DEFAULT_ORG_FILE
from storage.models import HourCategory, Provider, Region, Team, TeamQuota


def test_shipped_file_describes_norderstedt_as_the_source_does(org):
    teams = {t.key: t for r in org.regions for t in r.teams}
    assert [r.key for r in org.regions] == ["nord", "sued"]
    assert teams["nord-a"].districts == ["Friedrichsgabe", "Harksheide-Nord"]
    assert teams["nord-b"].districts == ["Harksheide-Mitte", "Norderstedt-Mitte"]
    assert teams["sued-a"].districts == ["Garstedt"]
    assert teams["sued-b"].districts == ["Glashütte", "Harksheide-Süd"]
    assert {k: t.composition["caseworker"] for k, t in teams.items()} == {
        "nord-a": 2, "nord-b": 4, "sued-a": 3, "sued-b": 4,
    }
    assert all(t.composition["networker"] == 1 and t.composition["provider"] == 3
               for t in teams.values())
    quotas = {c.key: c.weekly_quota_hours for c in org.categories}
    assert quotas == {"beratung": 18, "fua": 8, "fuea": None}
    assert len(org.providers) == 9
    # Nothing the source does not give may pose as real: every contact is an example.
    assert all(c.example for p in org.providers for c in p.contacts)
    assert all(p.example for p in org.providers)


async def test_import_is_idempotent(session, org):
    again = await import_organisation(session, org)
    assert not again.changed, again.summary()
    assert await session.scalar(select(func.count()).select_from(Team)) == 4
    assert await session.scalar(select(func.count()).select_from(Provider)) == 9
    quotas = (await session.execute(
        select(Team.key, HourCategory.key, TeamQuota.weekly_minutes)
        .join(TeamQuota.team).join(TeamQuota.category)
    )).all()
    assert ("nord-a", "beratung", 18 * 60) in quotas
    assert ("sued-b", "fua", 8 * 60) in quotas
    assert ("sued-b", "fuea", None) in quotas


async def test_changed_file_updates_in_place_and_deactivates_removed_teams(session, org, tmp_path):
    raw = yaml.safe_load(DEFAULT_ORG_FILE.read_text(encoding="utf-8"))
    raw["regions"][0]["name"] = "Region Nord (neu)"
    raw["regions"][0]["teams"][0]["quotas"] = {"fua": 10}
    del raw["regions"][1]["teams"][1]  # sued-b disappears from the file
    for provider in raw["providers"]:
        provider["teams"] = [t for t in provider.get("teams", []) if t != "sued-b"]
    raw["meetings"] = [m for m in raw["meetings"] if m.get("team") != "sued-b"]
    changed = tmp_path / "org.yaml"
    changed.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")

    report = await import_organisation(session, load_org_file(changed))
    assert report.updated["regions"] == 1
    assert report.deactivated["teams"] == 1
    assert await session.scalar(select(Region.name).where(Region.key == "nord")) == (
        "Region Nord (neu)"
    )
    # The team is kept (history!) but inactive; nothing was duplicated.
    assert await session.scalar(select(func.count()).select_from(Team)) == 4
    assert await session.scalar(select(Team.active).where(Team.key == "sued-b")) is False
    minutes = await session.scalar(
        select(TeamQuota.weekly_minutes).join(TeamQuota.team).join(TeamQuota.category)
        .where(Team.key == "nord-a", HourCategory.key == "fua")
    )
    assert minutes == 600


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda raw: raw["regions"][0]["teams"][0].update(districts="Garstedt"),
         "regions[nord].teams[nord-a].districts"),
        (lambda raw: raw["regions"][0]["teams"][0].update(quotas={"nope": 3}),
         "unknown category 'nope'"),
        (lambda raw: raw["providers"][0].update(email="not-an-email"),
         "providers[sos-kinderdorf].email"),
        (lambda raw: raw["categories"].append(dict(raw["categories"][0])),
         "key 'beratung' is used twice"),
        (lambda raw: raw["regions"][0].update(color="blue"), "regions[nord].color"),
    ],
)
def test_invalid_file_names_file_field_and_problem(tmp_path: Path, mutate, expected):
    raw = yaml.safe_load(DEFAULT_ORG_FILE.read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(OrgFileError) as info:
        load_org_file(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert expected in message
    assert "\n" not in message


def test_not_yaml_is_reported_with_line(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("regions: [\n  - key: nord\n    name: x\n", encoding="utf-8")
    with pytest.raises(OrgFileError, match=r"bad\.yaml: line \d+ not valid YAML"):
        load_org_file(path)


def test_a_meeting_is_weekly_or_at_one_date_not_both(tmp_path):
    raw = yaml.safe_load(DEFAULT_ORG_FILE.read_text(encoding="utf-8"))
    one_off = {"key": "steuerung-jan", "title": "Steuerungsgruppe", "roles": ["lead"],
               "at": "2027-01-19 14:00"}
    raw["meetings"].append(one_off)
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    spec = next(m for m in load_org_file(path).meetings if m.key == "steuerung-jan")
    assert spec.at is not None and (spec.at.hour, spec.at.minute) == (14, 0)
    one_off["weekly"] = {"weekday": "tuesday", "time": "09:00"}
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(OrgFileError, match=r"meetings\[steuerung-jan\].*not both"):
        load_org_file(path)
    one_off.pop("weekly")
    one_off["at"] = "19.01.2027"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(OrgFileError, match=r"meetings\[steuerung-jan\]\.at"):
        load_org_file(path)


async def test_reimport_without_a_team_keeps_its_hours_and_budget_history(session, org, clock,
                                                                          tmp_path):
    from datetime import date

    from bot.services import hours
    from bot.services.budget import requests as budget_requests
    from bot.services.budget.allocation import status as budget_status
    from bot.services.hours import Draft as HoursDraft
    from bot.services.hours import HoursPolicy
    from storage.models import AuditEntry, BudgetRequest, BudgetShare, HourEntry, Role
    from tests.support.people import draft, member

    today = date(2026, 11, 24)
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-b")
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    team = await session.scalar(select(Team).where(Team.key == "nord-b"))
    categories = {c.key: c.id for c in await hours.loggable_categories(session)}
    for key, minutes in (("fua", 120), ("fuea", 45)):
        await hours.log_hours(session, pia, HoursDraft(categories[key], team.id, minutes, today),
                              today=today, now=clock.now(), policy=HoursPolicy())
    request = await budget_requests.create_request(
        session, user=pia, draft=await draft(session, team="nord-b", euros=250),
        now=clock.now(), today=today)
    await budget_requests.approve(session, request_id=request.id, user=lea, now=clock.now(),
                                  today=today)
    before = {
        "entries": (await session.execute(select(
            HourEntry.team_id, HourEntry.category_id, HourEntry.minutes, HourEntry.user_id)
            .order_by(HourEntry.id))).all(),
        "requests": (await session.execute(select(
            BudgetRequest.number, BudgetRequest.team_id, BudgetRequest.state,
            BudgetRequest.approved_cents))).all(),
        "shares": (await session.execute(select(BudgetShare.team_id,
                                                BudgetShare.allocated_cents))).all(),
        "audit": await session.scalar(select(func.count()).select_from(AuditEntry)),
    }
    assert len(before["entries"]) == 2 and before["requests"][0][2] == "approved"

    # The office drops team Nord B and the FüA category from its file.
    raw = yaml.safe_load(DEFAULT_ORG_FILE.read_text(encoding="utf-8"))
    raw["regions"][0]["teams"] = [t for t in raw["regions"][0]["teams"] if t["key"] != "nord-b"]
    raw["categories"] = [c for c in raw["categories"] if c["key"] != "fuea"]
    for provider in raw["providers"]:
        provider["teams"] = [t for t in provider.get("teams", []) if t != "nord-b"]
    raw["meetings"] = [m for m in raw["meetings"] if m.get("team") != "nord-b"]
    for budget in raw["budgets"]:
        budget.get("teams", {}).pop("nord-b", None)
    changed = tmp_path / "org.yaml"
    changed.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    for _ in range(2):  # the second import changes nothing more
        await import_organisation(session, load_org_file(changed))
        await session.flush()
        session.expire_all()
        assert await session.scalar(select(Team.active).where(Team.key == "nord-b")) is False
        assert await session.scalar(
            select(HourCategory.active).where(HourCategory.key == "fuea")) is False
        assert (await session.execute(select(
            HourEntry.team_id, HourEntry.category_id, HourEntry.minutes, HourEntry.user_id)
            .order_by(HourEntry.id))).all() == before["entries"]
        assert (await session.execute(select(
            BudgetRequest.number, BudgetRequest.team_id, BudgetRequest.state,
            BudgetRequest.approved_cents))).all() == before["requests"]
        assert (await session.execute(select(BudgetShare.team_id, BudgetShare.allocated_cents))
                ).all() == before["shares"]  # Nord B's part of 2027 is budget history too
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) >= (
            before["audit"])
    nord = await session.scalar(select(Region).where(Region.key == "nord"))
    figures = (await budget_status(session, nord.id, 2026)).figures
    assert figures.sums.approved == 25_000  # the approved request still counts


async def test_a_changed_file_reports_every_kind_of_record_it_changed(session, org, tmp_path):
    from storage.models import Meeting, ProviderContact, TeamSeat

    raw = yaml.safe_load(DEFAULT_ORG_FILE.read_text(encoding="utf-8"))
    raw["categories"][1]["name"]["de"] = "FuA: fallunabhängige Arbeit"
    raw["categories"].append({"key": "netz", "name": {"de": "Netzwerk", "en": "Network"},
                              "short": {"de": "Netz", "en": "Net"}, "weekly_quota_hours": 2})
    raw["regions"].append({"key": "west", "name": "Region West", "teams": [
        {"key": "west-a", "name": "Sozialraumteam West A", "districts": ["Friedrichsgabe-West"],
         "seats": [{"kind": "stationaer", "provider": "sos-kinderdorf"}]}]})
    nord_a = raw["regions"][0]["teams"][0]
    nord_a["seats"] = [{"kind": "stationaer", "provider": "st-josef"}, {"kind": "ambulant"}]
    sos, st_josef, wiegmann = raw["providers"][:3]
    sos["name"] = "SOS-Kinderdorf"
    st_josef["teams"] = ["nord-a"]
    st_josef["contacts"][0]["function"] = "Leitung (Beispiel)"
    st_josef["contacts"].append({"key": "seat", "name": "Beispiel-Sitz", "example": True,
                                 "seat": {"team": "nord-a", "kind": "stationaer"}})
    wiegmann["contacts"] = []
    raw["providers"].pop()  # Kirchengemeinde Vicelin/Schalom
    raw["meetings"][0]["title"] = "Kollegiale Beratung Nord A"
    raw["meetings"].pop()  # Lenkungsgruppe
    raw["meetings"].append({"key": "klausur", "title": "Klausurtag", "roles": ["lead"],
                            "at": "2027-01-19 14:00"})
    changed = tmp_path / "org.yaml"
    changed.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")

    report = await import_organisation(session, load_org_file(changed))

    assert report.created == {"categories": 1, "regions": 1, "teams": 1, "quotas": 8,
                              "seats": 1, "contacts": 1, "meetings": 1}
    assert report.updated == {"categories": 1, "seats": 1, "providers": 1,
                              "provider teams": 1, "contacts": 1, "meetings": 1}
    assert report.deactivated == {"seats": 1, "providers": 1, "contacts": 1, "meetings": 1}
    seat = await session.scalar(select(ProviderContact.seat_id).where(
        ProviderContact.key == "seat"))
    assert await session.scalar(select(Provider.key).join(TeamSeat.provider).where(
        TeamSeat.id == seat)) == "st-josef"
    assert await session.scalar(select(Team.active).where(Team.key == "west-a")) is True
    assert await session.scalar(select(Meeting.active).where(
        Meeting.key == "lenkungsgruppe")) is False
    again = await import_organisation(session, load_org_file(changed))
    assert not again.changed, again.summary()
