"""``sozialraum-bot users …`` and ``retention run`` as an administrator runs them on the server."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.services import access
from storage.db import create_engine, create_session_factory
from storage.models import AuditEntry, Role, User
from tests.support.cli import run


def _register(url: str, *people: tuple[str, str, str | None]) -> list[int]:
    async def go() -> list[int]:
        engine = create_engine(url)
        ids = []
        now = datetime.now(UTC)
        async with create_session_factory(engine)() as session, session.begin():
            for number, (name, role, team) in enumerate(people):
                new = await access.create_invitation(session, role=Role(role), now=now,
                                                     ttl=timedelta(days=1), team_key=team)
                registration = await access.register(
                    session, telegram_id=5000 + number, display_name=name, locale="de",
                    code=new.code, now=now)
                ids.append(registration.user.id)
        await engine.dispose()
        return ids

    return asyncio.run(go())


def _query(url: str, statement):
    async def go():
        engine = create_engine(url)
        async with create_session_factory(engine)() as session:
            rows = (await session.execute(statement)).all()
        await engine.dispose()
        return rows

    return asyncio.run(go())


def test_users_and_retention_on_the_command_line(env, tmp_path):
    assert run("org", "import", env=env, cwd=tmp_path).returncode == 0
    url = env["DATABASE_URL"]
    ada, pia = _register(url, ("Ada", "admin", None), ("Pia", "provider", "nord-a"))

    listing = run("users", "list", env=env, cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "Pia" in listing.stdout and "nord-a" in listing.stdout and "2 people" in listing.stdout
    only_admins = run("users", "list", "--role", "admin", env=env, cwd=tmp_path).stdout
    assert "Ada" in only_admins and "Pia" not in only_admins

    last = run("users", "deactivate", str(ada), env=env, cwd=tmp_path)
    assert last.returncode == 2 and "last active administrator" in last.stderr
    assert run("users", "role", str(pia), "lead", "--region", "sued", env=env,
               cwd=tmp_path).returncode == 0
    assert "deactivate done" in run("users", "deactivate", str(pia), env=env, cwd=tmp_path).stdout
    again = run("users", "deactivate", str(pia), env=env, cwd=tmp_path)
    assert again.returncode == 2 and "already deactivated" in again.stderr

    export = run("users", "export", str(pia), env=env, cwd=tmp_path)
    assert export.returncode == 0, export.stderr
    data = json.loads(export.stdout)
    assert data["account"]["display_name"] == "Pia" and data["account"]["role"] == "lead"

    erase = run("users", "erase", str(pia), env=env, cwd=tmp_path)
    assert erase.returncode == 0 and erase.stdout.startswith("erased:")
    assert _query(url, select(User.display_name).where(User.id == pia)) == [("",)]
    assert run("users", "export", str(pia), env=env, cwd=tmp_path).returncode == 2

    purge = run("retention", "run", env=env, cwd=tmp_path)
    assert purge.returncode == 0 and "hour_entries=0" in purge.stdout
    actions = {action for (action,) in _query(url, select(AuditEntry.action))}
    assert {"user.role_changed", "user.deactivated", "export.personal_data",
            "user.erased"} <= actions
