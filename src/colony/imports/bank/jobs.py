"""The background runner of large imports, as a job: it picks up imports that no runner took (the instance
that queued one stopped before running it, or died while running it)."""

from datetime import timedelta

from apscheduler.triggers.interval import IntervalTrigger

from colony.core.jobs import Job, JobContext
from colony.imports.bank import runner


async def _run_waiting(context: JobContext) -> int:
    return await runner.run_waiting(context.database, context.cache)


RUN_WAITING_IMPORTS = Job(id="imports.run_waiting", trigger=IntervalTrigger(seconds=30), run=_run_waiting,
                          first_run_after=timedelta(seconds=30))
