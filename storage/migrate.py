"""Programmatic Alembic: bring a database to the newest schema, or inspect it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Advisory lock namespace: instances starting together migrate (and import) one at a time.
SCHEMA_LOCK_NAMESPACE = 7_402_000
_SCHEMA_LOCK = text("SELECT pg_advisory_xact_lock(:ns, hashtext(current_schema()))")


async def lock_schema(connection: AsyncConnection | AsyncSession) -> None:
    """On PostgreSQL, wait until no other instance changes the schema or the organisation.

    Held until the end of the current transaction; a no-op on SQLite, which locks the file.
    """
    bind = connection.bind if isinstance(connection, AsyncSession) else connection
    if bind is not None and bind.dialect.name == "postgresql":
        await connection.execute(_SCHEMA_LOCK, {"ns": SCHEMA_LOCK_NAMESPACE})


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on '%' in passwords.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    await _run_command(engine, lambda cfg: command.upgrade(cfg, revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    await _run_command(engine, lambda cfg: command.downgrade(cfg, revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


def revisions() -> list[str]:
    """Every revision id, from the first to the newest."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def head_revision() -> str | None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_current_head()


async def is_current(engine: AsyncEngine) -> bool:
    return await current_revision(engine) == head_revision()


async def _run_command(engine: AsyncEngine, run: Callable[[Config], None]) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))

    def _in_sync(connection: object) -> None:
        config.attributes["connection"] = connection
        run(config)

    async with engine.begin() as connection:
        await lock_schema(connection)
        await connection.run_sync(_in_sync)
