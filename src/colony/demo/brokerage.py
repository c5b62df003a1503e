"""The demo's brokerage: fictional securities (`DEMO-*`, symbols no market-data provider knows) with
daily prices drawn as seeded random walks over weekdays, stored as quoted on their day (the split stock's
quotes halve on the split day), and three years of investing planned against them. Securities are shared
reference data: a second run (or `--reset`) reuses them and adds only the weekdays their prices lack."""

import bisect
import datetime as dt
import math
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.tenancy import Tenant
from colony.investments.accounts import service as account_service
from colony.investments.accounts.models import AccountType
from colony.investments.accounts.schemas import AccountCreate, AccountValueCreate
from colony.investments.activities.models import ActivityType
from colony.investments.activities.schemas import HoldingCreate, InvestmentTransactionCreate
from colony.investments.institutions import service as institution_service
from colony.investments.institutions.schemas import InstitutionCreate
from colony.investments.securities import service as security_service
from colony.investments.securities.errors import SecurityNotFound
from colony.investments.securities.models import SecurityType
from colony.investments.securities.schemas import Interval, PriceIn, SecurityCreate

SEED = 20240101  # of the whole demo: the ledger's year and the brokerage's prices
INVESTMENT_YEARS = 3
PRICE_CHUNK = 250  # price rows per put_prices call, the size of an upload
TRADING_DAYS_PER_YEAR = 252
CENT = Decimal("0.01")
UNIT = Decimal("0.0001")  # the savings plan buys fractional ETF units
ONE_DAY = dt.timedelta(days=1)

WORLD, BOND, TECH, EUROPE = "DEMO-WORLD", "DEMO-BOND", "DEMO-TECH", "DEMO-EU"
SPLIT_SYMBOL, SPLIT_RATIO, SPLIT_FACTOR = TECH, "2:1", 2
SPLIT_AFTER = 390  # the split's day: this many trading days after the security's first price (about 18 months)
TRADE_FEE = Decimal("1.00")  # on stock trades; the ETF savings plan trades free


@dataclass(frozen=True, slots=True)
class DemoSecurity:
    symbol: str
    name: str
    security_type: SecurityType
    currency: str
    first_close: float
    drift: float  # expected return per year
    volatility: float  # per year
    volume: tuple[int, int]
    seed: int  # of its walk: picked for a pleasant three years (any walk would be as valid)


DEMO_SECURITIES = (
    DemoSecurity(WORLD, "Demo World Equity ETF (fictional)", SecurityType.etf, "USD", 100.0, 0.07, 0.15,
                 (400_000, 1_600_000), 14),
    DemoSecurity(BOND, "Demo Aggregate Bond ETF (fictional)", SecurityType.etf, "USD", 50.0, 0.025, 0.05,
                 (150_000, 700_000), 71),
    DemoSecurity(TECH, "Demo Technologies Inc. (fictional)", SecurityType.stock, "USD", 180.0, 0.16, 0.32,
                 (2_000_000, 9_000_000), 51),
    DemoSecurity(EUROPE, "Demo Europa Industrie AG (fictional)", SecurityType.stock, "EUR", 42.0, 0.05, 0.22,
                 (100_000, 600_000), 14),
)


def month_day(year: int, month: int, day: int) -> dt.date:
    """`day` of the month, or its last day when the month is shorter."""
    last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return last.replace(day=min(day, last.day))


def weekdays(first: dt.date, last: dt.date) -> list[dt.date]:
    """Monday to Friday from first to last (both included): the demo's trading days."""
    count = (last - first).days + 1
    return [day for day in (first + dt.timedelta(days=n) for n in range(max(count, 0))) if day.weekday() < 5]


