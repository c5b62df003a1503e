"""`colony demo`: a demo tenant with a realistic year of data, to try the API and the reports.

The user is `demo@colony.local` with the password `demo-password` (personal, base currency USD). Its
year ends today: a monthly salary, rent, weekly groceries, utilities, transport, eating out and
entertainment, and three trips abroad paid in EUR, GBP and JPY (converted at the ECB rate of each
day). The current month's rent and salary are `planned` when their day is still ahead. Everything goes
through the services (registration gives the default categories), so the data obeys every rule the
API enforces. Random but reproducible (a fixed seed, relative to today).

The money sits somewhere: an "Everyday checking" account (at a fictional bank) that the bank transfers and
the debit card are booked to, and a "Brokerage" account (at "Demo Brokerage Inc.") with three years of
investing: an initial deposit, monthly contributions invested in two ETFs, quarterly distributions, an
annual fee, a 2:1 split of a stock and a sale of part of it at a gain, an opening lot of a euro stock
moved in from another broker, and one transfer from checking. Its securities are fictional (`DEMO-*`,
symbols no market-data provider knows) with daily prices drawn as seeded random walks over weekdays,
stored as quoted on their day (the split stock's quotes halve on the split day). Securities are shared
reference data: a second run (or `--reset`) reuses them and adds only the weekdays their prices lack.
"""

import bisect
import datetime as dt
import math
import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from colony.auth import service as auth_service
from colony.auth.schemas import RegisterRequest
from colony.categories import service as category_service
from colony.categories.models import CategoryKind
from colony.categories.schemas import CategoryCreate
from colony.core import clock
from colony.core.db import Database
from colony.core.schemas import PageParams
from colony.core.tenancy import Role, Tenant
from colony.exchange_rates import service as rate_service
from colony.investments.accounts import service as account_service
from colony.investments.accounts.models import AccountType
from colony.investments.accounts.schemas import AccountCreate, AccountValueCreate, TransferCreate
from colony.investments.activities import service as activity_service
from colony.investments.activities.models import ActivityType
from colony.investments.activities.schemas import HoldingCreate, InvestmentTransactionCreate
from colony.investments.institutions import service as institution_service
from colony.investments.institutions.schemas import InstitutionCreate
from colony.investments.securities import service as security_service
from colony.investments.securities.errors import SecurityNotFound
from colony.investments.securities.models import SecurityType
from colony.investments.securities.schemas import Interval, PriceIn, SecurityCreate
from colony.payment_methods import service as payment_method_service
from colony.payment_methods.models import PaymentMethodType
from colony.payment_methods.schemas import PaymentMethodCreate
from colony.transactions import service as transaction_service
from colony.transactions.models import TransactionStatus, TransactionType
from colony.transactions.schemas import TransactionCreate
from colony.users import service as user_service

DEMO_EMAIL = "demo@colony.local"
DEMO_PASSWORD = "demo-password"  # documented: a demo account, never for real data
BASE_CURRENCY = "USD"
SEED = 20240101

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True, slots=True)
class DemoResult:
    created: bool  # False: the demo user already existed and nothing was done
    transactions: int = 0
    start: dt.date | None = None
    end: dt.date | None = None
    investment_transactions: int = 0  # in the brokerage (a transfer from checking is a transaction above)
    investments_start: dt.date | None = None
    prices: int = 0  # daily prices this run stored for the demo securities (0 when they were all there)


@dataclass(frozen=True, slots=True)
class _Planned:
    type: TransactionType
    amount: Decimal
    currency: str
    date: dt.date
    description: str
    category: str
    payment_method: str | None = None


def _money(rng: random.Random, low: float, high: float, decimals: int = 2) -> Decimal:
    """A random amount between low and high (floats only to draw the number; the amount is a Decimal)."""
    cents = rng.randint(int(low * 10**decimals), int(high * 10**decimals))
    return Decimal(cents).scaleb(-decimals)


def _month_day(year: int, month: int, day: int) -> dt.date:
    """`day` of the month, or its last day when the month is shorter."""
    last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return last.replace(day=min(day, last.day))


