"""The report SQL: aggregations over a tenant's transactions, in its base currency.

Every function takes the tenant id as a required argument and filters by it first (bound to the
statements' `tenant_condition`), so the (tenant_id, date, id) index serves the date range. The
statements are built once (bound parameters), not per request. Only `paid` rows count (money that moved).
A row adds its `amount_base` when it was booked in the tenant's current base currency; a row booked
before the tenant changed it is summed in its own currency per day, and service.py converts those sums.
Sums are exact: `amount_base` is an ExactDecimal column, SUM over it stays exact on both engines.
No dialect-specific functions: months are date ranges, and trends group by day (Python buckets days
into months), so the same SQL runs on SQLite and PostgreSQL.
"""

import datetime as dt
import functools
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, bindparam, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.categories.models import Category
from colony.core.repository import TENANT_PARAM, tenant_condition
from colony.transactions.models import Transaction, TransactionStatus, TransactionType

T = Transaction
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class CategoryTotal:
    """`total` is in the base currency, unless `foreign_currency` is set: then it sums the rows of one
    day (`date`) booked in another base currency, in their own currency `foreign_currency`."""

    type: TransactionType
    category_id: uuid.UUID | None
    category_name: str | None
    total: Decimal
    count: int
    foreign_currency: str | None = None
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class DayTotal:
    """`total` is in the base currency, unless `foreign_currency` is set (as CategoryTotal)."""

    date: dt.date
    type: TransactionType
    total: Decimal
    foreign_currency: str | None = None


def _conditions(*, has_start: bool, has_end: bool) -> list[ColumnElement[bool]]:
    """Paid rows of the tenant, in its base currency, with `start <= date <= end` (both inclusive, each
    optional): bound parameters, so each statement is built and compiled once (see `_params`)."""
    conditions: list[ColumnElement[bool]] = [tenant_condition(T)]
    if has_start:
        conditions.append(T.date >= bindparam("start"))
    if has_end:
        conditions.append(T.date <= bindparam("end"))
    conditions.append(T.status == TransactionStatus.paid)
    return conditions


def _base_amounts(conditions: list[ColumnElement[bool]]) -> Subquery:
    """The rows matching `conditions`, each with the amount it adds: `amount_base` when it was booked in
    the current base currency (`foreign_currency` and `foreign_date` null), else its own `amount`, with
    its currency and date for the conversion. Grouping by those two keeps the usual case one group."""
    in_base = T.base_currency == bindparam("base_currency")
    return select(T.type.label("type"), T.category_id.label("category_id"), T.date.label("date"),
                  case((in_base, None), else_=T.currency).label("foreign_currency"),
                  case((in_base, None), else_=T.date).label("foreign_date"),
                  case((in_base, T.amount_base), else_=T.amount).label("amount")).where(*conditions).subquery()


def _params(tenant_id: uuid.UUID, base_currency: str, **values: object) -> dict[str, object]:
    if not isinstance(tenant_id, uuid.UUID):
        raise TypeError("a tenant id is required")
    return {TENANT_PARAM: tenant_id, "base_currency": base_currency,
            **{name: value for name, value in values.items() if value is not None}}


@functools.cache
def _category_totals_statement(*, has_start: bool, has_end: bool, has_type: bool) -> Select[Any]:
    """Grouped first, then joined to the categories for their names (a few rows, not every transaction)."""
    conditions = _conditions(has_start=has_start, has_end=has_end)
    if has_type:
        conditions.append(T.type == bindparam("type"))
    rows = _base_amounts(conditions)
    keys = (rows.c.type, rows.c.category_id, rows.c.foreign_currency, rows.c.foreign_date)
    grouped = (select(*keys, func.sum(rows.c.amount).label("total"), func.count().label("count"))
               .group_by(*keys).subquery())
    return (select(grouped.c.type, grouped.c.category_id, Category.name, grouped.c.total, grouped.c.count,
                   grouped.c.foreign_currency, grouped.c.foreign_date)
            .outerjoin(Category, and_(Category.id == grouped.c.category_id, tenant_condition(Category))))


_DAY_ROWS = _base_amounts(_conditions(has_start=True, has_end=True))
_DAY_KEYS = (_DAY_ROWS.c.date, _DAY_ROWS.c.type, _DAY_ROWS.c.foreign_currency)
_DAY_TOTALS = select(*_DAY_KEYS, func.sum(_DAY_ROWS.c.amount)).group_by(*_DAY_KEYS)


async def category_totals(session: AsyncSession, tenant_id: uuid.UUID, base_currency: str, *,
                          start: dt.date | None, end: dt.date | None,
                          type_: TransactionType | None = None) -> list[CategoryTotal]:
    """The sum and count per type and category over a date range (one query; see CategoryTotal)."""
    statement = _category_totals_statement(has_start=start is not None, has_end=end is not None,
                                           has_type=type_ is not None)
    connection = await session.connection()
    rows = (await connection.execute(statement, _params(tenant_id, base_currency, start=start, end=end,
                                                        type=type_))).all()
    return [CategoryTotal(TransactionType(row[0]), row[1], row[2], row[3] if row[3] is not None else ZERO,
                          int(row[4]), row[5], row[6]) for row in rows]


async def day_totals(session: AsyncSession, tenant_id: uuid.UUID, base_currency: str, *,
                     start: dt.date, end: dt.date) -> list[DayTotal]:
    """The sum per day and type over a date range (two rows a day, more for rows in a former base currency)."""
    connection = await session.connection()
    rows = (await connection.execute(_DAY_TOTALS, _params(tenant_id, base_currency, start=start, end=end))).all()
    return [DayTotal(row[0], TransactionType(row[1]), row[3] if row[3] is not None else ZERO, row[2])
            for row in rows]
