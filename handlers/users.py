"""/users: administrators list people by team or role, deactivate, reactivate, change roles,
and add people to the steering group (the digest and reports of every region).

Stateless: every screen is rebuilt from the callback data, and every change is re-checked by
:mod:`bot.services.users` against the administrator's role and the person's current state.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.errors import N_, STALE, InvalidInput
from bot.i18n import Translator
from bot.services import users
from bot.services.users import UserFilter
from handlers.common import answer, keyboard, pressed_data, require_role, show
from handlers.context import BotApp, BotContext
from handlers.labels import role_name
from handlers.menu import publish_user_menu
from handlers.privacy import end_chat_session
from handlers.registry import Command, Feature
from storage.models import Role, User

PREFIX = "usr"
UNIT_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")  # team and region keys
Rows = list[list[tuple[str, str]]]


def _data(action: str, *args: str | int) -> str:
    return callbacks.pack(PREFIX, action, *args)


def _encode(wanted: UserFilter) -> str:
    if wanted.inactive:
        return "x"
    if wanted.role is not None:
        return f"r-{wanted.role.value}"
    if wanted.team_id is not None:
        return f"t-{wanted.team_id}"
    return "a"


def _decode(text: str | None) -> UserFilter:
    kind, _, value = (text or "").partition("-")
    try:
        if kind == "a":
            return UserFilter()
        if kind == "x":
            return UserFilter(inactive=True)
        if kind == "r":
            return UserFilter(role=Role(value))
        if kind == "t" and value.isdigit():
            return UserFilter(team_id=int(value))
    except ValueError:
        pass
    raise InvalidInput(STALE)


async def users_command(update: Update, context: BotContext) -> None:
    """Show the first page of active people."""
    require_role(context, Role.ADMIN)
    await _list(update, context, UserFilter(), 0)


async def _list(update: Update, context: BotContext, wanted: UserFilter, page: int) -> None:
    scope, t = context.scope, context.t
    result = await users.list_users(scope.session, scope.require_user(), wanted, page)
    heading = t("<b>Users</b> – {filter} (page {page} of {pages}, {count} in all)").format(
        filter=await _filter_name(context, wanted), page=result.page + 1, pages=result.pages,
        count=result.total)
    lines = [heading]
    rows: Rows = []
    for number, user in enumerate(result.users, start=result.page * users.PAGE_SIZE + 1):
        lines.append(f"{number}. {_summary(t, user)}")
        rows.append([(f"{number}. {user.display_name}"[:60], _data("u", user.id))])
    if not result.users:
        lines.append(t("Nobody here."))
    code = _encode(wanted)
    nav = [(t("Filter"), _data("flt"))]
    if result.page > 0:
        nav.insert(0, ("◀", _data("ls", code, result.page - 1)))
    if result.page + 1 < result.pages:
        nav.append(("▶", _data("ls", code, result.page + 1)))
    await show(update, context, "\n".join(lines), keyboard([*rows, nav]))


async def _filter_name(context: BotContext, wanted: UserFilter) -> str:
    t = context.t
    if wanted.inactive:
        return t("deactivated")
    if wanted.role is not None:
        return role_name(t, wanted.role)
    if wanted.team_id is not None:
        scope = context.scope
        team = next((team for team in await users.teams(scope.session, scope.require_user())
                     if team.id == wanted.team_id), None)
        return html.escape(team.name) if team else "?"
    return t("all active")


def _summary(t: Translator, user: User) -> str:
    parts = [html.escape(user.display_name), role_name(t, user.role)]
    teams = ", ".join(sorted(m.team.name for m in user.memberships))
    if teams:
        parts.append(html.escape(teams))
    elif user.region is not None:
        parts.append(html.escape(user.region.name))
    return " · ".join(parts)


async def _filters(update: Update, context: BotContext) -> None:
    t = context.t
    rows: Rows = [[(t("All active"), _data("ls", "a", 0)),
                   (t("Deactivated"), _data("ls", "x", 0))]]
    roles = [(role_name(t, role), _data("ls", f"r-{role.value}", 0)) for role in Role]
    rows += [roles[i:i + 2] for i in range(0, len(roles), 2)]
    scope = context.scope
    teams = [(team.name, _data("ls", f"t-{team.id}", 0))
             for team in await users.teams(scope.session, scope.require_user())]
    rows += [teams[i:i + 2] for i in range(0, len(teams), 2)]
    await show(update, context, t("Show which people?"), keyboard(rows))


async def _card(update: Update, context: BotContext, user: User, notice: str = "") -> None:
    scope, t = context.scope, context.t
    tz = context.state.settings.tz
    lines = [f"<b>{html.escape(user.display_name)}</b>",
             t("Role: {role}").format(role=role_name(t, user.role))]
    teams = ", ".join(sorted(m.team.name for m in user.memberships))
    if teams:
        lines.append(t("Teams: {teams}").format(teams=html.escape(teams)))
    if user.region is not None:
        lines.append(t("Region: {region}").format(region=html.escape(user.region.name)))
    if user.steering_group:
        lines.append(t("Member of the steering group (digest and reports of every region)"))
    lines.append(t("Registered on {date}").format(date=t.date(user.created_at.astimezone(tz))))
    rows: Rows = []
    steering: list[tuple[str, str]] = []
    if user.active:
        lines.append(t("Active"))
        buttons = [(t("Deactivate"), _data("off", user.id)),
                   (t("Change role"), _data("role", user.id))]
        if users.may_join_steering_group(user):
            steering = [(t("Remove from the steering group"), _data("sg", user.id, 0))
                         if user.steering_group else
                         (t("Add to the steering group"), _data("sg", user.id, 1))]
    else:
        since = (user.deactivated_at or scope.now).astimezone(tz)
        erase_on = since + timedelta(days=context.state.settings.retention_inactive_users_days)
        lines.append(t("Deactivated on {date}; personal data will be anonymised on {erase}.")
                     .format(date=t.date(since), erase=t.date(erase_on)))
        buttons = [(t("Reactivate"), _data("on", user.id))]
    if user.id != scope.require_user().id:
        rows += [buttons, *([steering] if steering else [])]
    rows.append([(t("« Back"), _data("ls", "a" if user.active else "x", 0))])
    text = "\n".join(lines)
    await show(update, context, f"{notice}\n\n{text}" if notice else text, keyboard(rows))


async def pressed(update: Update, context: BotContext) -> None:
    """Every button of /users; the services check role and state again."""
    await answer(update)
    require_role(context, Role.ADMIN)
    data = pressed_data(update, PREFIX)
    scope, t = context.scope, context.t
    admin = scope.require_user()
    if data.action == "ls":
        await _list(update, context, _decode(data.arg(0)), data.int_arg(1) or 0)
        return
    if data.action == "flt":
        await _filters(update, context)
        return
    target_id = data.int_arg(0)
    if data.action == "u":
        await _card(update, context, await users.get_user(scope.session, admin, target_id))
    elif data.action == "off":
        user = await users.get_user(scope.session, admin, target_id)
        days = context.state.settings.retention_inactive_users_days
        await show(update, context, t(
            "Deactivate {name}? The access ends at once; the personal data is anonymised "
            "after {days} days unless you reactivate the account before."
        ).format(name=html.escape(user.display_name), days=days), keyboard([
            [(t("Yes, deactivate"), _data("offok", user.id))],
            [(t("Cancel"), _data("u", user.id))],
        ]))
    elif data.action == "offok":
        user = await users.deactivate(scope.session, actor=admin, user_id=target_id,
                                      now=scope.now)
        await scope.commit()
        await end_chat_session(context.app, user.telegram_id)
        await _card(update, context, user, t("Deactivated."))
    elif data.action == "on":
        user = await users.reactivate(scope.session, actor=admin, user_id=target_id,
                                      now=scope.now)
        await scope.commit()
        await _refresh_menu(context, user)
        await _card(update, context, user, t("Reactivated."))
    elif data.action == "role":
        await _ask_role(update, context, await users.get_user(scope.session, admin, target_id))
    elif data.action == "sg":
        member = data.int_arg(1)
        if member not in (0, 1):
            raise InvalidInput(STALE)
        user = await users.set_steering_group(scope.session, actor=admin, user_id=target_id,
                                              member=bool(member), now=scope.now)
        await scope.commit()
        await _refresh_menu(context, user)  # /digest and /report come or go
        await _card(update, context, user, t("Added to the steering group.") if member
                    else t("Removed from the steering group."))
    elif data.action in ("rs", "ru"):
        await _role_chosen(update, context, target_id, data.arg(1), data.arg(2))
    else:
        raise InvalidInput(STALE)


async def _ask_role(update: Update, context: BotContext, user: User) -> None:
    t = context.t
    roles = [(role_name(t, role), _data("rs", user.id, role.value)) for role in Role
             if role != user.role or Role(user.role).is_team_role]
    rows: Rows = [roles[i:i + 2] for i in range(0, len(roles), 2)]
    rows.append([(t("Cancel"), _data("u", user.id))])
    await show(update, context, t("New role for {name}?").format(
        name=html.escape(user.display_name)), keyboard(rows))


async def _role_chosen(
    update: Update, context: BotContext, target_id: int | None, role_text: str | None,
    unit: str | None,
) -> None:
    scope, t = context.scope, context.t
    admin = scope.require_user()
    try:
        role = Role(role_text or "")
    except ValueError:
        raise InvalidInput(STALE) from None
    if unit is not None and not UNIT_KEY.match(unit):
        raise InvalidInput(STALE)
    user = await users.get_user(scope.session, admin, target_id)
    if unit is None and (users.needs_unit(user, role) or role == user.role):
        units = await users.units_for(scope.session, admin, role)
        question = t("For which region?") if role == Role.LEAD else t("For which team?")
        rows: Rows = [[(unit.name, _data("ru", user.id, role.value, unit.key))]
                      for unit in units]
        rows.append([(t("Cancel"), _data("u", user.id))])
        await show(update, context, question, keyboard(rows))
        return
    user = await users.change_role(scope.session, actor=admin, user_id=user.id, role=role,
                                   unit_key=unit, now=scope.now)
    await scope.commit()
    await _refresh_menu(context, user)
    await _card(update, context, user, t("Role changed."))


async def _refresh_menu(context: BotContext, user: User) -> None:
    """The person's command menu follows their new role, in their language."""
    await publish_user_menu(context.bot, user.telegram_id, Role(user.role),
                            context.state.i18n.get(user.locale), context.state.org,
                            steering_group=user.steering_group)


def register(application: BotApp) -> None:
    application.add_handler(CommandHandler("users", users_command))
    application.add_handler(CallbackQueryHandler(pressed, pattern=callbacks.pattern(PREFIX)))


FEATURE = Feature(
    name="users",
    register=register,
    commands=(Command("users", N_("People: deactivate, reactivate, change roles"),
                      roles=frozenset({Role.ADMIN})),),
)