def plan_year(today: dt.date, rng: random.Random) -> list[_Planned]:
    """The year of transactions ending today, oldest first."""
    start = today - dt.timedelta(days=364)
    items: list[_Planned] = []
    add = items.append
    # monthly: salary on the 25th, rent on the 1st, utilities, phone, streaming, gym
    year, month = start.year, start.month
    while (year, month) <= (today.year, today.month):
        monthly = (
            (TransactionType.income, Decimal("4850.00"), 25, "Salary", "Salary", "Bank account"),
            (TransactionType.expense, Decimal("1650.00"), 1, "Rent", "Housing", "Bank account"),
            (TransactionType.expense, _money(rng, 45, 140), 12, "Electricity", "Bills", "Debit card"),
            (TransactionType.expense, _money(rng, 25, 60), 14, "Water and gas", "Bills", "Debit card"),
            (TransactionType.expense, Decimal("39.99"), 18, "Phone and internet", "Bills", "Credit card"),
            (TransactionType.expense, Decimal("15.49"), 7, "Streaming", "Entertainment", "Credit card"),
            (TransactionType.expense, Decimal("29.00"), 3, "Gym", "Health", "Credit card"),
            (TransactionType.expense, Decimal("89.00"), 2, "Transit pass", "Transportation", "Debit card"),
        )
        for type_, amount, day_of_month, description, category, method in monthly:
            add(_Planned(type_, amount, "USD", _month_day(year, month, day_of_month), description, category, method))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    # weekly and casual spending
    day = start
    while day <= today:
        if day.weekday() == 5:
            add(_Planned(TransactionType.expense, _money(rng, 55, 140), "USD", day, "Groceries", "Groceries",
                         "Debit card"))
        if rng.random() < 0.22:
            add(_Planned(TransactionType.expense, _money(rng, 9, 48), "USD", day,
                         rng.choice(["Lunch", "Coffee and cake", "Dinner out", "Takeaway"]), "Food", "Credit card"))
        if rng.random() < 0.08:
            add(_Planned(TransactionType.expense, _money(rng, 12, 35), "USD", day, "Taxi", "Transportation",
                         "Credit card"))
        if rng.random() < 0.05:
            add(_Planned(TransactionType.expense, _money(rng, 15, 90), "USD", day,
                         rng.choice(["Cinema", "Concert", "Books", "Museum"]), "Entertainment", "Credit card"))
        if rng.random() < 0.02:
            add(_Planned(TransactionType.expense, _money(rng, 20, 120), "USD", day, "Pharmacy", "Health", "Cash"))
        day += dt.timedelta(days=1)
    # three trips abroad, paid in the local currency
    trips = (("EUR", "Paris", 50, (45, 180)), ("GBP", "London", 150, (30, 140)), ("JPY", "Tokyo", 260, (1500, 12000)))
    for currency, city, days_in, (low, high) in trips:
        first = start + dt.timedelta(days=days_in)
        decimals = 0 if currency == "JPY" else 2
        add(_Planned(TransactionType.expense, _money(rng, low * 3, high * 3, decimals), currency, first,
                     f"Hotel in {city}", "Travel", "Credit card"))
        for offset in range(5):
            add(_Planned(TransactionType.expense, _money(rng, low / 2, high / 2, decimals), currency,
                         first + dt.timedelta(days=offset), f"Meals in {city}", "Food", "Credit card"))
            if offset % 2 == 0:
                add(_Planned(TransactionType.expense, _money(rng, low / 3, high / 3, decimals), currency,
                             first + dt.timedelta(days=offset), f"Sightseeing in {city}", "Travel", "Cash"))
    items = [item for item in items if start <= item.date]
    items.sort(key=lambda item: (item.date, item.description))
    return items


# ---- the brokerage: fictional securities, their prices, three years of investing ----

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
    return _month_day(day.year - years, day.month, day.day)


