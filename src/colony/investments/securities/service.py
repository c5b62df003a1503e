"""Securities and their prices: shared reference data, read by every tenant.

Prices come from uploads or from the market-data provider (`market_data.py`), and are stored as quoted
on their day (upserted per date). Weekly and monthly bars are built from the daily rows: the first open,
the highest high, the lowest low, the last close, the summed volume, dated on the period's first day.
"""

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.clock import utcnow
from colony.core.db import savepoint
from colony.core.errors import ValidationFailed
from colony.core.schemas import Page, PageParams
from colony.investments.securities.errors import SecurityCurrencyMismatch, SecurityExists, SecurityNotFound
from colony.investments.securities.market_data import Bar, History
from colony.investments.securities.models import Security, SecurityPrice, SecurityType
from colony.investments.securities.repository import PriceRepository, SecurityRepository
from colony.investments.securities.schemas import (
    Interval,
    PriceIn,
    PriceRead,
    PriceSeries,
    PricesStored,
    SecurityCreate,
    SecurityPut,
    SecurityRead,
    SyncRead,
)
from colony.investments.state import service as state_service

SYNC_OVERLAP = dt.timedelta(days=7)  # a sync fetches again from a week before its last stored day


async def search(session: AsyncSession, params: PageParams, query: str | None = None) -> Page[SecurityRead]:
    """By symbol or name, any case; an exact symbol first."""
    rows, total = await SecurityRepository(session).search(params, query)
    return Page[SecurityRead].build([SecurityRead.model_validate(row) for row in rows], total, params)


async def _by_symbol(session: AsyncSession, symbol: str) -> Security:
    security = await SecurityRepository(session).by_symbol(symbol)
    if security is None:
        raise SecurityNotFound(details={"symbol": symbol})
    return security


async def get(session: AsyncSession, symbol: str) -> SecurityRead:
    return SecurityRead.model_validate(await _by_symbol(session, symbol))


async def by_ids(session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, SecurityRead]:
    return {row.id: SecurityRead.model_validate(row) for row in await SecurityRepository(session).by_ids(ids)}


async def require(session: AsyncSession, *, symbol: str | None = None, security_id: uuid.UUID | None = None,
                  field: str) -> SecurityRead:
    """A security named in a request body by symbol or id: unknown → 422 on `field`."""
    repository = SecurityRepository(session)
    if security_id is not None:
        found = (await repository.by_ids([security_id]))
        security = found[0] if found else None
    else:
        security = await repository.by_symbol(symbol or "")
    if security is None:
        raise ValidationFailed(field, "security not found; create it (POST /securities) or sync it first")
    return SecurityRead.model_validate(security)


async def create(session: AsyncSession, data: SecurityCreate) -> SecurityRead:
    repository = SecurityRepository(session)
    if await repository.by_symbol(data.symbol) is not None:
        raise SecurityExists(details={"symbol": data.symbol})
    security = Security(**data.model_dump())
    async with savepoint(session, SecurityExists):  # the unique index settles a race for the symbol
        session.add(security)
    return SecurityRead.model_validate(security)


async def put(session: AsyncSession, symbol: str, data: SecurityPut) -> tuple[SecurityRead, bool]:
    """The security of `symbol` created from `data`, or its metadata replaced; and whether it was created."""
    if data.symbol is not None and data.symbol.lower() != symbol.lower():
        raise ValidationFailed("body.symbol", "must be the path's symbol")
    security = await SecurityRepository(session).by_symbol(symbol)
    if security is None:
        return await create(session, SecurityCreate(symbol=symbol, **data.model_dump(exclude={"symbol"}))), True
    if security.currency != data.currency:
        raise SecurityCurrencyMismatch(details={"symbol": security.symbol, "stored": security.currency,
                                                "given": data.currency})
    security.name, security.security_type, security.exchange = data.name, data.security_type, data.exchange
    await session.flush()
    return SecurityRead.model_validate(security), False


# ---- prices ----

def _row(security_id: uuid.UUID, bar: PriceIn | Bar) -> dict[str, Any]:
    return {"security_id": security_id, "date": bar.date, "open": bar.open, "high": bar.high, "low": bar.low,
            "close": bar.close, "volume": bar.volume}


async def put_prices(session: AsyncSession, symbol: str, bars: Sequence[PriceIn]) -> PricesStored:
    """Upsert one row per date (a date given twice: the last row counts)."""
    security = await _by_symbol(session, symbol)
    by_date = {bar.date: bar for bar in bars}
    stored = await PriceRepository(session).upsert_many(_row(security.id, by_date[day]) for day in sorted(by_date))
    if by_date:
        await state_service.touch_holders(session, [security.id], min(by_date))
    return PricesStored(symbol=security.symbol, stored=stored, first_date=min(by_date, default=None),
                        last_date=max(by_date, default=None))


