"""The digest's text within Telegram's limits: an administrator's digest of many regions is
split between lines into messages of at most 4,096 characters, with valid HTML each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bench import orgdata as datagen
from bot.i18n import I18n
from bot.services.digest import figures
from bot.services.hours import HoursPolicy
from bot.simulator.validation import plain_text
from handlers import digest_views as views
from storage.models import Budget, BudgetRequest, Role, Team
from tests.test_digest_figures import berlin, ids, person

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize("locale", ["de", "en"])
async def test_a_digest_of_many_regions_is_split_within_the_limits(engine, session, locale):
    await datagen.populate(engine, datagen.LARGER, now=NOW)
    digest = await figures.compute(session, figures.Scope(None), as_of=NOW, now=NOW, tz=BERLIN,
                                   hours=HoursPolicy(), members_since=NOW - timedelta(days=7))
    t = I18n().get(locale)
    text = views.render(t, digest, BERLIN, with_chart=True)
    assert len(text.messages) >= 2
    assert views.size(plain_text(text.caption, "HTML")) <= views.CAPTION_LIMIT
    for message in text.messages:
        visible = plain_text(message, "HTML")  # raises on broken markup, as Telegram would
        assert 0 < views.size(visible) <= views.MESSAGE_LIMIT
    whole = "\n".join(text.messages)
    assert all(team.team.name in whole for team in digest.teams)  # nothing was cut away
    assert whole.count("━━") == 2 * len(digest.regions)
    chart = views.chart_of(t, digest)
    assert chart is not None and len(chart.teams) == len(digest.teams)


async def test_a_small_digest_fits_into_the_caption(session):
    digest = await figures.compute(session, figures.Scope(frozenset({1})), as_of=NOW, now=NOW,
                                   tz=BERLIN, hours=HoursPolicy(),
                                   members_since=NOW - timedelta(days=7))
    text = views.render(I18n().get("de"), digest, BERLIN, with_chart=False)
    assert text.messages == () and "Sozialraumteam Nord A" in text.caption


async def test_requests_waiting_show_also_in_a_year_without_a_budget(session):
    pia = await person(session, "Pia", Role.PROVIDER, team="nord-a", at=berlin(2027, 1, 5))
    budget = await session.scalar(select(Budget).where(Budget.year == 2027,
                                                       Budget.region_id == 1))
    session.add(BudgetRequest(
        number="FuA-2027-001", budget_id=budget.id, team_id=await ids(session, Team, "nord-a"),
        requester_id=pia.id, state="pending", amount_cents=10_000, title="Fest",
        description="Material", planned_on=berlin(2028, 1, 20).date(),
        created_at=berlin(2027, 12, 30), raised_at=berlin(2027, 12, 30)))
    await session.commit()
    as_of = berlin(2028, 1, 10, 8)
    digest = await figures.compute(session, figures.Scope(frozenset({1})), as_of=as_of,
                                   now=as_of, tz=BERLIN, hours=HoursPolicy(),
                                   members_since=as_of - timedelta(days=7))
    text = views.render(I18n().get("de"), digest, BERLIN, with_chart=False)
    whole = "\n".join([text.caption, *text.messages])
    assert "Für 2028 ist kein FuA-Budget festgelegt." in whole
    assert "Warten auf Entscheidung (1)" in whole and "FuA-2027-001" in whole
    assert "seit 11 Tagen" in whole
