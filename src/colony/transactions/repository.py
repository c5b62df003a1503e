"""All SQL of transactions. The list path selects columns (no ORM entities) for speed."""

import functools
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    Uuid,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from colony.core.clock import utcnow
from colony.core.repository import (
    ALL_TENANTS,
    TENANT_PARAM,
    TenantRepository,
    contains_pattern,
    rowcount,
    tenant_condition,
)
from colony.core.schemas import PageParams
from colony.transactions.models import NO_CATEGORY, MonthlyTotal, Transaction, TransactionStatus, TransactionType
from colony.transactions.schemas import TransactionFilters, TransactionRead, TransactionSort
from colony.transactions.totals import Change, Deltas, TotalKey, key_of

T = Transaction
MT = MonthlyTotal
# Every column a response shows, in the order of TransactionRead's keys.
READ_KEYS = tuple(TransactionRead.__annotations__)
READ_COLUMNS = tuple(getattr(T, key) for key in READ_KEYS)

_ORDER: dict[TransactionSort, tuple[ColumnElement[Any], ...]] = {
    TransactionSort.date_asc: (T.date.asc(), T.id.asc()),
    TransactionSort.date_desc: (T.date.desc(), T.id.desc()),
    TransactionSort.amount_asc: (T.amount.asc(), T.id.asc()),
    TransactionSort.amount_desc: (T.amount.desc(), T.id.desc()),
    TransactionSort.created_at_asc: (T.created_at.asc(), T.id.asc()),
    TransactionSort.created_at_desc: (T.created_at.desc(), T.id.desc()),
}


# Each list filter as SQL over a value: a bound parameter for the prepared list statements, the filter's
# own value for one-off statements (the export).
_FILTER_SQL: dict[str, Callable[[Any], ColumnElement[bool]]] = {
    "type": lambda v: T.type == v,
    "start_date": lambda v: T.date >= v,
    "end_date": lambda v: T.date <= v,
    "category_id": lambda v: T.category_id == v,
    "payment_method_id": lambda v: T.payment_method_id == v,
    "account_id": lambda v: T.account_id == v,
    "cycle_id": lambda v: T.cycle_id == v,
    "status": lambda v: T.status == v,
    "min_amount": lambda v: T.amount >= v,
    "max_amount": lambda v: T.amount <= v,
    "currency": lambda v: T.currency == v,
    "q": lambda v: or_(T.description.ilike(v, escape="\\"), T.notes.ilike(v, escape="\\")),
}


def _filter_values(filters: TransactionFilters) -> dict[str, Any]:
    """The filters in use, by name, with `q` as its LIKE pattern."""
    values = {name: value for name in _FILTER_SQL if (value := getattr(filters, name)) is not None}
    if values.get("q"):
        values["q"] = contains_pattern(values["q"])
    else:
        values.pop("q", None)  # an empty search filters nothing
    return values


@dataclass(frozen=True, slots=True)
class _ListStatements:
    page: Select[Any]
    count: Select[Any]
    page_with_total: Select[Any]  # the page, each row followed by the total (counted once)


@functools.lru_cache(maxsize=512)
def _list_statements(filters_in_use: frozenset[str], sort: TransactionSort) -> _ListStatements:
    """The list statements for one combination of filters and sort, with every value bound as a
    parameter. The list is the API's hottest path: built once, SQLAlchemy then reuses the compiled SQL
    without rebuilding the statement or its cache key."""
    conditions = [tenant_condition(T),
                  *(sql(bindparam(name)) for name, sql in _FILTER_SQL.items() if name in filters_in_use)]
    count = select(func.count()).select_from(T).where(*conditions)

    def page_of(*columns: Any) -> Select[Any]:
        return (select(*columns).where(*conditions).order_by(*_ORDER[sort])
                .limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer)))

    return _ListStatements(page=page_of(*READ_COLUMNS), count=count,
                           page_with_total=page_of(*READ_COLUMNS, count.scalar_subquery()))


