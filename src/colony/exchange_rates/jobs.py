"""The scheduled refresh of exchange rates from COLONY_RATES_URL, once a day, on one instance."""

from datetime import date, timedelta

import httpx
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from colony.core import clock
from colony.core.cache import Cache
from colony.core.db import Database
from colony.core.errors import AppError
from colony.core.jobs import run_exclusively
from colony.core.logging import get_logger
from colony.exchange_rates import service
from colony.exchange_rates.service import LoadResult

log = get_logger("colony.exchange_rates.jobs")

JOB_ID = "exchange_rates.refresh"
LOCK_NAME = "colony.exchange_rates.refresh"
# The ECB publishes its reference rates around 16:00 CET on TARGET working days.
TRIGGER = CronTrigger(day_of_week="mon-fri", hour=16, minute=30, timezone="Europe/Berlin")
FIRST_RUN_DELAY = timedelta(seconds=30)  # and once shortly after start, to catch up


async def refresh_job(database: Database, http: httpx.AsyncClient, cache: Cache, url: str) -> LoadResult | None:
    """One refresh on whichever instance gets the lock; failures are logged, the next run retries."""

    async def work() -> LoadResult:
        return await refresh_in(database, url=url, http=http, cache=cache)

    try:
        _ran, result = await run_exclusively(database.engine, LOCK_NAME, work)
    except AppError as exc:
        log.warning("rates_refresh_failed", code=exc.code, error=exc.detail_message)
        return None
    if result is not None:
        log.info("rates_refreshed", days=result.days, rows=result.rows,
                 newest=result.newest.isoformat() if result.newest else None)
    return result


async def refresh_in(database: Database, *, url: str | None, http: httpx.AsyncClient, cache: Cache,
                     since: date | None = None) -> LoadResult:
    """A refresh in two short transactions: download while only reading, then write and commit."""
    fetched = None
    if url:
        async with database.reader() as reader:
            fetched = await service.fetch_updates(reader, url=url, http=http, cache=cache)
    async with database.sessionmaker() as session:
        result = await service.store_updates(session, fetched, since=since)
        await session.commit()
    return result


def schedule(scheduler: AsyncIOScheduler, *, database: Database, http: httpx.AsyncClient, cache: Cache,
             url: str) -> None:
    scheduler.add_job(refresh_job, TRIGGER, id=JOB_ID, replace_existing=True,
                      kwargs={"database": database, "http": http, "cache": cache, "url": url},
                      next_run_time=clock.utcnow() + FIRST_RUN_DELAY)
