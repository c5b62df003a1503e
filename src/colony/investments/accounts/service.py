"""Accounts: CRUD, value entries, the balance of an account that is not a portfolio, transfers.

A balance is kept in the account's own terms (for a liability, what is owed). On a date it is the latest
value entry on or before the date plus the paid transactions booked to the account after that entry
(income adds, an expense takes; the other way round for a liability), each converted into the account's
currency at the rate of its date. Accounts that hold investments are valued by the portfolio part.
"""

import bisect
import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from colony.core import money
from colony.core.db import savepoint
from colony.core.errors import ValidationFailed
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import Tenant
from colony.exchange_rates import service as rate_service
from colony.investments.accounts.errors import AccountCurrencyInUse, AccountInUse, AccountNotFound
from colony.investments.accounts.models import LIABILITIES, PORTFOLIOS, Account, AccountType
from colony.investments.accounts.repository import AccountRepository, AccountValueRepository
from colony.investments.accounts.schemas import (
    AccountCreate,
    AccountRead,
    AccountUpdate,
    AccountValueCreate,
    AccountValueRead,
    BalanceRead,
    TransferCreate,
    TransferRead,
)
from colony.investments.institutions import service as institution_service
from colony.investments.state import service as state_service
from colony.transactions import service as transaction_service

DEFAULT_TRANSFER_DESCRIPTION = "Transfer"


def _read(account: Account) -> AccountRead:
    return AccountRead(id=account.id, name=account.name, type=account.type, institution_id=account.institution_id,
                       currency=account.currency, is_active=account.is_active,
                       is_liability=account.type in LIABILITIES, created_at=account.created_at,
                       updated_at=account.updated_at)


async def list_accounts(session: AsyncSession, tenant: Tenant, params: PageParams, *,
                        type_: AccountType | None = None, is_active: bool | None = None) -> Page[AccountRead]:
    rows, total = await AccountRepository(session, tenant.tenant_id).list(params, type_=type_, is_active=is_active)
    return Page[AccountRead].build([_read(row) for row in rows], total, params)


async def all_accounts(session: AsyncSession, tenant_id: uuid.UUID) -> list[AccountRead]:
    """Every account of the tenant (net worth walks all of them)."""
    return [_read(row) for row in await AccountRepository(session, tenant_id).all()]


async def _get(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID) -> Account:
    return await AccountRepository(session, tenant.tenant_id).get_or_raise(account_id, AccountNotFound)


async def get(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID) -> AccountRead:
    return _read(await _get(session, tenant, account_id))


async def require(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID, *, field: str) -> AccountRead:
    """An account named in a request body: missing or another tenant's → 422 on `field`."""
    account = await AccountRepository(session, tenant.tenant_id).get(account_id)
    if account is None:
        raise ValidationFailed(field, "account not found")
    return _read(account)


async def create(session: AsyncSession, tenant: Tenant, data: AccountCreate) -> AccountRead:
    if data.institution_id is not None:
        await institution_service.require(session, tenant, data.institution_id, field="body.institution_id")
    account = Account(created_by_id=tenant.user_id, **data.model_dump())
    return _read(await AccountRepository(session, tenant.tenant_id).add(account))


