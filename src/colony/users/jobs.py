"""Hourly, on one instance: forget the revocations of access tokens that have expired since."""

from datetime import timedelta

from apscheduler.triggers.interval import IntervalTrigger

from colony.core.jobs import Job, JobContext
from colony.core.logging import get_logger
from colony.users import service

log = get_logger("colony.users.jobs")


async def purge_revocations(context: JobContext) -> int:
    async with context.database.sessionmaker() as session:
        deleted = await service.purge_expired_revocations(session)
        await session.commit()
    log.info("revoked_access_tokens_purged", rows=deleted)
    return deleted


PURGE_REVOCATIONS = Job(id="users.revoked_access_tokens_purge", run=purge_revocations,
                        trigger=IntervalTrigger(hours=1), first_run_after=timedelta(minutes=5))
