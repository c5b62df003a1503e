"""The investments page: holdings, cash, allocation and performance, from the services behind `GET
/portfolio`, `GET /portfolio/performance` and `GET /portfolio/history`, over a range the person picks."""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from colony.core.db import Database
from colony.core.tenancy import Tenant
from colony.investments import engine
from colony.investments.accounts import service as account_service
from colony.investments.portfolio import service as portfolio_service
from colony.investments.portfolio.schemas import HistoryInterval, HistoryRead, PerformanceRead, PortfolioRead
from colony.webapp.formatting import Formatter

CHART_DAYS = 365


class Period(StrEnum):
    """The performance range: since the first activity, this calendar year, or the last 12 months."""

    all = "all"
    ytd = "ytd"
    year = "1y"

    def start(self, today: dt.date) -> dt.date | None:
        if self is Period.ytd:
            return today.replace(month=1, day=1)
        if self is Period.year:
            return today - dt.timedelta(days=365)
        return None


@dataclass(frozen=True, slots=True)
class Investments:
    portfolio: PortfolioRead
    performance: PerformanceRead | None  # None: nothing invested yet
    history: HistoryRead | None
    account_names: dict[str, str]  # by id as text (allocation keys)


async def investments(database: Database, tenant: Tenant, today: dt.date, method: engine.CostMethod,
                      period: Period) -> Investments:
    portfolio = await portfolio_service.portfolio(database, tenant, method=method)
    async with database.reader() as session:
        accounts = await account_service.all_accounts(session, tenant.tenant_id)
    names = {str(account.id): account.name for account in accounts}
    if not portfolio.holdings and not portfolio.cash:
        return Investments(portfolio=portfolio, performance=None, history=None, account_names=names)
    start = period.start(today)
    # The chart covers a year at most: its cost grows with the days it spans (the performance's does not).
    charted = max(start or dt.date.min, today - dt.timedelta(days=CHART_DAYS))
    performance = await portfolio_service.performance(database, tenant, start=start, end=today)
    history = await portfolio_service.history(database, tenant, start=charted, end=today,
                                              interval=HistoryInterval.month)
    return Investments(portfolio=portfolio, performance=performance, history=history, account_names=names)


def allocation_chart(portfolio: PortfolioRead, fmt: Formatter) -> dict[str, Any]:
    rows = portfolio.allocation.by_security_type
    return {"type": "doughnut", "label": f"Allocation ({portfolio.currency})",
            "labels": [row.key.replace("_", " ") for row in rows], "values": [str(row.market_value) for row in rows],
            "display": [f"{fmt.money(row.market_value, portfolio.currency)} ({fmt.fraction(row.weight)})"
                        for row in rows]}


def value_chart(history: HistoryRead, fmt: Formatter) -> dict[str, Any]:
    """Market value at each month's end (and the range's last day)."""
    return {"type": "line", "label": f"Market value ({history.currency})",
            "labels": [fmt.short_month(point.date) for point in history.points],
            "values": [str(point.market_value) for point in history.points],
            "display": [fmt.money(point.market_value, history.currency) for point in history.points]}
