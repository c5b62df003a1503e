"""The portfolio, its performance and history, account balances and net worth, read from each tenant's
stored daily state (investments/state), which portfolio/refresh.py keeps up to date; engine/ states what
each figure means.

A read first makes sure the state is fresh (refreshing only the stale days), then looks figures up: the
portfolio is its stored positions valued at the latest closes and rates, a range's performance is the rows
of its two ends and the flows between them, a history is the rows of its points. One security's
performance, and any read whose state could not be refreshed, is computed from the facts (computed.py).

Accounts that hold investments (investment and retirement accounts with holdings or investment
transactions) are worth their holdings at market plus their cash; their cash also moves with the
transactions booked to them (a transfer from a checking account is a deposit). Every other account is
worth its value entries plus the transactions booked after them (accounts.service.value_balance).
"""

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from colony.core import clock
from colony.core.db import Database
from colony.core.errors import ValidationFailed
from colony.core.tenancy import Tenant
from colony.exchange_rates import service as rate_service
from colony.investments import engine
from colony.investments.accounts.schemas import AccountRead
from colony.investments.engine.market import Market
from colony.investments.engine.states import zero_state
from colony.investments.portfolio import book as books
from colony.investments.portfolio import computed, figures, refresh
from colony.investments.portfolio.schemas import (
    HistoryInterval,
    HistoryPoint,
    HistoryRead,
    PerformanceRead,
    PortfolioRead,
)
from colony.investments.securities import service as security_service
from colony.investments.state import service as state_service
from colony.investments.state.models import PortfolioState

INDEX_QUANTUM = Decimal("1e-10")


# ---- GET /portfolio ----

async def portfolio(database: Database, tenant: Tenant, *, method: engine.CostMethod,
                    account_id: uuid.UUID | None = None) -> PortfolioRead:
    """Holdings, cash, totals and allocation at the latest close and the latest rate on or before today."""
    day = clock.today()
    state = await refresh.fresh_state(database, tenant, day)
    async with database.reader() as session:
        accounts = await books.portfolio_accounts(session, tenant, account_id)
        if state is None:
            return await computed.portfolio(session, tenant, accounts, method=method, day=day)
        return await _stored_portfolio(session, tenant, accounts, method, day)


async def _stored_portfolio(session: AsyncSession, tenant: Tenant, accounts: Sequence[AccountRead],
                            method: engine.CostMethod, day: dt.date) -> PortfolioRead:
    currency = tenant.base_currency
    account_ids = [account.id for account in accounts]
    rows = await state_service.positions(session, tenant.tenant_id, method.value, account_ids)
    cash = [engine.Cash(row.account_id, row.currency, row.amount)
            for row in await state_service.cash(session, tenant.tenant_id, account_ids)]
    securities = await security_service.by_ids(session, {row.security_id for row in rows})
    closes = await security_service.latest_closes(session, list(securities), day)
    table = await rate_service.rate_table(session, {s.currency for s in securities.values()}
                                          | {c.currency for c in cash} | {currency}, day, day,
                                          tenant_id=tenant.tenant_id)

    def rate(code: str, on: dt.date) -> Decimal | None:
        conversion = table.get(code, currency, on)
        return conversion.rate if conversion is not None else None

    market = Market(currency, lambda security_id, _day: closes.get(security_id), rate)
    positions = []
    for row in rows:
        quote, value = market.value(row.security_id, securities[row.security_id].currency, row.quantity, day)
        positions.append(engine.Position(
            account_id=row.account_id, security_id=row.security_id, quantity=row.quantity,
            price=quote[0] if quote else None, price_date=quote[1] if quote else None, market_value=value,
            cost_basis=row.cost_basis, cost_basis_native=row.cost_basis_native, unrealized_gain=None,
            realized_gain=row.realized_gain, income=row.income, cost_complete=row.cost_complete))
    return figures.portfolio(day, currency, method, positions, cash, securities, lambda code: market.rate(code, day))


# ---- GET /portfolio/performance and /portfolio/history ----

def _range(start: dt.date | None, end: dt.date | None) -> tuple[dt.date | None, dt.date]:
    today = clock.today()
    end_day = end or today
    if end_day > today + dt.timedelta(days=1):  # a day's grace for time zones ahead of UTC
        raise ValidationFailed("query.end_date", "must not be in the future")
    if start is not None and start > end_day:
        raise ValidationFailed("query.start_date", "must not be after end_date")
    return start, end_day


