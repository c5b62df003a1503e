"""The portfolio, its performance and history, account balances and net worth: the facts loaded from the
database, the figures computed by the engine (engine.py states what each one means).

Accounts that hold investments (investment and retirement accounts with holdings or investment
transactions) are worth their holdings at market plus their cash; their cash also moves with the
transactions booked to them (a transfer from a checking account is a deposit). Every other account is
worth its value entries plus the transactions booked after them (accounts.service.value_balance).
"""

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from colony.core import clock, money
from colony.core.errors import ValidationFailed
from colony.core.tenancy import Tenant
from colony.exchange_rates import service as rate_service
from colony.investments import engine
from colony.investments.accounts import service as account_service
from colony.investments.accounts.models import PORTFOLIOS
from colony.investments.accounts.schemas import AccountRead, BalanceRead
from colony.investments.activities import service as activity_service
from colony.investments.portfolio.schemas import (
    AccountWorth,
    Allocation,
    AllocationBreakdown,
    CashBalance,
    HistoryInterval,
    HistoryPoint,
    HistoryRead,
    HoldingValue,
    NetWorthPoint,
    NetWorthRead,
    PerformanceRead,
    PortfolioRead,
    PortfolioTotals,
)
from colony.investments.securities import service as security_service
from colony.investments.securities.schemas import SecurityRead
from colony.transactions import service as transaction_service

ZERO = Decimal(0)
WEIGHT_QUANTUM = Decimal("1e-10")
PERCENT_QUANTUM = Decimal("0.01")
HISTORY_MONTHS = 12


@dataclass(frozen=True, slots=True)
class _Book:
    """Everything the engine needs about some accounts, up to a day."""

    activities: list[engine.Activity]
    securities: dict[uuid.UUID, SecurityRead]
    prices: engine.PriceLookup
    rates: engine.RateLookup
    first_date: dt.date | None


async def _book(session: AsyncSession, tenant: Tenant, accounts: Sequence[AccountRead], end: dt.date,
                currency: str, *, opening: dt.date | None = None) -> _Book:
    """The accounts' investment activity with the cash booked to them, the closes of their securities and
    the rates into `currency`, all up to `end`."""
    account_ids = [account.id for account in accounts]
    facts = await activity_service.facts(session, tenant.tenant_id, account_ids, opening=opening)
    bookings = await transaction_service.bookings(session, tenant.tenant_id, account_ids, until=end)
    activities = [activity for activity in facts.activities if activity.date <= end]
    activities += [_cash(booking, index) for index, booking in enumerate(bookings)]
    activities.sort(key=lambda a: (a.date, a.kind is not engine.Kind.opening, a.sequence))
    securities = await security_service.by_ids(session, facts.security_ids)
    closes = await security_service.closes(session, facts.security_ids, end)
    price_lookups = {security_id: engine.locf(series) for security_id, series in closes.items()}
    first = min((a.date for a in activities), default=None)
    currencies = {a.currency for a in activities} | {s.currency for s in securities.values()} | {currency}
    table = await rate_service.rate_table(session, currencies, first or end, end)

    def prices(security_id: uuid.UUID, day: dt.date) -> tuple[Decimal, dt.date] | None:
        lookup = price_lookups.get(security_id)
        return lookup(day) if lookup is not None else None

    def rates(code: str, day: dt.date) -> Decimal | None:
        conversion = table.get(code, currency, day)
        return conversion.rate if conversion is not None else None

    return _Book(activities, securities, prices, rates, first)


def _cash(booking: transaction_service.Booking, index: int) -> engine.Activity:
    """A transaction booked to an investment account moves its cash: income deposits, an expense withdraws."""
    kind = engine.Kind.deposit if booking.amount > 0 else engine.Kind.withdrawal
    return engine.Activity(id=booking.id, account_id=booking.account_id, date=booking.date, kind=kind,
                           currency=booking.currency, amount=abs(booking.amount),
                           counter_account_id=booking.counter_account_id, sequence=1_000_000 + index)


async def _portfolio_accounts(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID | None
                              ) -> list[AccountRead]:
    if account_id is not None:
        account = await account_service.require(session, tenant, account_id, field="query.account_id")
        if account.type not in PORTFOLIOS:
            raise ValidationFailed("query.account_id", "not an investment or retirement account")
        return [account]
    return [a for a in await account_service.all_accounts(session, tenant.tenant_id) if a.type in PORTFOLIOS]