async def update(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID, data: AccountUpdate) -> AccountRead:
    account = await _get(session, tenant, account_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("institution_id") is not None and changes["institution_id"] != account.institution_id:
        await institution_service.require(session, tenant, changes["institution_id"], field="body.institution_id")
    if changes.get("currency", account.currency) != account.currency and await _in_use(session, tenant, account):
        raise AccountCurrencyInUse()
    was_portfolio = account.type in PORTFOLIOS
    for field, value in changes.items():
        setattr(account, field, value)
    await session.flush()
    if was_portfolio or account.type in PORTFOLIOS:  # it joined or left the portfolio, or changed within it
        await state_service.touch(session, tenant.tenant_id, dt.date.min)
    return _read(account)


async def _in_use(session: AsyncSession, tenant: Tenant, account: Account) -> bool:
    """Whether values or transactions are booked to the account (they are in its currency)."""
    if await AccountValueRepository(session, tenant.tenant_id).latest(account.id, dt.date.max) is not None:
        return True
    return bool(await transaction_service.account_movements(session, tenant.tenant_id, account.id, after=None,
                                                            until=dt.date.max))


async def delete(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID) -> None:
    """Its value entries and investment activity go with it; transactions booked to it keep it (409)."""
    account = await _get(session, tenant, account_id)
    async with savepoint(session, AccountInUse):
        await session.delete(account)
    if account.type in PORTFOLIOS:
        await state_service.touch(session, tenant.tenant_id, dt.date.min)


# ---- value entries and the balance of an account that holds no investments ----

async def put_value(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID,
                    data: AccountValueCreate) -> AccountValueRead:
    """The account's balance on a date as stated; a second value for the date replaces the first."""
    account = await _get(session, tenant, account_id)
    try:
        balance = money.check_amount(data.balance, account.currency, positive=False)
    except money.MoneyError as exc:
        raise ValidationFailed("body.balance", str(exc)) from None
    await AccountValueRepository(session, tenant.tenant_id).put(account.id, data.date, balance)
    return AccountValueRead(account_id=account.id, date=data.date, balance=balance, currency=account.currency)


async def list_values(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID,
                      params: PageParams) -> Page[AccountValueRead]:
    account = await _get(session, tenant, account_id)
    rows, total = await AccountValueRepository(session, tenant.tenant_id).list(account.id, params)
    return Page[AccountValueRead].build(
        [AccountValueRead(account_id=account.id, date=row.date, balance=money.quantize(row.balance, account.currency),
                          currency=account.currency) for row in rows], total, params)


async def value_balance(session: AsyncSession, tenant: Tenant, account: AccountRead, on: dt.date) -> BalanceRead:
    """The latest value entry on or before `on` plus the paid transactions booked after it, in the account's
    currency (each converted at the rate of its date; 422 RATE_NOT_AVAILABLE without one)."""
    value = await AccountValueRepository(session, tenant.tenant_id).latest(account.id, on)
    start = value.balance if value is not None else Decimal(0)
    movements = await transaction_service.account_movements(session, tenant.tenant_id, account.id,
                                                            after=value.date if value is not None else None, until=on)
    moved = _running_totals(movements, await _movement_rates(session, tenant, account, movements), account)(on)
    balance = start - moved if account.is_liability else start + moved
    return BalanceRead(account_id=account.id, date=on, balance=money.quantize(balance, account.currency),
                       currency=account.currency, method="values",
                       as_of_value_date=value.date if value is not None else None)


async def value_balances(session: AsyncSession, tenant: Tenant, accounts: Sequence[AccountRead],
                         days: Sequence[dt.date]) -> dict[uuid.UUID, dict[dt.date, Decimal]]:
    """`value_balance` of many accounts on many days: one read of their values, one of each one's movements."""
    if not accounts or not days:
        return {}
    last = max(days)
    values: dict[uuid.UUID, list[tuple[dt.date, Decimal]]] = {account.id: [] for account in accounts}
    for account_id, day, balance in await AccountValueRepository(session, tenant.tenant_id).until(values, last):
        values[account_id].append((day, balance))
    balances: dict[uuid.UUID, dict[dt.date, Decimal]] = {}
    for account in accounts:
        movements = await transaction_service.account_movements(session, tenant.tenant_id, account.id, after=None,
                                                                until=last)
        moved_by = _running_totals(movements, await _movement_rates(session, tenant, account, movements), account)
        entries = values[account.id]
        entry_days = [day for day, _ in entries]
        balances[account.id] = {}
        for day in days:
            index = bisect.bisect_right(entry_days, day)
            since, start = entries[index - 1] if index else (None, Decimal(0))
            moved = moved_by(day) - (moved_by(since) if since is not None else Decimal(0))
            balance = start - moved if account.is_liability else start + moved
            balances[account.id][day] = money.quantize(balance, account.currency)
    return balances


async def _movement_rates(session: AsyncSession, tenant: Tenant, account: AccountRead,
                          movements: Sequence[transaction_service.Movement]) -> rate_service.RateTable | None:
    foreign = [m for m in movements if m.currency != account.currency]
    if not foreign:
        return None
    return await rate_service.rate_table(session, {m.currency for m in foreign} | {account.currency},
                                         min(m.date for m in foreign), max(m.date for m in foreign),
                                         tenant_id=tenant.tenant_id)


def _running_totals(movements: Sequence[transaction_service.Movement], table: rate_service.RateTable | None,
                    account: AccountRead) -> Callable[[dt.date], Decimal]:
    """The money moved through each day, in the account's currency (each movement at its date's rate)."""
    days: list[dt.date] = []
    totals: list[Decimal] = []
    running = Decimal(0)
    for movement in movements:
        amount = movement.amount
        if movement.currency != account.currency:
            assert table is not None
            amount = table.rate_on(movement.currency, account.currency, movement.date).apply(amount, account.currency)
        running += amount
        if days and days[-1] == movement.date:
            totals[-1] = running
        else:
            days.append(movement.date)
            totals.append(running)

    def through(day: dt.date) -> Decimal:
        index = bisect.bisect_right(days, day)
        return totals[index - 1] if index else Decimal(0)

    return through


# ---- transfers ----

async def create_transfer(session: AsyncSession, tenant: Tenant, data: TransferCreate) -> TransferRead:
    source = await require(session, tenant, data.from_account_id, field="body.from_account_id")
    await require(session, tenant, data.to_account_id, field="body.to_account_id")
    currency = data.currency or source.currency
    try:
        amount = money.check_amount(data.amount, currency)
    except money.MoneyError as exc:
        raise ValidationFailed("body.amount", str(exc)) from None
    transfer_id, legs = await transaction_service.create_transfer(
        session, tenant, from_account_id=data.from_account_id, to_account_id=data.to_account_id, amount=amount,
        currency=currency, date=data.date, description=data.description or DEFAULT_TRANSFER_DESCRIPTION)
    return TransferRead.of(transfer_id, legs)


async def get_transfer(session: AsyncSession, tenant: Tenant, transfer_id: uuid.UUID) -> TransferRead:
    return TransferRead.of(transfer_id, await transaction_service.transfer_legs(session, tenant, transfer_id))


async def delete_transfer(session: AsyncSession, tenant: Tenant, transfer_id: uuid.UUID) -> None:
    await transaction_service.delete_transfer(session, tenant, transfer_id)


# ---- our part in the transactions' and the rates' rules (contributed in domain.py) ----

async def watch_booking(session: AsyncSession, tenant_id: uuid.UUID, account_id: uuid.UUID, day: dt.date) -> None:
    """Money booked to an investment account is its cash: the portfolio's state is stale from that day."""
    account = await AccountRepository(session, tenant_id).get(account_id)
    if account is not None and account.type in PORTFOLIOS:
        await state_service.touch(session, tenant_id, day)


async def watch_rates(session: AsyncSession, day: dt.date) -> None:
    await state_service.touch_all(session, day)


async def watch_custom_rates(session: AsyncSession, tenant_id: uuid.UUID, day: dt.date) -> None:
    """The tenant's own exchange rates changed from `day` on: its portfolio's values may differ."""
    await state_service.touch(session, tenant_id, day)


async def guard_transaction_account(session: AsyncSession, tenant_id: uuid.UUID, account_id: uuid.UUID,
                                    field: str | None) -> None:
    if await AccountRepository(session, tenant_id).get(account_id) is None:
        raise ValidationFailed(field or "body.account_id", "account not found")
