"""HTTP for the portfolio, its performance and history, account balances and net worth. Read-only;
every figure is in the caller's base currency unless it says otherwise."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from colony.core.deps import DatabaseDep
from colony.core.errors import Forbidden, Unauthorized
from colony.core.openapi import error_responses
from colony.core.schemas import IsoDate
from colony.exchange_rates.errors import RateNotAvailable
from colony.investments import engine
from colony.investments.accounts.errors import AccountNotFound
from colony.investments.accounts.schemas import BalanceRead
from colony.investments.portfolio import service as portfolio_service
from colony.investments.portfolio import worth
from colony.investments.portfolio.schemas import (
    HistoryInterval,
    HistoryRead,
    NetWorthRead,
    PerformanceRead,
    PortfolioRead,
)
from colony.investments.securities.schemas import Symbol
from colony.users.deps import TenantCtx

router = APIRouter(prefix="/portfolio", tags=["portfolio"])
balances_router = APIRouter(prefix="/accounts", tags=["accounts"])
reports_router = APIRouter(prefix="/reports", tags=["portfolio"])
_AUTH = (Unauthorized, Forbidden)
AccountQuery = Annotated[uuid.UUID | None, Query(description="One investment or retirement account; default: all")]


@router.get("", response_model=PortfolioRead, responses=error_responses(*_AUTH))
async def get_portfolio(
    ctx: TenantCtx, database: DatabaseDep, account_id: AccountQuery = None,
    cost_method: Annotated[engine.CostMethod, Query(description="fifo (default): sales consume the oldest lots; "
                                                    "average: the moving average cost")] = engine.CostMethod.fifo,
) -> PortfolioRead:
    """Every holding valued at its latest close and the latest exchange rate, with cost basis (fees included,
    taxes apart), gains and income; the investment accounts' cash; totals and allocation."""
    return await portfolio_service.portfolio(database, ctx, method=cost_method, account_id=account_id)


@router.get("/performance", response_model=PerformanceRead, responses=error_responses(*_AUTH))
async def get_performance(
    ctx: TenantCtx, database: DatabaseDep, account_id: AccountQuery = None,
    start_date: Annotated[IsoDate | None, Query(description="Default: the first activity")] = None,
    end_date: Annotated[IsoDate | None, Query(description="Default: today")] = None,
    symbol: Annotated[Symbol | None, Query(description="One security: its buys, sells and income are the flows")]
    = None,
) -> PerformanceRead:
    """Values, flows, gains and the time- and money-weighted returns over the range (see the API reference
    for the exact definitions)."""
    return await portfolio_service.performance(database, ctx, start=start_date, end=end_date,
                                               account_id=account_id, symbol=symbol)


@router.get("/history", response_model=HistoryRead, responses=error_responses(*_AUTH))
async def get_history(
    ctx: TenantCtx, database: DatabaseDep, account_id: AccountQuery = None,
    start_date: Annotated[IsoDate | None, Query(description="Default: the first activity")] = None,
    end_date: Annotated[IsoDate | None, Query(description="Default: today")] = None,
    interval: Annotated[HistoryInterval, Query()] = HistoryInterval.day,
) -> HistoryRead:
    """Market value, net flows and the cumulative time-weighted index at the end of each day, week or month."""
    return await portfolio_service.history(database, ctx, start=start_date, end=end_date,
                                           interval=interval, account_id=account_id)


@balances_router.get("/{account_id}/balance", response_model=BalanceRead,
                     responses=error_responses(*_AUTH, AccountNotFound, RateNotAvailable))
async def get_balance(account_id: uuid.UUID, ctx: TenantCtx, database: DatabaseDep,
                      date: Annotated[IsoDate | None, Query(description="Default: today")] = None) -> BalanceRead:
    """The account's balance on the date, in its currency: the latest value entry on or before it plus the
    paid transactions booked after it; for an account that holds investments, its holdings at market plus
    its cash."""
    return await worth.balance(database, ctx, account_id, date)


@reports_router.get("/net-worth", response_model=NetWorthRead, responses=error_responses(*_AUTH, RateNotAvailable))
async def get_net_worth(
    ctx: TenantCtx, database: DatabaseDep,
    date: Annotated[IsoDate | None, Query(description="Default: today")] = None,
    history_start_date: Annotated[IsoDate | None, Query(
        description="The history's first month (default: the 12 months before the date's month; at most 100 "
                    "years)")] = None,
) -> NetWorthRead:
    """Assets minus liabilities (loans and credit cards) on the date, every account converted at that date's
    rate, with the total at the end of each month before the date's month."""
    return await worth.net_worth(database, ctx, date, history_start_date)
