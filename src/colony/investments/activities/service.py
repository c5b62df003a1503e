"""Holdings entered directly (opening lots) and investment transactions: the facts of an investment account.

Every write replays the account's history through the engine before it is kept, so that no sale, split or
transfer ever leaves an account holding less than nothing (422 INSUFFICIENT_QUANTITY, nothing written).
A transfer of securities is a pair: transfer_out on one account and transfer_in on the other, one id.
"""

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from colony.core import clock, money
from colony.core.errors import ValidationFailed
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import Tenant
from colony.investments import engine
from colony.investments.accounts import service as account_service
from colony.investments.accounts.models import PORTFOLIOS
from colony.investments.accounts.schemas import AccountRead
from colony.investments.activities.errors import (
    HoldingNotFound,
    InsufficientQuantity,
    InvestmentTransactionNotFound,
    NotAnInvestmentAccount,
)
from colony.investments.activities.models import ActivityType, Holding, InvestmentTransaction
from colony.investments.activities.repository import (
    FactsRepository,
    FirstDayRepository,
    HeldSecuritiesRepository,
    HoldingRepository,
    InvestmentTransactionRepository,
)
from colony.investments.activities.schemas import (
    HoldingCreate,
    HoldingRead,
    HoldingUpdate,
    InvestmentTransactionCreate,
    InvestmentTransactionRead,
    InvestmentTransactionUpdate,
    PositionRead,
)
from colony.investments.securities import service as security_service
from colony.investments.securities.schemas import SecurityRead
from colony.investments.state import service as state_service

T = ActivityType
_TRADES = frozenset({T.buy, T.sell})
_TRANSFERS = frozenset({T.transfer_in, T.transfer_out})
_WITH_SECURITY = _TRADES | _TRANSFERS | {T.dividend, T.split}
_WITH_AMOUNT = frozenset({T.dividend, T.interest, T.fee, T.tax, T.deposit, T.withdrawal})
_CASH = frozenset({T.deposit, T.withdrawal, T.interest, T.fee, T.tax})
_COUNTERPART = {T.transfer_out: T.transfer_in, T.transfer_in: T.transfer_out}


# ---- the facts, for the engine ----

async def facts(session: AsyncSession, tenant_id: uuid.UUID, account_ids: Collection[uuid.UUID], *,
                opening: dt.date | None = None) -> list[engine.Activity]:
    """Everything that happened in some accounts, as the engine takes it. Undated opening lots are dated the
    day before the tenant's first dated activity (or before `opening`, when that is earlier), so that they
    are held before anything else and on any earlier day asked for."""
    repository = InvestmentTransactionRepository(session, tenant_id)
    accounts, transactions = set(account_ids), list(await repository.of_accounts(account_ids))
    # The lots a transfer brings in are those of the account it came from, with their history: take in
    # every account linked by transfers (figures about some accounts still keep to those accounts).
    while linked := {t.counter_account_id for t in transactions if t.counter_account_id} - accounts:
        accounts |= linked
        transactions += await repository.of_accounts(linked)
    transactions.sort(key=lambda row: (row.date, row.created_at, str(row.id)))
    holdings = await HoldingRepository(session, tenant_id).of_accounts(accounts)
    # A split is an event of its security: recorded in another account, it splits these accounts' shares too.
    seen = {row.id for row in transactions}
    held = {h.security_id for h in holdings} | {t.security_id for t in transactions if t.security_id}
    transactions += [row for row in await repository.splits_of(held) if row.id not in seen] if held else []
    securities = await security_service.by_ids(session, {h.security_id for h in holdings}
                                                | {t.security_id for t in transactions if t.security_id})
    # Undated lots come the day before the tenant's first dated activity, whichever accounts are asked for,
    # so that every figure (of one account or of all) holds them over the same days.
    tenant_first = await FirstDayRepository(session, tenant_id).first_day() if holdings else None
    first = min([day for day in (tenant_first, opening) if day is not None], default=clock.today())
    undated = first - dt.timedelta(days=1) if first > dt.date.min else first
    activities = [_opening(holding, securities[holding.security_id], undated) for holding in holdings]
    activities += [_activity(row, sequence) for sequence, row in enumerate(transactions)]
    activities.sort(key=lambda activity: (activity.date, activity.kind is not engine.Kind.opening, activity.sequence))
    return activities


def _opening(holding: Holding, security: SecurityRead, undated: dt.date) -> engine.Activity:
    return engine.Activity(id=holding.id, account_id=holding.account_id, date=holding.acquired_on or undated,
                           kind=engine.Kind.opening, currency=security.currency, security_id=holding.security_id,
                           quantity=holding.quantity, amount=holding.cost_basis)


