"""Every user-facing message has a German and an English translation."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, I18n

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "t": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
SOURCES = ("bot", "handlers")


def extracted_ids() -> dict[str, str]:
    """Message id → first place it is used."""
    found: dict[str, str] = {}
    for folder in SOURCES:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS,
            comment_tags=(), strip_comment_tags=True,
        ):
            ids = message if isinstance(message, tuple) else (message,)
            for msgid in ids:
                if msgid:
                    found.setdefault(msgid, f"{folder}/{filename}:{lineno}")
    return found


def catalog(locale: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fh:
            for message in read_po(fh, locale=locale):
                if not message.id:
                    continue
                msgids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple) else (
                    message.string,
                )
                for msgid, string in zip(msgids, strings, strict=False):
                    entries[msgid] = string
    return entries


@pytest.mark.parametrize("locale", ["de", "en"])
def test_every_message_is_translated(locale):
    entries = catalog(locale)
    missing = {msgid: where for msgid, where in extracted_ids().items()
               if not entries.get(msgid)}
    assert not missing, f"{len(missing)} untranslated in {locale}: " + "\n".join(
        f"{where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda i: i[1])
    )


@pytest.mark.parametrize("locale", ["de", "en"])
def test_placeholders_match(locale):
    import string

    def names(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    wrong = [
        msgid for msgid, text in catalog(locale).items() if text and names(msgid) != names(text)
    ]
    assert not wrong, f"placeholders differ in {locale}: {wrong}"


def test_german_and_english_cover_the_same_ids():
    assert set(catalog("de")) == set(catalog("en"))


def test_translator_uses_the_catalogs():
    i18n = I18n()
    assert i18n.get("de")("Cancel") == "Abbrechen"
    assert i18n.get("en")("Cancel") == "Cancel"
    assert i18n.for_telegram("de-AT").locale == "de"
    assert i18n.for_telegram("fr").locale == "de"  # default locale
    de, en = i18n.get("de"), i18n.get("en")
    assert de.hours(150) == "2,5 Std." and en.hours(150) == "2.5 h"
    assert de.money(125050) == "1.250,50\xa0€" and en.money(125050) == "€1,250.50"
    from datetime import date
    assert de.date(date(2026, 11, 24)) == "24.11.2026"
    assert en.date(date(2026, 11, 24)) == "24 Nov 2026"
