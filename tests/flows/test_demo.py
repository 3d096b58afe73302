"""`sozialraum-bot demo --script` runs the whole product and prints the conversation."""

from __future__ import annotations

import re

from tests.support.demo_script import answer, play, turns

# What /help must and must not list for each demo user: their role's own commands.
HELP_BY_ROLE = {
    "provider-nord-a": ("provider staff", {"hours", "myhours", "week"},
                        {"invite", "users", "digest", "report", "away"}),
    "networker-nord-a": ("Netzwerker/in", {"hours", "myhours", "week"},
                         {"invite", "users", "digest", "report"}),
    "asd-nord-a": ("Fachkraft im ASD", {"week", "budget", "contacts"},
                   {"hours", "myhours", "invite", "users", "digest", "report", "meeting"}),
    "lead-nord": ("Regionalleitung", {"invite", "digest", "report", "away", "meeting"},
                  {"hours", "myhours", "users", "audit", "budget_set", "faq_reload"}),
    "admin": ("Administration", {"invite", "users", "audit", "budget_set", "faq_reload"},
              {"hours", "myhours", "away"}),
}


def test_foundation_demo_script(tmp_path):
    out = play("foundation.txt", tmp_path)
    assert "[newcomer] ← Dieser Bot ist für die Sozialraumteams" in out
    assert "[newcomer] ← Willkommen, Nina! Sie sind registriert als Fachkraft im ASD." in out
    assert "[provider-nord-a] ← ✎ I will talk to you in English from now on." in out
    assert "https://t.me/sozialraum_demo_bot?start=" in out
    assert "[lead-nord] ← Diesen Befehl kenne ich nicht." in out
    played = turns(out)  # /help for each role: what it lists and what it must not
    for user, (role, can, cannot) in HELP_BY_ROLE.items():
        text = answer(played, "/help", user=user)
        heading = "What I can do for you" if user == "provider-nord-a" else "Was ich für Sie"
        assert f"[{user}] ← {heading}" in text and f"({role}):" in text, text
        listed = set(re.findall(r"^\s*/(\w+) – ", text, flags=re.MULTILINE))
        assert can <= listed, (user, can - listed)
        assert not cannot & listed, (user, cannot & listed)
