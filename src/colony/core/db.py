"""Engines and sessions for both engines: PostgreSQL (asyncpg) and the embedded SQLite default."""

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine

# Execution option that marks a connection as read-only, so SQLite may start a DEFERRED transaction.
READ_ONLY = "colony_read_only"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def create_engine(url: str, *, pool_size: int = 5, max_overflow: int = 5, echo: bool = False) -> AsyncEngine:
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(url, echo=echo)
    return create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=max_overflow,
        # No pool_pre_ping: it costs a round trip per checkout. A connection found dead fails its
        # request (503) and invalidates the whole pool, so the next requests reconnect.
        pool_recycle=1800,
        hide_parameters=True,  # a logged database error must not carry a password hash or a token
    )


def _create_sqlite_engine(url: str, *, echo: bool) -> AsyncEngine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # aiosqlite runs every connection in its own thread that competes for the GIL: a small pool serves more.
    engine = create_async_engine(
        url, echo=echo, pool_size=2, max_overflow=2, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        hide_parameters=True,
    )
    install_sqlite_behaviour(engine)
    return engine


def install_sqlite_behaviour(engine: AsyncEngine) -> None:
    """Pragmas, and SQLAlchemy's documented fix for pysqlite's transaction handling.

    pysqlite's own BEGIN handling breaks SAVEPOINT; with `isolation_level = None` we emit BEGIN ourselves.
    Writers start with BEGIN IMMEDIATE so they queue on `busy_timeout` for the write lock instead of
    failing with "database is locked" when a deferred read transaction tries to upgrade.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _reader_options(engine: AsyncEngine) -> dict[str, Any]:
    # PostgreSQL readers run in autocommit: no BEGIN/ROLLBACK round trips around a request's SELECTs.
    if engine.dialect.name == "postgresql":
        return {READ_ONLY: True, "isolation_level": "AUTOCOMMIT"}
    return {READ_ONLY: True}


class Database:
    """The engine and its two session factories: one for writers, one for readers.

    Readers begin DEFERRED on SQLite so they run beside the writer under WAL; on PostgreSQL the two
    are the same (and the reader is where a read replica would plug in).
    """

    def __init__(self, engine: AsyncEngine, bind: AsyncEngine | AsyncConnection | None = None) -> None:
        self.engine = engine
        target = bind if bind is not None else engine
        # A test binds both factories to one connection inside an outer transaction it rolls back.
        join: dict[str, Any] = (
            {"join_transaction_mode": "create_savepoint"} if isinstance(target, AsyncConnection) else {}
        )
        reader = target if isinstance(target, AsyncConnection) else engine.execution_options(**_reader_options(engine))
        snapshot = target if isinstance(target, AsyncConnection) else engine.execution_options(**{READ_ONLY: True})
        self.sessionmaker = async_sessionmaker(target, expire_on_commit=False, autoflush=False, **join)
        self.reader = async_sessionmaker(reader, expire_on_commit=False, autoflush=False, **join)
        # Reads that must see one snapshot in one transaction: long exports over a server-side cursor.
        self.snapshot_reader = async_sessionmaker(snapshot, expire_on_commit=False, autoflush=False, **join)

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> "Database":
        return cls(create_engine(url, **kwargs))


async def ping(engine: AsyncEngine) -> None:
    """Round-trip to the database; raises when it cannot be reached.

    A pooled connection that died with a restarted server fails once and invalidates the pool; the
    second attempt then tells whether the database itself is back.
    """
    for attempt in (1, 2):
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return
        except DBAPIError as exc:
            if attempt == 2 or not exc.connection_invalidated:
                raise
