"""The derived portfolio state's bookkeeping: marking it stale when a fact changes, reading it, replacing it.

Every write to a fact the state is derived from calls `touch` (or, for prices and rates, which belong to
no tenant, `touch_holders` / `touch_all`) in the same transaction, with the first day it changes. That
moves the tenant's `dirty_from` back to that day and bumps its `version`; a refresh recomputes from
`dirty_from` and only keeps its result if the version is still the one it read (portfolio/refresh.py).
A tenant without a state has nothing to mark: its first read builds one.
"""

import datetime as dt
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.clock import utcnow
from colony.investments import engine
from colony.investments.state.models import (
    AMOUNT_SCALE,
    INDEX_SCALE,
    PortfolioCash,
    PortfolioDay,
    PortfolioPosition,
    PortfolioState,
)
from colony.investments.state.repository import (
    CashRepository,
    DayRepository,
    MarketTouchRepository,
    PositionRepository,
    SecurityLinkRepository,
    StateRepository,
)

DAY_COLUMNS = ("scope_id", "date", "market_value", "holdings_value", "inflow", "outflow", "cum_inflow",
               "cum_outflow", "income", "fees", "taxes", "realized_fifo", "realized_average", "unrealized_fifo",
               "unrealized_average", "twr_index")
POSITION_COLUMNS = ("account_id", "security_id", "method", "quantity", "cost_basis", "cost_basis_native",
                    "cost_complete", "realized_gain", "income")
CASH_COLUMNS = ("account_id", "currency", "amount")


# ---- marking stale ----

async def touch(session: AsyncSession, tenant_id: uuid.UUID, day: dt.date) -> None:
    await StateRepository(session, tenant_id).touch(day)


async def touch_holders(session: AsyncSession, security_ids: Collection[uuid.UUID], day: dt.date) -> None:
    """New or corrected prices from `day` on: every state valued with these securities."""
    if security_ids:
        await MarketTouchRepository(session).touch_holders(security_ids, day)


async def touch_all(session: AsyncSession, day: dt.date) -> None:
    """New or corrected exchange rates from `day` on: every state that reaches that day."""
    await MarketTouchRepository(session).touch_all(day)


# ---- reading ----

async def header(session: AsyncSession, tenant_id: uuid.UUID) -> PortfolioState | None:
    return await StateRepository(session, tenant_id).header()


async def days_on(session: AsyncSession, tenant_id: uuid.UUID, scope_id: uuid.UUID,
                  days: Collection[dt.date]) -> dict[dt.date, PortfolioDay]:
    return await DayRepository(session, tenant_id).on(scope_id, days)


async def scopes_on(session: AsyncSession, tenant_id: uuid.UUID, scope_ids: Collection[uuid.UUID],
                    days: Collection[dt.date]) -> Sequence[PortfolioDay]:
    return await DayRepository(session, tenant_id).of_scopes_on(scope_ids, days)


async def first_active(session: AsyncSession, tenant_id: uuid.UUID, scope_id: uuid.UUID) -> dt.date | None:
    return await DayRepository(session, tenant_id).first_active(scope_id)


async def days_between(session: AsyncSession, tenant_id: uuid.UUID, scope_id: uuid.UUID, start: dt.date,
                       end: dt.date) -> Sequence[PortfolioDay]:
    return await DayRepository(session, tenant_id).between(scope_id, start, end)


async def flows(session: AsyncSession, tenant_id: uuid.UUID, scope_id: uuid.UUID, after: dt.date,
                until: dt.date) -> Sequence[tuple[Any, ...]]:
    return await DayRepository(session, tenant_id).flows(scope_id, after, until)


async def stale_tenants(session: AsyncSession, today: dt.date, limit: int) -> list[uuid.UUID]:
    """Tenants whose state a write made stale or that has not reached `today` yet, the stalest first."""
    return await MarketTouchRepository(session).stale(today, limit)