def _quoted(value: float) -> Decimal:
    """A drawn price as quoted, to the cent (floats only to draw it; the price is a Decimal)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_EVEN)


def price_bars(security: DemoSecurity, days: Sequence[dt.date], split_index: int | None = None) -> list[PriceIn]:
    """One daily bar per day: a geometric random walk of the close from `first_close` on `days[0]`, seeded by
    the symbol (the same days give the same bars). From `split_index` on, the quotes are those after the
    split (divided by its factor), since prices are stored as quoted on their day."""
    rng = random.Random(f"{SEED}:{security.symbol}:{security.seed}")  # noqa: S311 - demo data, not secrets
    step = 1 / TRADING_DAYS_PER_YEAR
    mu, sigma = (security.drift - security.volatility**2 / 2) * step, security.volatility * math.sqrt(step)
    bars: list[PriceIn] = []
    close = security.first_close
    for index, day in enumerate(days):
        previous = close
        if index:
            close = previous * math.exp(rng.gauss(mu, sigma))
        open_ = previous * math.exp(rng.gauss(0, sigma / 4))
        spread = abs(rng.gauss(0, sigma / 2))
        high, low = max(open_, close) * (1 + spread), max(min(open_, close) * (1 - spread), 0.0)
        divisor = SPLIT_FACTOR if split_index is not None and index >= split_index else 1
        bars.append(PriceIn(date=day, open=_quoted(open_ / divisor), high=_quoted(high / divisor),
                            low=_quoted(low / divisor), close=_quoted(close / divisor),
                            volume=rng.randint(*security.volume)))
    return bars


@dataclass(frozen=True, slots=True)
class Quotes:
    """The closes of the demo securities the plan trades at, and what this run stored."""

    closes: dict[str, dict[dt.date, Decimal]]
    split_day: dt.date | None  # of SPLIT_SYMBOL
    stored: int


async def ensure_securities(session: AsyncSession, today: dt.date) -> Quotes:
    """The demo securities, created when unknown, with a close on every weekday from INVESTMENT_YEARS ago
    (or their first stored price, when earlier) to today. Prices already stored stay as they are: only the
    weekdays they lack are added. The walk starts on that first day, so a series this function stored
    before continues where it ended, and the split day is the same."""
    last = today - dt.timedelta(days=max(today.weekday() - 4, 0))
    closes: dict[str, dict[dt.date, Decimal]] = {}
    split_day, stored = None, 0
    for spec in DEMO_SECURITIES:
        try:
            await security_service.get(session, spec.symbol)
        except SecurityNotFound:
            await security_service.create(session, SecurityCreate(
                symbol=spec.symbol, name=spec.name, security_type=spec.security_type, currency=spec.currency))
        have = (await security_service.prices(session, spec.symbol, start=None, end=None,
                                              interval=Interval.day)).prices
        first = min([_years_before(today, INVESTMENT_YEARS), *(bar.date for bar in have[:1])])
        days = weekdays(first, last)
        split_index = SPLIT_AFTER if spec.symbol == SPLIT_SYMBOL and len(days) > SPLIT_AFTER else None
        if split_index is not None:
            split_day = days[split_index]
        bars = price_bars(spec, days, split_index)
        known = {bar.date for bar in have}
        missing = [bar for bar in bars if bar.date not in known]
        for offset in range(0, len(missing), PRICE_CHUNK):
            stored += (await security_service.put_prices(session, spec.symbol,
                                                         missing[offset:offset + PRICE_CHUNK])).stored
        closes[spec.symbol] = {bar.date: bar.close for bar in bars} | {bar.date: bar.close for bar in have}
    return Quotes(closes, split_day, stored)


def _years_before(day: dt.date, years: int) -> dt.date:
    return month_day(day.year - years, day.month, day.day)


def _months_after(day: dt.date, months: int, day_of_month: int) -> dt.date:
    index = day.month - 1 + months
    return month_day(day.year + index // 12, index % 12 + 1, day_of_month)


@dataclass(frozen=True, slots=True)
class Transfer:
    """Money moved from the checking account to the brokerage (booked there as cash)."""

    date: dt.date
    amount: Decimal
    description: str


@dataclass(frozen=True, slots=True)
class InvestmentPlan:
    start: dt.date
    opening: HoldingCreate  # a lot moved in from another broker, entered directly
    items: list[InvestmentTransactionCreate | Transfer]  # oldest first, in the order to enter them


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def plan_investments(today: dt.date, closes: Mapping[str, Mapping[dt.date, Decimal]],
                     split_day: dt.date | None) -> InvestmentPlan:
    """The brokerage's INVESTMENT_YEARS up to today, traded at the closes given (one on every weekday).

    Money arrives one trading day before the buys it pays for, so no buy is funded implicitly. Quantities
    are tracked here (opening lot, buys, the split, the sale) to size the distributions and the sale."""
    start = _years_before(today, INVESTMENT_YEARS)
    calendar = sorted(day for day in closes[WORLD] if start <= day <= today)
    T = ActivityType
    entries: list[tuple[dt.date, int, InvestmentTransactionCreate | Transfer]] = []
    rank = {T.deposit: 0, T.fee: 1, T.buy: 2, T.split: 3, T.sell: 4, T.dividend: 5}

    def trading_day(day: dt.date) -> dt.date | None:
        """The first trading day on or after `day`, up to today."""
        index = bisect.bisect_left(calendar, day)
        return calendar[index] if index < len(calendar) else None

    def add(kind: ActivityType, day: dt.date, **fields: object) -> None:
        entries.append((day, rank[kind], InvestmentTransactionCreate.model_validate({"type": kind, "date": day,
                                                                                      **fields})))

    def deposit(day: dt.date, amount: str, note: str) -> dt.date | None:
        """A deposit, and the next trading day (when the money is invested)."""
        add(T.deposit, day, amount=Decimal(amount), note=note)
        return trading_day(day + ONE_DAY)

    def buy(day: dt.date | None, symbol: str, budget: Decimal, *, whole: bool = False) -> None:
        if day is None:
            return
        price = closes[symbol][day]
        fee = TRADE_FEE if whole else Decimal(0)
        quantity = ((budget - fee) / price).quantize(Decimal(1) if whole else UNIT, rounding=ROUND_DOWN)
        if quantity > 0:
            add(T.buy, day, symbol=symbol, quantity=quantity, price=price, fee=fee)

    first = calendar[0]
    opening_quantity = Decimal(150)
    opening = HoldingCreate(symbol=EUROPE, quantity=opening_quantity, acquired_on=first,  # bought for less
                            cost_basis=_cents(opening_quantity * closes[EUROPE][first] * Decimal("0.82")))
    invest_on = deposit(first, "10000.00", "Initial deposit")
    buy(invest_on, WORLD, Decimal("5000.00"))
    buy(invest_on, BOND, Decimal("2000.00"))
    buy(invest_on, TECH, Decimal("2000.00"), whole=True)
    # The savings plan: a monthly contribution, 70 % into world equity that month, 30 % saved up for a
    # quarterly purchase of the bond fund.
    for_bonds = Decimal(0)
    for month in range(1, INVESTMENT_YEARS * 12 + 1):
        day = trading_day(_months_after(start, month, 5))
        if day is None:
            break
        contribution = Decimal(("500.00", "600.00", "750.00")[min((month - 1) // 12, 2)])
        invest_on = deposit(day, str(contribution), "Monthly contribution")
        equity = _cents(contribution * Decimal("0.7"))
        buy(invest_on, WORLD, equity)
        for_bonds += contribution - equity
        if month % 3 == 0:
            buy(invest_on, BOND, for_bonds)
            for_bonds = Decimal(0)
    if (day := trading_day(_months_after(start, 9, 15))) is not None:
        buy(deposit(day, "1500.00", "Bonus"), TECH, Decimal("1500.00"), whole=True)
    for year in range(1, INVESTMENT_YEARS):
        if (day := trading_day(month_day(start.year + year, start.month, start.day))) is not None:
            add(T.fee, day, amount=Decimal("24.00"), note="Annual account fee")
    if (day := trading_day(today - dt.timedelta(days=100))) is not None:
        entries.append((day, rank[T.deposit], Transfer(day, Decimal("3000.00"), "Transfer to brokerage")))
        buy(trading_day(day + ONE_DAY), WORLD, Decimal("2500.00"))
    if split_day is not None and start < split_day <= today:
        add(T.split, split_day, symbol=SPLIT_SYMBOL, split_ratio=SPLIT_RATIO, note="2-for-1 stock split")

    def held(symbol: str, day: dt.date) -> Decimal:
        """Units of `symbol` held at the start of `day` (before its trades)."""
        quantity = opening_quantity if symbol == EUROPE else Decimal(0)
        for _, _, item in sorted(entries, key=lambda entry: entry[:2]):
            if isinstance(item, Transfer) or item.date >= day or item.symbol != symbol:
                continue
            if item.type is T.buy and item.quantity is not None:
                quantity += item.quantity
            elif item.type is T.sell and item.quantity is not None:
                quantity -= item.quantity
            elif item.type is T.split:
                quantity *= SPLIT_FACTOR
        return quantity

    # The sale: a third of the stock, on its best close from two months after the split to six weeks ago.
    window = [day for day in calendar
              if (split_day or start) + dt.timedelta(days=60) <= day <= today - dt.timedelta(days=42)]
    if window:
        day = max(window, key=lambda each: (closes[TECH][each], each))
        if (quantity := (held(TECH, day) / 3).to_integral_value(rounding=ROUND_DOWN)) > 0:
            add(T.sell, day, symbol=TECH, quantity=quantity, price=closes[TECH][day], fee=TRADE_FEE,
                note="Taking some profit")
    # Distributions: the equity ETF quarterly (about 1.8 % a year), the euro stock once a year (3.2 %, with
    # 15 % withheld at source).
    for year in range(start.year, today.year + 1):
        for month in (3, 6, 9, 12):
            day = trading_day(month_day(year, month, 20))
            if day is not None and start < day and (amount := _cents(held(WORLD, day) * closes[WORLD][day]
                                                                     * Decimal("0.0045"))) > 0:
                add(T.dividend, day, symbol=WORLD, amount=amount, note="Quarterly distribution")
        day = trading_day(month_day(year, 5, 15))
        if day is not None and start < day:
            amount = _cents(held(EUROPE, day) * closes[EUROPE][day] * Decimal("0.032"))
            add(T.dividend, day, symbol=EUROPE, amount=amount, tax=_cents(amount * Decimal("0.15")),
                note="Annual dividend, 15 % withheld")
    entries.sort(key=lambda entry: entry[:2])
    return InvestmentPlan(start=start, opening=opening, items=[item for _, _, item in entries])


@dataclass(frozen=True, slots=True)
class Accounts:
    checking: uuid.UUID
    brokerage: uuid.UUID


async def create_accounts(session: AsyncSession, tenant: Tenant, opened: dt.date) -> Accounts:
    """A bank with the checking account (its balance stated the day before `opened`), and a broker."""
    bank = await institution_service.create(session, tenant, InstitutionCreate(name="Demo Community Bank",
                                                                               country="US"))
    broker = await institution_service.create(session, tenant, InstitutionCreate(name="Demo Brokerage Inc.",
                                                                                 country="US"))
    checking = await account_service.create(session, tenant, AccountCreate(
        name="Everyday checking", type=AccountType.checking, institution_id=bank.id, currency=tenant.base_currency))
    await account_service.put_value(session, tenant, checking.id, AccountValueCreate(
        date=opened - ONE_DAY, balance=Decimal("5200.00")))
    brokerage = await account_service.create(session, tenant, AccountCreate(
        name="Brokerage", type=AccountType.investment, institution_id=broker.id, currency=tenant.base_currency))
    return Accounts(checking=checking.id, brokerage=brokerage.id)


