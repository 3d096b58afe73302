"""Translations from gettext catalogs, and locale-aware formatting through Babel.

Catalogs live in ``locales/<lang>/LC_MESSAGES/<feature>.po``: one file per feature so that
features can be added without touching each other's catalogs. All files of a language are
merged at start-up. Message ids are the English source texts; placeholders use
``str.format`` names (``{amount}``), identical in every translation.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, format_interval, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations

from bot.settings import SUPPORTED_LOCALES

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"

# Babel locales used for formatting: English users get European day-month order.
_FORMAT_LOCALES = {"de": "de_DE", "en": "en_GB"}
_HOURS_UNIT = {"de": "Std.", "en": "h"}


def load_translations(locale: str, locales_dir: Path = LOCALES_DIR) -> NullTranslations:
    """Merge every ``.po`` file of ``locale`` into one translations object."""
    merged: Translations | None = None
    for po_path in sorted((locales_dir / locale / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        part = Translations(buffer)
        merged = part if merged is None else merged.merge(part)
    return merged if merged is not None else NullTranslations()


def normalize_locale(language_code: str | None, default: str) -> str:
    """Map a Telegram language code ("de-AT", "en") to a supported locale."""
    if language_code:
        base = language_code.split("-")[0].split("_")[0].lower()
        if base in SUPPORTED_LOCALES:
            return base
    return default


@dataclass(frozen=True)
class Translator:
    """Everything a handler needs to speak one user's language."""

    locale: str
    translations: NullTranslations

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    __call__ = gettext

    @cached_property
    def _babel_locale(self) -> Locale:
        return Locale.parse(_FORMAT_LOCALES[self.locale])

    def number(self, value: int | float | Decimal, digits: int = 2) -> str:
        """Format with up to ``digits`` decimals, no trailing zeros: 2,5 / 12 / 1.250."""
        pattern = "#,##0." + "#" * digits if digits else "#,##0"
        return format_decimal(value, format=pattern, locale=self._babel_locale)

    def hours(self, minutes: int) -> str:
        """Minutes as hours with the unit, e.g. ``2,5 Std.`` / ``2.5 h``."""
        return f"{self.hours_value(minutes)} {_HOURS_UNIT[self.locale]}"

    def hours_value(self, minutes: int) -> str:
        return self.number(Decimal(minutes) / 60, digits=2)

    def money(self, cents: int) -> str:
        """Cents as euros, e.g. ``1.250,00 €`` / ``€1,250.00``."""
        return format_currency(Decimal(cents) / 100, "EUR", locale=self._babel_locale)

    def date(self, value: dt.date) -> str:
        """``24.11.2026`` / ``24 Nov 2026``."""
        pattern = "dd.MM.yyyy" if self.locale == "de" else "d MMM yyyy"
        return format_date(value, format=pattern, locale=self._babel_locale)

    def date_range(self, start: dt.date, end: dt.date) -> str:
        """``30.11. – 06.12.2026`` / ``30 Nov – 6 Dec 2026`` (a year or month shared once)."""
        skeleton = "yMd" if self.locale == "de" else "yMMMd"
        return format_interval(start, end, skeleton, locale=self._babel_locale)

    def short_date(self, value: dt.date) -> str:
        """``Di 24.11.`` / ``Tue 24 Nov``."""
        pattern = "EEE dd.MM." if self.locale == "de" else "EEE d MMM"
        return format_date(value, format=pattern, locale=self._babel_locale)

    def time(self, value: dt.datetime) -> str:
        return format_time(value, format="HH:mm", locale=self._babel_locale)

    def datetime(self, value: dt.datetime) -> str:
        """Local date and time, e.g. ``24.11.2026 09:30``; ``value`` must be local already."""
        pattern = "dd.MM.yyyy HH:mm" if self.locale == "de" else "d MMM yyyy, HH:mm"
        return format_datetime(value, format=pattern, locale=self._babel_locale)

    def weekday(self, iso_weekday: int) -> str:
        names = self._babel_locale.days["format"]["wide"]
        return str(names[iso_weekday - 1])


class I18n:
    """Loads every supported language once; hands out translators."""

    def __init__(self, default_locale: str = "de", locales_dir: Path = LOCALES_DIR) -> None:
        self.default_locale = default_locale
        self._translators = {
            locale: Translator(locale, load_translations(locale, locales_dir))
            for locale in SUPPORTED_LOCALES
        }

    def get(self, locale: str | None) -> Translator:
        return self._translators.get(locale or "", self._translators[self.default_locale])

    def for_telegram(self, language_code: str | None) -> Translator:
        return self.get(normalize_locale(language_code, self.default_locale))

    @property
    def locales(self) -> tuple[str, ...]:
        return SUPPORTED_LOCALES
