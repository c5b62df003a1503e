"""The daily price sync: every security that some tenant holds or has traded, fetched once a day on one
instance (core.jobs), each in its own transaction so that one failing symbol costs only itself (a symbol
the provider does not know, such as the demo's, fails alone, a request of the budget a day)."""

from dataclasses import dataclass, field
from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger

from colony.core.db import Database
from colony.core.errors import AppError
from colony.core.jobs import Job, JobContext
from colony.core.logging import get_logger
from colony.investments.activities import service as activity_service
from colony.investments.securities.market_data import MarketData, build_market_data
from colony.investments.securities.sync import sync_in

log = get_logger("colony.investments.jobs")


@dataclass(slots=True)
class PriceSyncResult:
    synced: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{len(self.synced)} securities synced, {len(self.failed)} failed"


async def sync_held_in(database: Database, market_data: MarketData) -> PriceSyncResult:
    async with database.reader() as reader:
        symbols = await activity_service.held_symbols(reader)
    result = PriceSyncResult()
    for symbol in symbols:
        try:
            await sync_in(database, market_data, symbol)
        except AppError as exc:  # unavailable, out of budget, a currency the provider changed: next day
            log.warning("price_sync_failed", symbol=symbol, code=exc.code, details=exc.details)
            result.failed.append(symbol)
            if exc.details.get("reason") == "budget_exhausted":
                result.failed.extend(symbols[len(result.synced) + len(result.failed):])
                break
            continue
        result.synced.append(symbol)
    log.info("prices_synced", synced=len(result.synced), failed=len(result.failed))
    return result


async def _sync_held(context: JobContext) -> PriceSyncResult:
    return await sync_held_in(context.database, build_market_data(context.settings, context.cache))


# After the US close (22:00 UTC in winter); every day, as crypto trades on weekends. A first run after
# start catches up on a server that was down.
SYNC_HELD_PRICES = Job(id="investments.sync_held_prices", run=_sync_held,
                       trigger=CronTrigger(hour=22, minute=30, timezone="UTC"),
                       first_run_after=timedelta(minutes=5),
                       enabled=lambda settings: settings.market_data != "none")