def _amount(value: Decimal, currency: str) -> Decimal:
    return money.quantize(value, currency)


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * 100 / whole).quantize(PERCENT_QUANTUM, rounding=ROUND_HALF_EVEN) if whole else None


def _weights(values: dict[str, Decimal], currency: str) -> list[Allocation]:
    """Shares of the total that sum to exactly 1: the rounding remainder goes to the largest item."""
    total = sum(values.values(), ZERO)
    items = sorted(values.items(), key=lambda item: (-item[1], item[0]))
    if not total:
        return [Allocation(key=key, market_value=_amount(value, currency), weight=ZERO.quantize(WEIGHT_QUANTUM))
                for key, value in items]
    weights = [(value / total).quantize(WEIGHT_QUANTUM, rounding=ROUND_HALF_EVEN) for _, value in items]
    weights[0] += Decimal(1) - sum(weights, ZERO)
    return [Allocation(key=key, market_value=_amount(value, currency), weight=weight)
            for (key, value), weight in zip(items, weights, strict=True)]


# ---- GET /portfolio ----

async def portfolio(session: AsyncSession, tenant: Tenant, *, method: engine.CostMethod,
                    account_id: uuid.UUID | None = None, on: dt.date | None = None) -> PortfolioRead:
    """Holdings, cash, totals and allocation at the latest close and the latest rate (by default today)."""
    day = on or clock.today()
    currency = tenant.base_currency
    accounts = await _portfolio_accounts(session, tenant, account_id)
    book = await _book(session, tenant, accounts, day, currency)
    snapshot = engine.snapshot(book.activities, day, base_currency=currency, prices=book.prices, rates=book.rates,
                               method=method)
    holdings = [_holding(position, book.securities[position.security_id], currency)
                for position in snapshot.positions if position.quantity]
    holdings.sort(key=lambda h: (h.symbol, str(h.account_id)))
    cash = [CashBalance(account_id=c.account_id, currency=c.currency, amount=_amount(c.amount, c.currency))
            for c in snapshot.cash if c.amount]
    cash_values = [(c, book.rates(c.currency, day)) for c in snapshot.cash]
    cash_total = sum((c.amount * rate for c, rate in cash_values if rate is not None), ZERO)
    market = sum((h.market_value or ZERO for h in holdings), ZERO)
    cost = sum((h.cost_basis for h in holdings), ZERO)
    unrealized = sum((h.unrealized_gain or ZERO for h in holdings), ZERO)
    realized = sum((_amount(p.realized_gain, currency) for p in snapshot.positions), ZERO)
    income = sum((_amount(p.income, currency) for p in snapshot.positions), ZERO)
    by_type: dict[str, Decimal] = {}
    by_currency: dict[str, Decimal] = {}
    by_account: dict[str, Decimal] = {}
    for h in holdings:
        value = h.market_value or ZERO
        by_type[h.security_type.value] = by_type.get(h.security_type.value, ZERO) + value
        by_currency[h.security_currency] = by_currency.get(h.security_currency, ZERO) + value
        by_account[str(h.account_id)] = by_account.get(str(h.account_id), ZERO) + value
    for c, rate in cash_values:
        if rate is not None and c.amount:
            value = c.amount * rate
            by_type["cash"] = by_type.get("cash", ZERO) + value
            by_currency[c.currency] = by_currency.get(c.currency, ZERO) + value
            by_account[str(c.account_id)] = by_account.get(str(c.account_id), ZERO) + value
    return PortfolioRead(
        date=day, currency=currency, cost_method=method, holdings=holdings, cash=cash,
        totals=PortfolioTotals(market_value=_amount(market, currency), cash=_amount(cash_total, currency),
                               total_value=_amount(market + cash_total, currency), cost_basis=_amount(cost, currency),
                               unrealized_gain=_amount(unrealized, currency),
                               unrealized_gain_percent=_percent(unrealized, cost),
                               realized_gain=realized, income=income),
        allocation=AllocationBreakdown(by_security_type=_weights(by_type, currency),
                                       by_currency=_weights(by_currency, currency),
                                       by_account=_weights(by_account, currency)),
        missing_prices=sorted(book.securities[s].symbol for s in snapshot.missing_prices if s in book.securities))


