"""Transaction rules: references resolved under the tenant, exact amounts, conversion to base currency.

`/transactions` and `/expenses` are one resource: every function takes `expense_only`, which fixes
the type to expense and makes incomes invisible (404 EXPENSE_NOT_FOUND).

Cycles take part in our writes through `CYCLE_GUARDS` (a transaction may not be linked to, or changed
in, a completed cycle); we take part in the categories' rules through `CATEGORY_REFERENCES`.

Every write keeps the monthly totals that reports read (models.MonthlyTotal) in its own database transaction:
it nets what it takes out and puts in (`totals.Deltas`) and applies that once, bulk writes per batch.
"""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from colony.categories import service as category_service
from colony.categories.models import CategoryKind
from colony.categories.service import CategoryReferences
from colony.core import clock, money
from colony.core.domain import Hooks
from colony.core.errors import ValidationFailed
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import Tenant
from colony.exchange_rates import service as rate_service
from colony.payment_methods import service as payment_method_service
from colony.transactions import insights, totals
from colony.transactions.errors import (
    ExpenseNotFound,
    TransactionIsTransferLeg,
    TransactionNotFound,
    TransferNotFound,
)
from colony.transactions.models import Transaction, TransactionStatus, TransactionType
from colony.transactions.repository import (
    READ_KEYS,
    MonthlyTotalRepository,
    TransactionRepository,
    tenant_ids_with_totals,
)
from colony.transactions.schemas import (
    CategorySuggestion,
    CategorySuggestions,
    ExpenseCreate,
    ExpenseUpdate,
    RecurringSeriesRead,
    TransactionCreate,
    TransactionFilters,
    TransactionRead,
    TransactionUpdate,
)

Guard = Callable[[AsyncSession, uuid.UUID, uuid.UUID, "str | None"], Awaitable[None]]
CYCLE_GUARDS: Hooks[Guard] = Hooks("transactions.CYCLE_GUARDS")
"""(session, tenant_id, cycle_id, field) before a row linked to a cycle is written: raise a 422 on `field`
when the cycle is not the tenant's (field None: the row's own, existing link), CYCLE_ALREADY_COMPLETED
when it is completed. With no guard, a cycle_id is refused."""
ACCOUNT_GUARDS: Hooks[Guard] = Hooks("transactions.ACCOUNT_GUARDS")
"""(session, tenant_id, account_id, field) before a row is booked to an account: raise a 422 on `field`
when the account is not the tenant's. With no guard, an account_id is refused."""

Watcher = Callable[[AsyncSession, uuid.UUID, uuid.UUID, date], Awaitable[None]]
BOOKING_WATCHERS: Hooks[Watcher] = Hooks("transactions.BOOKING_WATCHERS")
"""(session, tenant_id, account_id, day) after a row booked to an account was written, changed or removed:
what the account holds may differ from `day` on."""

_IDS = ("id", "category_id", "payment_method_id", "account_id", "cycle_id", "template_id", "transfer_id")
# A transfer's legs change together, through /transfers: these fields of one leg alone may not.
_TRANSFER_FIELDS = frozenset({"type", "amount", "currency", "date", "account_id", "status", "cycle_id"})


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


# ---- insights from the tenant's own history (the rules: transactions/insights.py) ----

SUGGESTION_HISTORY = 5_000  # (description, category) pairs read, the most recently used
RECURRING_HISTORY = 20_000  # transactions read, the newest of the last insights.LOOKBACK_DAYS


async def suggest_categories(session: AsyncSession, tenant_id: uuid.UUID, description: str, *,
                             amount: Decimal | None = None,
                             tx_type: TransactionType = TransactionType.expense) -> CategorySuggestions:
    """The tenant's categories of `tx_type` that its past transactions suggest for `description` (as a
    transaction's, up to 500 characters), best first; an `amount` like those of a category's past matches
    (in any currency) raises its score a little. No history, no match: no suggestions."""
    uses = await TransactionRepository(session, tenant_id).category_uses(tx_type, SUGGESTION_HISTORY)
    ranked = insights.rank_categories(description, amount, (insights.PastUse(*row) for row in uses))
    names = await category_service.names_of(session, tenant_id, [suggestion.category_id for suggestion in ranked])
    return CategorySuggestions(suggestions=[
        CategorySuggestion(category_id=s.category_id, name=names[s.category_id], score=s.score)
        for s in ranked if s.category_id in names])


