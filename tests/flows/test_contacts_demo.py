"""The contacts demo script: search, card, contact card, inline mode, /team, a stranger."""

from __future__ import annotations

from tests.support.demo_script import play


def test_contacts_demo_script(tmp_path):
    out = play("contacts.txt", tmp_path)
    assert "[asd-nord-a] ← Kinder- und Jugendheim St. Josef\n" in out
    assert "☎️ +49-40-00000501 (Beispiel)" in out
    assert "👤 Beispiel-Ansprechperson +494000000501" in out  # the contact card
    assert "Meinten Sie einen dieser Träger?" in out
    assert "• Evang. Familienbildung  Familienbildung" in out  # an inline result
    assert "Fachkräfte im ASD (1 von 2): Clara" in out
    assert "Page 2 of 2" in out
    assert "[button] Bot öffnen" in out  # a stranger's inline query
