"""Transaction rules: references resolved under the tenant, exact amounts, conversion to base currency.

`/transactions` and `/expenses` are one resource: every function takes `expense_only`, which fixes
the type to expense and makes incomes invisible (404 EXPENSE_NOT_FOUND).

Cycles take part in our writes through `CYCLE_GUARDS` (a transaction may not be linked to, or changed
in, a completed cycle); we take part in the categories' rules through `CATEGORY_REFERENCES`.
"""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from colony.categories import service as category_service
from colony.categories.models import CategoryKind
from colony.categories.service import CategoryReferences
from colony.core import money
from colony.core.domain import Hooks
from colony.core.errors import ValidationFailed
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import Tenant
from colony.exchange_rates import service as rate_service
from colony.payment_methods import service as payment_method_service
from colony.transactions.errors import ExpenseNotFound, TransactionNotFound
from colony.transactions.models import Transaction, TransactionStatus, TransactionType
from colony.transactions.repository import READ_KEYS, TransactionRepository
from colony.transactions.schemas import (
    ExpenseCreate,
    ExpenseUpdate,
    TransactionCreate,
    TransactionFilters,
    TransactionRead,
    TransactionUpdate,
)

CycleGuard = Callable[[AsyncSession, uuid.UUID, uuid.UUID, "str | None"], Awaitable[None]]
CYCLE_GUARDS: Hooks[CycleGuard] = Hooks("transactions.CYCLE_GUARDS")
"""(session, tenant_id, cycle_id, field) before a row linked to a cycle is written: raise a 422 on `field`
when the cycle is not the tenant's (field None: the row's own, existing link), CYCLE_ALREADY_COMPLETED
when it is completed. With no guard, a cycle_id is refused."""

_IDS = ("id", "category_id", "payment_method_id", "account_id", "cycle_id", "template_id")


def render(row: Sequence[Any]) -> TransactionRead:
    """Column values in READ_KEYS order as the read shape, ready for JSON: amounts with their currency's
    decimals ("12.50", never the column's "12.5000"), ids as text (asyncpg hands back its own UUID class,
    which orjson doesn't know). The list renders 50 of these per request."""
    tx = dict(zip(READ_KEYS, row, strict=True))
    for key in _IDS:
        if tx[key] is not None:
            tx[key] = str(tx[key])
    tx["amount"] = str(money.quantize(tx["amount"], tx["currency"]))
    tx["amount_base"] = str(money.quantize(tx["amount_base"], tx["base_currency"]))
    tx["exchange_rate"] = money.rate_text(tx["exchange_rate"])
    return cast(TransactionRead, tx)


def _read(tx: Transaction) -> TransactionRead:
    return render([getattr(tx, key) for key in READ_KEYS])


# ---- reads ----

async def list_transactions(session: AsyncSession, tenant: Tenant, filters: TransactionFilters,
                            params: PageParams) -> Page[TransactionRead]:
    rows, total = await TransactionRepository(session, tenant.tenant_id).list_rows(filters, params)
    return Page[TransactionRead].build([render(row) for row in rows], total, params)


async def stream(session: AsyncSession, tenant: Tenant, filters: TransactionFilters, *,
                 batch: int) -> AsyncIterator[list[TransactionRead]]:
    """Every transaction the filters match, in the list's order, `batch` at a time (an export)."""
    async for rows in TransactionRepository(session, tenant.tenant_id).stream_rows(filters, batch):
        yield [render(row) for row in rows]


async def _get(session: AsyncSession, tenant: Tenant, transaction_id: uuid.UUID, *,
               expense_only: bool = False) -> Transaction:
    tx = await TransactionRepository(session, tenant.tenant_id).get(transaction_id)
    if expense_only:
        if tx is None or tx.type is not TransactionType.expense:
            raise ExpenseNotFound()
    elif tx is None:
        raise TransactionNotFound()
    return tx


async def get(session: AsyncSession, tenant: Tenant, transaction_id: uuid.UUID, *,
              expense_only: bool = False) -> TransactionRead:
    return _read(await _get(session, tenant, transaction_id, expense_only=expense_only))


# ---- writes ----

def _reject_reserved(values: dict[str, Any]) -> None:
    for field in ("account_id",):
        if values.get(field) is not None:
            raise ValidationFailed(f"body.{field}", f"{field.removesuffix('_id')}s are not available yet; "
                                   "leave it null")


