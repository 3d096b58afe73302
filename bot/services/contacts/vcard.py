"""A vCard 3.0 for Telegram's contact cards (``sendContact``, inline contact results).

Hand-written on purpose: six properties with RFC 6350 escaping do not justify a vCard
library and its dependencies. Telegram accepts at most 2048 bytes.
"""

from __future__ import annotations

MAX_BYTES = 2048


def _escape(value: str) -> str:
    value = " ".join(value.split())  # no line breaks or control characters inside a value
    return (value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;"))


def vcard(
    *, name: str, organisation: str | None = None, title: str | None = None,
    phone: str | None = None, email: str | None = None, note: str | None = None,
) -> str:
    """The card; optional lines are left out (note first) if it would exceed 2048 bytes."""
    optional = [("NOTE", note), ("TITLE", title), ("ORG", organisation)]
    while True:
        extra = {key: value for key, value in optional if value}
        card = _render(name, phone, email, extra)
        if len(card.encode()) <= MAX_BYTES or not optional:
            return card
        optional.pop(0)


def _render(name: str, phone: str | None, email: str | None, extra: dict[str, str]) -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"N:{_escape(name)};;;;", f"FN:{_escape(name)}"]
    if "ORG" in extra:
        lines.append(f"ORG:{_escape(extra['ORG'])}")
    if "TITLE" in extra:
        lines.append(f"TITLE:{_escape(extra['TITLE'])}")
    if phone:
        lines.append(f"TEL;TYPE=WORK,VOICE:{_escape(phone)}")
    if email:
        lines.append(f"EMAIL;TYPE=INTERNET,WORK:{_escape(email)}")
    if "NOTE" in extra:
        lines.append(f"NOTE:{_escape(extra['NOTE'])}")
    lines.append("END:VCARD")
    return "\r\n".join(lines)
