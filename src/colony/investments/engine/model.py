"""The engine's data: what goes in (activities, lookups, a scope) and what comes out (snapshots, series,
performance). Kept apart from the calculations so that their modules can share it; `engine` re-exports
every name, and its docstring defines what the figures mean."""

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal(0)


class Kind(StrEnum):
    buy = "buy"
    sell = "sell"
    dividend = "dividend"
    interest = "interest"
    fee = "fee"
    tax = "tax"
    split = "split"  # type: ignore[assignment]  # a member named like str.split, on purpose
    deposit = "deposit"
    withdrawal = "withdrawal"
    transfer_in = "transfer_in"
    transfer_out = "transfer_out"
    opening = "opening"  # a holding entered directly: a lot of `quantity` at total cost `amount`


class CostMethod(StrEnum):
    fifo = "fifo"
    average = "average"


class InsufficientQuantity(ValueError):
    """A sell or transfer_out of more than the account holds on that date (the API answers 422)."""

    def __init__(self, activity_id: uuid.UUID, held: Decimal, wanted: Decimal) -> None:
        super().__init__(f"holds {held}, not {wanted}")
        self.activity_id, self.held, self.wanted = activity_id, held, wanted


@dataclass(frozen=True, slots=True)
class Activity:
    """One investment event of one account, amounts in `currency` (the security's for buy, sell,
    dividend and opening lots; the account's, or the one given, for cash events).

    An opening lot without a date (`date=None` is not allowed here: the service gives it the day before
    the account's first activity, so that it is held since before anything else)."""

    id: uuid.UUID
    account_id: uuid.UUID
    date: dt.date
    kind: Kind
    currency: str
    security_id: uuid.UUID | None = None
    quantity: Decimal | None = None
    price: Decimal | None = None
    amount: Decimal | None = None  # dividend/interest gross, fee, tax, deposit, withdrawal; opening: total cost
    fee: Decimal = ZERO
    tax: Decimal = ZERO
    split: tuple[Decimal, Decimal] | None = None  # (new, old): "2:1" is (2, 1)
    counter_account_id: uuid.UUID | None = None  # transfers (and cash moved between two accounts)
    sequence: int = 0  # order among activities of one day (the order they were entered)


PriceLookup = Callable[[uuid.UUID, dt.date], tuple[Decimal, dt.date] | None]
"""(security, day) -> the last close on or before the day and its date, or None before the first one."""
RateLookup = Callable[[str, dt.date], Decimal | None]
"""(currency, day) -> units of base currency per unit of `currency` on or before the day, or None."""


@dataclass(frozen=True, slots=True)
class Scope:
    """What a figure is about: these accounts (the portfolio, or one), and optionally one security."""

    account_ids: frozenset[uuid.UUID]
    security_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Position:
    """One security held in one account at a date (quantities after splits), values in base currency."""

    account_id: uuid.UUID
    security_id: uuid.UUID
    quantity: Decimal
    price: Decimal | None  # the close used, in the security's currency
    price_date: dt.date | None
    market_value: Decimal | None  # None when its price or rate is missing
    cost_basis: Decimal  # of the lots held, by the chosen method, at the trade dates' rates
    cost_basis_native: Decimal  # the same in the security's currency
    unrealized_gain: Decimal | None
    realized_gain: Decimal  # since the account opened, by the chosen method
    income: Decimal  # dividends and interest, gross
    cost_complete: bool = True  # False: a rate at some trade date is missing, `cost_basis` is only the known part


@dataclass(frozen=True, slots=True)
class Cash:
    account_id: uuid.UUID
    currency: str
    amount: Decimal  # in `currency`


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Holdings and cash at the close of `date`."""

    date: dt.date
    positions: list[Position]
    cash: list[Cash]
    missing_prices: frozenset[uuid.UUID] = frozenset()  # securities held without any close yet
    missing_rates: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class DayPoint:
    """The scope at the close of one day, in base currency."""

    date: dt.date
    market_value: Decimal
    inflow: Decimal  # IN_t
    outflow: Decimal  # OUT_t
    index: float  # I_t, cumulative TWR index, 1.0 at the first day of the series


@dataclass(frozen=True, slots=True)
class Performance:
    start_date: dt.date
    end_date: dt.date
    start_value: Decimal
    end_value: Decimal
    deposits: Decimal
    withdrawals: Decimal
    income: Decimal
    fees: Decimal
    taxes: Decimal
    realized_gain: Decimal
    unrealized_gain: Decimal
    twr: Decimal | None
    twr_annualized: Decimal | None
    mwr: Decimal | None
    mwr_note: str | None = None
    series: list[DayPoint] = field(default_factory=list)
    # What was left out of some figure: securities valued before their first close, currencies without a
    # rate (on a day of the series, or at a trade date whose cost or proceeds a figure needed).
    missing_prices: frozenset[uuid.UUID] = frozenset()
    missing_rates: frozenset[str] = frozenset()