def _activity(row: InvestmentTransaction, sequence: int) -> engine.Activity:
    split = None
    if row.split_ratio:
        new, old = row.split_ratio.split(":")
        split = (Decimal(new), Decimal(old))
    return engine.Activity(id=row.id, account_id=row.account_id, date=row.date, kind=engine.Kind(row.type.value),
                           currency=row.currency, security_id=row.security_id, quantity=row.quantity,
                           price=row.price, amount=row.amount, fee=row.fee, tax=row.tax, split=split,
                           counter_account_id=row.counter_account_id, sequence=sequence)


async def _written(session: AsyncSession, tenant: Tenant, account_ids: Collection[uuid.UUID],
                   changed_from: dt.date | None, *, split: bool = False) -> None:
    """After a write: the history must still hold, and the derived state is stale from the first day the
    write changed (None: an undated opening lot, held since before anything else). A split changes what
    every account holds of its security, so then every investment account's history must hold."""
    if split:
        account_ids = [a.id for a in await account_service.all_accounts(session, tenant.tenant_id)
                       if a.type in PORTFOLIOS]
    await _replay(session, tenant, account_ids)
    await state_service.touch(session, tenant.tenant_id, changed_from or dt.date.min)


async def _replay(session: AsyncSession, tenant: Tenant, account_ids: Collection[uuid.UUID]) -> engine.Snapshot:
    """The accounts' holdings after all their history, or 422 INSUFFICIENT_QUANTITY (the write is undone
    with the request's transaction)."""
    history = await facts(session, tenant.tenant_id, account_ids)
    try:
        return engine.snapshot(history, dt.date.max, base_currency=tenant.base_currency,
                               prices=lambda _security, _day: None, rates=lambda _currency, _day: None)
    except engine.InsufficientQuantity as exc:
        raise InsufficientQuantity(details={"transaction_id": str(exc.activity_id), "held": str(exc.held),
                                            "wanted": str(exc.wanted)}) from None


# ---- accounts and securities named by a request ----

async def _investment_account(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID) -> AccountRead:
    account = await account_service.get(session, tenant, account_id)
    if account.type not in PORTFOLIOS:
        raise NotAnInvestmentAccount(details={"account_type": account.type.value})
    return account


async def _security(session: AsyncSession, symbol: str | None, security_id: uuid.UUID | None) -> SecurityRead:
    field = "body.security_id" if security_id is not None else "body.symbol"
    return await security_service.require(session, symbol=symbol, security_id=security_id, field=field)


def _money(value: Decimal, currency: str, field: str) -> Decimal:
    try:
        return money.check_amount(value, currency, positive=False)
    except money.MoneyError as exc:
        raise ValidationFailed(field, str(exc)) from None


# ---- holdings: opening lots ----

def _earlier(first: dt.date | None, second: dt.date | None) -> dt.date | None:
    """The earlier of two acquisition days, None (held since before anything else) being the earliest."""
    return None if first is None or second is None else min(first, second)


def _holding_read(holding: Holding, security: SecurityRead) -> HoldingRead:
    return HoldingRead(id=holding.id, account_id=holding.account_id, security_id=holding.security_id,
                       symbol=security.symbol, quantity=money.trimmed(holding.quantity),
                       cost_basis=money.quantize(holding.cost_basis, security.currency), currency=security.currency,
                       acquired_on=holding.acquired_on, created_at=holding.created_at, updated_at=holding.updated_at)


async def positions(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID,
                    params: PageParams) -> Page[PositionRead]:
    """What the account holds now, per security (opening lots and transactions together), by symbol."""
    account = await _investment_account(session, tenant, account_id)
    snapshot = await _replay(session, tenant, [account.id])
    lots = await HoldingRepository(session, tenant.tenant_id).of_accounts([account.id])
    held = [position for position in snapshot.positions if position.quantity and position.account_id == account.id]
    securities = await security_service.by_ids(session, {p.security_id for p in held} | {h.security_id for h in lots})
    rows = sorted(held, key=lambda position: securities[position.security_id].symbol)
    page_rows = rows[params.offset:params.offset + params.size]
    return Page[PositionRead].build([PositionRead(
        security_id=p.security_id, symbol=securities[p.security_id].symbol, quantity=money.trimmed(p.quantity),
        cost_basis=money.quantize(p.cost_basis_native, securities[p.security_id].currency),
        currency=securities[p.security_id].currency,
        lots=[_holding_read(lot, securities[lot.security_id]) for lot in lots if lot.security_id == p.security_id],
    ) for p in page_rows], len(rows), params)