async def positions(session: AsyncSession, tenant_id: uuid.UUID, method: str,
                    account_ids: Collection[uuid.UUID]) -> Sequence[PortfolioPosition]:
    return await PositionRepository(session, tenant_id).by_method(method, account_ids)


async def cash(session: AsyncSession, tenant_id: uuid.UUID, account_ids: Collection[uuid.UUID]
               ) -> Sequence[PortfolioCash]:
    return await CashRepository(session, tenant_id).of_accounts(account_ids)


# ---- rows and the engine's day states ----

AMOUNT_QUANTUM = Decimal(1).scaleb(-AMOUNT_SCALE)  # what the engine rounds a stored state to
INDEX_QUANTUM = Decimal(1).scaleb(-INDEX_SCALE)


def day_row(scope_id: uuid.UUID, day: engine.DayState) -> tuple[Any, ...]:
    """A day as a row of DAY_COLUMNS. Its amounts are at the columns' scale already (the engine rounds them
    to AMOUNT_QUANTUM as it computes), the index is rounded here (a bulk COPY skips the column types)."""
    return (scope_id, day.date, day.market_value, day.holdings_value, day.inflow, day.outflow, day.cum_inflow,
            day.cum_outflow, day.income, day.fees, day.taxes, day.realized_fifo, day.realized_average,
            day.unrealized_fifo, day.unrealized_average,
            Decimal(repr(day.index)).quantize(INDEX_QUANTUM, rounding=ROUND_HALF_EVEN))


def day_state(row: PortfolioDay) -> engine.DayState:
    """A stored day as the engine's state, to continue from."""
    return engine.DayState(
        date=row.date, market_value=row.market_value, holdings_value=row.holdings_value, inflow=row.inflow,
        outflow=row.outflow, index=float(row.twr_index), cum_inflow=row.cum_inflow, cum_outflow=row.cum_outflow,
        income=row.income, fees=row.fees, taxes=row.taxes, realized_fifo=row.realized_fifo,
        realized_average=row.realized_average, unrealized_fifo=row.unrealized_fifo,
        unrealized_average=row.unrealized_average)


# ---- replacing ----

@dataclass(frozen=True, slots=True)
class Computed:
    """A refresh's result: days from `replace_from` on, and the positions, cash and securities at `through`."""

    currency: str
    first_date: dt.date
    replace_from: dt.date  # the days from here on are replaced (date.min: all of them)
    through: dt.date
    days: Iterable[Sequence[Any]]  # tuples of DAY_COLUMNS
    positions: Iterable[Sequence[Any]]  # tuples of POSITION_COLUMNS
    cash: Iterable[Sequence[Any]]  # tuples of CASH_COLUMNS
    security_ids: Iterable[uuid.UUID]


async def store(session: AsyncSession, tenant_id: uuid.UUID, computed: Computed, *, read_version: int | None
                ) -> bool:
    """Keep a refresh's result, unless a write changed the facts after the refresh read them (the version
    moved, or a state appeared that the refresh did not see): then False, and the caller rolls back."""
    states = StateRepository(session, tenant_id)
    values = {"currency": computed.currency, "first_date": computed.first_date,
              "computed_through": computed.through, "dirty_from": None, "computed_at": utcnow()}
    if read_version is None:
        if not await states.create(version=0, **values):
            return False
    else:
        state = await states.header(for_update=True)  # on PostgreSQL, two refreshes of a tenant queue here
        if state is None or state.version != read_version:
            return False
        await states.update_where(**values)
    days = DayRepository(session, tenant_id)
    await days.delete_from(computed.replace_from)
    await days.insert_many(DAY_COLUMNS, computed.days)
    for repository, columns, rows in ((PositionRepository(session, tenant_id), POSITION_COLUMNS, computed.positions),
                                      (CashRepository(session, tenant_id), CASH_COLUMNS, computed.cash)):
        await repository.delete_where()
        await repository.insert_many(columns, rows)
    await SecurityLinkRepository(session, tenant_id).replace(computed.security_ids)
    return True
