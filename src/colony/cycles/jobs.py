"""Background work of cycles: book template occurrences into the active cycles as their dates arrive.

A cycle's creation (and POST /cycles/{id}/generate) books every occurrence of the templates that exist
then; this job books, hourly, the occurrences up to today of templates created after the cycle. It is
safe to run repeatedly and from several instances at once: an advisory lock makes one instance do a
run, and the unique index on (cycle_id, template_id, date) would absorb a second run anyway.
"""

import uuid
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from colony.core import clock
from colony.core.cache import MemoryCache
from colony.core.db import Database
from colony.core.errors import AppError
from colony.core.jobs import run_exclusively
from colony.core.logging import get_logger
from colony.core.tenancy import Tenant
from colony.cycles import service as cycle_service
from colony.users import service as user_service

log = get_logger("colony.cycles.jobs")

JOB_ID = "cycles.materialise_templates"
LOCK_NAME = "colony.cycles.materialise_templates"
TRIGGER = IntervalTrigger(hours=1)
FIRST_RUN_DELAY = timedelta(seconds=60)


async def materialise_in(database: Database) -> cycle_service.MaterialiseResult:
    """One run in one transaction (flushes through the services, commits here)."""
    async with database.sessionmaker() as session:
        cache = MemoryCache()  # fresh owner data for each run; nothing is kept between runs

        async def load_tenant(tenant_id: uuid.UUID) -> Tenant | None:
            return await user_service.load_principal(session, cache, tenant_id)

        result = await cycle_service.materialise_active_cycles(session, load_tenant, clock.today())
        await session.commit()
    return result


async def materialise_job(database: Database) -> cycle_service.MaterialiseResult | None:
    """The scheduled run: on whichever instance gets the lock; failures are logged, the next run retries."""
    try:
        ran, result = await run_exclusively(database.engine, LOCK_NAME, lambda: materialise_in(database))
    except AppError as exc:  # e.g. no exchange rate for a template's currency
        log.warning("templates_materialise_failed", code=exc.code, error=exc.detail_message)
        return None
    if ran and result is not None:
        log.info("templates_materialised", cycles=result.cycles, created=result.created)
    return result


def schedule(scheduler: AsyncIOScheduler, *, database: Database) -> None:
    scheduler.add_job(materialise_job, TRIGGER, id=JOB_ID, replace_existing=True, kwargs={"database": database},
                      next_run_time=clock.utcnow() + FIRST_RUN_DELAY)
