"""What a job run does with a failure: the outage of a database is a warning and the next run's business,
a bug is left to surface."""

from datetime import timedelta

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

from colony.config import Settings
from colony.core.cache import MemoryCache
from colony.core.db import Database
from colony.core.jobs import Job, JobContext, run_job


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
    with pytest.raises(ProgrammingError):
        await run_job(failing(ProgrammingError("SELEC 1", {}, Exception("syntax error"))), context)
