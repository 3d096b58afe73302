"""Engine and session factory for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool


def is_sqlite_url(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(
    url: str,
    *,
    echo: bool = False,
    pool_size: int = 10,
    connect_args: dict[str, Any] | None = None,
) -> AsyncEngine:
    """Create an async engine with the connection settings this product relies on.

    SQLite: WAL for readers beside one writer, foreign keys on, a busy timeout, and
    ``BEGIN IMMEDIATE`` so that two writers queue instead of failing on a lock upgrade.
    Its connections are pooled: opening one (a thread, the file, the pragmas) cost more
    than the rest of a typical update (``bench/e2e.py``); disposing of the engine closes them.
    SQL parameters (users' texts among them) never appear in logs or error messages.
    """
    if is_sqlite_url(url):
        _ensure_sqlite_dir(url)
        pooling: dict[str, Any] = (
            {"poolclass": NullPool} if make_url(url).database in (None, "", ":memory:")
            else {"pool_size": pool_size, "max_overflow": pool_size})
        engine = create_async_engine(url, echo=echo, hide_parameters=True, **pooling)
        _configure_sqlite(engine)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args=connect_args or {},
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


def _ensure_sqlite_dir(url: str) -> None:
    from pathlib import Path

    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so we can BEGIN IMMEDIATE below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def dialect_of(session: AsyncSession) -> str:
    """``postgresql`` or ``sqlite``: the two backends the project runs on."""
    bind = session.bind
    return "postgresql" if bind is not None and bind.dialect.name == "postgresql" else "sqlite"


def insert_for(session: AsyncSession) -> Any:
    """The backend's INSERT construct, which knows ``ON CONFLICT``."""
    return pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
