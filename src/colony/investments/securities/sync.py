"""A sync with the market-data provider as its own unit of work, for the route and the daily job alike:
read where to start, fetch with no transaction open (the provider may take seconds; on SQLite a writer
would hold the write lock all that time), then write and commit in one short transaction. A provider
failure raises before anything is written, so stored prices stay as they were."""

from colony.core import clock
from colony.core.db import Database
from colony.investments.securities import service as security_service
from colony.investments.securities.market_data import MarketData
from colony.investments.securities.schemas import SyncRead


async def sync_in(database: Database, market_data: MarketData, symbol: str) -> SyncRead:
    async with database.reader() as reader:
        start = await security_service.sync_start(reader, symbol)
    history = await market_data.history(symbol, start, clock.today())
    async with database.sessionmaker() as session:
        synced = await security_service.store_history(session, history)
        await session.commit()
    return synced
