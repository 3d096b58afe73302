"""Calls to the Bot API that survive Telegram's bad moments: 5xx answers, dropped connections.

PTB's ``AIORateLimiter`` already waits out ``429 Too Many Requests`` (``retry_after``) and
tries again. :class:`RetryingRequest` adds the rest, with exponential back-off and jitter
(tenacity), deciding per failure and per Bot API method whether a second try is safe:

=====================================  ======================  ==============================
failure                                did it reach Telegram?  tried again
=====================================  ======================  ==============================
no connection (refused, connect or     surely not              every call
pool timeout)
429 with ``retry_after``               surely not              every call, by AIORateLimiter
5xx, connection dropped, read timeout  maybe                   calls whose repetition is
                                                               harmless; new messages only
                                                               "at least once" (see below)
400, 403 and other refusals            it refused              never
=====================================  ======================  ==============================

Answering a callback or inline query, editing or deleting a message, reading, and settings
(menus) are harmless to repeat: a second answer, the same edit or a second delete changes
nothing, and Telegram refuses it with "query is too old", "message is not modified" or
"message to delete not found". After an uncertain first try such a refusal means the first
try worked, so it is answered as success. A new message (``send*``, ``forward*``,
``copy*``) sent twice shows up twice, so it is repeated after an uncertain failure only in
the default *at least once* mode: a doubled reply to a user's own action is harmless, a
lost "Saved" is not (the user would enter the hours again). Scheduled messages (reminders,
digests) are *at most once*: their ledger claims each one before sending and records an
uncertain failure as ``unknown`` instead of sending it again, so the scheduler wraps each
delivery in :func:`at_most_once`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from http import HTTPStatus
from typing import Literal

import httpx
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.request import BaseRequest, RequestData
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from bot import metrics

log = logging.getLogger(__name__)

Certainty = Literal["not_sent", "maybe_sent", "refused"]

# Methods that put something new into a chat: a second call shows it twice.
_NEW_MESSAGE_PREFIXES = ("send", "forward", "copy")
_HARMLESS_TO_REPEAT = frozenset({"sendChatAction"})
# What Telegram answers to the repetition of a call that had worked (lower case).
_ALREADY_DONE = {
    "answerCallbackQuery": "query is too old",
    "answerInlineQuery": "query is too old",
    "editMessageText": "message is not modified",
    "editMessageReplyMarkup": "message is not modified",
    "editMessageCaption": "message is not modified",
    "deleteMessage": "message to delete not found",
}

_at_most_once: ContextVar[bool] = ContextVar("telegram_at_most_once", default=False)


@contextmanager
def at_most_once() -> Iterator[None]:
    """Within this block, a new message that may have reached Telegram is not sent again."""
    token = _at_most_once.set(True)
    try:
        yield
    finally:
        _at_most_once.reset(token)


def certainty(error: TelegramError) -> Certainty:
    """Whether the failed call surely did not reach Telegram, maybe did, or was refused."""
    if isinstance(error, RetryAfter):
        return "not_sent"
    if isinstance(error, BadRequest):  # a NetworkError in PTB, yet a clear refusal
        return "refused"
    if isinstance(error, NetworkError):  # TimedOut is one too
        no_connection = httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout
        return "not_sent" if isinstance(error.__cause__, no_connection) else "maybe_sent"
    return "refused"


def creates_message(method: str) -> bool:
    return method.startswith(_NEW_MESSAGE_PREFIXES) and method not in _HARMLESS_TO_REPEAT


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long: with 10 % of calls failing, 5 tries miss 1 call in 100,000."""

    attempts: int = 5
    max_seconds: float = 30.0
    first_wait: float = 0.1  # seconds; doubled per try, with full jitter
    max_wait: float = 4.0


class RetryingRequest(BaseRequest):
    """Wraps the bot's transport (PTB's ``HTTPXRequest``) with the retries described above."""

    def __init__(self, inner: BaseRequest, policy: RetryPolicy | None = None) -> None:
        self.inner = inner
        self.policy = policy or RetryPolicy()

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One call, tried again as the module describes; PTB maps the final answer."""
        api_method = url.rsplit("/", 1)[-1]
        uncertain = False  # an earlier try may have taken effect

        def worth_another_try(error: BaseException) -> bool:
            kind = _ServerError.CERTAINTY if isinstance(error, _ServerError) else (
                certainty(error) if isinstance(error, TelegramError) else "refused")
            if kind == "not_sent":
                return True
            if kind == "refused":
                return False
            return not creates_message(api_method) or not _at_most_once.get()

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.attempts) | stop_after_delay(
                self.policy.max_seconds),
            wait=wait_random_exponential(multiplier=self.policy.first_wait,
                                         max=self.policy.max_wait),
            retry=retry_if_exception(worth_another_try),
            before_sleep=lambda state: _note_retry(api_method, state),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    try:
                        code, payload = await self.inner.do_request(
                            url, method, request_data, read_timeout, write_timeout,
                            connect_timeout, pool_timeout)
                    except NetworkError as exc:  # raised by the transport: no answer at all
                        uncertain = uncertain or certainty(exc) == "maybe_sent"
                        raise
                    if code >= HTTPStatus.INTERNAL_SERVER_ERROR:
                        uncertain = True
                        raise _ServerError(code, payload)
                    if code == HTTPStatus.BAD_REQUEST and uncertain and _already_done(
                            api_method, payload):
                        return HTTPStatus.OK, _TRUE  # the uncertain earlier try had worked
                    return code, payload
        except _ServerError as last:
            return last.code, last.payload  # PTB raises its NetworkError from it
        raise AssertionError("unreachable: tenacity re-raises the last error")


class _ServerError(Exception):
    """Telegram answered 5xx: it may or may not have done what was asked."""

    CERTAINTY: Certainty = "maybe_sent"

    def __init__(self, code: int, payload: bytes) -> None:
        super().__init__(code)
        self.code = code
        self.payload = payload


_TRUE = b'{"ok": true, "result": true}'


def _already_done(api_method: str, payload: bytes) -> bool:
    refusal = _ALREADY_DONE.get(api_method)
    return refusal is not None and refusal in payload.decode("utf-8", "replace").lower()


def _note_retry(api_method: str, state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome is not None else None
    reason = certainty(error) if isinstance(error, TelegramError) else "maybe_sent"
    name = f"HTTP {error.code}" if isinstance(error, _ServerError) else type(error).__name__
    metrics.TELEGRAM_RETRIES.labels(reason=reason).inc()
    log.warning("Bot API %s failed (%s), try %d; trying again in %.2f s", api_method,
                name, state.attempt_number,
                state.next_action.sleep if state.next_action else 0.0)
