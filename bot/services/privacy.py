"""Checks for short free-text fields: a length limit and likely personal data.

The product must not hold names or details of children and families (see MISSION.md). A
text that looks like it contains a date of birth, a phone number, an e-mail or postal
address, a case reference, "Familie …" or a person's full name is refused with a request to
rephrase, before anything is saved. The check errs on the side of asking; it never logs the
text. It is a safety net, not a guarantee: the warning next to every free-text field and the
retention periods (``bot/services/retention.py``) do the rest.

A question to the FAQ is checked with the words the FAQ itself prints as ``public``: a name
found by a title or by "Familie" is no personal data when it is a public word ("Frau Dr.
Lüttringhaus", whose talk the FAQ lists; "ob ne Familie Hilfe bekommt", where "Hilfe" is a
noun, not a family). An unknown name ("Familie Yilmaz", "Frau Schmidt"), a child's name, a
date of birth and the rest are refused as in any other field.

Every free-text field goes through :func:`check_free_text`. The office tunes the check in the
organisation file's ``privacy:`` section (:class:`PrivacySpec`): more first names, extra
regular expressions, phrases that must always pass. ``bot/app.py`` activates the file's
policy at start-up with :func:`configure`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.errors import N_, InvalidInput

FIRST_NAMES_FILE = Path(__file__).resolve().parent.parent / "data" / "privacy" / "first_names.txt"

_UPPER = "A-ZÄÖÜÇŞİĞŁŚŻ"
_WORD = rf"[{_UPPER}][^\W\d_]+"  # a capitalised word: a likely surname or proper noun
_SURNAME = rf"{_WORD}(?:-{_WORD})?"
# Words that follow "family" in the names of places and programmes, not of families.
_NOT_FAMILY_NAMES = (
    r"(?i:cent(?:re|er)|education|support|services?|day|festival|fair|program(?:me)?|caf[eé]"
    r"|counsell?ing|office|work|time|breakfast|Zentrum|Bildung|Beratung|Café|Fest|Tag)\b"
)

# Which kind of personal data a pattern finds; the labels are what the user is told.
KIND_LABELS = {
    "email": N_("an e-mail address"),
    "handle": N_("a user name (@…)"),
    "phone": N_("a phone number"),
    "birthdate": N_("a date of birth"),
    "address": N_("a postal address"),
    "family": N_("a family's name"),
    "name": N_("a person's name"),
    "child": N_("a child's name"),
    "age": N_("a child's age"),
    "case_reference": N_("a case reference"),
    "bank_account": N_("a bank account number"),
    "pattern": N_("a term your office has excluded"),
}

_FIXED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")),
    ("handle", re.compile(r"(?<![\w@.])@[A-Za-z]\w{4,31}\b")),
    ("phone", re.compile(
        r"(?i:\b(?:tel|telefon|handy|mobil|phone|mobile|fax)\b\.?)\s*(?:nr\.?|no\.?)?\s*[:.]?\s*"
        r"\+?\d[\d /()-]{3,}\d"
    )),
    ("birthdate", re.compile(
        r"(?i:\bgeb(?:oren|\.)?|\bborn|\bDOB|\bd\.o\.b\.|\bGeburtsdatum|\bdate of birth"
        r"|\bGeburtstag|(?<!\S)\*)\s*(?:am\s+|on\s+|:\s*)?\d{1,2}\s?[./]\s?\d{1,2}\b"
    )),
    ("address", re.compile(
        rf"(?:\b[{_UPPER}][\wäöüß-]*(?:straße|strasse|str\.|weg|allee|platz|gasse|damm|chaussee"
        rf"|stieg|twiete|kamp|redder)|\b[{_UPPER}][\wäöüß-]+er\s+(?:Straße|Strasse|Str\.|Weg"
        r"|Allee|Platz|Ring|Gasse|Damm|Chaussee|Stieg|Twiete|Kamp|Redder|Landstraße|Markt))"
        r"\s*\d{1,4}(?!\d)(?:\s?[a-z]\b)?(?!\s*(?:Std|Stunden?|h|min|Min|Minuten|km|Mal|mal)\b)"
        r"|\b\d{1,4}\s+[A-Z][a-z]+\s+(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Way|Close)\b"
    )),
    ("address", re.compile(
        r"\b\d{5}\s+(?!(?:Euro|EUR|Std|Stunden|Minuten|Personen|Teilnehmende|Teilnehmer"
        rf"|Besucher|Besucherinnen|Exemplare|Flyer|Familien|Kinder|Jugendliche|Menschen)\b)"
        rf"[{_UPPER}][a-zäöüß]{{2,}}"
    )),
    # "Familie Müller", but not "5 € pro Familie Eintritt" or "Family Centre".
    ("family", re.compile(
        r"(?<!pro )(?<!je )(?<!jede )(?<!jeder )(?<!jeden )"
        rf"\b(?i:Familie|Fam\.|family)\s+(?!{_NOT_FAMILY_NAMES}){_SURNAME}"
    )),
    ("family", re.compile(rf"\bthe\s+(?!{_NOT_FAMILY_NAMES}){_SURNAME}\s+family\b"
                          rf"(?!\s+{_NOT_FAMILY_NAMES})")),
    ("name", re.compile(rf"\b(?:Frau|Herrn?|Mr|Mrs|Ms|Miss|Dr|Prof)\.?(?:\s+(?:Dr|Prof)\.?)*"
                        rf"\s+{_WORD}")),
    ("child", re.compile(
        rf"\b(?:Kind|Pflegekind|Sohn|Tochter|Enkel|Enkelin|child|son|daughter)\s+{_WORD}"
    )),
    ("age", re.compile(
        r"(?<![\d–-])(?<!bis )(?<!ab )(?<!über )(?<!unter )(?<!under )(?<!over )"
        r"\b\d{1,2}\s*-?\s*(?i:jährige[rnms]?\b|jahre alt\b|years? old\b|year-olds?\b)"
        r"|\(\s*\d{1,2}\s*(?:J\.?|Jahre|yrs?\.?)\s*\)"
    )),
    ("case_reference", re.compile(
        r"(?i:\bAz\.|\bAz\b|\bAktenzeichen|\bFall-?(?:nr|nummer)\.?|\bcase\s+(?:no|number|ref"
        r"|reference)\.?)\s*[:.#]?\s*[\w./-]*\d"
    )),
    ("bank_account", re.compile(r"\b[A-Z]{2}\d{2}\s?(?:[A-Z0-9]{4}\s?){3,7}[A-Z0-9]{1,4}\b")),
)

# Phone numbers without a "Tel." in front: seven digits or more, not a year range.
_PHONE_CANDIDATE = re.compile(r"(?<![\d.,])(?:\+|00)?\(?\d[\d /()-]{5,}\d(?![\d.,]|\s?€)")
_YEAR_RANGE = re.compile(r"^(?:19|20)\d{2}\s*[-/]\s*(?:19|20)?\d{2}$")

# Full dates with a year are taken for dates of birth unless they read like an appointment.
_FULL_DATE = re.compile(
    r"\b(?:0?[1-9]|[12]\d|3[01])\s?[./]\s?(?:0?[1-9]|1[0-2])\s?[./]\s?(?:19|20)\d{2}\b"
    r"|\b(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b"
)
_APPOINTMENT_BEFORE = re.compile(
    r"(?i:\b(?:am|vom|bis|ab|seit|zum|vor|nach|stand|frist|termin|sitzung|treffen|protokoll"
    r"|nachtrag|stichtag|datum|on|from|until|till|by|due|before|after|as of|deadline|meeting"
    r"|date|dated)\b[\s:]*|[-–]\s*)$"
)
_TIME_AFTER = re.compile(r"^,?\s*(?:um\s+|at\s+)?\d{1,2}(?::\d{2}|\s*Uhr\b|\s*h\b)")

_PARTICLE = r"(?:(?:von|van|de|di|da|del|zu|al|el|bin|ibn)\s+)?"
_RELATIVES = (
    r"Mutter|Vater|Eltern|Oma|Opa|Bruder|Schwester|Kind|Sohn|Tochter|Junge|Mädchen|Enkel|Enkelin"
    r"|mother|father|parents|brother|sister|boy|girl|son|daughter|child|mum|mom|dad"
)


class PrivacySpec(BaseModel):
    """Section ``privacy:`` of the organisation file: how strict the free-text check is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    first_names: list[str] = Field(default_factory=list)
    builtin_first_names: bool = True
    patterns: list[str] = Field(default_factory=list)
    allowed_phrases: list[str] = Field(default_factory=list)

    @field_validator("first_names")
    @classmethod
    def _plain_names(cls, names: list[str]) -> list[str]:
        for name in names:
            if not re.fullmatch(r"[^\W\d_][^\W\d_'’-]{1,39}", name):
                raise ValueError(f"{name!r} is not a first name (letters only)")
        return names

    @field_validator("patterns")
    @classmethod
    def _valid_regexes(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
            if compiled.search(""):
                raise ValueError(f"regular expression {pattern!r} matches every text")
        return patterns

    def policy(self) -> FreeTextPolicy:
        names = [*(builtin_first_names() if self.builtin_first_names else ()), *self.first_names]
        return FreeTextPolicy(
            names=_name_patterns(names),
            extra_patterns=tuple(re.compile(p) for p in self.patterns),
            allowed=_phrase_pattern(self.allowed_phrases),
        )


@dataclass(frozen=True)
class FreeTextPolicy:
    """The compiled check: names built from first names, the office's extra patterns."""

    names: tuple[re.Pattern[str], ...] = ()  # the first: first name and surname
    extra_patterns: tuple[re.Pattern[str], ...] = ()
    allowed: re.Pattern[str] | None = None


@cache
def builtin_first_names() -> tuple[str, ...]:
    """The shipped list of common first names (``bot/data/privacy/first_names.txt``)."""
    words: list[str] = []
    for line in FIRST_NAMES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            words += line.split()
    return tuple(dict.fromkeys(words))


def _name_patterns(first_names: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    names = sorted(set(first_names), key=len, reverse=True)
    if not names:
        return ()
    alternatives = "|".join(re.escape(n) for n in names)
    return (
        # "Lena Schmidt", "Lena S.", "Lena von Berg"; "St. Josef" is a saint, not a person.
        re.compile(
            rf"(?<!St\. )(?<!Sankt )\b(?:{alternatives})\s+{_PARTICLE}"
            rf"(?:{_SURNAME}|[{_UPPER}]\.(?!\w))"
        ),
        # "Mutter von Lena", "Sohn Max", "mother of Lena"
        re.compile(rf"\b(?:{_RELATIVES})\s+(?:von\s+|of\s+|der\s+|des\s+)?(?:{alternatives})\b"),
        # "Lenas Vater", "Lena's mother"
        re.compile(
            rf"\b(?:{alternatives})(?:s|'s|’s)\s+(?:{_RELATIVES}|Familie|family)\b"
        ),
    )


def _phrase_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    return re.compile("|".join(re.escape(p) for p in phrases), re.IGNORECASE)


_active = FreeTextPolicy()


def configure(policy: FreeTextPolicy) -> None:
    """Make ``policy`` the check used by every free-text field of this process."""
    global _active
    _active = policy


def active_policy() -> FreeTextPolicy:
    return _active


configure(PrivacySpec().policy())


def _found_phone(text: str) -> bool:
    for match in _PHONE_CANDIDATE.finditer(text):
        candidate = match.group().strip()
        digits = sum(ch.isdigit() for ch in candidate)
        if digits >= 7 and not _YEAR_RANGE.match(candidate):
            return True
    return False


def _found_birthdate(text: str) -> bool:
    for match in _FULL_DATE.finditer(text):
        before, after = text[: match.start()], text[match.end():]
        if not (_APPOINTMENT_BEFORE.search(before) or _TIME_AFTER.match(after)):
            return True
    return False


_CHECKS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("phone", _found_phone),
    ("birthdate", _found_birthdate),
)


# Kinds whose patterns end in the name they found ("Frau Dr. Lüttringhaus", "Familie Yilmaz").
_NAMING_KINDS = frozenset({"name", "family"})
_LAST_WORD = re.compile(r"[^\W\d_]+(?=\W*$)")


def _names_someone(pattern: re.Pattern[str], text: str, public: Collection[str]) -> bool:
    """A match whose name (its last word) is not one of the ``public`` lower-case words."""
    for match in pattern.finditer(text):
        name = _LAST_WORD.search(match.group())
        if name is None or name.group().lower() not in public:
            return True
    return False


def personal_data_kinds(text: str, policy: FreeTextPolicy | None = None,
                        public: Collection[str] = frozenset()) -> list[str]:
    """Which kinds of likely personal data the text contains (empty if none), sorted.

    ``public``: lower-case words printed in public (the FAQ's); a name among them, found by a
    title, "Familie" or as first name and surname, is not counted.
    """
    policy = policy or _active
    if policy.allowed is not None:
        text = policy.allowed.sub(" ", text)
    kinds = {kind for kind, pattern in _FIXED
             if (_names_someone(pattern, text, public) if kind in _NAMING_KINDS
                 else pattern.search(text))}
    kinds |= {kind for kind, check in _CHECKS if check(text)}
    names = policy.names
    if (names and _names_someone(names[0], text, public)) or any(
        pattern.search(text) for pattern in names[1:]
    ):
        kinds.add("name")
    if any(pattern.search(text) for pattern in policy.extra_patterns):
        kinds.add("pattern")
    return sorted(kinds)


class PersonalDataFound(InvalidInput):
    """The text looks like it holds personal data; the user is told which kinds."""

    def __init__(self, kinds: list[str]) -> None:
        super().__init__(
            N_("This looks like it contains personal data ({found}). Please rephrase it "
               "without names or details of children and families – nothing was saved.")
        )
        self.kinds = kinds

    def render(self, gettext: Any) -> str:
        found = ", ".join(str(gettext(KIND_LABELS[kind])) for kind in self.kinds)
        return str(gettext(self.message)).format(found=found)


def check_free_text(
    text: str, *, max_length: int = 200, policy: FreeTextPolicy | None = None,
    public: Collection[str] = frozenset(),
) -> str:
    """Return the cleaned text or raise :class:`InvalidInput` asking to rephrase.

    Control characters go (invisible, and PostgreSQL refuses NUL in a text column); runs of
    white space become one space. ``public``: see :func:`personal_data_kinds`.
    """
    visible = "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch) != "Cc")
    cleaned = " ".join(visible.split())
    if not cleaned:
        raise InvalidInput(N_("Please write a short text."))
    if len(cleaned) > max_length:
        raise InvalidInput(
            N_("That is {length} characters; please keep it to {limit}."),
            length=len(cleaned), limit=max_length,
        )
    kinds = personal_data_kinds(cleaned, policy, public)
    if kinds:
        raise PersonalDataFound(kinds)
    return cleaned


FREE_TEXT_REMINDER = N_(
    "Please do not write names or details of children and families."
)
