"""Per-update scope: one database transaction, the registered user, their language.

:class:`BotApplication` opens the scope around every update (see ``bot/app.py``); handlers
reach it as ``context.scope`` through :class:`BotContext`. The scope commits once at the end,
together with the update id, so a redelivered update is recognised and skipped. A handler
that must confirm a save to the user calls ``await context.scope.commit()`` first, so the
user is never told "saved" about something that a crash could still undo.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application, CallbackContext, ExtBot

from bot.i18n import Translator
from storage.models import Role, User
from storage.repositories.system import claim_update

if TYPE_CHECKING:
    from bot.app import AppState

_current_scope: contextvars.ContextVar[UpdateScope | None] = contextvars.ContextVar(
    "update_scope", default=None
)


@dataclass
class UpdateScope:
    session: AsyncSession
    t: Translator
    now: datetime
    update_id: int | None = None
    user: User | None = None
    failed: bool = False
    committed: bool = False  # the handler committed (and may have told the user so)
    # Writes the sender's dialogue data into the transaction (set by BotApplication).
    save_dialogue: Callable[[], Awaitable[None]] | None = field(default=None, repr=False)
    # The update id is in the current transaction (claimed at the start) or committed.
    _marked: bool = field(default=False, repr=False)

    @property
    def registered(self) -> bool:
        return self.user is not None and self.user.active

    @property
    def role(self) -> Role | None:
        return Role(self.user.role) if self.registered and self.user else None

    def require_user(self) -> User:
        """The registered user; the gate guarantees one behind feature handlers."""
        if self.user is None or not self.user.active:
            raise LookupError("handler reached without a registered user")
        return self.user

    async def commit(self) -> None:
        """Commit the update's work now, before the user is told it is saved: together with
        the update id and the user's dialogue data as it stands. A draft the handler has
        consumed (popped from ``user_data`` before this call) is thereby gone for good, so
        another Save button of the same draft cannot store it again, even if showing the
        result fails or the process dies before the update's end."""
        if self.save_dialogue is not None:
            await self.save_dialogue()
        await self.commit_at_end()

    async def claim(self) -> bool:
        """Claim the update id at the start of the update; False if it was handled before."""
        self._marked = self.update_id is None or await claim_update(
            self.session, self.update_id, self.now)
        return self._marked

    async def roll_back(self) -> None:
        """Undo the uncommitted work of a failed update; its id is claimed again at the end,
        so that it is not retried either."""
        await self.session.rollback()
        self._marked = self.committed
        self.failed = False

    async def commit_at_end(self) -> None:
        """The update's final commit (:class:`bot.app.BotApplication`), with the update id."""
        if self.update_id is not None and not self._marked:
            await claim_update(self.session, self.update_id, self.now)
            self._marked = True
        await self.session.commit()
        self.committed = True


def current_scope() -> UpdateScope | None:
    return _current_scope.get()


def enter_scope(scope: UpdateScope) -> contextvars.Token[UpdateScope | None]:
    return _current_scope.set(scope)


def leave_scope(token: contextvars.Token[UpdateScope | None]) -> None:
    _current_scope.reset(token)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB callback context with the update's scope and the application's state."""

    @property
    def scope(self) -> UpdateScope:
        scope = _current_scope.get()
        if scope is None:
            raise LookupError("no update scope: called outside BotApplication.process_update")
        return scope

    @property
    def t(self) -> Translator:
        return self.scope.t

    @property
    def app(self) -> BotApp:
        """``application``, typed: PTB leaves a type variable of that property unbound."""
        return cast("BotApp", self.application)

    @property
    def state(self) -> AppState:
        state: AppState = self.application.bot_data["state"]
        return state


BotApp = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
