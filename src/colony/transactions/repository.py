"""All SQL of transactions. The list path selects columns (no ORM entities) for speed."""

import functools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, Integer, Select, Table, bindparam, delete, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from colony.core.clock import utcnow
from colony.core.repository import TenantRepository, tenant_condition
from colony.core.schemas import PageParams
from colony.transactions.models import Transaction, TransactionStatus, TransactionType
from colony.transactions.schemas import TransactionFilters, TransactionSort

T = Transaction
# Every column a response shows, in TransactionRead's order.
READ_COLUMNS = (T.id, T.type, T.amount, T.currency, T.date, T.description, T.notes, T.category_id,
                T.payment_method_id, T.account_id, T.cycle_id, T.template_id, T.status, T.amount_base,
                T.base_currency, T.exchange_rate, T.created_at, T.updated_at)
READ_KEYS = tuple(column.key for column in READ_COLUMNS)

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


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filter_values(filters: TransactionFilters) -> dict[str, Any]:
    """The filters in use, by name, with `q` as its LIKE pattern."""
    values = {name: value for name in _FILTER_SQL if (value := getattr(filters, name)) is not None}
    if values.get("q"):
        values["q"] = f"%{escape_like(values['q'])}%"
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

    def _conditions(self, filters: TransactionFilters) -> list[ColumnElement[bool]]:
        return [T.tenant_id == self.tenant_id,
                *(_FILTER_SQL[name](value) for name, value in _filter_values(filters).items())]

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

    async def insert(self, tx: Transaction) -> Transaction:
        """A new transaction in one Core INSERT: the unit of work's flush costs several times the CPU
        and a create needs nothing from it. `tx` gets its id and timestamps and stays out of the session:
        complete for rendering, not tracked for later changes."""
        now = utcnow()
        tx.id, tx.tenant_id, tx.created_at, tx.updated_at = uuid.uuid4(), self.tenant_id, now, now
        table = cast(Table, T.__table__)
        await self.session.execute(table.insert(), {column.key: getattr(tx, column.key) for column in table.columns})
        return tx

    async def uses_category(self, category_id: uuid.UUID) -> bool:
        statement = select(exists().where(T.tenant_id == self.tenant_id, T.category_id == category_id))
        return bool((await self.session.execute(statement)).scalar())

    async def reassign_category(self, from_id: uuid.UUID, to_id: uuid.UUID) -> None:
        await self.session.execute(
            update(T).where(T.tenant_id == self.tenant_id, T.category_id == from_id)
            .values(category_id=to_id, updated_at=utcnow()).execution_options(synchronize_session=False))

    # ---- planning domains: generated expenses, cycle totals ----

    async def insert_new(self, rows: Sequence[dict[str, Any]]) -> int:
        """Insert rows (dicts of column values), skipping any that hits a unique index: one generated
        expense per (cycle, template, date) however often or concurrently generation runs. Returns how
        many were inserted."""
        if not rows:
            return 0
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = cast(Table, T.__table__)
        now = utcnow()
        values = [{"id": uuid.uuid4(), "created_at": now, "updated_at": now, **row, "tenant_id": self.tenant_id}
                  for row in rows]
        # Core executemany: compiled once, sent in batches ("insertmanyvalues"); RETURNING names the new rows.
        statement = insert(table).on_conflict_do_nothing().returning(table.c.id)
        return len((await self.session.execute(statement, values)).all())

    async def delete_all(self) -> None:
        await self.session.execute(delete(T).where(T.tenant_id == self.tenant_id)
                                   .execution_options(synchronize_session=False))

    async def delete_planned_of_cycle(self, cycle_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(T)
            .where(T.tenant_id == self.tenant_id, T.cycle_id == cycle_id, T.status == TransactionStatus.planned)
            .execution_options(synchronize_session=False))

    async def expense_groups(self, *, cycle_id: uuid.UUID | None = None, start_date: Any = None,
                             end_date: Any = None) -> Sequence[Sequence[Any]]:
        """Exact sums of expenses by (category_id, status, currency, base_currency, date):
        rows of (category_id, status, currency, base_currency, date, sum(amount), sum(amount_base))."""
        conditions: list[ColumnElement[bool]] = [T.tenant_id == self.tenant_id, T.type == TransactionType.expense]
        if cycle_id is not None:
            conditions.append(T.cycle_id == cycle_id)
        if start_date is not None:
            conditions.append(T.date >= start_date)
        if end_date is not None:
            conditions.append(T.date <= end_date)
        keys = (T.category_id, T.status, T.currency, T.base_currency, T.date)
        statement = select(*keys, func.sum(T.amount), func.sum(T.amount_base)).where(*conditions).group_by(*keys)
        return (await self.session.execute(statement)).all()
