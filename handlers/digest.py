"""/digest: leads and administrators see and change their digest schedule, or get it now.

The scheduled digests are sent by the scheduler (``handlers/scheduler.py``), which uses
:func:`prepare` and :func:`parts` from here: the figures and the chart are made before the
delivery is claimed in the ledger, so a digest whose preparation fails is tried again on the
next run rather than lost. Every digest that goes out is audited as ``export.digest``.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InputFile, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.errors import N_, STALE, InvalidInput
from bot.i18n import Translator
from bot.services import audit
from bot.services.digest import chart as digest_chart
from bot.services.digest import figures, schedule
from bot.services.digest.schedule import DAILY, OFF, WEEKLY, Schedule
from bot.services.hours import HoursPolicy
from handlers import digest_views as views
from handlers.common import answer, claim_press, keyboard, local_now, pressed_data, show
from handlers.context import BotApp, BotContext
from handlers.registry import Command, Feature
from storage.models import Role, User

PREFIX = "dig"
RECIPIENTS = frozenset({Role.LEAD, Role.ADMIN})
TIMES = ("06:30", "07:00", "07:30", "08:00", "08:30", "09:00", "10:00", "12:00", "14:00",
         "16:00")
_NOW_WORDS = frozenset({"now", "jetzt", "sofort"})


@dataclass(frozen=True)
class PreparedDigest:
    text: views.DigestText
    chart: digest_chart.Chart | None
    scope_key: str  # for the audit log: region ids, or "all"
    png: bytes | None = None  # the chart, once drawn


async def prepare(
    session: AsyncSession, t: Translator, user: User, *, as_of: datetime, now: datetime,
    tz: tzinfo, hours: HoursPolicy,
) -> PreparedDigest:
    """The user's digest as of ``as_of``: figures (read in ``session``) and text; the chart
    is drawn by :func:`draw`, after the caller is done with the database."""
    scope = figures.scope_of(user)
    since = await schedule.last_sent(session, user.id) or as_of - timedelta(days=7)
    digest = await figures.compute(session, scope, as_of=as_of, now=now, tz=tz, hours=hours,
                                   members_since=since)
    digest = replace(digest, new_members=[m for m in digest.new_members if m.user_id != user.id])
    chart = views.chart_of(t, digest)
    key = "all" if scope.region_ids is None else ",".join(map(str, sorted(scope.region_ids)))
    return PreparedDigest(views.render(t, digest, tz, with_chart=chart is not None), chart, key)


async def draw(digest: PreparedDigest) -> PreparedDigest:
    """Render the chart in a worker thread (a second or less), so the bot goes on meanwhile."""
    if digest.chart is None:
        return digest
    return replace(digest, png=await asyncio.to_thread(digest_chart.render_png, digest.chart))


Part = Callable[[Bot], Awaitable[Message]]


def parts(chat_id: int, digest: PreparedDigest) -> list[Part]:
    """The digest's messages in order: the chart with its caption (or the first text), then
    the rest of the text. The scheduler sends them one by one to know how far it got."""
    first: Part
    if digest.png is not None:
        png = digest.png
        first = functools.partial(_photo, chat_id=chat_id, png=png, caption=digest.text.caption)
    else:
        first = functools.partial(_text, chat_id=chat_id, text=digest.text.caption)
    return [first, *(functools.partial(_text, chat_id=chat_id, text=message)
                     for message in digest.text.messages)]


async def _photo(bot: Bot, *, chat_id: int, png: bytes, caption: str) -> Message:
    return await bot.send_photo(chat_id, InputFile(png, filename="digest.png"), caption=caption)


async def _text(bot: Bot, *, chat_id: int, text: str) -> Message:
    return await bot.send_message(chat_id, text)


async def deliver(bot: Bot, chat_id: int, digest: PreparedDigest) -> None:
    """Send all of the digest's :func:`parts`."""
    for part in parts(chat_id, digest):
        await part(bot)


async def record(
    session: AsyncSession, user: User, digest: PreparedDigest, *, now: datetime, source: str
) -> None:
    """A digest went out: remember when (new members are counted from then) and audit it."""
    await schedule.record_sent(session, user.id, now)
    audit.record(session, at=now, actor_id=user.id if source == "chat" else None,
                 action="export.digest", subject_type="user", subject_id=user.id,
                 scope=digest.scope_key, source=source, chart=digest.chart is not None)


# --- /digest -----------------------------------------------------------------------------------


def _default(context: BotContext) -> Schedule:
    return schedule.office_default(context.state.settings.digest_default)


async def digest_command(update: Update, context: BotContext) -> None:
    """/digest: the schedule with buttons; /digest now; /digest jeden Montag 8:00 | aus."""
    scope = context.scope
    user = scope.require_user()
    words = context.args or []
    if not words:
        await _overview(update, context)
        return
    if len(words) == 1 and words[0].lower() in _NOW_WORDS:
        await _send_now(update, context)
        return
    chosen = schedule.parse_schedule(" ".join(words), local_now(context))
    await schedule.choose(scope.session, user, chosen, now=scope.now, default=_default(context))
    await scope.commit()
    await _overview(update, context, note=context.t("Saved."))