def _holding(position: engine.Position, security: SecurityRead, currency: str) -> HoldingValue:
    market = _amount(position.market_value, currency) if position.market_value is not None else None
    cost = _amount(position.cost_basis, currency)
    unrealized = market - cost if market is not None else None
    return HoldingValue(
        account_id=position.account_id, security_id=position.security_id, symbol=security.symbol, name=security.name,
        security_type=security.security_type, security_currency=security.currency,
        quantity=position.quantity.normalize(), price=position.price, price_date=position.price_date,
        market_value=market, cost_basis=cost, unrealized_gain=unrealized,
        unrealized_gain_percent=_percent(unrealized, cost) if unrealized is not None else None,
        realized_gain=_amount(position.realized_gain, currency), income=_amount(position.income, currency))


# ---- GET /portfolio/performance and /portfolio/history ----

async def _range(session: AsyncSession, tenant: Tenant, accounts: Sequence[AccountRead], start: dt.date | None,
                 end: dt.date | None) -> tuple[dt.date, dt.date, _Book]:
    end_day = end or clock.today()
    book = await _book(session, tenant, accounts, end_day, tenant.base_currency)
    start_day = start or book.first_date or end_day
    if start_day > end_day:
        raise ValidationFailed("query.start_date", "must not be after end_date")
    return start_day, end_day, book


async def performance(session: AsyncSession, tenant: Tenant, *, start: dt.date | None, end: dt.date | None,
                      account_id: uuid.UUID | None = None, symbol: str | None = None) -> PerformanceRead:
    accounts = await _portfolio_accounts(session, tenant, account_id)
    security_id = None
    if symbol is not None:
        security_id = (await security_service.require(session, symbol=symbol, field="query.symbol")).id
    start_day, end_day, book = await _range(session, tenant, accounts, start, end)
    scope = engine.Scope(account_ids=frozenset(a.id for a in accounts), security_id=security_id)
    figures = engine.performance(book.activities, scope, start_day, end_day, base_currency=tenant.base_currency,
                                 prices=book.prices, rates=book.rates)
    return PerformanceRead(
        start_date=figures.start_date, end_date=figures.end_date, currency=tenant.base_currency,
        start_value=figures.start_value, end_value=figures.end_value, deposits=figures.deposits,
        withdrawals=figures.withdrawals, income=figures.income, fees=figures.fees, taxes=figures.taxes,
        realized_gain=figures.realized_gain, unrealized_gain=figures.unrealized_gain, twr=figures.twr,
        twr_annualized=figures.twr_annualized, mwr=figures.mwr, mwr_note=figures.mwr_note)


def _is_point(day: dt.date, interval: HistoryInterval, end: dt.date) -> bool:
    """The last day of each week (Sunday) or month, and the range's last day."""
    if day == end or interval is HistoryInterval.day:
        return True
    if interval is HistoryInterval.week:
        return day.weekday() == 6
    return (day + dt.timedelta(days=1)).day == 1


async def history(session: AsyncSession, tenant: Tenant, *, start: dt.date | None, end: dt.date | None,
                  interval: HistoryInterval, account_id: uuid.UUID | None = None) -> HistoryRead:
    accounts = await _portfolio_accounts(session, tenant, account_id)
    start_day, end_day, book = await _range(session, tenant, accounts, start, end)
    scope = engine.Scope(account_ids=frozenset(a.id for a in accounts))
    series = engine.daily_series(book.activities, scope, start_day, end_day, base_currency=tenant.base_currency,
                                 prices=book.prices, rates=book.rates)
    currency = tenant.base_currency
    points: list[HistoryPoint] = []
    flows = ZERO
    for point in series:
        flows += point.inflow - point.outflow
        if _is_point(point.date, interval, end_day):
            points.append(HistoryPoint(date=point.date, market_value=_amount(point.market_value, currency),
                                       net_flows=_amount(flows, currency),
                                       twr_index=Decimal(repr(point.index)).quantize(WEIGHT_QUANTUM)))
            flows = ZERO
    return HistoryRead(start_date=start_day, end_date=end_day, currency=currency, interval=interval, points=points)