class TransactionRepository(TenantRepository[Transaction]):
    model = Transaction

    async def list_rows(self, filters: TransactionFilters, params: PageParams
                        ) -> tuple[Sequence[Sequence[Any]], int]:
        """One page of rows (tuples in READ_COLUMNS order) and the total."""
        values = _filter_values(filters)
        statements = _list_statements(frozenset(values), filters.sort)
        page_values = {**values, "limit": params.size, "offset": params.offset}
        if self.session.get_bind().dialect.name == "sqlite":
            # Each statement costs four hops to aiosqlite's thread and back: the total rides with the page.
            with_total = (await self.execute_prepared(statements.page_with_total, page_values)).all()
            rows: Sequence[Sequence[Any]] = [row[:-1] for row in with_total]
            if with_total:
                return rows, with_total[0][-1]
        else:
            rows = (await self.execute_prepared(statements.page, page_values)).all()
            if 0 < len(rows) < params.size:
                return rows, params.offset + len(rows)  # a short page tells the total without counting
        if not rows and params.offset == 0:
            return rows, 0
        return rows, (await self.execute_prepared(statements.count, values)).scalar_one()

    async def stream_rows(self, filters: TransactionFilters, batch: int) -> AsyncIterator[Sequence[Sequence[Any]]]:
        """Every row the filters match (READ_COLUMNS order), in the list's order, `batch` at a time through a
        server-side cursor: memory stays flat whatever the count."""
        conditions = [_FILTER_SQL[name](value) for name, value in _filter_values(filters).items()]
        statement = (select(*READ_COLUMNS).where(self._mine(), *conditions).order_by(*_ORDER[filters.sort])
                     .execution_options(yield_per=batch))
        result = await self.session.stream(statement)
        try:
            async for partition in result.partitions(batch):
                yield partition
        finally:
            await result.close()

    async def insert(self, tx: Transaction) -> Transaction:
        """A new transaction in one Core INSERT: the unit of work's flush costs several times the CPU
        and a create needs nothing from it. `tx` gets its id and timestamps and stays out of the session:
        complete for rendering, not tracked for later changes."""
        now = utcnow()
        tx.id, tx.tenant_id, tx.created_at, tx.updated_at = uuid.uuid4(), self.tenant_id, now, now
        await self.session.execute(self.table.insert(), {column.key: getattr(tx, column.key)
                                                         for column in self.table.columns})
        return tx

    async def import_hashes_between(self, start: date, end: date) -> set[str]:
        """The import fingerprints of the tenant's rows dated in [start, end] (a fingerprint includes the
        date, so an imported row can only match one of these): one range scan on (tenant_id, date)."""
        statement = select(T.import_hash).where(self._mine(), T.date >= start, T.date <= end,
                                                T.import_hash.is_not(None))
        return {h for h in (await self.session.scalars(statement)).all() if h is not None}

    async def expense_groups(self, *, cycle_id: uuid.UUID | None = None, start_date: date | None = None,
                             end_date: date | None = None) -> Sequence[Sequence[Any]]:
        """Exact sums of expenses by (category_id, status, currency, base_currency, date):
        rows of (category_id, status, currency, base_currency, date, sum(amount), sum(amount_base))."""
        conditions: list[ColumnElement[bool]] = [self._mine(), T.type == TransactionType.expense,
                                                 T.transfer_id.is_(None)]  # a transfer spends nothing
        if cycle_id is not None:
            conditions.append(T.cycle_id == cycle_id)
        if start_date is not None:
            conditions.append(T.date >= start_date)
        if end_date is not None:
            conditions.append(T.date <= end_date)
        keys = (T.category_id, T.status, T.currency, T.base_currency, T.date)
        statement = select(*keys, func.sum(T.amount), func.sum(T.amount_base)).where(*conditions).group_by(*keys)
        return (await self.session.execute(statement)).all()

    async def transfer_legs(self, transfer_id: uuid.UUID) -> Sequence[Transaction]:
        """The legs of one transfer, the expense (from) first."""
        statement = self.scoped().where(T.transfer_id == transfer_id).order_by(T.type, T.id)
        return (await self.session.execute(statement)).scalars().all()

    async def account_sums(self, account_id: uuid.UUID, *, after: date | None, until: date
                           ) -> Sequence[Sequence[Any]]:
        """Paid amounts booked to an account in (after, until]: rows of (date, currency, type, sum)."""
        conditions = [self._mine(), T.account_id == account_id, T.date <= until, T.status == TransactionStatus.paid]
        if after is not None:
            conditions.append(T.date > after)
        keys = (T.date, T.currency, T.type)
        return (await self.session.execute(select(*keys, func.sum(T.amount)).where(*conditions).group_by(*keys))).all()

    async def booked_to(self, account_ids: Sequence[uuid.UUID], until: date) -> Sequence[Sequence[Any]]:
        """Every paid transaction booked to these accounts up to `until`: rows of (id, account_id, date,
        currency, type, amount, the other leg's account_id for a transfer), oldest first."""
        other = aliased(T)
        statement = (
            select(T.id, T.account_id, T.date, T.currency, T.type, T.amount, other.account_id)
            .outerjoin(other, and_(other.transfer_id == T.transfer_id, other.id != T.id,
                                   other.tenant_id == self.tenant_id))
            .where(self._mine(), T.account_id.in_(list(account_ids)), T.date <= until,
                   T.status == TransactionStatus.paid)
            .order_by(T.date, T.created_at, T.id))
        return (await self.session.execute(statement)).all()

    async def category_uses(self, tx_type: TransactionType, limit: int) -> Sequence[Sequence[Any]]:
        """The tenant's categorised transactions of one type (transfer legs aside), one row per lower-case
        description and category, the `limit` most recently used: rows of (description, category_id,
        count, min(amount), max(amount)). Grouped in SQL, so the caller's work is bounded whatever the
        history's size."""
        description = func.lower(T.description)
        statement = (
            select(description, T.category_id, func.count(), func.min(T.amount), func.max(T.amount))
            .where(self._mine(), T.type == tx_type, T.category_id.is_not(None), T.transfer_id.is_(None))
            .group_by(description, T.category_id)
            .order_by(func.max(T.date).desc(), description, T.category_id)
            .limit(limit))
        return (await self.session.execute(statement)).all()

    async def paid_history(self, since: date, until: date, limit: int) -> Sequence[Sequence[Any]]:
        """The tenant's paid expenses and incomes (transfer legs aside) dated in [since, until], the newest
        `limit`: rows of (description, currency, type, date, amount, category_id)."""
        statement = (
            select(T.description, T.currency, T.type, T.date, T.amount, T.category_id)
            .where(self._mine(), T.date >= since, T.date <= until, T.status == TransactionStatus.paid,
                   T.transfer_id.is_(None))
            .order_by(T.date.desc(), T.id.desc())
            .limit(limit))
        return (await self.session.execute(statement)).all()

    async def delete_planned_of_cycle(self, cycle_id: uuid.UUID) -> None:
        await self.delete_where(T.cycle_id == cycle_id, T.status == TransactionStatus.planned)

    # ---- what bank imports need ----

    async def bank_ids_among(self, bank_ids: Sequence[str]) -> set[str]:
        """Which of these bank ids the tenant already has (the unique (tenant_id, bank_id) index)."""
        statement = select(T.bank_id).where(self._mine(), T.bank_id.in_(bank_ids))
        return {found for found in (await self.session.scalars(statement)).all() if found is not None}

    async def on_dates(self, dates: Sequence[date]) -> Sequence[Sequence[Any]]:
        """The tenant's rows on any of `dates` (the (tenant_id, date) index finds them): rows of (date, amount,
        currency, type, description)."""
        statement = select(T.date, T.amount, T.currency, T.type, T.description).where(self._mine(), T.date.in_(dates))
        return (await self.session.execute(statement)).all()

    async def delete_unedited(self, first_id: uuid.UUID, last_id: uuid.UUID, deltas: Deltas
                              ) -> tuple[int, int, list[tuple[uuid.UUID, date]]]:
        """Of the rows with ids from `first_id` to `last_id` (the primary key's order: the bytes on PostgreSQL,
        the hex text on SQLite, alike), delete those never changed since they were written (updated_at =
        created_at), taking them out of `deltas`: how many there were, how many were deleted, and the earliest
        date of each account the deleted ones were booked to."""
        in_range = (self._mine(), T.id >= first_id, T.id <= last_id)
        unedited = (*in_range, T.updated_at == T.created_at)
        found = await self.session.scalar(select(func.count()).where(*in_range)) or 0
        booked = (await self.session.execute(
            select(T.account_id, func.min(T.date)).where(*unedited, T.account_id.is_not(None))
            .group_by(T.account_id))).all()
        # What the DELETE removed, as it returns it: a row edited meanwhile stays, and stays counted.
        removed = (await self.session.execute(delete(T).where(*unedited).returning(*_COUNTED)
                                              .execution_options(synchronize_session=False))).all()
        count_rows(deltas, removed, -1)
        return found, len(removed), [(account_id, day) for account_id, day in booked if account_id is not None]