async def _overview(update: Update, context: BotContext, note: str | None = None) -> None:
    t, scope = context.t, context.scope
    choice = await schedule.current(scope.session, scope.require_user(), _default(context))
    lines = [*([note, ""] if note else []),
             "<b>📊 " + t("Your digest") + "</b>",
             t("Where each team stands (leads: their region; administrators: every region): "
               "last week's hours against the quotas and the trend, who logged nothing, the "
               "FuA budget and requests waiting for a decision, the next meetings, open "
               "questions and new members, with a chart."),
             "",
             t("Schedule: {schedule}").format(schedule=views.schedule_text(t, choice))]
    rows = [[(t("📨 Send it now"), callbacks.pack(PREFIX, "now"))],
            [(t("Weekly"), callbacks.pack(PREFIX, "weekly")),
             (t("Mon–Fri"), callbacks.pack(PREFIX, "daily")),
             (t("Off"), callbacks.pack(PREFIX, "off"))]]
    if choice.own:
        rows.append([(t("Office default"), callbacks.pack(PREFIX, "default"))])
    await show(update, context, "\n".join(lines), keyboard(rows))


async def _send_now(update: Update, context: BotContext) -> None:
    scope, settings = context.scope, context.state.settings
    user = scope.require_user()
    digest = await prepare(scope.session, context.t, user, as_of=scope.now, now=scope.now,
                           tz=settings.tz, hours=context.state.org.hours)
    await record(scope.session, user, digest, now=scope.now, source="chat")
    await scope.commit()
    await deliver(context.bot, user.telegram_id, await draw(digest))


def _clock(text: str | None) -> time:
    if text is None or len(text) != 4 or not text.isdigit():
        raise InvalidInput(STALE)
    hour, minute = int(text[:2]), int(text[2:])
    if hour > 23 or minute > 59:
        raise InvalidInput(STALE)
    return time(hour, minute)


def _times(context: BotContext, action: str, *args: str | int) -> list[list[tuple[str, str]]]:
    buttons = [(at, callbacks.pack(PREFIX, action, *args, at.replace(":", ""))) for at in TIMES]
    return [buttons[i:i + 5] for i in range(0, len(buttons), 5)] + [
        [(context.t("◀ Back"), callbacks.pack(PREFIX, "home"))]]


async def pressed(update: Update, context: BotContext) -> None:
    """The schedule's buttons; each press is checked again (role, values)."""
    await answer(update)
    data = pressed_data(update, PREFIX)
    scope, t = context.scope, context.t
    user = scope.require_user()
    schedule.require_recipient(user)
    action = data.action
    if action == "home":
        await _overview(update, context)
    elif action == "now":
        if await claim_press(update, context, "digest-now"):
            await _send_now(update, context)
    elif action == "weekly":
        days = [(t.weekday(day + 1), callbacks.pack(PREFIX, "day", day)) for day in range(7)]
        await show(update, context, t("On which day?"), keyboard(
            [days[:4], days[4:], [(t("◀ Back"), callbacks.pack(PREFIX, "home"))]]))
    elif action == "day":
        day = data.int_arg(0)
        if day is None or day > 6:
            raise InvalidInput(STALE)
        await show(update, context, t("{weekday}: at what time?").format(
            weekday=t.weekday(day + 1)), keyboard(_times(context, "wt", day)))
    elif action == "daily":
        await show(update, context, t("Monday to Friday: at what time?"),
                   keyboard(_times(context, "dt")))
    elif action in ("wt", "dt", "off", "default"):
        await _save(update, context, data)
    else:
        raise InvalidInput(STALE)


async def _save(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    scope = context.scope
    chosen: Schedule | None
    if data.action == "wt":
        day = data.int_arg(0)
        if day is None or day > 6:
            raise InvalidInput(STALE)
        chosen = Schedule(WEEKLY, day, _clock(data.arg(1)))
    elif data.action == "dt":
        chosen = Schedule(DAILY, 0, _clock(data.arg(0)))
    elif data.action == "off":
        chosen = Schedule(OFF)
    else:
        chosen = None
    await schedule.choose(scope.session, scope.require_user(), chosen, now=scope.now,
                          default=_default(context))
    await scope.commit()
    await _overview(update, context, note=context.t("Saved."))


def register(application: BotApp) -> None:
    application.add_handler(CommandHandler("digest", digest_command))
    application.add_handler(CallbackQueryHandler(pressed, pattern=callbacks.pattern(PREFIX)))


def _digest_description(role: Role, steering_group: bool) -> str:
    if schedule.role_sees_every_region(role, steering_group):
        return N_("Digest of all regions: schedule, or /digest now")
    return N_("Digest of your region: schedule, or /digest now")


FEATURE = Feature(
    name="digest",
    register=register,
    commands=(Command("digest", N_("Digest of your region: schedule, or /digest now"),
                      roles=RECIPIENTS, steering_group=True, describe=_digest_description),),
)
