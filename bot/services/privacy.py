"""Checks for short free-text fields: a length limit and likely personal data.

The product must not hold names or details of children and families (see MISSION.md). A
text that looks like it contains a date of birth, a phone number, an e-mail or postal
address, or a family name is refused with a request to rephrase, before anything is saved.
The check errs on the side of asking; it never logs the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import N_, InvalidInput

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")),
    ("phone", re.compile(r"(?<!\d)(?:\+|00)?\d[\d /()-]{6,}\d(?!\d)")),
    ("birthdate", re.compile(
        r"\b(?:geb(?:oren|\.)?|born|\*)\s*(?:am\s+|on\s+)?\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}",
        re.IGNORECASE,
    )),
    ("birthdate", re.compile(r"\b(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.(?:19|20)\d{2}\b")),
    ("address", re.compile(
        r"\b[\wäöüß-]*(?:straße|strasse|str\.|weg|allee|platz|ring|gasse|damm)"
        r"\s+\d+\s*[a-z]?\b",
        re.IGNORECASE,
    )),
    ("family", re.compile(
        r"\b(?:Familie|Fam\.|family|Frau|Herr(?:n)?|Mr\.?|Mrs\.?|Ms\.?)\s+[A-ZÄÖÜ][\wäöüß-]+"
    )),
    ("child", re.compile(
        r"\b(?:Kind|Sohn|Tochter|Junge|Mädchen|child|son|daughter)\s+[A-ZÄÖÜ][a-zäöüß]+\b"
    )),
    ("age", re.compile(r"\b\d{1,2}\s*-?\s*(?:jährige[rn]?|Jahre alt|years? old)\b", re.IGNORECASE)),
)


@dataclass(frozen=True)
class FreeTextPolicy:
    max_length: int = 200
    extra_patterns: tuple[re.Pattern[str], ...] = ()


def personal_data_kinds(text: str, policy: FreeTextPolicy | None = None) -> list[str]:
    """Which kinds of likely personal data the text contains (empty if none)."""
    kinds = [kind for kind, pattern in _PATTERNS if pattern.search(text)]
    if policy is not None:
        kinds += ["name" for pattern in policy.extra_patterns if pattern.search(text)]
    return sorted(set(kinds))


def check_free_text(
    text: str, *, max_length: int = 200, policy: FreeTextPolicy | None = None
) -> str:
    """Return the cleaned text or raise :class:`InvalidInput` asking to rephrase."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InvalidInput(N_("Please write a short text."))
    if len(cleaned) > max_length:
        raise InvalidInput(
            N_("That is {length} characters; please keep it to {limit}."),
            length=len(cleaned), limit=max_length,
        )
    if personal_data_kinds(cleaned, policy):
        raise InvalidInput(
            N_("This looks like it contains personal data (a name, a date of birth, a phone "
               "number or an address). Please rephrase it without details of children and "
               "families – nothing was saved.")
        )
    return cleaned


FREE_TEXT_REMINDER = N_(
    "Please do not write names or details of children and families."
)
