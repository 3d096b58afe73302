"""Domain errors that carry a user-facing, translatable message.

Services raise these; handlers render ``error.render(translator)``. The message is
a catalog message id marked with ``N_`` so that extraction finds it, and it is
translated only at the edge, in the user's language.
"""

from __future__ import annotations

from typing import Any, Protocol


def N_(message: str) -> str:  # noqa: N802 - gettext convention for "mark, don't translate"
    """Mark a string for extraction without translating it here."""
    return message


# The one answer to a button whose record or step is gone, or whose data was forged.
STALE = N_("This button is no longer valid. Please start again.")


class _Gettext(Protocol):
    def __call__(self, message: str) -> str: ...


class DomainError(Exception):
    """A rule was broken; the user gets ``message`` (a catalog id) with ``params``."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def render(self, gettext: _Gettext) -> str:
        text = gettext(self.message)
        return text.format(**self.params) if self.params else text


class InvalidInput(DomainError):
    """Input that cannot be understood or is out of range; nothing was changed."""


class NotAllowed(DomainError):
    """The user's role, team or region does not permit this."""


class NotFound(DomainError):
    """The record is gone or never existed (e.g. a stale or forged button)."""


class Conflict(DomainError):
    """The record's state changed meanwhile (e.g. already decided, week locked)."""
