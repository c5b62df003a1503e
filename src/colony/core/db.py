"""Engines and sessions for both engines: PostgreSQL (asyncpg) and the embedded SQLite default."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from colony.core.errors import AppError

# Execution option that marks a connection as read-only, so SQLite may start a DEFERRED transaction.
READ_ONLY = "colony_read_only"
SQLITE_BUSY_TIMEOUT_MS = 30_000
# aiosqlite runs each connection in a thread of its own, and the threads fight over the GIL: requests
# share one connection per engine (measured: more connections serve fewer requests); overflow is for
# work outside requests.
SQLITE_POOL_SIZE, SQLITE_MAX_OVERFLOW = 1, 2
SESSION_WAIT_SECONDS = 30  # as long as the pool itself would wait for a connection


def create_engine(url: str, *, pool_size: int = 5, max_overflow: int = 5, echo: bool = False,
                  autocommit: bool = False) -> AsyncEngine:
    """An engine with its pool. `autocommit` (readers): every statement commits on its own, so a session
    costs no BEGIN and no ROLLBACK, and a connection handed back needs no reset."""
    sa_url = make_url(url)
    if sa_url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(url, echo=echo, autocommit=autocommit)
    options: dict[str, Any] = {"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None} if autocommit else {}
    return create_async_engine(
        url,
        echo=echo,
        **options,
        pool_size=pool_size,
        max_overflow=max_overflow,
        # No pool_pre_ping: it costs a round trip per checkout. A connection found dead fails its
        # request (503) and invalidates the whole pool, so the next requests reconnect.
        pool_recycle=1800,
        hide_parameters=True,  # a logged database error must not carry a password hash or a token
    )


def _create_sqlite_engine(url: str, *, echo: bool, autocommit: bool) -> AsyncEngine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url, echo=echo, pool_size=SQLITE_POOL_SIZE, max_overflow=SQLITE_MAX_OVERFLOW,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        hide_parameters=True,
        # Every call into aiosqlite is a hop to the connection's thread and back: readers skip the reset.
        **({"pool_reset_on_return": None} if autocommit else {}),
    )
    install_sqlite_behaviour(engine, transactions=not autocommit)
    return engine


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def install_sqlite_behaviour(engine: AsyncEngine, *, transactions: bool = True) -> None:
    """Pragmas, and SQLAlchemy's documented fix for pysqlite's transaction handling.

    pysqlite's own BEGIN handling breaks SAVEPOINT; with `isolation_level = None` we emit BEGIN ourselves
    (unless `transactions` is off: then each statement runs in autocommit).
    Writers start with BEGIN IMMEDIATE so they queue on `busy_timeout` for the write lock instead of
    failing with "database is locked" when a deferred read transaction tries to upgrade.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        # SQLite's own lower() folds ASCII only, so "ÉPICERIE" and "épicerie" would be two category
        # names and a search for "CAFÉ" would miss "Café". Python's, like PostgreSQL's, folds Unicode;
        # it also serves ILIKE (lower(x) LIKE lower(y) on SQLite) and the lower(name) unique indexes.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA cache_size=-16384")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    if not transactions:
        return

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class Database:
    """The engines and their session factories: writers, readers, and snapshot readers.

    Readers have an engine of their own in autocommit: no BEGIN/ROLLBACK round trips around a request's
    SELECTs (set once per connection, not per checkout), and on SQLite they read beside the writer
    under WAL. It is also where a read replica would plug in. Snapshot readers share the writers'
    engine and read in one transaction (a deferred one on SQLite).
    """

    def __init__(self, engine: AsyncEngine, bind: AsyncConnection | None = None, *,
                 reader_engine: AsyncEngine | None = None, max_sessions: int = 5) -> None:
        self.engine = engine
        self.reader_engine = reader_engine
        # Requests wait for a session here, first come first served, as many at once as the pool keeps
        # connections open. Without it they would queue in the pool itself, which lets a newcomer take a
        # connection just handed back to a waiter (some requests then wait for seconds under load), and
        # they would keep opening and closing overflow connections; overflow is left to work outside
        # requests (jobs, a principal loaded before the request's session).
        writer_slots = asyncio.Semaphore(max_sessions)
        self._slots = {False: writer_slots,
                       True: asyncio.Semaphore(max_sessions) if reader_engine is not None else writer_slots}
        read_only = {READ_ONLY: True}
        factories: dict[str, AsyncEngine | AsyncConnection]
        if bind is not None:  # a test binds every factory to one connection in an outer transaction it rolls back
            factories = dict.fromkeys(("writer", "reader", "snapshot"), bind)
            join: dict[str, Any] = {"join_transaction_mode": "create_savepoint"}
        else:
            factories = {"writer": engine, "reader": (reader_engine or engine).execution_options(**read_only),
                         "snapshot": engine.execution_options(**read_only)}
            join = {}
        self.sessionmaker = async_sessionmaker(factories["writer"], expire_on_commit=False, autoflush=False, **join)
        self.reader = async_sessionmaker(factories["reader"], expire_on_commit=False, autoflush=False, **join)
        # Reads that must see one snapshot in one transaction: long exports over a server-side cursor.
        self.snapshot_reader = async_sessionmaker(factories["snapshot"], expire_on_commit=False, autoflush=False,
                                                  **join)

    @classmethod
    def from_url(cls, url: str, *, pool_size: int = 5, max_overflow: int = 5) -> "Database":
        engine = create_engine(url, pool_size=pool_size, max_overflow=max_overflow)
        reader_engine = create_engine(url, pool_size=pool_size, max_overflow=max_overflow, autocommit=True)
        max_sessions = SQLITE_POOL_SIZE if engine.dialect.name == "sqlite" else pool_size
        return cls(engine, reader_engine=reader_engine, max_sessions=max_sessions)

    @asynccontextmanager
    async def request_session(self, *, read_only: bool) -> AsyncIterator[AsyncSession]:
        """A request's session, once its turn for a connection has come (503 after SESSION_WAIT_SECONDS)."""
        slots = self._slots[read_only]
        try:
            async with asyncio.timeout(SESSION_WAIT_SECONDS):
                await slots.acquire()
        except TimeoutError:
            raise PoolTimeout(f"no database session free within {SESSION_WAIT_SECONDS} s") from None
        try:
            async with (self.reader if read_only else self.sessionmaker)() as session:
                yield session
        finally:
            slots.release()

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.reader_engine is not None:
            await self.reader_engine.dispose()


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