async def recurring_series(session: AsyncSession, tenant_id: uuid.UUID) -> list[RecurringSeriesRead]:
    """Every series still alive in the tenant's paid expenses and incomes, by next date."""
    today = clock.today()
    rows = await TransactionRepository(session, tenant_id).paid_history(
        today - timedelta(days=insights.LOOKBACK_DAYS), today, RECURRING_HISTORY)
    found = insights.detect_series((insights.Occurrence(*row) for row in rows), today)
    names = await category_service.names_of(session, tenant_id,
                                            {s.category_id for s in found if s.category_id is not None})
    return [RecurringSeriesRead(
        description=s.description, type=s.type, category_id=s.category_id,
        category=None if s.category_id is None else names.get(s.category_id),
        amount=money.quantize(s.amount, s.currency), currency=s.currency, interval=s.interval,
        occurrences=s.occurrences, last_date=s.last_date, next_date=s.next_date) for s in found]


async def recurring_page(session: AsyncSession, tenant_id: uuid.UUID, params: PageParams
                         ) -> Page[RecurringSeriesRead]:
    """`recurring_series` as one page of the API's lists."""
    found = await recurring_series(session, tenant_id)
    return Page[RecurringSeriesRead].build(found[params.offset:params.offset + params.size], len(found), params)


# ---- writes ----

async def _check_references(session: AsyncSession, tenant: Tenant, tx_type: TransactionType,
                            category_id: uuid.UUID | None, payment_method_id: uuid.UUID | None, *,
                            check_payment_method: bool) -> None:
    if category_id is not None:
        await category_service.require(session, tenant, category_id, field="body.category_id",
                                       kind=CategoryKind(tx_type.value))
    if payment_method_id is not None and check_payment_method:
        await payment_method_service.require(session, tenant, payment_method_id, field="body.payment_method_id")


async def _guard(guards: Hooks[Guard], session: AsyncSession, tenant: Tenant, id_: uuid.UUID, *,
                 field: str | None, default_field: str) -> None:
    installed = list(guards)
    if not installed:
        raise ValidationFailed(field or default_field, f"{default_field.removeprefix('body.')} is not available")
    for guard in installed:
        await guard(session, tenant.tenant_id, id_, field)


async def _check_cycle(session: AsyncSession, tenant: Tenant, cycle_id: uuid.UUID, *, field: str | None) -> None:
    await _guard(CYCLE_GUARDS, session, tenant, cycle_id, field=field, default_field="body.cycle_id")


async def _check_account(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID) -> None:
    await _guard(ACCOUNT_GUARDS, session, tenant, account_id, field="body.account_id", default_field="body.account_id")


async def _booked(session: AsyncSession, tenant_id: uuid.UUID, account_id: uuid.UUID | None, day: date) -> None:
    if account_id is not None:
        for watcher in BOOKING_WATCHERS:
            await watcher(session, tenant_id, account_id, day)


async def _convert(session: AsyncSession, tenant: Tenant, tx: Transaction) -> None:
    conversion = await rate_service.rate_on(session, tx.currency, tenant.base_currency, tx.date,
                                              tenant_id=tenant.tenant_id)
    tx.exchange_rate = conversion.rate
    tx.base_currency = tenant.base_currency
    tx.amount_base = conversion.apply(tx.amount, tenant.base_currency)