async def _holding(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID, holding_id: uuid.UUID) -> Holding:
    holding = await HoldingRepository(session, tenant.tenant_id).get(holding_id)
    if holding is None or holding.account_id != account_id:
        raise HoldingNotFound()
    return holding


async def get_holding(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID,
                      holding_id: uuid.UUID) -> HoldingRead:
    holding = await _holding(session, tenant, account_id, holding_id)
    return _holding_read(holding, await security_service.require(session, security_id=holding.security_id,
                                                                 field="security_id"))


async def create_holding(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID,
                         data: HoldingCreate) -> HoldingRead:
    account = await _investment_account(session, tenant, account_id)
    security = await _security(session, data.symbol, data.security_id)
    holding = Holding(account_id=account.id, security_id=security.id, quantity=data.quantity,
                      cost_basis=_money(data.cost_basis, security.currency, "body.cost_basis"),
                      acquired_on=data.acquired_on, created_by_id=tenant.user_id)
    await HoldingRepository(session, tenant.tenant_id).add(holding)
    await _written(session, tenant, [account.id], holding.acquired_on)
    return _holding_read(holding, security)


async def update_holding(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID, holding_id: uuid.UUID,
                         data: HoldingUpdate) -> HoldingRead:
    holding = await _holding(session, tenant, account_id, holding_id)
    security = await security_service.require(session, security_id=holding.security_id, field="security_id")
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if "cost_basis" in changes:
        changes["cost_basis"] = _money(changes["cost_basis"], security.currency, "body.cost_basis")
    acquired_before = holding.acquired_on
    for field, value in changes.items():
        setattr(holding, field, value)
    await session.flush()
    # less held now: a later sale may no longer be covered
    await _written(session, tenant, [account_id], _earlier(acquired_before, holding.acquired_on))
    return _holding_read(holding, security)


async def delete_holding(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID, holding_id: uuid.UUID) -> None:
    holding = await _holding(session, tenant, account_id, holding_id)
    await HoldingRepository(session, tenant.tenant_id).delete(holding)
    await _written(session, tenant, [account_id], holding.acquired_on)


# ---- investment transactions ----

def _transaction_read(row: InvestmentTransaction, security: SecurityRead | None) -> InvestmentTransactionRead:
    def amount(value: Decimal | None) -> Decimal | None:
        return None if value is None else money.quantize(value, row.currency)

    return InvestmentTransactionRead(
        id=row.id, account_id=row.account_id, type=row.type, date=row.date, security_id=row.security_id,
        symbol=security.symbol if security is not None else None,
        quantity=money.trimmed(row.quantity) if row.quantity is not None else None,
        price=money.trimmed(row.price) if row.price is not None else None, amount=amount(row.amount),
        fee=money.quantize(row.fee, row.currency), tax=money.quantize(row.tax, row.currency),
        split_ratio=row.split_ratio, currency=row.currency, counter_account_id=row.counter_account_id,
        transfer_id=row.transfer_id, note=row.note, created_at=row.created_at, updated_at=row.updated_at)


async def _reads(session: AsyncSession, rows: Sequence[InvestmentTransaction]) -> list[InvestmentTransactionRead]:
    securities = await security_service.by_ids(session, {row.security_id for row in rows if row.security_id})
    return [_transaction_read(row, securities.get(row.security_id) if row.security_id else None) for row in rows]


async def list_transactions(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID,
                            params: PageParams) -> Page[InvestmentTransactionRead]:
    """Newest first."""
    account = await _investment_account(session, tenant, account_id)
    rows, total = await InvestmentTransactionRepository(session, tenant.tenant_id).list(account.id, params)
    return Page[InvestmentTransactionRead].build(await _reads(session, rows), total, params)


async def _transaction(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID,
                       transaction_id: uuid.UUID) -> InvestmentTransaction:
    row = await InvestmentTransactionRepository(session, tenant.tenant_id).get(transaction_id)
    if row is None or row.account_id != account_id:
        raise InvestmentTransactionNotFound()
    return row


async def get_transaction(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID,
                          transaction_id: uuid.UUID) -> InvestmentTransactionRead:
    return (await _reads(session, [await _transaction(session, tenant, account_id, transaction_id)]))[0]


def _require(present: bool, field: str, kind: ActivityType, what: str) -> None:
    if not present:
        raise ValidationFailed(f"body.{field}", f"a {kind.value} needs {what}")