async def sync_start(session: AsyncSession, symbol: str) -> dt.date | None:
    """Where a sync fetches from: the whole history for a security unknown or without prices, else a week
    before its last stored day (that bar may have been an intraday one)."""
    security = await SecurityRepository(session).by_symbol(symbol)
    last_day = await PriceRepository(session).last_date(security.id) if security is not None else None
    return last_day - SYNC_OVERLAP if last_day is not None else None


async def store_history(session: AsyncSession, history: History) -> SyncRead:
    """The provider's answer kept: the security created when unknown, its name, type and exchange refreshed,
    its prices upserted per date. Its currency is never changed: its prices, lots and costs are in it."""
    info = history.info
    metadata = {"name": info.name[:200], "security_type": SecurityType(info.security_type),
                "exchange": info.exchange[:32] if info.exchange else None, "synced_at": utcnow()}
    security = await SecurityRepository(session).by_symbol(info.symbol)
    if security is None:
        security = Security(symbol=info.symbol, currency=info.currency, **metadata)
        async with savepoint(session, SecurityExists):  # the unique index settles a race for the symbol
            session.add(security)
    elif security.currency != info.currency:
        raise SecurityCurrencyMismatch(details={"symbol": security.symbol, "stored": security.currency,
                                                "provider": info.currency})
    else:
        for name, value in metadata.items():
            setattr(security, name, value)
    stored = await PriceRepository(session).upsert_many(_row(security.id, bar) for bar in history.bars)
    days = [bar.date for bar in history.bars]
    if days:
        await state_service.touch_holders(session, [security.id], min(days))
    await session.flush()
    return SyncRead(symbol=security.symbol, stored=stored, first_date=min(days, default=None),
                    last_date=max(days, default=None), security=SecurityRead.model_validate(security))


def _period_start(day: dt.date, interval: Interval) -> dt.date:
    if interval is Interval.week:
        return day - dt.timedelta(days=day.weekday())
    if interval is Interval.month:
        return day.replace(day=1)
    return day


def _bars(rows: Sequence[SecurityPrice], interval: Interval) -> list[PriceRead]:
    bars: list[PriceRead] = []
    for row in rows:
        start = _period_start(row.date, interval)
        if bars and bars[-1].date == start:
            bar = bars[-1]
            highs = [v for v in (bar.high, row.high) if v is not None]
            lows = [v for v in (bar.low, row.low) if v is not None]
            bar.high, bar.low = (max(highs) if highs else None), (min(lows) if lows else None)
            bar.close = row.close
            if row.volume is not None:
                bar.volume = (bar.volume or 0) + row.volume
            continue
        bars.append(PriceRead(date=start, open=row.open, high=row.high, low=row.low, close=row.close,
                              volume=row.volume))
    return bars


async def prices(session: AsyncSession, symbol: str, *, start: dt.date | None, end: dt.date | None,
                 interval: Interval) -> PriceSeries:
    if start is not None and end is not None and start > end:
        raise ValidationFailed("query.start_date", "must not be after end_date")
    security = await _by_symbol(session, symbol)
    rows = await PriceRepository(session).between(security.id, start, end)
    return PriceSeries(symbol=security.symbol, currency=security.currency, interval=interval,
                       prices=_bars(rows, interval))


async def closes(session: AsyncSession, security_ids: Collection[uuid.UUID], end: dt.date, *,
                 since: dt.date | None = None) -> dict[uuid.UUID, list[tuple[dt.date, Decimal]]]:
    """The closes of these securities up to `end`, oldest first: all of them, or from `since` on and the
    last one before it (valuations from `since` on carry that one forward)."""
    repository = PriceRepository(session)
    series = await repository.closes(security_ids, end, since=since)
    if since is not None:
        for security_id, day, close in await repository.last_closes_before(security_ids, since):
            series[security_id].insert(0, (day, close))
    return series


async def latest_closes(session: AsyncSession, security_ids: Collection[uuid.UUID], day: dt.date
                        ) -> dict[uuid.UUID, tuple[Decimal, dt.date]]:
    """Each security's last close on or before `day` and its date (absent: no price yet)."""
    rows = await PriceRepository(session).latest_closes(security_ids, day)
    return {security_id: (close, close_day) for security_id, close_day, close in rows}