async def create(session: AsyncSession, tenant: Tenant, data: TransactionCreate | ExpenseCreate) -> TransactionRead:
    values = data.model_dump()
    tx_type = TransactionType(values.pop("type", TransactionType.expense))
    if data.account_id is not None:
        await _check_account(session, tenant, data.account_id)
    if data.cycle_id is not None:
        await _check_cycle(session, tenant, data.cycle_id, field="body.cycle_id")
    await _check_references(session, tenant, tx_type, data.category_id, data.payment_method_id,
                            check_payment_method=True)
    tx = Transaction(type=tx_type, created_by_id=tenant.user_id, **values)
    return await _insert(session, tenant, tx)


async def _insert(session: AsyncSession, tenant: Tenant, tx: Transaction) -> TransactionRead:
    await _convert(session, tenant, tx)
    await _booked(session, tenant.tenant_id, tx.account_id, tx.date)
    await TransactionRepository(session, tenant.tenant_id).insert(tx)
    deltas = totals.Deltas()
    deltas.add_row(tx, 1)
    await _count(session, tenant.tenant_id, deltas)
    return _read(tx)


async def _count(session: AsyncSession, tenant_id: uuid.UUID, deltas: totals.Deltas) -> None:
    """The monthly totals follow a write, in its transaction."""
    await MonthlyTotalRepository(session, tenant_id).apply(deltas.changes())


async def update(session: AsyncSession, tenant: Tenant, transaction_id: uuid.UUID,
                 data: TransactionUpdate | ExpenseUpdate, *, expense_only: bool = False) -> TransactionRead:
    tx = await _get(session, tenant, transaction_id, expense_only=expense_only)
    changes = data.model_dump(exclude_unset=True)
    if tx.transfer_id is not None and _TRANSFER_FIELDS & {key for key, value in changes.items()
                                                         if value != getattr(tx, key)}:
        raise TransactionIsTransferLeg()
    if changes.get("account_id") is not None and changes["account_id"] != tx.account_id:
        await _check_account(session, tenant, changes["account_id"])
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
    booked_before = (tx.account_id, tx.date)
    deltas = totals.Deltas()
    deltas.add_row(tx, -1)  # as it was; nets to nothing when no counted value changes
    for field, value in changes.items():
        setattr(tx, field, value)
    if reconvert:
        await _convert(session, tenant, tx)
    for account_id in {booked_before[0], tx.account_id}:
        await _booked(session, tenant.tenant_id, account_id, min(booked_before[1], tx.date))
    await session.flush()
    deltas.add_row(tx, 1)
    await _count(session, tenant.tenant_id, deltas)
    return _read(tx)


async def delete(session: AsyncSession, tenant: Tenant, transaction_id: uuid.UUID, *,
                 expense_only: bool = False) -> None:
    tx = await _get(session, tenant, transaction_id, expense_only=expense_only)
    if tx.transfer_id is not None:
        raise TransactionIsTransferLeg()
    if tx.cycle_id is not None:
        await _check_cycle(session, tenant, tx.cycle_id, field=None)
    await _booked(session, tenant.tenant_id, tx.account_id, tx.date)
    deltas = totals.Deltas()
    deltas.add_row(tx, -1)
    await TransactionRepository(session, tenant.tenant_id).delete(tx)
    await _count(session, tenant.tenant_id, deltas)


