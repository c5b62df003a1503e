"""The retention of `llm_logs`: rows older than COLONY_LLM_LOG_RETENTION_DAYS go, daily, on one instance."""

from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger

from colony.assistant import service
from colony.core.jobs import Job, JobContext
from colony.core.logging import get_logger

log = get_logger("colony.assistant.jobs")


async def purge_old_logs(context: JobContext) -> int:
    async with context.database.sessionmaker() as session:
        deleted = await service.purge_logs(session, context.settings.llm_log_retention_days)
        await session.commit()
    log.info("llm_logs_purged", rows=deleted, retention_days=context.settings.llm_log_retention_days)
    return deleted


RETENTION = Job(id="assistant.log_retention", run=purge_old_logs, trigger=CronTrigger(hour=3, minute=17),
                first_run_after=timedelta(minutes=5))
