"""Response shapes of the portfolio, its performance and history, net worth and account balances.

Every amount is in the caller's base currency unless a field says otherwise; rates of return are decimal
strings with 10 places ("0.2557677598" is 25.58 %).
"""

import uuid
from enum import StrEnum

from pydantic import Field

from colony.core.money import DecimalString
from colony.core.schemas import IsoDate, Schema
from colony.investments.accounts.models import AccountType
from colony.investments.engine import CostMethod
from colony.investments.securities.models import SecurityType


class HoldingValue(Schema):
    account_id: uuid.UUID
    security_id: uuid.UUID
    symbol: str
    name: str
    security_type: SecurityType
    security_currency: str
    quantity: DecimalString
    price: DecimalString | None = Field(description="The close used, in the security's currency")
    price_date: IsoDate | None = Field(description="The day of that close (the last one on or before the date)")
    market_value: DecimalString | None = Field(description="null when no price or exchange rate is known yet")
    cost_basis: DecimalString = Field(description="Of the units held, by cost_method, at the trade dates' rates")
    unrealized_gain: DecimalString | None
    unrealized_gain_percent: DecimalString | None = Field(description="Of the cost basis, 2 decimals")
    realized_gain: DecimalString = Field(description="Of the units sold since the account opened")
    income: DecimalString = Field(description="Dividends and interest, gross")


class CashBalance(Schema):
    account_id: uuid.UUID
    currency: str
    amount: DecimalString = Field(description="In `currency`")


class Allocation(Schema):
    key: str = Field(description="A security type (or cash), a currency, or an account id")
    market_value: DecimalString
    weight: DecimalString = Field(description="Of the total value; the weights of one breakdown sum to 1")


class PortfolioTotals(Schema):
    market_value: DecimalString = Field(description="Of the holdings")
    cash: DecimalString
    total_value: DecimalString = Field(description="market_value + cash")
    cost_basis: DecimalString
    unrealized_gain: DecimalString = Field(description="Of the holdings whose value and cost are known")
    unrealized_gain_percent: DecimalString | None = Field(description="Of those holdings' cost basis, 2 decimals")
    realized_gain: DecimalString
    income: DecimalString


class AllocationBreakdown(Schema):
    by_security_type: list[Allocation]
    by_currency: list[Allocation]
    by_account: list[Allocation]


class PortfolioRead(Schema):
    date: IsoDate = Field(description="Valued at the latest close and the latest rate on or before this day")
    currency: str
    cost_method: CostMethod
    holdings: list[HoldingValue]
    cash: list[CashBalance]
    totals: PortfolioTotals
    allocation: AllocationBreakdown
    missing_prices: list[str] = Field(description="Symbols held without any price yet (valued at nothing)")


class PerformanceRead(Schema):
    start_date: IsoDate
    end_date: IsoDate
    currency: str
    start_value: DecimalString = Field(description="At the close of start_date")
    end_value: DecimalString = Field(description="At the close of end_date")
    deposits: DecimalString = Field(description="External inflows after start_date, through end_date")
    withdrawals: DecimalString
    income: DecimalString
    fees: DecimalString
    taxes: DecimalString
    realized_gain: DecimalString
    unrealized_gain: DecimalString
    twr: DecimalString | None = Field(description="Time-weighted return over the range: daily returns chained")
    twr_annualized: DecimalString | None = Field(description="Only for ranges of 365 days or more")
    mwr: DecimalString | None = Field(description="Money-weighted return: the annual XIRR (ACT/365) of the flows")
    mwr_note: str | None = Field(description="Why mwr is null, or what it assumed")
    method: str = Field(default="twr: daily, inflows at the start of a day and outflows at its end; mwr: xirr")


class HistoryInterval(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class HistoryPoint(Schema):
    date: IsoDate
    market_value: DecimalString
    net_flows: DecimalString = Field(description="Inflows minus outflows since the previous point")
    twr_index: DecimalString = Field(description="Growth of 1 invested at start_date, flows taken out")


class HistoryRead(Schema):
    start_date: IsoDate
    end_date: IsoDate
    currency: str
    interval: HistoryInterval
    points: list[HistoryPoint]


class AccountWorth(Schema):
    account_id: uuid.UUID
    name: str
    type: AccountType
    is_liability: bool
    balance: DecimalString = Field(description="In the account's currency (for a liability: what is owed)")
    currency: str
    value: DecimalString | None = Field(description="In base currency, counted negative for a liability; null "
                                        "when no exchange rate is known for that date")


class NetWorthPoint(Schema):
    date: IsoDate
    total: DecimalString


class NetWorthRead(Schema):
    date: IsoDate
    currency: str
    total: DecimalString = Field(description="assets - liabilities")
    assets: DecimalString
    liabilities: DecimalString
    accounts: list[AccountWorth]
    history: list[NetWorthPoint] = Field(description="The total at the end of each month before the date's "
                                         "month, from history_start_date (default: the 12 months before)")
    missing_rates: list[str] = Field(description="Currencies without an exchange rate on the date (left out)")
