"""The scheduler: one JobQueue job that sends what is due, each message exactly once.

:func:`run_scheduler` is the single entry point (tests call it with a moved clock; a lock
for several instances wraps it). It raises FuA requests that waited too long, asks
``bot.services.reminders.scheduler`` what is due, and for each item claims it in the ledger
(committed) before sending. Everything it needs is in the database, so the schedule is
rebuilt from there at every start.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext

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
from handlers import digest
from handlers import reminder_views as views
from handlers.budget_notify import send_cards
from handlers.common import keyboard
from storage.models import Reminder, RequestState, User

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


async def run_scheduler(application: Application) -> Counter[str]:  # type: ignore[type-arg]
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
        async with state.sessions() as session:
            claimed = await scheduler.claim(session, item, now=now, policy=policy)
            await session.commit()
            if claimed == "missed":
                report["missed"] += 1
            if claimed != "send":
                continue
            outcome = await _deliver(application.bot, session, state.i18n, item, policy, now,
                                     prepared)
            if outcome == "sent":
                await scheduler.sent(session, item, now)
                report[item.kind] += 1
                if item.kind != scheduler.DIGEST:
                    metrics.REMINDERS_SENT.inc()
            elif outcome == "retry":
                await scheduler.release(session, item)
            else:
                await scheduler.failed(session, item, now, maybe_sent=outcome == "unknown")
            await session.commit()
            if item.kind == scheduler.DIGEST and outcome != "retry":
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
        user = await session.get(User, item.user_id)
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


async def _deliver(
    bot: Bot, session: AsyncSession, i18n: I18n, item: Due, policy: ReminderPolicy,
    now: datetime, prepared: digest.PreparedDigest | None = None,
) -> str:
    """Send one item: ``sent``, ``retry``, ``unknown`` or ``failed`` (see :func:`outcome_of`)."""
    user = await session.get(User, item.user_id)
    if user is None or not user.active:
        return "failed"
    delivery = _Delivery(bot, session, i18n.get(user.locale), user, item, policy, i18n, now,
                         prepared)
    try:
        with at_most_once():  # the transport does not repeat a message that may have arrived
            await _SENDERS[item.kind](delivery)
    except (_Undeliverable, DomainError):
        return "failed"
    except TelegramError as exc:
        outcome = outcome_of(exc)
        log.warning("%s reminder to user %s not sent (%s: %s): %s", item.kind, user.id,
                    type(exc).__name__, exc.message, outcome)
        return outcome
    except Exception:
        log.exception("%s reminder to user %s failed", item.kind, user.id)
        return "failed"
    return "sent"


def outcome_of(error: TelegramError) -> str:
    """``retry`` only when the message surely did not reach Telegram: it refused with 429, or
    no connection was made. A timeout, a dropped connection or a 5xx may hide a message that
    arrived: ``unknown``, never sent again. Anything else Telegram refused: ``failed``."""
    return {"not_sent": "retry", "maybe_sent": "unknown", "refused": "failed"}[certainty(error)]


class _Undeliverable(Exception):
    """The subject is gone (deleted meeting, decided request): nothing to send."""


@dataclass(frozen=True)
class _Delivery:
    bot: Bot
    session: AsyncSession
    t: Translator
    user: User
    item: Due
    policy: ReminderPolicy
    i18n: I18n
    now: datetime
    prepared: digest.PreparedDigest | None = None

    async def send(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        await self.bot.send_message(self.user.telegram_id, text, reply_markup=markup)


async def _personal(d: _Delivery) -> None:
    reminder = await d.session.get(Reminder, d.item.subject_id)
    if reminder is None:
        raise _Undeliverable
    await d.send(views.fired_reminder(d.t, reminder, d.policy.tz),
                 views.snooze_keyboard(d.t, reminder))


async def _meeting(d: _Delivery) -> None:
    meeting = await meetings.get(d.session, d.item.subject_id)
    if meeting is None or not meeting.active or d.item.occurrence is None:
        raise _Undeliverable
    occurrence = meetings.Occurrence(meeting, d.item.occurrence)
    answer = await meetings.my_answer(d.session, d.user, occurrence)
    attendance = (await meetings.attendance(d.session, occurrence)
                  if meetings.oversees(d.user, meeting) else None)
    text = views.meeting_text(d.t, occurrence, d.policy.tz, answer=answer,
                              attendance=attendance, heading="🔔 " + d.t("Reminder"))
    await d.send(text, views.answer_keyboard(d.t, occurrence))


async def _hours(d: _Delivery) -> None:
    week = scheduler.week_of_subject(d.item.subject_id)
    text = d.t("🕐 You have not logged any hours this week yet ({start}–{end}). "
               "Please log them now.").format(start=d.t.short_date(week.start),
                                              end=d.t.short_date(week.end))
    await d.send(text, keyboard([[(d.t("Log hours"), callbacks.pack("hrs", "start"))]]))


async def _quota(d: _Delivery) -> None:
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
    await d.send("\n".join(lines), keyboard(rows))


async def _budget(d: _Delivery) -> None:
    request = await get_request(d.session, d.item.subject_id)
    if request.state != RequestState.PENDING:
        raise _Undeliverable  # decided meanwhile
    today = d.item.due_at.astimezone(d.policy.tz).date()
    sent = await send_cards(d.bot, d.session, d.i18n, request, today=today, tz=d.policy.tz,
                            heading=N_("reminder: still undecided"), only=[d.user])
    if not sent:
        raise _Undeliverable


async def _digest(d: _Delivery) -> None:
    if d.prepared is None:
        raise _Undeliverable  # no longer a lead or administrator
    await digest.deliver(d.bot, d.user.telegram_id, d.prepared)
    await digest.record(d.session, d.user, d.prepared, now=d.now, source="schedule")


_SENDERS: dict[str, Callable[[_Delivery], Awaitable[None]]] = {
    scheduler.PERSONAL: _personal,
    scheduler.MEETING: _meeting,
    scheduler.HOURS: _hours,
    scheduler.QUOTA: _quota,
    scheduler.BUDGET: _budget,
    scheduler.DIGEST: _digest,
}


@leader_only  # several instances: only the one holding the PostgreSQL lock sends
async def _job(context: CallbackContext) -> None:  # type: ignore[type-arg]
    await run_scheduler(context.application)


def schedule(application: Application) -> None:  # type: ignore[type-arg]
    """Register the one repeating job; its first run catches up on anything missed."""
    if application.job_queue is None:
        return
    interval = timedelta(seconds=application.bot_data["state"].settings.scheduler_interval_seconds)
    application.job_queue.run_repeating(_job, interval=interval, first=interval, name=JOB_NAME)