async def _check_references(session: AsyncSession, tenant: Tenant, tx_type: TransactionType,
                            category_id: uuid.UUID | None, payment_method_id: uuid.UUID | None, *,
                            check_payment_method: bool) -> None:
    if category_id is not None:
        await category_service.require(session, tenant, category_id, field="body.category_id",
                                       kind=CategoryKind(tx_type.value))
    if payment_method_id is not None and check_payment_method:
        await payment_method_service.require(session, tenant, payment_method_id, field="body.payment_method_id")


async def _check_cycle(session: AsyncSession, tenant: Tenant, cycle_id: uuid.UUID, *, field: str | None) -> None:
    guards = list(CYCLE_GUARDS)
    if not guards:
        raise ValidationFailed(field or "body.cycle_id", "cycles are not available")
    for guard in guards:
        await guard(session, tenant.tenant_id, cycle_id, field)


async def _convert(session: AsyncSession, tenant: Tenant, tx: Transaction) -> None:
    conversion = await rate_service.rate_on(session, tx.currency, tenant.base_currency, tx.date)
    tx.exchange_rate = conversion.rate
    tx.base_currency = tenant.base_currency
    tx.amount_base = conversion.apply(tx.amount, tenant.base_currency)


async def create(session: AsyncSession, tenant: Tenant, data: TransactionCreate | ExpenseCreate) -> TransactionRead:
    values = data.model_dump()
    tx_type = TransactionType(values.pop("type", TransactionType.expense))
    _reject_reserved(values)
    if data.cycle_id is not None:
        await _check_cycle(session, tenant, data.cycle_id, field="body.cycle_id")
    await _check_references(session, tenant, tx_type, data.category_id, data.payment_method_id,
                            check_payment_method=True)
    tx = Transaction(type=tx_type, created_by_id=tenant.user_id, **values)
    await _convert(session, tenant, tx)
    return _read(await TransactionRepository(session, tenant.tenant_id).insert(tx))


async def update(session: AsyncSession, tenant: Tenant, transaction_id: uuid.UUID,
                 data: TransactionUpdate | ExpenseUpdate, *, expense_only: bool = False) -> TransactionRead:
    tx = await _get(session, tenant, transaction_id, expense_only=expense_only)
    changes = data.model_dump(exclude_unset=True)
    _reject_reserved(changes)
    if tx.cycle_id is not None:  # a completed cycle's transactions can't change
        await _check_cycle(session, tenant, tx.cycle_id, field=None)
    if changes.get("cycle_id") is not None and changes["cycle_id"] != tx.cycle_id:
        await _check_cycle(session, tenant, changes["cycle_id"], field="body.cycle_id")
    new_type = TransactionType(changes.get("type", tx.type))
    currency = changes.get("currency", tx.currency)
    if "amount" in changes or "currency" in changes:
        try:
            changes["amount"] = money.check_amount(changes.get("amount", tx.amount), currency)
        except money.MoneyError as exc:
            raise ValidationFailed("body.amount", str(exc)) from None
    category_id = changes.get("category_id", tx.category_id)
    if "category_id" in changes or new_type != tx.type:
        await _check_references(session, tenant, new_type, category_id, None, check_payment_method=False)
    if changes.get("payment_method_id") is not None and changes["payment_method_id"] != tx.payment_method_id:
        await payment_method_service.require(session, tenant, changes["payment_method_id"],
                                             field="body.payment_method_id")
    reconvert = any(key in changes for key in ("amount", "currency", "date"))
    for field, value in changes.items():
        setattr(tx, field, value)
    if reconvert:
        await _convert(session, tenant, tx)
    await session.flush()
    return _read(tx)


async def delete(session: AsyncSession, tenant: Tenant, transaction_id: uuid.UUID, *,
                 expense_only: bool = False) -> None:
    tx = await _get(session, tenant, transaction_id, expense_only=expense_only)
    if tx.cycle_id is not None:
        await _check_cycle(session, tenant, tx.cycle_id, field=None)
    await TransactionRepository(session, tenant.tenant_id).delete(tx)


