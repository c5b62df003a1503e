"""Account balances and net worth: what every account is worth on a day, in its currency and in base.

An account that holds investments (an investment or retirement account with holdings or investment
transactions) is worth its holdings at market plus its cash: the stored daily state's value of its scope
(in base currency), or, on days the state does not cover, the engine's snapshot of its facts. Every other
account is worth its latest value entry plus the transactions booked after it
(accounts.service.value_balance). Liabilities (loans, credit cards) count negative in net worth.
"""

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from colony.core import clock
from colony.core.db import Database
from colony.core.errors import ValidationFailed
from colony.core.tenancy import Tenant
from colony.exchange_rates import service as rate_service
from colony.investments import engine
from colony.investments.accounts import service as account_service
from colony.investments.accounts.models import PORTFOLIOS
from colony.investments.accounts.schemas import AccountRead, BalanceRead
from colony.investments.activities import service as activity_service
from colony.investments.portfolio import book as books
from colony.investments.portfolio import figures, refresh
from colony.investments.portfolio.schemas import AccountWorth, NetWorthPoint, NetWorthRead
from colony.investments.state import service as state_service
from colony.investments.state.models import PortfolioState

ZERO = Decimal(0)
HISTORY_MONTHS = 12
MAX_HISTORY_MONTHS = 1200


async def _invested(session: AsyncSession, tenant: Tenant, accounts: Sequence[AccountRead]) -> list[AccountRead]:
    candidates = [account for account in accounts if account.type in PORTFOLIOS]
    with_facts = await activity_service.accounts_with_facts(session, tenant.tenant_id, [a.id for a in candidates])
    return [account for account in candidates if account.id in with_facts]


async def _fresh(database: Database, tenant: Tenant, days: Sequence[dt.date]) -> PortfolioState | None:
    """The stored state, if it can answer for some of these days (refreshed first if stale)."""
    return await refresh.fresh_state(database, tenant) if min(days) <= clock.today() else None


async def _invested_values(session: AsyncSession, tenant: Tenant, accounts: Sequence[AccountRead],
                           days: Sequence[dt.date], state: PortfolioState | None
                           ) -> dict[tuple[uuid.UUID, dt.date], Decimal]:
    """Each account's holdings at market plus cash at each day's close, in base currency."""
    if not accounts or not days:
        return {}
    today = clock.today()
    stored = {day for day in days if state is not None and state.first_date < day <= today}
    values = {(account.id, day): ZERO for account in accounts for day in stored}
    for row in await state_service.scopes_on(session, tenant.tenant_id, [a.id for a in accounts], stored):
        values[(row.scope_id, row.date)] = row.market_value
    rest = [day for day in days if day not in stored]
    if rest:  # before the state (opening lots without a date count on any day), after today, or no state
        book = await books.load(session, tenant, accounts, max(rest), tenant.base_currency, opening=min(rest))
        for day in rest:
            snapshot = engine.snapshot(book.activities, day, base_currency=tenant.base_currency, prices=book.prices,
                                       rates=book.rates)
            for account in accounts:
                values[(account.id, day)] = _worth_of(snapshot, account.id, book.rates, day, tenant.base_currency)
    return values


def _worth_of(snapshot: engine.Snapshot, account_id: uuid.UUID, rates: engine.RateLookup, day: dt.date,
              currency: str) -> Decimal:
    held = sum((p.market_value or ZERO for p in snapshot.positions if p.account_id == account_id), ZERO)
    cash = ZERO
    for c in snapshot.cash:
        rate = Decimal(1) if c.currency == currency else rates(c.currency, day)
        if c.account_id == account_id and rate is not None:
            cash += c.amount * rate
    return held + cash


async def balance(database: Database, tenant: Tenant, account_id: uuid.UUID, on: dt.date | None) -> BalanceRead:
    """GET /accounts/{id}/balance: in the account's currency (422 RATE_NOT_AVAILABLE without a rate)."""
    day = on or clock.today()
    state = await _fresh(database, tenant, [day])
    async with database.reader() as session:
        account = await account_service.get(session, tenant, account_id)
        if not await _invested(session, tenant, [account]):
            return await account_service.value_balance(session, tenant, account, day)
        value = (await _invested_values(session, tenant, [account], [day], state))[(account.id, day)]
        conversion = await rate_service.rate_on(session, tenant.base_currency, account.currency, day,
                                                 tenant_id=tenant.tenant_id)
    return BalanceRead(account_id=account.id, date=day, balance=conversion.apply(value, account.currency),
                       currency=account.currency, method="holdings")


