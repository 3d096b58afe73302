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
from tests.support.people import berlin, ids, person

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


def _figure_texts(chart) -> dict:
    """What the reader sees on the chart, taken from the figure before it is rendered."""
    from bot.services.digest.chart import build_figure

    axes = build_figure(chart).axes[0]
    return {
        "title": axes.get_title(),
        "axis": axes.get_xlabel(),
        "teams": [label.get_text() for label in axes.get_yticklabels()],
        "legend": [text.get_text() for text in axes.get_legend().get_texts()],
        "notes": [text.get_text() for text in axes.texts],
        "bars": [round(bar.get_width(), 2) for bar in axes.patches],
        "marks": [round(float(mark.get_xdata()[0]), 2) for mark in axes.lines
                  if mark.get_marker() == "|"],
    }


async def test_the_chart_is_labelled_in_the_readers_language_with_bars_from_the_figures(session):
    from tests.support.people import digest_of, log

    lena = await person(session, "Lena", Role.LEAD, region="nord", at=berlin(2026, 1, 5))
    pia = await person(session, "Pia", Role.PROVIDER, team="nord-a", at=berlin(2026, 1, 5))
    await log(session, pia, "nord-a", "beratung", berlin(2026, 11, 18).date(), 12 * 60 + 30)
    await log(session, pia, "nord-a", "fua", berlin(2026, 11, 20).date(), 4 * 60)
    await log(session, pia, "nord-b", "fua", berlin(2026, 11, 22).date(), 2 * 60)
    await log(session, pia, "nord-a", "beratung", berlin(2026, 11, 10).date(), 4 * 60)  # before
    digest = await digest_of(session, lena, berlin(2026, 11, 23, 8))

    german = _figure_texts(views.chart_of(I18n().get("de"), digest))
    english = _figure_texts(views.chart_of(I18n().get("en"), digest))

    assert german["title"] == "Stunden gegen das Wochenkontingent, KW 47 (Mo. 16.11.–So. 22.11.)"
    assert english["title"] == "Hours against the weekly quota, week 47 (Mon 16 Nov–Sun 22 Nov)"
    assert (german["axis"], english["axis"]) == ("% des Wochenkontingents", "% of the weekly quota")
    assert german["legend"] == ["Koll. Beratung", "FuA", "Ø der 4 Wochen davor"]
    assert english["legend"] == ["Consultation", "FuA", "Ø of the 4 weeks before"]
    assert german["teams"] == english["teams"] == ["Sozialraumteam Nord A",
                                                   "Sozialraumteam Nord B"]
    # Per category, then per team: 12.5 of 18 h, 0 of 18 h, 4 of 8 h, 2 of 8 h.
    assert german["bars"] == english["bars"] == [69.44, 0.0, 50.0, 25.0]
    assert german["notes"] == ["12,5/18", "0/18", "4/8", "2/8"]
    assert english["notes"] == ["12.5/18", "0/18", "4/8", "2/8"]
    # The marks: the four weeks before on average (Nord A's 4 h consultation: 1 h a week).
    assert german["marks"] == [5.56, 0.0, 0.0, 0.0]
