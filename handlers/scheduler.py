"""The scheduler: one JobQueue job that sends what is due, each message exactly once.

:func:`run_scheduler` is the single entry point (tests call it with a moved clock; a lock
for several instances wraps it). It raises FuA requests that waited too long, asks
``bot.services.reminders.scheduler`` what is due, and for each item claims it in the ledger
(committed), reads and renders everything it will send, marks it ``sending`` (committed)
right before the first Bot API call, and records the outcome. A run that dies before the
mark leaves the claim to the next run, which sends it; one that dies after it may have sent
it, so it is never sent again. Everything it needs is in the database, so the schedule is
rebuilt from there at every start.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import TelegramError

from bot import callbacks, metrics
from bot.errors import N_, DomainError
from bot.i18n import I18n, Translator
from bot.leader import leader_only
from bot.services.budget import escalation
from bot.services.budget.requests import get_request
from bot.services.digest.schedule import receives_digests
from bot.services.hours import Week
from bot.services.reminders import meetings, scheduler
from bot.services.reminders.policy import ReminderPolicy
from bot.services.reminders.quiet import QuietHours
from bot.services.reminders.scheduler import Due
from bot.telegram_retry import at_most_once, certainty
from handlers import budget_notify, digest
from handlers import reminder_views as views
from handlers.common import keyboard
from handlers.context import BotApp, BotContext
from storage.models import RequestState, User

if TYPE_CHECKING:
    from bot.app import AppState

log = logging.getLogger(__name__)

JOB_NAME = "scheduler"


def reminder_policy(state: AppState) -> ReminderPolicy:
    settings = state.settings
    quiet = settings.quiet_hours
    return ReminderPolicy(
        tz=settings.tz,
        grace=timedelta(minutes=settings.reminder_grace_minutes),
        meeting_offsets=settings.meeting_reminders,
        hours_reminder=settings.hours_reminder,
        quota_flag_percent=settings.quota_flag_percent,
        quiet_default=QuietHours(*quiet) if quiet else None,
        escalation_after=timedelta(hours=settings.budget_escalation_hours),
        hours=state.org.hours,
        digest_default=settings.digest_default,
    )


async def run_scheduler(application: BotApp) -> Counter[str]:
    """One run at the clock's ``now``; returns how many messages went out per kind, and
    how many were recorded as ``missed``."""
    state = application.bot_data["state"]
    policy = reminder_policy(state)
    now = state.clock.now()
    report: Counter[str] = Counter()
    async with state.sessions() as session:
        await escalation.raise_overdue(session, now=now, after=policy.escalation_after)
        await session.commit()
        items = await scheduler.due(session, now, policy)
        await session.rollback()  # read only
    metrics.DIGESTS_PENDING.set(sum(1 for i in items if i.kind == scheduler.DIGEST
                                    and not i.missed))
    for item in items:
        try:
            prepared = await _prepare(state, item, policy, now)
        except Exception:  # not claimed: the next run tries again
            log.exception("%s for user %s not prepared; tried again next run", item.kind,
                          item.user_id)
            metrics.UPDATE_ERRORS.inc()
            continue
        try:
            async with state.sessions() as session:
                outcome = await _claim_and_send(application.bot, session, state.i18n, item,
                                                policy, now, prepared)
        except Exception:  # one item's failure must not hold up the others
            log.exception("%s for user %s failed after its claim", item.kind, item.user_id)
            metrics.UPDATE_ERRORS.inc()
            continue
        if outcome == "missed":
            report["missed"] += 1
        elif outcome == "sent":
            report[item.kind] += 1
            if item.kind != scheduler.DIGEST:
                metrics.REMINDERS_SENT.inc()
        if item.kind == scheduler.DIGEST and outcome not in ("taken", "retry", "missed"):
            metrics.DIGESTS_PENDING.dec()
    async with state.sessions() as session:
        await scheduler.finish_run(session, now)
        await session.commit()
    if report:
        log.info("scheduler run at %s: %s", now.isoformat(), dict(report))
    else:
        log.debug("scheduler run at %s: nothing due", now.isoformat())
    return report


async def _prepare(
    state: AppState, item: Due, policy: ReminderPolicy, now: datetime
) -> digest.PreparedDigest | None:
    """What takes long or may fail before anything is sent: a digest's figures and chart,
    made before the delivery is claimed, so a failure here leaves it to the next run.
    None for other kinds, and for recipients who no longer receive digests."""
    if item.kind != scheduler.DIGEST or item.missed:
        return None
    async with state.sessions() as session:
        user = await scheduler.recipient(session, item)
        if user is None or not receives_digests(user):
            return None
        try:
            prepared = await digest.prepare(session, state.i18n.get(user.locale), user,
                                            as_of=item.due_at, now=now, tz=policy.tz,
                                            hours=policy.hours)
        except DomainError:
            return None
        finally:
            await session.rollback()  # read only; ends the transaction before the drawing
    return await digest.draw(prepared)


async def _claim_and_send(
    bot: Bot, session: AsyncSession, i18n: I18n, item: Due, policy: ReminderPolicy,
    now: datetime, prepared: digest.PreparedDigest | None,
) -> str:
    """Claim, render, mark ``sending``, send, record; each step committed where a crash
    must find it. Returns ``taken``, ``missed`` or the outcome of sending."""
    claimed = await scheduler.claim(session, item, now=now, policy=policy)
    await session.commit()
    if claimed != "send":
        return claimed
    # Everything read from the database and rendered before anything is sent: a failure
    # here sends nothing, and an error or a crash here leaves the claim for the next run.
    try:
        outgoing = await _render(session, i18n, item, policy, now, prepared)
    except Exception:
        log.exception("%s for user %s not rendered; tried again next run", item.kind,
                      item.user_id)
        metrics.UPDATE_ERRORS.inc()
        await session.rollback()
        return "retry"
    if isinstance(outgoing, str):
        await scheduler.failed(session, item, now, maybe_sent=False)
        await session.commit()
        return outgoing
    if not await scheduler.sending(session, item, now):
        await session.rollback()  # a later run took it over; it sends it
        return "taken"
    await session.commit()
    outcome, messages = await _send(bot, item, outgoing)
    if messages and outgoing.after is not None:
        await outgoing.after(session, messages)
    if outcome == "sent":
        await scheduler.sent(session, item, now)
    elif outcome == "partial":
        await scheduler.partly_sent(session, item, now)
    elif outcome == "retry":
        await scheduler.release(session, item)
    else:
        await scheduler.failed(session, item, now, maybe_sent=outcome == "unknown")
    await session.commit()
    return outcome


After = Callable[[AsyncSession, list[Message]], Awaitable[None]]


@dataclass(frozen=True)
class _Outgoing:
    """What one item sends, ready to go: its messages in order, and what to record once they
    (or the first of them) went out."""

    parts: list[digest.Part]
    after: After | None = None


async def _render(
    session: AsyncSession, i18n: I18n, item: Due, policy: ReminderPolicy,
    now: datetime, prepared: digest.PreparedDigest | None = None,
) -> _Outgoing | str:
    """The item's messages, or ``failed`` when there is nothing (more) to send."""
    user = await scheduler.recipient(session, item)
    if user is None or not user.active:
        return "failed"
    delivery = _Delivery(session, i18n.get(user.locale), user, item, policy, now, prepared)
    try:
        return await _RENDERERS[item.kind](delivery)
    except (_Undeliverable, DomainError):
        return "failed"


