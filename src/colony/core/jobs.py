"""Background jobs: one APScheduler per process, and "run this job on one instance only".

A domain declares its jobs (`Job`) in its `domain.py`; the lifespan schedules every enabled one
(`schedule`). Each run goes through `run_job`, which wraps it in `run_exclusively(engine, name, work)`:
on PostgreSQL a session-level advisory lock (`pg_try_advisory_lock`) makes N instances run it once (the
others skip that run); on SQLite, the embedded single-machine default, the job runs in-process, guarded
against overlapping itself. A failure (an AppError) is logged; the next run retries.

The lock keeps runs from overlapping, not from following one another: each instance's scheduler keeps its
own clock, so an hourly job would run once an hour on every instance. A scheduled run first claims its
period (`claim_period`, one row of `job_runs` per job): it runs only if no instance ran the job in the last
half of the time between two fires. `colony jobs run` and tests call `run_job` and always run.
"""

import hashlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from sqlalchemy import String, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Mapped, mapped_column

from colony.config import Settings
from colony.core.cache import Cache
from colony.core.clock import utcnow
from colony.core.db import Database, is_connection_fault
from colony.core.errors import AppError
from colony.core.logging import get_logger
from colony.core.models import Base

log = get_logger("colony.jobs")

T = TypeVar("T")

JOB_DEFAULTS: dict[str, Any] = {
    "coalesce": True,  # a run missed while the process slept happens once, not once per missed slot
    "max_instances": 1,
    "misfire_grace_time": 3600,
}

_running: set[str] = set()  # names of jobs running in this process


def create_scheduler() -> AsyncIOScheduler:
    """A scheduler on the running event loop (start it inside the lifespan), in UTC."""
    return AsyncIOScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `pg_advisory_lock` (Python's hash() differs between processes)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


async def run_exclusively(engine: AsyncEngine, name: str, job: Callable[[], Awaitable[T]]) -> tuple[bool, T | None]:
    """Run `job` unless another run of `name` holds the lock; returns (ran, result)."""
    if name in _running:
        log.info("job_skipped", job=name, reason="already running in this process")
        return False, None
    _running.add(name)
    try:
        if engine.dialect.name != "postgresql":
            return True, await job()
        key = lock_key(name)
        async with engine.connect() as connection:
            locked = (await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})).scalar()
            await connection.commit()  # the lock belongs to the session, not to this transaction
            if not locked:
                log.info("job_skipped", job=name, reason="running on another instance")
                return False, None
            try:
                return True, await job()
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                await connection.commit()
    finally:
        _running.discard(name)


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a job may use: the process's database, shared HTTP client, cache and settings."""

    database: Database
    http: httpx.AsyncClient
    cache: Cache
    settings: Settings


@dataclass(frozen=True, slots=True)
class Job:
    """Work a domain runs on a schedule, once across all instances (the lock is named after `id`)."""

    id: str
    trigger: BaseTrigger
    run: Callable[[JobContext], Awaitable[Any]]
    first_run_after: timedelta | None = None  # also run this long after start, to catch up
    enabled: Callable[[Settings], bool] = lambda _settings: True

    @property
    def lock_name(self) -> str:
        return f"colony.{self.id}"


async def run_job(job: Job, context: JobContext) -> Any:
    """One run on whichever instance gets the lock: its result, or None when it was skipped or failed."""
    try:
        _ran, result = await run_exclusively(context.database.engine, job.lock_name, lambda: job.run(context))
    except AppError as exc:  # e.g. the rate source is down, or a template's currency has no rate
        log.warning("job_failed", job=job.id, code=exc.code, error=exc.detail_message)
        return None
    except OUTAGES as exc:
        _skip_on_outage(job, exc)
        return None
    return result


OUTAGES = (DBAPIError, OSError, TimeoutError)


def _skip_on_outage(job: Job, exc: BaseException) -> None:
    """The database is out of reach: log it, and the next run tries again. Anything else (an SQL bug) is raised."""
    if isinstance(exc, DBAPIError) and not is_connection_fault(exc):
        raise exc
    log.warning("job_failed", job=job.id, code="DATABASE_UNAVAILABLE", error=type(exc).__name__)


class JobRun(Base):
    """When a scheduled job last ran, on whichever instance (see the module's notes)."""

    __tablename__ = "job_runs"

    job_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    ran_at: Mapped[datetime]


def period_of(trigger: BaseTrigger, now: datetime) -> timedelta:
    """The time between the trigger's next two fires (zero for a trigger that fires once)."""
    first = trigger.get_next_fire_time(None, now)
    second = trigger.get_next_fire_time(first, first) if first is not None else None
    return second - first if first is not None and second is not None else timedelta(0)


async def claim_period(database: Database, job: Job, now: datetime) -> bool:
    """Record that the job runs now, unless an instance ran it less than half a period ago (one statement:
    two instances claiming at once can't both win); whether this run may go ahead."""
    since = now - period_of(job.trigger, now) / 2
    async with database.sessionmaker() as session:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = insert(JobRun).values(job_id=job.id, ran_at=now).on_conflict_do_update(
            index_elements=[JobRun.job_id], set_={"ran_at": now}, where=JobRun.ran_at <= since)
        claimed = (await session.execute(statement.returning(JobRun.job_id))).first() is not None
        await session.commit()
    return claimed


async def run_scheduled(job: Job, context: JobContext) -> Any:
    """A run the scheduler started: `run_job`, once per period across instances."""
    try:
        claimed = await claim_period(context.database, job, utcnow())
    except OUTAGES as exc:
        _skip_on_outage(job, exc)
        return None
    if not claimed:
        log.info("job_skipped", job=job.id, reason="ran on another instance this period")
        return None
    return await run_job(job, context)


def schedule(scheduler: AsyncIOScheduler, jobs: Iterable[Job], context: JobContext) -> None:
    for job in jobs:
        if not job.enabled(context.settings):
            continue
        first_run = utcnow() + job.first_run_after if job.first_run_after is not None else None
        scheduler.add_job(run_scheduled, job.trigger, id=job.id, replace_existing=True,
                          kwargs={"job": job, "context": context},
                          **({"next_run_time": first_run} if first_run is not None else {}))
