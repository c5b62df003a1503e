"""Background work of cycles: book template occurrences into the active cycles as their dates arrive.

A cycle's creation (and POST /cycles/{id}/generate) books every occurrence of the templates that exist
then; this job books, hourly, the occurrences up to today of templates created after the cycle. It is
safe to run repeatedly and from several instances at once: core.jobs makes one instance do a run, and
the unique index on (cycle_id, template_id, date) would absorb a second run anyway.
"""

import uuid
from datetime import timedelta

from apscheduler.triggers.interval import IntervalTrigger

from colony.core import clock
from colony.core.cache import MemoryCache
from colony.core.db import Database
from colony.core.jobs import Job, JobContext
from colony.core.logging import get_logger
from colony.core.tenancy import Tenant
from colony.cycles import service as cycle_service
from colony.users import service as user_service

log = get_logger("colony.cycles.jobs")


async def materialise_in(database: Database) -> cycle_service.MaterialiseResult:
    """One run in one transaction (flushes through the services, commits here)."""
    async with database.sessionmaker() as session:
        cache = MemoryCache()  # fresh owner data for each run; nothing is kept between runs

        async def load_tenant(tenant_id: uuid.UUID) -> Tenant | None:
            return await user_service.load_principal(session, cache, tenant_id)

        result = await cycle_service.materialise_active_cycles(session, load_tenant, clock.today())
        await session.commit()
    log.info("templates_materialised", cycles=result.cycles, created=result.created)
    return result


async def _materialise(context: JobContext) -> cycle_service.MaterialiseResult:
    return await materialise_in(context.database)


MATERIALISE_TEMPLATES = Job(id="cycles.materialise_templates", trigger=IntervalTrigger(hours=1),
                            run=_materialise, first_run_after=timedelta(seconds=60))
