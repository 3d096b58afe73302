"""Phone numbers as a phone can dial them: parsed with libphonenumber (``phonenumberslite``).

Cards show the RFC 3966 form without its ``tel:`` scheme ("+49-40-5260120"): the
international shape Telegram recognises and makes tappable, whatever way the organisation
file wrote the number ("040 / 52 60 12-0"). Contact cards and vCards get E.164.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers

# National numbers in the organisation file ("040 …") belong to the office's country.
DEFAULT_REGION = "DE"


@dataclass(frozen=True)
class Phone:
    raw: str
    e164: str | None  # None when the number cannot be a phone number
    tappable: str  # what a card shows

    @property
    def dialable(self) -> str:
        return self.e164 or self.raw


def parse_phone(raw: str) -> Phone:
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return Phone(raw, None, raw)
    if phonenumbers.is_possible_number_with_reason(number) != (
        phonenumbers.ValidationResult.IS_POSSIBLE
    ):  # too short, too long, or dialable only locally without an area code
        return Phone(raw, None, raw)
    rfc3966 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Phone(raw, e164, rfc3966.removeprefix("tel:"))