async def _send(bot: Bot, item: Due, outgoing: _Outgoing) -> tuple[str, list[Message]]:
    """Send the parts in order: ``sent``, ``partial`` (a later part failed after an earlier
    one went out), or for the first part ``retry``, ``unknown`` or ``failed``
    (see :func:`outcome_of`); with the messages that went out."""
    messages: list[Message] = []
    try:
        with at_most_once():  # the transport does not repeat a message that may have arrived
            for part in outgoing.parts:
                messages.append(await part(bot))
    except Exception as exc:
        outcome = (outcome_of(exc) if isinstance(exc, TelegramError) else "failed")
        if messages:
            outcome = "partial"  # sending it again would repeat what arrived
        log.warning("%s reminder to user %s not sent (%s: %s): %s", item.kind, item.user_id,
                    type(exc).__name__, exc, outcome,
                    exc_info=not isinstance(exc, TelegramError))  # a bug: its traceback
        return outcome, messages
    return "sent", messages


def outcome_of(error: TelegramError) -> str:
    """``retry`` only when the message surely did not reach Telegram: it refused with 429, or
    no connection was made. A timeout, a dropped connection or a 5xx may hide a message that
    arrived: ``unknown``, never sent again. Anything else Telegram refused: ``failed``."""
    return {"not_sent": "retry", "maybe_sent": "unknown", "refused": "failed"}[certainty(error)]


class _Undeliverable(Exception):
    """The subject is gone (deleted meeting, decided request): nothing to send."""


@dataclass(frozen=True)
class _Delivery:
    session: AsyncSession
    t: Translator
    user: User
    item: Due
    policy: ReminderPolicy
    now: datetime
    prepared: digest.PreparedDigest | None = None

    def message(self, text: str, markup: InlineKeyboardMarkup | None = None) -> _Outgoing:
        chat_id = self.user.telegram_id

        async def send(bot: Bot) -> Message:
            return await bot.send_message(chat_id, text, reply_markup=markup)

        return _Outgoing([send])