async def delete_all(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Every transaction of a tenant (before the tenant itself goes: they restrict their categories)."""
    await TransactionRepository(session, tenant_id).delete_where()


# ---- bulk: imports ----

async def import_hashes_between(session: AsyncSession, tenant_id: uuid.UUID, start: date, end: date) -> set[str]:
    """The fingerprints of the rows imported before, dated in [start, end]."""
    return await TransactionRepository(session, tenant_id).import_hashes_between(start, end)


async def insert_imported(session: AsyncSession, tenant_id: uuid.UUID, columns: Sequence[str],
                          records: Iterable[Sequence[Any]]) -> int:
    """Rows already checked and converted by an import, in bulk; how many (flushed, the router commits)."""
    return await TransactionRepository(session, tenant_id).insert_many(columns, records)


# Our part in the categories' rules (contributed in domain.py).
CATEGORY_REFERENCES = CategoryReferences.by_column(TransactionRepository, Transaction.category_id)


# ---- what cycles need from us ----

@dataclass(frozen=True, slots=True)
class PlannedExpense:
    """One occurrence of a template inside a cycle, to be booked as a planned expense."""

    cycle_id: uuid.UUID
    template_id: uuid.UUID
    date: date
    amount: Decimal
    currency: str
    description: str
    category_id: uuid.UUID | None
    payment_method_id: uuid.UUID | None


async def create_planned(session: AsyncSession, tenant: Tenant, items: Sequence[PlannedExpense]) -> int:
    """Book planned expenses, skipping occurrences already booked (unique cycle, template, date).

    Converted to the base currency like any transaction, with one rate query for the whole batch.
    Returns how many were created. Flushes nothing else; the caller commits.
    """
    if not items:
        return 0
    base = tenant.base_currency
    table = await rate_service.rate_table(session, {item.currency for item in items} | {base},
                                          min(item.date for item in items), max(item.date for item in items))
    rows: list[dict[str, Any]] = []
    for item in items:
        conversion = table.rate_on(item.currency, base, item.date)
        rows.append({"type": TransactionType.expense, "status": TransactionStatus.planned, "amount": item.amount,
                     "currency": item.currency, "date": item.date, "description": item.description,
                     "category_id": item.category_id, "payment_method_id": item.payment_method_id,
                     "cycle_id": item.cycle_id, "template_id": item.template_id, "created_by_id": tenant.user_id,
                     "amount_base": conversion.apply(item.amount, base), "base_currency": base,
                     "exchange_rate": conversion.rate})
    return await TransactionRepository(session, tenant.tenant_id).insert_or_ignore(rows)


async def delete_planned_of_cycle(session: AsyncSession, tenant_id: uuid.UUID, cycle_id: uuid.UUID) -> None:
    await TransactionRepository(session, tenant_id).delete_planned_of_cycle(cycle_id)


@dataclass(frozen=True, slots=True)
class ExpenseTotal:
    category_id: uuid.UUID | None
    status: TransactionStatus
    amount: Decimal  # in the currency asked for


async def expense_totals(session: AsyncSession, tenant_id: uuid.UUID, currency: str, *,
                         cycle_id: uuid.UUID | None = None, start_date: date | None = None,
                         end_date: date | None = None) -> list[ExpenseTotal]:
    """Expenses summed per (category, status) in `currency`: sums in SQL per currency and date, then
    each foreign sum converted at the rate of its date (`amount_base` when `currency` is the base
    currency the row was booked in). One query for the sums and at most one for the rates.
    Raises RateNotAvailable (422) when a foreign amount has no rate."""
    groups = await TransactionRepository(session, tenant_id).expense_groups(
        cycle_id=cycle_id, start_date=start_date, end_date=end_date)
    foreign = [g for g in groups if g[2] != currency and g[3] != currency]
    table = None
    if foreign:
        table = await rate_service.rate_table(session, {g[2] for g in foreign} | {currency},
                                              min(g[4] for g in foreign), max(g[4] for g in foreign))
    sums: dict[tuple[uuid.UUID | None, TransactionStatus], Decimal] = {}
    zero = money.quantize(Decimal(0), currency)
    for category_id, status, tx_currency, base_currency, day, amount, amount_base in groups:
        if tx_currency == currency:
            value = amount
        elif base_currency == currency:
            value = amount_base
        else:
            assert table is not None
            value = table.rate_on(tx_currency, currency, day).apply(amount, currency)
        key = (category_id, TransactionStatus(status))
        sums[key] = sums.get(key, zero) + money.quantize(value, currency)
    return [ExpenseTotal(category_id, status, amount) for (category_id, status), amount in sums.items()]
