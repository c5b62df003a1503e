"""Background jobs: one APScheduler per process, and "run this job on one instance only".

Register a job with `scheduler.add_job(...)` from the lifespan (see main.py), wrapping its body in
`run_exclusively(engine, "a-unique-name", work)`: on PostgreSQL a session-level advisory lock
(`pg_try_advisory_lock`) makes N instances run it once (the others skip that run); on SQLite, the
embedded single-machine default, the job runs in-process, guarded against overlapping itself.
"""

import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC
from typing import Any, TypeVar

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from colony.core.logging import get_logger

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
