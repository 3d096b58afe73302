"""The hours demo script: provider staff log hours both ways and see /week (issue: hours)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.support.demo_script import answer, play, turns


def test_hours_demo_script(tmp_path):
    out = play("hours.txt", tmp_path).replace("\xa0", " ")
    # The demo runs on the real clock: "gestern" is last week when today is a Monday.
    yesterday_this_week = datetime.now(ZoneInfo("Europe/Berlin")).weekday() != 0
    played = turns(out)
    guided = answer(played, ":tap 💾 Speichern")
    assert "[provider-nord-a] ← ✎ ✅ Gespeichert: 1,5 Std. Koll. Beratung am" in guided
    assert "Koll. Beratung 1,5 / 18 Std. ▓░░░░░░░░░" in guided
    summary = answer(played, "/hours 2,5 fua gestern Vorbereitung Ideenbörse")
    assert "Zeit: 2,5 Std." in summary and "Notiz: Vorbereitung Ideenbörse" in summary
    saved = answer(played, ":tap 💾 Speichern", nth=2)
    assert "✅ Gespeichert: 2,5 Std. FuA am" in saved
    assert "FuA 2,5 / 8 Std. ▓▓▓░░░░░░░" in saved  # the week of the entry
    assert "Schritten von 15 Min." in answer(played, "/hours 0:20 fua")
    week = answer(played, "/week")
    assert "[provider-nord-a] ← KW " in week and "Sozialraumteam Nord A" in week
    assert "Koll. Beratung 1,5 / 18 Std." in week and "◀ Vorwoche" in week
    assert ("FuA 2,5 / 8 Std." if yesterday_this_week else "FuA 0 / 8 Std.") in week
    assert "Pro Person" not in week  # only leads see people
    mine = answer(played, "/myhours")
    assert "Koll. Beratung 1,5 Std." in mine and "✏️ 1" in mine and "🗑 1" in mine
    lead = answer(played, ":tap Sozialraumteam Nord A")
    assert "Pro Person" in lead and "Paula: Koll. Beratung 1,5" in lead
