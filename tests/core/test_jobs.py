"""What a job run does with a failure: the outage of a database is a warning and the next run's business,
a bug is left to surface."""

from datetime import timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

from colony.config import Settings
from colony.core.cache import MemoryCache
from colony.core.clock import utcnow
from colony.core.db import Database, is_connection_fault
from colony.core.jobs import Job, JobContext, JobRun, period_of, run_job, run_scheduled


def failing(error: Exception) -> Job:
    async def run(_context: JobContext) -> None:
        raise error

    return Job(id="tests.failing", trigger=IntervalTrigger(seconds=5), run=run, first_run_after=timedelta(0))


async def test_a_database_outage_is_a_skipped_run_and_a_bug_is_not(engine: AsyncEngine, settings: Settings) -> None:
    context = JobContext(database=Database(engine), http=None, cache=MemoryCache(),  # type: ignore[arg-type]
                         settings=settings)
    down = OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))
    assert await run_job(failing(down), context) is None
    assert await run_job(failing(ConnectionResetError()), context) is None
    starting = DBAPIError("SELECT 1", {}, PostgresError("the database system is starting up", "57P03"))
    assert await run_job(failing(starting), context) is None
    with pytest.raises(ProgrammingError):
        await run_job(failing(ProgrammingError("SELEC 1", {}, Exception("syntax error"))), context)


class PostgresError(Exception):
    """What the driver raises, with its SQLSTATE."""

    def __init__(self, message: str, sqlstate: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(("sqlstate", "outage"), [
    ("57P03", True),  # starting up: replaying its log after a restart
    ("57P01", True),  # shut down by an administrator
    ("08006", True),  # the connection failed
    ("42601", False),  # a syntax error: a bug
    ("23505", False),  # a unique violation
])
def test_a_postgresql_coming_back_is_an_outage_not_a_bug(sqlstate: str, outage: bool) -> None:
    assert is_connection_fault(DBAPIError("SELECT 1", {}, PostgresError("refused", sqlstate))) is outage
    wrapped = PostgresError("the adapter's error", "")  # SQLAlchemy's asyncpg adapter: the driver's is the cause
    wrapped.__cause__ = PostgresError("refused", sqlstate)
    assert is_connection_fault(DBAPIError("SELECT 1", {}, wrapped)) is outage


async def test_a_scheduled_job_runs_once_a_period_whichever_instance_fires(engine: AsyncEngine,
                                                                           settings: Settings) -> None:
    context = JobContext(database=Database(engine), http=None, cache=MemoryCache(),  # type: ignore[arg-type]
                         settings=settings)
    runs: list[int] = []

    async def run(_context: JobContext) -> int:
        runs.append(1)
        return len(runs)

    hourly = Job(id="tests.hourly", trigger=IntervalTrigger(hours=1), run=run)
    assert await run_scheduled(hourly, context) == 1
    assert await run_scheduled(hourly, context) is None  # another instance's scheduler, minutes later
    assert await run_job(hourly, context) == 2  # `colony jobs run` always runs
    async with context.database.sessionmaker() as session:  # the last run was 31 minutes ago
        await session.execute(update(JobRun).values(ran_at=utcnow() - timedelta(minutes=31)))
        await session.commit()
    assert await run_scheduled(hourly, context) == 3
    assert period_of(CronTrigger(day_of_week="mon-fri", hour=16, minute=30), utcnow()) >= timedelta(days=1)
