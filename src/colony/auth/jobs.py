"""Hourly, on one instance: forget the failed logins that no longer count towards a lockout."""

from datetime import timedelta

from apscheduler.triggers.interval import IntervalTrigger

from colony.auth import lockout
from colony.core.clock import utcnow
from colony.core.jobs import Job, JobContext
from colony.core.logging import get_logger

log = get_logger("colony.auth.jobs")


async def purge_login_failures(context: JobContext) -> int:
    async with context.database.sessionmaker() as session:
        deleted = await lockout.purge(session, utcnow())
        await session.commit()
    log.info("login_failures_purged", rows=deleted)
    return deleted


PURGE_LOGIN_FAILURES = Job(id="auth.login_failures_purge", run=purge_login_failures,
                           trigger=IntervalTrigger(hours=1), first_run_after=timedelta(minutes=5))