# ---- account balances and net worth ----

async def _holds_investments(session: AsyncSession, tenant: Tenant, account: AccountRead) -> bool:
    if account.type not in PORTFOLIOS:
        return False
    return bool((await activity_service.facts(session, tenant.tenant_id, [account.id])).activities)


async def balance(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID, on: dt.date | None) -> BalanceRead:
    """GET /accounts/{id}/balance: in the account's currency."""
    account = await account_service.get(session, tenant, account_id)
    day = on or clock.today()
    if not await _holds_investments(session, tenant, account):
        return await account_service.value_balance(session, tenant, account, day)
    value = await _portfolio_value(session, tenant, [account], day, account.currency)
    return BalanceRead(account_id=account.id, date=day, balance=_amount(value, account.currency),
                       currency=account.currency, method="holdings")


async def _portfolio_value(session: AsyncSession, tenant: Tenant, accounts: Sequence[AccountRead], day: dt.date,
                           currency: str) -> Decimal:
    """Holdings at market plus cash of these accounts at the close of `day`, in `currency`."""
    book = await _book(session, tenant, accounts, day, currency, opening=day)
    snapshot = engine.snapshot(book.activities, day, base_currency=currency, prices=book.prices, rates=book.rates)
    held = sum((p.market_value or ZERO for p in snapshot.positions), ZERO)
    cash = sum((c.amount * rate for c in snapshot.cash if (rate := book.rates(c.currency, day)) is not None), ZERO)
    return held + cash


async def net_worth(session: AsyncSession, tenant: Tenant, on: dt.date | None) -> NetWorthRead:
    """Every account's balance on the date in base currency (a liability's counted negative), and the total
    at the end of each of the 12 months before."""
    day = on or clock.today()
    currency = tenant.base_currency
    accounts = await account_service.all_accounts(session, tenant.tenant_id)
    worth, missing = await _worth(session, tenant, accounts, day)
    assets = sum((w.value for w in worth if w.value is not None and not w.is_liability), ZERO)
    liabilities = -sum((w.value for w in worth if w.value is not None and w.is_liability), ZERO)
    history = [NetWorthPoint(date=month_end, total=_amount(await _total(session, tenant, accounts, month_end),
                                                            currency))
               for month_end in _month_ends(day, HISTORY_MONTHS)]
    return NetWorthRead(date=day, currency=currency, total=_amount(assets - liabilities, currency),
                        assets=_amount(assets, currency), liabilities=_amount(liabilities, currency), accounts=worth,
                        history=history, missing_rates=sorted(missing))


async def _worth(session: AsyncSession, tenant: Tenant, accounts: Collection[AccountRead], day: dt.date
                 ) -> tuple[list[AccountWorth], set[str]]:
    currency = tenant.base_currency
    balances = [await balance(session, tenant, account.id, day) for account in accounts]
    table = await rate_service.rate_table(session, {a.currency for a in accounts} | {currency}, day, day)
    worth: list[AccountWorth] = []
    missing: set[str] = set()
    for account, stated in zip(accounts, balances, strict=True):
        conversion = table.get(account.currency, currency, day)
        value = None
        if conversion is None:
            missing.add(account.currency)
        else:
            value = conversion.apply(-stated.balance if account.is_liability else stated.balance, currency)
        worth.append(AccountWorth(account_id=account.id, name=account.name, type=account.type,
                                  is_liability=account.is_liability, balance=stated.balance,
                                  currency=account.currency, value=value))
    return worth, missing


async def _total(session: AsyncSession, tenant: Tenant, accounts: Collection[AccountRead], day: dt.date) -> Decimal:
    worth, _missing = await _worth(session, tenant, accounts, day)
    return sum((w.value for w in worth if w.value is not None), ZERO)


def _month_ends(day: dt.date, months: int) -> list[dt.date]:
    """The last day of each of the `months` months before `day`'s month, oldest first."""
    ends = []
    first = day.replace(day=1)
    for _ in range(months):
        first -= dt.timedelta(days=1)
        ends.append(first)
        first = first.replace(day=1)
    return sorted(ends)
