"""The portfolio's figures computed from the facts on every call: what the stored state saves us from.

Used where no state applies (one security's performance, an account's balance on a date) and as the
fallback when a state could not be brought up to date; the benchmark also measures it, as the baseline.
"""

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.tenancy import Tenant
from colony.investments import engine
from colony.investments.accounts.schemas import AccountRead
from colony.investments.portfolio import book as books
from colony.investments.portfolio import figures
from colony.investments.portfolio.schemas import PerformanceRead, PortfolioRead
from colony.investments.state import service as state_service


async def portfolio(session: AsyncSession, tenant: Tenant, accounts: Sequence[AccountRead], *,
                    method: engine.CostMethod, day: dt.date) -> PortfolioRead:
    currency = tenant.base_currency
    book = await books.load(session, tenant, accounts, day, currency)
    snapshot = engine.snapshot(book.activities, day, base_currency=currency, prices=book.prices, rates=book.rates,
                               method=method)
    ids = {account.id for account in accounts}  # (the facts may take in accounts linked by transfers)
    return figures.portfolio(day, currency, method, [p for p in snapshot.positions if p.account_id in ids],
                             [c for c in snapshot.cash if c.account_id in ids], book.securities,
                             lambda code: book.rates(code, day) if code != currency else Decimal(1))


async def performance(session: AsyncSession, tenant: Tenant, accounts: Sequence[AccountRead], *,
                      start: dt.date | None, end: dt.date, security_id: uuid.UUID | None = None) -> PerformanceRead:
    """Over [start, end] for the accounts, or one security in them; `start` defaults to the first day the
    scope held or moved anything (as the stored state finds it)."""
    currency = tenant.base_currency
    book = await books.load(session, tenant, accounts, end, currency, security_id=security_id)
    ids = {account.id for account in accounts}  # (the facts may take in accounts linked by transfers)
    scope = engine.Scope(account_ids=frozenset(ids), security_id=security_id)
    first = max(min((a.date for a in book.activities if a.account_id in ids), default=end), books.EARLIEST_DAY)
    # Before the first activity nothing is held: the same figures come from a walk that starts there.
    walk_from = max(start or first, min(first - dt.timedelta(days=1), end))

    def walk(begin: dt.date) -> engine.Performance:
        return engine.performance(book.activities, scope, begin, end, base_currency=currency, prices=book.prices,
                                  rates=book.rates)

    result = walk(min(walk_from, end))
    start_day = start or end
    if start is None:
        active = next((p.date for p in result.series if p.market_value or p.inflow or p.outflow), None)
        if active is not None:
            start_day = active
            result = walk(active) if active != result.start_date else result
    return PerformanceRead(
        start_date=min(start_day, end), end_date=result.end_date, currency=currency, start_value=result.start_value,
        end_value=result.end_value, deposits=result.deposits, withdrawals=result.withdrawals, income=result.income,
        fees=result.fees, taxes=result.taxes, realized_gain=result.realized_gain,
        unrealized_gain=result.unrealized_gain, twr=result.twr, twr_annualized=result.twr_annualized,
        mwr=result.mwr, mwr_note=result.mwr_note)


async def daily(session: AsyncSession, tenant: Tenant, accounts: Sequence[AccountRead], *, start: dt.date | None,
                end: dt.date) -> list[engine.DayState]:
    """The accounts' states for the days of [start, end], as the stored state holds them: from the first day
    they held or moved anything (by default), or from the day before it (asked to start earlier)."""
    currency = tenant.base_currency
    book = await books.load(session, tenant, accounts, end, currency)
    ids = {account.id for account in accounts}
    first = min(max(min((a.date for a in book.activities if a.account_id in ids), default=end),
                    books.EARLIEST_DAY), end)
    scope = engine.Scope(account_ids=frozenset(ids))
    states = engine.daily_states(book.activities, [scope], first - dt.timedelta(days=1), end, base_currency=currency,
                                 prices=book.prices, rates=book.rates, quantum=state_service.AMOUNT_QUANTUM)[scope]
    active = next((i for i, s in enumerate(states) if s.market_value or s.inflow or s.outflow), len(states) - 1)
    begin = max(start, states[max(active - 1, 0)].date) if start is not None else states[active].date
    return [state for state in states if state.date >= min(begin, end)]