async def delete_all(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Every transaction of a tenant (before the tenant itself goes: they restrict their categories)."""
    await TransactionRepository(session, tenant_id).delete_where()
    await MonthlyTotalRepository(session, tenant_id).delete_where()


# ---- transfers between two accounts: a linked pair that no report counts ----

async def create_transfer(session: AsyncSession, tenant: Tenant, *, from_account_id: uuid.UUID,
                          to_account_id: uuid.UUID, amount: Decimal, currency: str, date: date,
                          description: str) -> tuple[uuid.UUID, list[TransactionRead]]:
    """Book an expense on the first account and an income on the second, one `transfer_id` on both (the
    caller has checked the accounts); the id and the two legs."""
    transfer_id = uuid.uuid4()
    legs = []
    for tx_type, account_id in ((TransactionType.expense, from_account_id), (TransactionType.income, to_account_id)):
        legs.append(await _insert(session, tenant, Transaction(
            type=tx_type, status=TransactionStatus.paid, amount=amount, currency=currency, date=date,
            description=description, account_id=account_id, transfer_id=transfer_id,
            created_by_id=tenant.user_id)))
    return transfer_id, legs


async def transfer_legs(session: AsyncSession, tenant: Tenant, transfer_id: uuid.UUID) -> list[TransactionRead]:
    """The legs of a transfer, the one taking from its account first (404 when the tenant has none)."""
    legs = await TransactionRepository(session, tenant.tenant_id).transfer_legs(transfer_id)
    if not legs:
        raise TransferNotFound()
    return [_read(leg) for leg in legs]


async def delete_transfer(session: AsyncSession, tenant: Tenant, transfer_id: uuid.UUID) -> None:
    repository = TransactionRepository(session, tenant.tenant_id)
    legs = await repository.transfer_legs(transfer_id)
    if not legs:
        raise TransferNotFound()
    for leg in legs:
        await _booked(session, tenant.tenant_id, leg.account_id, leg.date)
    await repository.delete_where(Transaction.transfer_id == transfer_id)


# ---- what accounts need from us: the money booked to one ----

@dataclass(frozen=True, slots=True)
class Movement:
    """The paid transactions booked to an account on one day in one currency: income minus expenses."""

    date: date
    currency: str
    amount: Decimal


async def account_movements(session: AsyncSession, tenant_id: uuid.UUID, account_id: uuid.UUID, *,
                            after: date | None, until: date) -> list[Movement]:
    """The net money booked to an account per day and currency in (after, until], oldest first."""
    rows = await TransactionRepository(session, tenant_id).account_sums(account_id, after=after, until=until)
    net: dict[tuple[date, str], Decimal] = {}
    for day, currency, tx_type, total in rows:
        signed = total if TransactionType(tx_type) is TransactionType.income else -total
        net[(day, currency)] = net.get((day, currency), Decimal(0)) + signed
    return [Movement(day, currency, amount) for (day, currency), amount in sorted(net.items())]


@dataclass(frozen=True, slots=True)
class Booking:
    """One paid transaction booked to an account: `amount` signed (income +, expense -); for a transfer's
    leg, the account of the other leg."""

    id: uuid.UUID
    account_id: uuid.UUID
    date: date
    currency: str
    amount: Decimal
    counter_account_id: uuid.UUID | None


async def bookings(session: AsyncSession, tenant_id: uuid.UUID, account_ids: Sequence[uuid.UUID], *,
                   until: date) -> list[Booking]:
    """The paid transactions booked to these accounts up to `until`, oldest first (the cash of an
    investment account moves with them)."""
    rows = await TransactionRepository(session, tenant_id).booked_to(account_ids, until)
    return [Booking(id_, account_id, day, currency,
                    amount if TransactionType(tx_type) is TransactionType.income else -amount, counter)
            for id_, account_id, day, currency, tx_type, amount, counter in rows]


# ---- bulk: imports ----

async def import_hashes_between(session: AsyncSession, tenant_id: uuid.UUID, start: date, end: date) -> set[str]:
    """The fingerprints of the rows imported before, dated in [start, end]."""
    return await TransactionRepository(session, tenant_id).import_hashes_between(start, end)


async def insert_imported(session: AsyncSession, tenant_id: uuid.UUID, columns: Sequence[str],
                          records: Iterable[Sequence[Any]], *, same: Mapping[str, Any] | None = None) -> int:
    """Rows already checked and converted by an import, in bulk; how many (flushed, the router commits)."""
    deltas = totals.Deltas()
    inserted = await TransactionRepository(session, tenant_id).insert_many(
        columns, totals.counting(deltas, columns, records, same), same=same)
    await _count(session, tenant_id, deltas)
    return inserted


async def check_account(session: AsyncSession, tenant: Tenant, account_id: uuid.UUID, *, field: str) -> None:
    """An account an import books its rows to: not the tenant's → 422 on `field`."""
    await _guard(ACCOUNT_GUARDS, session, tenant, account_id, field=field, default_field=field)


async def booked_from(session: AsyncSession, tenant_id: uuid.UUID, account_id: uuid.UUID | None, day: date) -> None:
    """Rows were booked to (or removed from) an account from `day` on, in bulk: tell the watchers."""
    await _booked(session, tenant_id, account_id, day)


async def bank_ids_among(session: AsyncSession, tenant_id: uuid.UUID, bank_ids: Sequence[str]) -> set[str]:
    return await TransactionRepository(session, tenant_id).bank_ids_among(bank_ids) if bank_ids else set()


@dataclass(frozen=True, slots=True)
class Content:
    """What a row without a bank id is compared on, to find duplicates by content."""

    date: date
    amount: Decimal
    currency: str
    type: TransactionType
    description: str


async def same_dates_and_amounts(session: AsyncSession, tenant_id: uuid.UUID, dates: Collection[date],
                                 amounts: Collection[Decimal]) -> list[Content]:
    """The tenant's transactions, however entered, on one of `dates` with one of `amounts` (a bank file's
    possible duplicates by content). Read by date (few rows a day), the amounts kept here."""
    if not dates or not amounts:
        return []
    wanted = set(amounts)
    rows = await TransactionRepository(session, tenant_id).on_dates(sorted(dates))
    return [Content(day, amount, currency, TransactionType(tx_type), description)
            for day, amount, currency, tx_type, description in rows if amount in wanted]


async def category_index(session: AsyncSession, tenant_id: uuid.UUID, tx_type: TransactionType
                         ) -> insights.CategoryIndex:
    """The tenant's categorised history of one type, ready to rank many descriptions (`suggest_categories`
    for one)."""
    uses = await TransactionRepository(session, tenant_id).category_uses(tx_type, SUGGESTION_HISTORY)
    return insights.CategoryIndex(insights.PastUse(*row) for row in uses)


async def delete_imported(session: AsyncSession, tenant_id: uuid.UUID, first_id: uuid.UUID, last_id: uuid.UUID
                          ) -> tuple[int, int]:
    """Of the rows an import created (ids from `first_id` to `last_id`), delete those that nobody changed since:
    how many are left of them, and how many were deleted."""
    deltas = totals.Deltas()
    found, removed, booked = await TransactionRepository(session, tenant_id).delete_unedited(first_id, last_id, deltas)
    for account_id, day in booked:
        await _booked(session, tenant_id, account_id, day)
    await _count(session, tenant_id, deltas)
    return found, removed


async def _move_category(session: AsyncSession, tenant_id: uuid.UUID, from_id: uuid.UUID, to_id: uuid.UUID) -> None:
    await TransactionRepository(session, tenant_id).update_where(Transaction.category_id == from_id,
                                                                 category_id=to_id)
    await MonthlyTotalRepository(session, tenant_id).move_category(from_id, to_id)


# Our part in the categories' rules (contributed in domain.py): a move takes the monthly totals along.
CATEGORY_REFERENCES = CategoryReferences(
    CategoryReferences.by_column(TransactionRepository, Transaction.category_id).in_use, _move_category)


# ---- the monthly totals, recounted ----

async def rebuild_totals(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    """Recount a tenant's monthly totals from its transactions (after a bulk write that went around the
    writes above, such as a restore, or to repair them); how many rows they have."""
    return await MonthlyTotalRepository(session, tenant_id).rebuild()


async def tenants_with_totals(session: AsyncSession) -> list[uuid.UUID]:
    """Every tenant with transactions or monthly totals: what a rebuild of all of them goes through."""
    return await tenant_ids_with_totals(session)


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
    Returns how many were created. Flushes nothing else; the caller commits. Planned rows are not in the
    monthly totals (paid only): an update that pays one counts it.
    """
    if not items:
        return 0
    base = tenant.base_currency
    table = await rate_service.rate_table(session, {item.currency for item in items} | {base},
                                          min(item.date for item in items), max(item.date for item in items),
                                          tenant_id=tenant.tenant_id)
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
                                              min(g[4] for g in foreign), max(g[4] for g in foreign),
                                              tenant_id=tenant_id)
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
