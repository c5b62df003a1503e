"""The scheduled refresh of exchange rates from COLONY_RATES_URL (the ECB's files by default), on one instance."""

from datetime import date, timedelta

import httpx
from apscheduler.triggers.cron import CronTrigger

from colony.core.cache import Cache
from colony.core.db import Database
from colony.core.jobs import Job, JobContext
from colony.core.logging import get_logger
from colony.exchange_rates import service
from colony.exchange_rates.errors import RateSourceUnavailable
from colony.exchange_rates.service import LoadResult

log = get_logger("colony.exchange_rates.jobs")


async def refresh_in(database: Database, *, url: str | None, http: httpx.AsyncClient, cache: Cache,
                     since: date | None = None) -> LoadResult:
    """A refresh in two short transactions: download while only reading, then write and commit. A source
    that fails (offline, down, nonsense) changes no rate: its error is kept for the status, and raised."""
    fetched = None
    if url:
        try:
            async with database.reader() as reader:
                fetched = await service.fetch_updates(reader, url=url, http=http, cache=cache)
        except RateSourceUnavailable as exc:
            async with database.sessionmaker() as session:
                await service.record_refresh(session, url, error=exc.detail_message)
                await session.commit()
            raise
    async with database.sessionmaker() as session:
        result = await service.store_updates(session, fetched, since=since)
        if url:
            await service.record_refresh(session, url)
        await session.commit()
    log.info("rates_refreshed", days=result.days, rows=result.rows,
             newest=result.newest.isoformat() if result.newest else None)
    return result


async def _refresh(context: JobContext) -> LoadResult:
    return await refresh_in(context.database, url=context.settings.rates_url, http=context.http,
                            cache=context.cache)


# The ECB publishes its reference rates around 16:00 CET on TARGET working days; a first run shortly after
# start catches up. A failed run (no network) is a warning in the log and `last_error` in the status; the
# stored rates keep serving.
REFRESH = Job(id="exchange_rates.refresh", run=_refresh,
              trigger=CronTrigger(day_of_week="mon-fri", hour=16, minute=30, timezone="Europe/Berlin"),
              first_run_after=timedelta(seconds=30), enabled=lambda settings: bool(settings.rates_url))