@asynccontextmanager
async def savepoint(session: AsyncSession, on_violation: type[AppError] | AppError) -> AsyncIterator[None]:
    """The block's writes, flushed in a savepoint when it ends: a unique or foreign-key violation (also one
    a concurrent request causes) rolls back only them and raises `on_violation`, a clean 4xx."""
    try:
        async with session.begin_nested():
            yield
    except IntegrityError:
        raise on_violation from None


_AFTER_COMMIT = "colony_after_commit"


def after_commit(session: AsyncSession, action: Callable[[], Awaitable[None]]) -> None:
    """Run `action` once `commit` has committed the session's transaction (to drop a cached value the
    write made stale: before the commit, a concurrent reader could cache the old one again)."""
    session.info.setdefault(_AFTER_COMMIT, []).append(action)


# SQLSTATEs of a PostgreSQL that is going away or coming back: admin shutdown, crash shutdown, "the database
# system is starting up" (while it replays its log after a restart). Class 08 is the connection's own faults.
_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})


def is_connection_fault(exc: BaseException) -> bool:
    """Whether a database error means the server is out of reach for now (a 503, a job to retry on its next
    run), not an SQL bug (a 500). A PostgreSQL starting up refuses connections with an error the driver
    reports as neither an OperationalError nor an InterfaceError: its SQLSTATE tells."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    for source in (exc.orig, getattr(exc.orig, "__cause__", None)):
        sqlstate = getattr(source, "sqlstate", None)
        if isinstance(sqlstate, str) and (sqlstate.startswith("08") or sqlstate in _UNAVAILABLE_SQLSTATES):
            return True
    return False


async def plan_with_values(session: AsyncSession) -> None:
    """On PostgreSQL, plan each statement of this transaction for its values. A bulk write that makes a table
    grow within one transaction would otherwise reuse, after five runs of a statement, a generic plan made
    while the table was small: a sequential scan (a 100,000-row import's duplicate checks: minutes, not
    seconds, on a new database)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


async def commit(session: AsyncSession) -> None:
    """The one commit of a mutating request, before its response is sent: a failed commit becomes an
    error response instead of a 2xx that lied. Then what `after_commit` queued."""
    await session.commit()
    for action in session.info.pop(_AFTER_COMMIT, []):
        await action()
