"""`colony demo`: a demo tenant with a realistic year of data, to try the API and the reports.

The user is `demo@colony.local` (personal, base currency USD) with a random password that `colony demo`
prints once (or one given to it). Its year ends today: a monthly salary, rent, weekly groceries, utilities,
transport, eating out and entertainment, and three trips abroad paid in EUR, GBP and JPY (converted at the ECB
rate of each day). The current month's rent and salary are `planned` when their day is still ahead. Everything
goes through the services (a new tenant gets the default categories), so the data obeys every rule the API
enforces. Random but reproducible (a fixed seed, relative to today).

The money sits somewhere: an "Everyday checking" account (at a fictional bank) that the bank transfers and
the debit card are booked to, and a "Brokerage" account (at "Demo Brokerage Inc.") with three years of
investing: an initial deposit, monthly contributions invested in two ETFs, quarterly distributions, an
annual fee, a 2:1 split of a stock and a sale of part of it at a gain, an opening lot of a euro stock
moved in from another broker, and one transfer from checking (brokerage.py).
"""

import datetime as dt
import random
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from colony.categories import service as category_service
from colony.categories.models import CategoryKind
from colony.categories.schemas import CategoryCreate
from colony.core import clock
from colony.core.db import Database
from colony.core.schemas import PageParams
from colony.core.tenancy import Role, Tenant
from colony.demo.brokerage import SEED, Transfer, create_accounts, ensure_securities, month_day, plan_investments
from colony.exchange_rates import service as rate_service
from colony.investments.accounts import service as account_service
from colony.investments.accounts.schemas import TransferCreate
from colony.investments.activities import service as activity_service
from colony.payment_methods import service as payment_method_service
from colony.payment_methods.models import PaymentMethodType
from colony.payment_methods.schemas import PaymentMethodCreate
from colony.transactions import service as transaction_service
from colony.transactions.models import TransactionStatus, TransactionType
from colony.transactions.schemas import TransactionCreate
from colony.users import service as user_service

DEMO_EMAIL = "demo@colony.local"
BASE_CURRENCY = "USD"

Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True, slots=True)
class DemoResult:
    created: bool  # False: the demo user already existed and nothing was done
    password: str | None = None  # the demo user's, when created: kept nowhere else in clear
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
            add(_Planned(type_, amount, "USD", month_day(year, month, day_of_month), description, category, method))
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


async def _remove_demo_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Delete the demo tenant: its transactions first (they restrict their categories and the accounts they
    are booked to), then the user, whose owned rows go with it (ON DELETE CASCADE: institutions, accounts
    with their values, opening lots and investment transactions). The securities and their prices are
    shared reference data: they stay, and the next run reuses them."""
    await transaction_service.delete_all(session, user_id)
    await user_service.delete_user(session, user_id)
    session.expunge_all()


async def create_demo(database: Database, *, reset: bool = False, today: dt.date | None = None,
                      progress: Progress | None = None, password: str | None = None) -> DemoResult:
    """Create the demo tenant, its year and its brokerage (one transaction, committed at the end). Its password is
    `password`, else a random one, returned in the result."""
    today = today or clock.today()
    password = password or secrets.token_urlsafe(12)
    async with database.sessionmaker() as session:
        existing = await user_service.login_account(session, email=DEMO_EMAIL)
        if existing is not None:
            if not reset:
                return DemoResult(created=False)
            await _remove_demo_user(session, existing.user_id)
        await rate_service.load_bundled(session)  # a no-op when the rates are there already
        # Straight through users, not registration: an operator's tool, whether sign-ups are open or not.
        user = await user_service.create_user(session, email=DEMO_EMAIL, password=password, role=Role.personal,
                                              base_currency=BASE_CURRENCY, first_name="Demo", last_name="User")
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
        accounts = await create_accounts(session, tenant, plan[0].date)
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
    return DemoResult(created=True, password=password, transactions=len(plan) + 2 * transfers, start=plan[0].date,
                      end=plan[-1].date, investment_transactions=len(investments.items) - transfers,
                      investments_start=investments.start, prices=quotes.stored)