async def _personal(d: _Delivery) -> _Outgoing:
    reminder = await scheduler.reminder_of(d.session, d.item)
    if reminder is None:
        raise _Undeliverable
    return d.message(views.fired_reminder(d.t, reminder, d.policy.tz),
                     views.snooze_keyboard(d.t, reminder))


async def _meeting(d: _Delivery) -> _Outgoing:
    meeting = await meetings.get(d.session, d.item.subject_id)
    if meeting is None or not meeting.active or d.item.occurrence is None:
        raise _Undeliverable
    occurrence = meetings.Occurrence(meeting, d.item.occurrence)
    answer = await meetings.my_answer(d.session, d.user, occurrence)
    attendance = (await meetings.attendance(d.session, occurrence)
                  if meetings.oversees(d.user, meeting) else None)
    text = views.meeting_text(d.t, occurrence, d.policy.tz, answer=answer,
                              attendance=attendance, heading="🔔 " + d.t("Reminder"))
    return d.message(text, views.answer_keyboard(d.t, occurrence))


async def _hours(d: _Delivery) -> _Outgoing:
    week = scheduler.week_of_subject(d.item.subject_id)
    text = d.t("🕐 You have not logged any hours this week yet ({start}–{end}). "
               "Please log them now.").format(start=d.t.short_date(week.start),
                                              end=d.t.short_date(week.end))
    return d.message(text, keyboard([[(d.t("Log hours"), callbacks.pack("hrs", "start"))]]))


async def _quota(d: _Delivery) -> _Outgoing:
    week = Week.of(d.item.due_at.astimezone(d.policy.tz).date())
    gaps = [gap for gap in await scheduler.far_from_quota(d.session, week,
                                                         d.policy.quota_flag_percent)
            if gap.team.region_id == d.item.subject_id]
    if not gaps:
        raise _Undeliverable
    t = d.t
    lines = [t("📉 Teams far from their weekly quota (under {percent} %):").format(
        percent=d.policy.quota_flag_percent)]
    lines += [f"• {gap.team.name}: {gap.category.short(t.locale)} "
              f"{t.hours_value(gap.minutes)} / {t.hours(gap.quota)}" for gap in gaps]
    teams = {gap.team.id: gap.team for gap in gaps}
    start = week.start.strftime("%Y%m%d")
    rows = [[(t("Show {team}").format(team=team.name), callbacks.pack("wk", "show", team.id,
                                                                     start))]
            for team in teams.values()]
    return d.message("\n".join(lines), keyboard(rows))


async def _budget(d: _Delivery) -> _Outgoing:
    request = await get_request(d.session, d.item.subject_id)
    if request.state != RequestState.PENDING or request.requester_id == d.user.id:
        raise _Undeliverable  # decided meanwhile; nobody decides their own request
    text, markup = budget_notify.card(
        d.t, request, tz=d.policy.tz, available=await budget_notify.available_for(d.session,
                                                                                request),
        heading=N_("reminder: still undecided"))
    user = d.user

    async def remember(session: AsyncSession, messages: list[Message]) -> None:
        budget_notify.remember_copy(session, request, user, messages[0])

    return replace(d.message(text, markup), after=remember)


async def _digest(d: _Delivery) -> _Outgoing:
    prepared = d.prepared
    if prepared is None:
        raise _Undeliverable  # no longer a lead or administrator
    user, now = d.user, d.now

    async def record(session: AsyncSession, messages: list[Message]) -> None:
        # Also after a part only: what went out is an export to audit.
        await digest.record(session, user, prepared, now=now, source="schedule")

    return _Outgoing(digest.parts(user.telegram_id, prepared), after=record)


_RENDERERS: dict[str, Callable[[_Delivery], Awaitable[_Outgoing]]] = {
    scheduler.PERSONAL: _personal,
    scheduler.MEETING: _meeting,
    scheduler.HOURS: _hours,
    scheduler.QUOTA: _quota,
    scheduler.BUDGET: _budget,
    scheduler.DIGEST: _digest,
}


@leader_only  # several instances: only the one holding the PostgreSQL lock sends
async def _job(context: BotContext) -> None:
    await run_scheduler(context.app)


def schedule(application: BotApp) -> None:
    """Register the one repeating job; its first run catches up on anything missed."""
    if application.job_queue is None:
        return
    interval = timedelta(seconds=application.bot_data["state"].settings.scheduler_interval_seconds)
    application.job_queue.run_repeating(_job, interval=interval, first=interval, name=JOB_NAME)