async def _fresh_state(database: Database, tenant: Tenant, end: dt.date) -> PortfolioState | None:
    """The tenant's state if it answers for days up to `end` (refreshed first if stale)."""
    return await refresh.fresh_state(database, tenant) if end <= clock.today() else None


async def _first_day(session: AsyncSession, tenant: Tenant, scope_id: uuid.UUID, state: PortfolioState) -> dt.date:
    """Where a range starts by default: the scope's first activity (the day it first held or moved anything)."""
    first = await state_service.first_active(session, tenant.tenant_id, scope_id)
    return first or state.first_date + dt.timedelta(days=1)


async def _states_on(session: AsyncSession, tenant: Tenant, scope_id: uuid.UUID, days: Sequence[dt.date]
                     ) -> dict[dt.date, engine.DayState]:
    """The scope's state on each day; a day without a row is before anything happened in it: zero."""
    rows = await state_service.days_on(session, tenant.tenant_id, scope_id, days)
    return {day: state_service.day_state(rows[day]) if day in rows else zero_state(day) for day in days}


async def performance(database: Database, tenant: Tenant, *, start: dt.date | None, end: dt.date | None,
                      account_id: uuid.UUID | None = None, symbol: str | None = None) -> PerformanceRead:
    start, end_day = _range(start, end)
    state = await _fresh_state(database, tenant, end_day) if symbol is None else None
    async with database.reader() as session:
        accounts = await books.portfolio_accounts(session, tenant, account_id)
        if symbol is not None:
            security = await security_service.require(session, symbol=symbol, field="query.symbol")
            return await computed.performance(session, tenant, accounts, start=start, end=end_day,
                                              security_id=security.id)
        if state is None:
            return await computed.performance(session, tenant, accounts, start=start, end=end_day)
        scope_id = account_id or tenant.tenant_id
        start_day = min(start or await _first_day(session, tenant, scope_id, state), end_day)
        states = await _states_on(session, tenant, scope_id, [start_day, end_day])
        flows = await state_service.flows(session, tenant.tenant_id, scope_id, start_day, end_day)
    return figures.performance(states[start_day], states[end_day], flows, tenant.base_currency)


def _is_point(day: dt.date, interval: HistoryInterval, end: dt.date) -> bool:
    """The last day of each week (Sunday) or month, and the range's last day."""
    if day == end or interval is HistoryInterval.day:
        return True
    if interval is HistoryInterval.week:
        return day.weekday() == 6
    return (day + dt.timedelta(days=1)).day == 1


async def history(database: Database, tenant: Tenant, *, start: dt.date | None, end: dt.date | None,
                  interval: HistoryInterval, account_id: uuid.UUID | None = None) -> HistoryRead:
    start, end_day = _range(start, end)
    state = await _fresh_state(database, tenant, end_day)
    async with database.reader() as session:
        accounts = await books.portfolio_accounts(session, tenant, account_id)
        if state is None:
            return _history(await computed.daily(session, tenant, accounts, start=start, end=end_day), interval,
                            tenant.base_currency)
        # Days before the first activity hold nothing: a history starts with it, or, asked to start earlier,
        # the day before it (so that the first activity's flows fall inside the range, as in performance).
        scope_id = account_id or tenant.tenant_id
        first = await _first_day(session, tenant, scope_id, state)
        start_day = min(max(start, first - dt.timedelta(days=1)) if start is not None else first, end_day)
        rows = await state_service.days_between(session, tenant.tenant_id, scope_id, start_day, end_day)
    stored = {row.date: state_service.day_state(row) for row in rows}
    return _history([stored.get(day) or zero_state(day) for day in _days(start_day, end_day)], interval,
                    tenant.base_currency)


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=offset) for offset in range((end - start).days + 1)]


def _history(days: Sequence[engine.DayState], interval: HistoryInterval, currency: str) -> HistoryRead:
    first, last = days[0], days[-1]
    points: list[HistoryPoint] = []
    flowed = first.cum_inflow - first.cum_outflow  # the first day's flows are before the range, as in performance
    for day in days:
        if _is_point(day.date, interval, last.date):
            net = (day.cum_inflow - day.cum_outflow) - flowed
            points.append(HistoryPoint(date=day.date, market_value=figures.amount(day.market_value, currency),
                                       net_flows=figures.amount(net, currency),
                                       twr_index=Decimal(repr(day.index / first.index if first.index else 0.0))
                                       .quantize(INDEX_QUANTUM)))
            flowed = day.cum_inflow - day.cum_outflow
    return HistoryRead(start_date=first.date, end_date=last.date, currency=currency,
                       interval=HistoryInterval(interval), points=points)