async def net_worth(database: Database, tenant: Tenant, on: dt.date | None,
                    history_from: dt.date | None) -> NetWorthRead:
    """Every account's worth on the date in base currency (a liability's negative), and the total at the end
    of each month from `history_from` (default: the 12 months before the date's month)."""
    day = on or clock.today()
    if history_from is not None and history_from > day:
        raise ValidationFailed("query.history_start_date", "must not be after date")
    month_ends = _month_ends(history_from, day)
    days = [*month_ends, day]
    state = await _fresh(database, tenant, days)
    async with database.reader() as session:
        return await _net_worth(session, tenant, day, month_ends, state)


async def _net_worth(session: AsyncSession, tenant: Tenant, day: dt.date, month_ends: list[dt.date],
                     state: PortfolioState | None) -> NetWorthRead:
    currency = tenant.base_currency
    days = [*month_ends, day]
    accounts = await account_service.all_accounts(session, tenant.tenant_id)
    invested = await _invested(session, tenant, accounts)
    others = [account for account in accounts if account not in invested]
    held = await _invested_values(session, tenant, invested, days, state)
    stated = await account_service.value_balances(session, tenant, others, days)
    table = await rate_service.rate_table(session, {a.currency for a in accounts} | {currency}, min(days), day,
                                          tenant_id=tenant.tenant_id)
    missing: set[str] = set()
    worth: list[AccountWorth] = []
    totals = dict.fromkeys(month_ends, ZERO)
    for account in accounts:
        for each in days:
            value, balance = _account_worth(account, each, held, stated, table, currency)
            if each == day:
                if value is None:
                    missing.add(account.currency)
                worth.append(AccountWorth(account_id=account.id, name=account.name, type=account.type,
                                          is_liability=account.is_liability, balance=balance,
                                          currency=account.currency, value=value))
            elif value is not None:
                totals[each] += value
    assets = sum((w.value for w in worth if w.value is not None and not w.is_liability), ZERO)
    liabilities = -sum((w.value for w in worth if w.value is not None and w.is_liability), ZERO)
    return NetWorthRead(
        date=day, currency=currency, total=figures.amount(assets - liabilities, currency),
        assets=figures.amount(assets, currency), liabilities=figures.amount(liabilities, currency), accounts=worth,
        history=[NetWorthPoint(date=end, total=figures.amount(total, currency)) for end, total in totals.items()],
        missing_rates=sorted(missing))


def _account_worth(account: AccountRead, day: dt.date, held: dict[tuple[uuid.UUID, dt.date], Decimal],
                   stated: dict[uuid.UUID, dict[dt.date, Decimal]], table: rate_service.RateTable, currency: str
                   ) -> tuple[Decimal | None, Decimal]:
    """(value in base currency, negative for a liability, or None without a rate; balance in its currency)."""
    if (account.id, day) in held:  # an investment account: never a liability
        value = figures.amount(held[(account.id, day)], currency)
        conversion = table.get(currency, account.currency, day)
        return (value, conversion.apply(value, account.currency)) if conversion is not None else (None, ZERO)
    balance = stated[account.id][day]
    conversion = table.get(account.currency, currency, day)
    if conversion is None:
        return None, balance
    return conversion.apply(-balance if account.is_liability else balance, currency), balance


def _month_ends(start: dt.date | None, day: dt.date) -> list[dt.date]:
    """The last day of each month before `day`'s month, from `start`'s month (default: the 12 before)."""
    ends: list[dt.date] = []
    first = day.replace(day=1)
    while len(ends) < MAX_HISTORY_MONTHS and first > dt.date.min:
        first -= dt.timedelta(days=1)  # the last day of the month before
        if (start is not None and first < start) or (start is None and len(ends) == HISTORY_MONTHS):
            break
        ends.append(first)
        first = first.replace(day=1)
    return sorted(ends)