def _months_after(day: dt.date, months: int, day_of_month: int) -> dt.date:
    index = day.month - 1 + months
    return _month_day(day.year + index // 12, index % 12 + 1, day_of_month)


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
        if (day := trading_day(_month_day(start.year + year, start.month, start.day))) is not None:
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
            day = trading_day(_month_day(year, month, 20))
            if day is not None and start < day and (amount := _cents(held(WORLD, day) * closes[WORLD][day]
                                                                     * Decimal("0.0045"))) > 0:
                add(T.dividend, day, symbol=WORLD, amount=amount, note="Quarterly distribution")
        day = trading_day(_month_day(year, 5, 15))
        if day is not None and start < day:
            amount = _cents(held(EUROPE, day) * closes[EUROPE][day] * Decimal("0.032"))
            add(T.dividend, day, symbol=EUROPE, amount=amount, tax=_cents(amount * Decimal("0.15")),
                note="Annual dividend, 15 % withheld")
    entries.sort(key=lambda entry: entry[:2])
    return InvestmentPlan(start=start, opening=opening, items=[item for _, _, item in entries])


@dataclass(frozen=True, slots=True)
class _Accounts:
    checking: uuid.UUID
    brokerage: uuid.UUID


async def _create_accounts(session: AsyncSession, tenant: Tenant, opened: dt.date) -> _Accounts:
    """A bank with the checking account (its balance stated the day before `opened`), and a broker."""
    bank = await institution_service.create(session, tenant, InstitutionCreate(name="Demo Community Bank",
                                                                               country="US"))
    broker = await institution_service.create(session, tenant, InstitutionCreate(name="Demo Brokerage Inc.",
                                                                                 country="US"))
    checking = await account_service.create(session, tenant, AccountCreate(
        name="Everyday checking", type=AccountType.checking, institution_id=bank.id, currency=BASE_CURRENCY))
    await account_service.put_value(session, tenant, checking.id, AccountValueCreate(
        date=opened - ONE_DAY, balance=Decimal("5200.00")))
    brokerage = await account_service.create(session, tenant, AccountCreate(
        name="Brokerage", type=AccountType.investment, institution_id=broker.id, currency=BASE_CURRENCY))
    return _Accounts(checking=checking.id, brokerage=brokerage.id)


async def _remove_demo_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Delete the demo tenant: its transactions first (they restrict their categories and the accounts they
    are booked to), then the user, whose owned rows go with it (ON DELETE CASCADE: institutions, accounts
    with their values, opening lots and investment transactions). The securities and their prices are
    shared reference data: they stay, and the next run reuses them."""
    await transaction_service.delete_all(session, user_id)
    await user_service.delete_user(session, user_id)
    session.expunge_all()


async def create_demo(database: Database, *, reset: bool = False, today: dt.date | None = None,
                      progress: Progress | None = None) -> DemoResult:
    """Create the demo tenant, its year and its brokerage (one transaction, committed at the end)."""
    today = today or clock.today()
    async with database.sessionmaker() as session:
        existing = await user_service.login_account(session, email=DEMO_EMAIL)
        if existing is not None:
            if not reset:
                return DemoResult(created=False)
            await _remove_demo_user(session, existing.user_id)
        await rate_service.load_bundled(session)  # a no-op when the rates are there already
        # model_construct: `.local` is a special-use domain that registration's email check refuses, which
        # is the point for a demo account (it can never receive mail); every other value is valid.
        user = await auth_service.register(session, RegisterRequest.model_construct(
            email=DEMO_EMAIL, password=DEMO_PASSWORD, first_name="Demo", last_name="User",
            account_type="personal", base_currency=BASE_CURRENCY))
        tenant = Tenant(user_id=user.id, tenant_id=user.id, role=Role.personal, base_currency=BASE_CURRENCY)
        await category_service.create(session, tenant, CategoryCreate(name="Travel", kind=CategoryKind.expense,
                                                                      color="#3388FF", icon="plane"))
        tenant_categories = await category_service.list_categories(session, tenant, None, PageParams(size=100))
        categories = {(c.kind, c.name): c.id for c in tenant_categories.items}
        methods = {}
        for name, type_, last4 in (("Bank account", PaymentMethodType.bank_transfer, None),
                                   ("Debit card", PaymentMethodType.debit_card, "4242"),
                                   ("Credit card", PaymentMethodType.credit_card, "1881"),
                                   ("Cash", PaymentMethodType.cash, None)):
            method = await payment_method_service.create(session, tenant, PaymentMethodCreate(
                name=name, type=type_, last4=last4))
            methods[name] = method.id
        plan = plan_year(today, random.Random(SEED))  # noqa: S311 - demo data, not secrets
        accounts = await _create_accounts(session, tenant, plan[0].date)
        booked_to = {"Bank account": accounts.checking, "Debit card": accounts.checking}
        quotes = await ensure_securities(session, today)
        investments = plan_investments(today, quotes.closes, quotes.split_day)
        total = len(plan) + 1 + len(investments.items)

        def step(done: int) -> None:
            if progress is not None and (done % 25 == 0 or done == total):
                progress(done, total)

        for index, item in enumerate(plan, start=1):
            kind = CategoryKind(item.type.value)
            status = TransactionStatus.planned if item.date > today else TransactionStatus.paid
            await transaction_service.create(session, tenant, TransactionCreate(
                type=item.type, amount=item.amount, currency=item.currency, date=item.date,
                description=item.description, category_id=categories[(kind, item.category)],
                payment_method_id=methods[item.payment_method] if item.payment_method else None,
                account_id=booked_to.get(item.payment_method or ""), status=status))
            step(index)
        await activity_service.create_holding(session, tenant, accounts.brokerage, investments.opening)
        step(len(plan) + 1)
        transfers = 0
        for index, entry in enumerate(investments.items, start=len(plan) + 2):
            if isinstance(entry, Transfer):
                await account_service.create_transfer(session, tenant, TransferCreate(
                    from_account_id=accounts.checking, to_account_id=accounts.brokerage, amount=entry.amount,
                    date=entry.date, description=entry.description))
                transfers += 1
            else:
                await activity_service.create_transaction(session, tenant, accounts.brokerage, entry)
            step(index)
        await session.commit()
    return DemoResult(created=True, transactions=len(plan) + 2 * transfers, start=plan[0].date, end=plan[-1].date,
                      investment_transactions=len(investments.items) - transfers,
                      investments_start=investments.start, prices=quotes.stored)
