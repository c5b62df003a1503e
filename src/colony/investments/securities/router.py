"""HTTP for securities and their prices: reference data every signed-in user reads; owners add to it."""

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Response

from colony.core.db import commit
from colony.core.deps import DatabaseDep, PageDep, SessionDep
from colony.core.errors import Forbidden, Unauthorized
from colony.core.openapi import error_responses
from colony.core.schemas import IsoDate, Page
from colony.investments.securities import service as security_service
from colony.investments.securities.deps import MarketDataDep
from colony.investments.securities.errors import (
    MarketDataUnavailable,
    SecurityCurrencyMismatch,
    SecurityExists,
    SecurityNotFound,
)
from colony.investments.securities.schemas import (
    SYMBOL_PATTERN,
    Interval,
    PriceIn,
    PriceSeries,
    PricesStored,
    SecurityCreate,
    SecurityPut,
    SecurityRead,
    SyncRead,
)
from colony.investments.securities.sync import sync_in
from colony.users.deps import OwnerCtx, Principal

router = APIRouter(prefix="/securities", tags=["securities"])
_AUTH = (Unauthorized, Forbidden)
SymbolPath = Annotated[str, Path(min_length=1, max_length=32, pattern=SYMBOL_PATTERN, examples=["AAPL"],
                                 description="The security's symbol, any case")]
MAX_UPLOAD_ROWS = 20_000


@router.get("", response_model=Page[SecurityRead], responses=error_responses(Unauthorized))
async def list_securities(_principal: Principal, session: SessionDep, page: PageDep) -> Page[SecurityRead]:
    return await security_service.search(session, page)


@router.get("/search", response_model=Page[SecurityRead], responses=error_responses(Unauthorized))
async def search_securities(
    _principal: Principal, session: SessionDep, page: PageDep,
    query: Annotated[str, Query(min_length=1, max_length=100, description="Part of a symbol or a name, any case")],
) -> Page[SecurityRead]:
    """Securities whose symbol or name contains `query`, any case; an exact symbol first."""
    return await security_service.search(session, page, query)


@router.post("", status_code=201, response_model=SecurityRead, responses=error_responses(*_AUTH, SecurityExists))
async def create_security(body: SecurityCreate, _owner: OwnerCtx, session: SessionDep) -> SecurityRead:
    security = await security_service.create(session, body)
    await commit(session)
    return security


@router.get("/{symbol}", response_model=SecurityRead, responses=error_responses(Unauthorized, SecurityNotFound))
async def get_security(symbol: SymbolPath, _principal: Principal, session: SessionDep) -> SecurityRead:
    return await security_service.get(session, symbol)


@router.post("/{symbol}", status_code=201, response_model=SecurityRead,
             responses={200: {"model": SecurityRead, "description": "The security existed: its metadata replaced"},
                        **error_responses(*_AUTH, SecurityCurrencyMismatch)})
async def put_security(symbol: SymbolPath, body: SecurityPut, _owner: OwnerCtx, session: SessionDep,
                       response: Response) -> SecurityRead:
    """Creates the security of this symbol (201), or replaces the name, type and exchange of the one that
    exists (200; its currency stays: 409 SECURITY_CURRENCY_MISMATCH for another)."""
    security, created = await security_service.put(session, symbol, body)
    await commit(session)
    response.status_code = 201 if created else 200
    return security


@router.get("/{symbol}/prices", response_model=PriceSeries, responses=error_responses(Unauthorized, SecurityNotFound))
async def get_prices(
    symbol: SymbolPath, _principal: Principal, session: SessionDep,
    start_date: Annotated[IsoDate | None, Query(description="First day (default: the first price)")] = None,
    end_date: Annotated[IsoDate | None, Query(description="Last day (default: the last price)")] = None,
    interval: Annotated[Interval, Query(description="1d: every price; 1wk, 1mo: bars built from them")]
    = Interval.day,
) -> PriceSeries:
    """OHLCV history as quoted on each day (never adjusted for later splits or dividends)."""
    return await security_service.prices(session, symbol, start=start_date, end=end_date, interval=interval)


@router.post("/{symbol}/prices", response_model=PricesStored,
             responses=error_responses(*_AUTH, SecurityNotFound))
async def put_prices(symbol: SymbolPath, _owner: OwnerCtx, session: SessionDep,
                     body: Annotated[list[PriceIn], Body(max_length=MAX_UPLOAD_ROWS)]) -> PricesStored:
    """Uploads daily rows; one row per date: a date already stored is replaced."""
    stored = await security_service.put_prices(session, symbol, body)
    await commit(session)
    return stored




@router.post("/{symbol}/sync", response_model=SyncRead,
             responses=error_responses(*_AUTH, SecurityCurrencyMismatch, MarketDataUnavailable))
async def sync_security(symbol: SymbolPath, _owner: OwnerCtx, database: DatabaseDep,
                        market_data: MarketDataDep) -> SyncRead:
    """Metadata and daily price history from the market-data provider (its answers cached 1 h): an unknown
    symbol is created, a known one refreshed. The provider failing → 503, stored prices untouched."""
    return await sync_in(database, market_data, symbol)
