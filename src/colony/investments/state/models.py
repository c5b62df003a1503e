"""What the engine derived from each tenant's investment facts, kept so that reads are lookups.

Never a source of truth: every row here is rebuilt from holdings, investment transactions, bookings,
prices and rates (portfolio/refresh.py). A write to any of those marks the tenant's state dirty from the
first day it touches (state/service.py); the next refresh recomputes from that day on.
"""

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from colony.core.models import Base, TenantOwned
from colony.core.types import QUANTITY_SCALE, Derived

INDEX_SCALE = 12  # the cumulative TWR index: a TWR quoted to 10 places needs a little more
AMOUNT_SCALE = 6  # finer than any currency's minor unit: a figure is rounded to its currency once, on output


def Amount() -> Derived:
    return Derived(AMOUNT_SCALE)


class PortfolioState(TenantOwned, Base):
    """One per tenant: what its state covers and whether a write has made part of it stale."""

    __tablename__ = "portfolio_states"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))  # the base currency its amounts are in
    first_date: Mapped[dt.date]  # the day before the first activity: value 0, index 1
    computed_through: Mapped[dt.date]
    dirty_from: Mapped[dt.date | None]  # the earliest day a write touched since; NULL: fresh
    version: Mapped[int] = mapped_column(default=0)  # bumped by every such write
    computed_at: Mapped[dt.datetime]


class PortfolioDay(TenantOwned, Base):
    """A scope (the whole portfolio: scope_id = tenant_id; or one account) at the close of a calendar day,
    in base currency. Cumulative figures run from the state's first day, so a range is two rows."""

    __tablename__ = "portfolio_days"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    scope_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    date: Mapped[dt.date] = mapped_column(primary_key=True)
    market_value: Mapped[Decimal] = mapped_column(Amount())
    holdings_value: Mapped[Decimal] = mapped_column(Amount())
    inflow: Mapped[Decimal] = mapped_column(Amount())
    outflow: Mapped[Decimal] = mapped_column(Amount())
    cum_inflow: Mapped[Decimal] = mapped_column(Amount())
    cum_outflow: Mapped[Decimal] = mapped_column(Amount())
    income: Mapped[Decimal] = mapped_column(Amount())
    fees: Mapped[Decimal] = mapped_column(Amount())
    taxes: Mapped[Decimal] = mapped_column(Amount())
    realized_fifo: Mapped[Decimal] = mapped_column(Amount())
    realized_average: Mapped[Decimal] = mapped_column(Amount())
    unrealized_fifo: Mapped[Decimal] = mapped_column(Amount())
    unrealized_average: Mapped[Decimal] = mapped_column(Amount())
    twr_index: Mapped[Decimal] = mapped_column(Derived(INDEX_SCALE))


class PortfolioPosition(TenantOwned, Base):
    """A security held in an account at the close of `computed_through`, by one cost method."""

    __tablename__ = "portfolio_positions"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    security_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    method: Mapped[str] = mapped_column(String(8), primary_key=True)
    quantity: Mapped[Decimal] = mapped_column(Derived(QUANTITY_SCALE))
    cost_basis: Mapped[Decimal] = mapped_column(Amount())  # base currency, at the trade dates' rates
    cost_basis_native: Mapped[Decimal] = mapped_column(Amount())
    cost_complete: Mapped[bool]  # False: a rate at some trade date was missing (no unrealized gain then)
    realized_gain: Mapped[Decimal] = mapped_column(Amount())
    income: Mapped[Decimal] = mapped_column(Amount())


class PortfolioCash(TenantOwned, Base):
    __tablename__ = "portfolio_cash"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Amount())


class PortfolioSecurity(TenantOwned, Base):
    """The securities a tenant's state was valued with: a new price of one makes those states stale."""

    __tablename__ = "portfolio_securities"

    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    security_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)

    __table_args__ = (Index("ix_portfolio_securities_security", "security_id"),)