async def create_transaction(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID,
                             data: InvestmentTransactionCreate) -> InvestmentTransactionRead:
    account = await _investment_account(session, tenant, account_id)
    kind = data.type
    security = None
    if data.symbol is not None or data.security_id is not None:
        security = await _security(session, data.symbol, data.security_id)
    _require(security is not None or kind not in _WITH_SECURITY, "symbol", kind, "a security (symbol or security_id)")
    _require(data.quantity is not None or kind not in _TRADES | _TRANSFERS, "quantity", kind, "a quantity")
    _require(data.price is not None or kind not in _TRADES, "price", kind, "a price")
    _require((data.amount is not None and data.amount > 0) or kind not in _WITH_AMOUNT, "amount", kind,
             "an amount greater than 0")
    _require(data.split_ratio is not None or kind is not T.split, "split_ratio", kind, 'a split_ratio such as "2:1"')
    _require(data.counter_account_id is not None or kind not in _TRANSFERS, "counter_account_id", kind,
             "the other account (counter_account_id)")
    currency = data.currency or (security.currency if security is not None and kind not in _CASH else account.currency)
    values: dict[str, Any] = {
        "type": kind, "date": data.date, "security_id": security.id if security is not None else None,
        "currency": currency, "quantity": data.quantity, "price": data.price, "note": data.note,
        "amount": _money(data.amount, currency, "body.amount") if data.amount is not None else None,
        "fee": _money(data.fee, currency, "body.fee"), "tax": _money(data.tax, currency, "body.tax"),
        "split_ratio": data.split_ratio, "created_by_id": tenant.user_id,
    }
    repository = InvestmentTransactionRepository(session, tenant.tenant_id)
    row = InvestmentTransaction(account_id=account.id, **values)
    accounts = [account.id]
    if kind in _TRANSFERS:
        assert data.counter_account_id is not None
        if data.counter_account_id == account.id:
            raise ValidationFailed("body.counter_account_id", "must be another account")
        counter = await _investment_account(session, tenant, data.counter_account_id)
        row.transfer_id = transfer_id = uuid.uuid4()
        row.counter_account_id = counter.id
        await repository.add(InvestmentTransaction(account_id=counter.id, counter_account_id=account.id,
                                                   transfer_id=transfer_id,
                                                   **{**values, "type": _COUNTERPART[kind]}))
        accounts.append(counter.id)
    await repository.add(row)
    await _written(session, tenant, accounts, row.date, split=kind is T.split)
    return _transaction_read(row, security)


async def update_transaction(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID,
                             transaction_id: uuid.UUID, data: InvestmentTransactionUpdate
                             ) -> InvestmentTransactionRead:
    """The fields sent change (on both sides of a transfer); the history must still hold."""
    row = await _transaction(session, tenant, account_id, transaction_id)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    for field in ("amount", "fee", "tax"):
        if changes.get(field) is not None:
            changes[field] = _money(changes[field], row.currency, f"body.{field}")
    repository = InvestmentTransactionRepository(session, tenant.tenant_id)
    rows = [row] if row.transfer_id is None else list(await repository.transfer_pair(row.transfer_id))
    dated_before = row.date
    for each in rows:
        for field, value in changes.items():
            setattr(each, field, value)
    await session.flush()
    await _written(session, tenant, {each.account_id for each in rows}, min(dated_before, row.date),
                   split=row.type is T.split)
    return (await _reads(session, [row]))[0]


async def delete_transaction(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID,
                             transaction_id: uuid.UUID) -> None:
    """Both sides of a transfer go; the history left must still hold (a later sale needs its buy)."""
    row = await _transaction(session, tenant, account_id, transaction_id)
    repository = InvestmentTransactionRepository(session, tenant.tenant_id)
    rows = [row] if row.transfer_id is None else list(await repository.transfer_pair(row.transfer_id))
    for each in rows:
        await repository.delete(each)
    await _written(session, tenant, {each.account_id for each in rows}, row.date, split=row.type is T.split)


async def accounts_with_facts(session: AsyncSession, tenant_id: uuid.UUID,
                              account_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """The accounts among these with holdings or investment transactions: those valued by what they hold."""
    return await FactsRepository(session, tenant_id).accounts_with_facts(account_ids) if account_ids else set()


async def held_symbols(session: AsyncSession) -> list[str]:
    """What the daily price sync fetches: every security some tenant holds or has traded, by symbol."""
    ids = await HeldSecuritiesRepository(session).security_ids()
    return sorted(security.symbol for security in (await security_service.by_ids(session, ids)).values())