# What a row adds to the monthly totals: totals.key_of's arguments, then the amount.
_COUNTED = (T.date, T.type, T.status, T.transfer_id, T.base_currency, T.category_id, T.amount_base)


def count_rows(deltas: Deltas, rows: Sequence[Sequence[Any]], sign: int) -> None:
    """Rows of _COUNTED added to (sign 1) or taken out of (-1) `deltas`."""
    for *values, amount_base in rows:
        deltas.add(key_of(*values), amount_base * sign, sign)


# ---- the monthly totals (models.MonthlyTotal) ----

class month_start(FunctionElement[date]):
    """The first day of a date's month, in SQL."""

    type = Date()
    inherit_cache = True


@compiles(month_start, "postgresql")
def _month_start_postgresql(element: month_start, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(date_trunc('month', CAST({compiler.process(element.clauses, **kw)} AS timestamp)) AS date)"


@compiles(month_start)  # SQLite's, and any statement's text (str())
def _month_start_sqlite(element: month_start, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


_KEY = ("month", "type", "base_currency", "category_id")


class MonthlyTotalRepository(TenantRepository[MonthlyTotal]):
    model = MonthlyTotal

    _upserts: ClassVar[dict[str, Any]] = {}  # per dialect: built once, the hot path of every create

    def _upsert(self) -> Any:
        """Add to a total and its count, creating the row for a new key; returns the count it reached. The row
        lock that ON CONFLICT DO UPDATE takes makes concurrent writers of one key add up, one after the other."""
        dialect = self.session.get_bind().dialect.name
        if dialect not in self._upserts:
            insert = self._insert()
            self._upserts[dialect] = (
                insert.on_conflict_do_update(index_elements=["tenant_id", *_KEY], set_={
                    "total": MT.total + insert.excluded.total, "count": MT.count + insert.excluded.count})
                .returning(*(self.table.c[name] for name in (*_KEY, "count"))))
        return self._upserts[dialect]

    async def apply(self, changes: Sequence[Change]) -> None:
        """Add each change to its row (in the order given: keys in order), then remove the rows left empty."""
        if not changes:
            return
        statement = self._upsert()
        reached = (await self.session.execute(statement, [
            {"tenant_id": self.tenant_id, **change.key._asdict(), "total": change.total, "count": change.count}
            for change in changes])).all()
        emptied = [dict(zip(_KEY, row[:-1], strict=True)) for row in reached if row[-1] == 0]
        if emptied:  # an executemany: Core, on the session's connection
            columns = self.table.c
            connection = await self.session.connection()
            await connection.execute(
                delete(self.table).where(tenant_condition(MT), *(columns[name] == bindparam(name) for name in _KEY),
                                         columns.count == 0),
                [{TENANT_PARAM: self.tenant_id, **key} for key in emptied])

    async def move_category(self, from_id: uuid.UUID, to_id: uuid.UUID) -> None:
        """The totals of one category added to another's (its transactions moved there)."""
        moved = (await self.session.execute(
            delete(MT).where(self._mine(), MT.category_id == from_id)
            .returning(MT.month, MT.type, MT.base_currency, MT.total, MT.count)
            .execution_options(synchronize_session=False))).all()
        deltas = Deltas()
        for month, tx_type, base_currency, total, count in moved:
            deltas.add(TotalKey(month, tx_type, base_currency, to_id), total, count)
        await self.apply(deltas.changes())

    async def rebuild(self) -> int:
        """Recount the tenant's totals from its transactions; how many rows there are.

        On PostgreSQL the totals are locked against writers until the transaction ends (SHARE ROW EXCLUSIVE, which
        every upsert waits for): a writer that has already counted its change commits before the recount reads,
        and one that has not counts it after the recount. SQLite has one writer at a time anyway."""
        connection = await self.session.connection()
        if connection.dialect.name == "postgresql":
            await connection.exec_driver_sql(f"LOCK TABLE {self.table.name} IN SHARE ROW EXCLUSIVE MODE")
        await self.delete_where()
        month = month_start(T.date)
        counted = (select(bindparam(TENANT_PARAM, type_=Uuid), month, T.type, T.base_currency,
                          func.coalesce(T.category_id, NO_CATEGORY), func.sum(T.amount_base), func.count())
                   .where(tenant_condition(T), T.status == TransactionStatus.paid, T.transfer_id.is_(None))
                   .group_by(month, T.type, T.base_currency, T.category_id))
        statement = self.table.insert().from_select(["tenant_id", *_KEY, "total", "count"], counted)
        return rowcount(await self.session.execute(statement, {TENANT_PARAM: self.tenant_id}))


async def tenant_ids_with_totals(session: AsyncSession) -> list[uuid.UUID]:
    """Every tenant with transactions or monthly totals (a rebuild's work list: across tenants, on purpose)."""
    statement = union(select(T.tenant_id), select(MT.tenant_id)).execution_options(**{ALL_TENANTS: True})
    return list((await session.scalars(statement)).all())
