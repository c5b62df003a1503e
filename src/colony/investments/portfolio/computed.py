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

ZERO = Decimal(0)


async def portfolio(session: AsyncSession, tenant: Tenant, accounts: Sequence[AccountRead], *,
                    method: engine.CostMethod, day: dt.date) -> PortfolioRead:
    currency = tenant.base_currency
    book = await books.load(session, tenant, accounts, day, currency)
    snapshot = engine.snapshot(book.activities, day, base_currency=currency, prices=book.prices, rates=book.rates,
                               method=method)
    return figures.portfolio(day, currency, method, snapshot.positions, snapshot.cash, book.securities,
                             lambda code: book.rates(code, day) if code != currency else Decimal(1))


async def performance(session: AsyncSession, tenant: Tenant, accounts: Sequence[AccountRead], *,
                      start: dt.date | None, end: dt.date, security_id: uuid.UUID | None = None) -> PerformanceRead:
    """Over [start, end] (start: the first activity by default) for the accounts, or one security in them."""
    currency = tenant.base_currency
    book = await books.load(session, tenant, accounts, end, currency, security_id=security_id)
    start_day = min(start or book.first_date or end, end)
    # Before the first activity nothing is held: the same figures come from a walk that starts there.
    walk_from = max(start_day, min((book.first_date or end) - dt.timedelta(days=1), end))
    scope = engine.Scope(account_ids=frozenset(a.id for a in accounts), security_id=security_id)
    result = engine.performance(book.activities, scope, walk_from, end, base_currency=currency, prices=book.prices,
                                rates=book.rates)
    return PerformanceRead(
        start_date=start_day, end_date=result.end_date, currency=currency, start_value=result.start_value,
        end_value=result.end_value, deposits=result.deposits, withdrawals=result.withdrawals, income=result.income,
        fees=result.fees, taxes=result.taxes, realized_gain=result.realized_gain,
        unrealized_gain=result.unrealized_gain, twr=result.twr, twr_annualized=result.twr_annualized,
        mwr=result.mwr, mwr_note=result.mwr_note)


async def daily(session: AsyncSession, tenant: Tenant, accounts: Sequence[AccountRead], *, start: dt.date | None,
                end: dt.date) -> list[engine.DayState]:
    """The accounts' states for every day of [start, end], as the stored state would hold them."""
    currency = tenant.base_currency
    book = await books.load(session, tenant, accounts, end, currency)
    first = min(book.first_date or end, end)
    scope = engine.Scope(account_ids=frozenset(a.id for a in accounts))
    states = engine.daily_states(book.activities, [scope], first, end, base_currency=currency, prices=book.prices,
                                 rates=book.rates)[scope]
    return [state for state in states if start is None or state.date >= start]


async def value(session: AsyncSession, tenant: Tenant, accounts: Sequence[AccountRead], day: dt.date,
                currency: str) -> Decimal:
    """Holdings at market plus cash of these accounts at the close of `day`, in `currency` (opening lots
    without a date count on any day)."""
    book = await books.load(session, tenant, accounts, day, currency, opening=day)
    snapshot = engine.snapshot(book.activities, day, base_currency=currency, prices=book.prices, rates=book.rates)
    held = sum((p.market_value or ZERO for p in snapshot.positions), ZERO)
    cash = sum((c.amount * rate for c in snapshot.cash
                if (rate := book.rates(c.currency, day) if c.currency != currency else Decimal(1)) is not None), ZERO)
    return held + cash
