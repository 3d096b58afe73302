"""Migrations go up and down on every backend, and match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage import migrate
from storage.models import Base


async def test_schema_matches_models(engine):
    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with engine.connect() as connection:
        assert await connection.run_sync(diff) == []
    assert await migrate.is_current(engine)


async def test_downgrade_to_base_and_up_again(engine):
    await migrate.downgrade(engine, "base")
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
    assert set(tables) <= {"alembic_version"}
    await migrate.upgrade(engine)
    assert await migrate.current_revision(engine) == migrate.head_revision()


async def test_every_revision_goes_up_and_down_one_step_at_a_time(engine):
    """From the first revision to the last and back, each step on its own: a downgrade that
    only works in one big jump from head (or leaves something behind) fails here."""
    await migrate.downgrade(engine, "base")
    revisions = migrate.revisions()
    assert revisions[0] == "0001_foundation" and revisions[-1] == migrate.head_revision()
    tables_at: dict[str | None, set[str]] = {None: await _tables(engine)}
    for revision in revisions:
        await migrate.upgrade(engine, "+1")
        assert await migrate.current_revision(engine) == revision
        tables_at[revision] = await _tables(engine)
    for previous, revision in reversed(list(zip([None, *revisions], revisions, strict=False))):
        assert await migrate.current_revision(engine) == revision
        await migrate.downgrade(engine, "-1")
        assert await _tables(engine) == tables_at[previous], revision
    assert await migrate.current_revision(engine) is None


async def _tables(engine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
