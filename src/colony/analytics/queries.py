"""The report SQL: aggregations over a tenant's transactions, in its base currency.

Every function takes the tenant id as a required argument and filters by it first (bound to the
statements' `tenant_condition`), so the (tenant_id, date, id) index serves the date range. The
statements are built once (bound parameters), not per request. Only `paid` rows count (money that moved), and
only rows whose `amount_base` is in the tenant's current base currency (see service.py).
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

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.categories.models import Category
from colony.core.repository import TENANT_PARAM, tenant_condition
from colony.transactions.models import Transaction, TransactionStatus, TransactionType

T = Transaction
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class CategoryTotal:
    type: TransactionType
    category_id: uuid.UUID | None
    category_name: str | None
    total: Decimal
    count: int


@dataclass(frozen=True, slots=True)
class DayTotal:
    date: dt.date
    type: TransactionType
    total: Decimal


def _conditions(*, has_start: bool, has_end: bool) -> list[ColumnElement[bool]]:
    """Paid rows of the tenant, in its base currency, with `start <= date <= end` (both inclusive, each
    optional): bound parameters, so each statement is built and compiled once (see `_params`)."""
    conditions: list[ColumnElement[bool]] = [tenant_condition(T)]
    if has_start:
        conditions.append(T.date >= bindparam("start"))
    if has_end:
        conditions.append(T.date <= bindparam("end"))
    conditions += [T.status == TransactionStatus.paid, T.base_currency == bindparam("base_currency")]
    return conditions


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
    grouped = (select(T.type.label("type"), T.category_id.label("category_id"),
                      func.sum(T.amount_base).label("total"), func.count().label("count"))
               .where(*conditions).group_by(T.type, T.category_id).subquery())
    return (select(grouped.c.type, grouped.c.category_id, Category.name, grouped.c.total, grouped.c.count)
            .outerjoin(Category, and_(Category.id == grouped.c.category_id, tenant_condition(Category))))


_DAY_TOTALS = (select(T.date, T.type, func.sum(T.amount_base))
               .where(*_conditions(has_start=True, has_end=True)).group_by(T.date, T.type))


async def category_totals(session: AsyncSession, tenant_id: uuid.UUID, base_currency: str, *,
                          start: dt.date | None, end: dt.date | None,
                          type_: TransactionType | None = None) -> list[CategoryTotal]:
    """SUM(amount_base) and COUNT(*) per type and category over a date range (one query)."""
    statement = _category_totals_statement(has_start=start is not None, has_end=end is not None,
                                           has_type=type_ is not None)
    connection = await session.connection()
    rows = (await connection.execute(statement, _params(tenant_id, base_currency, start=start, end=end,
                                                        type=type_))).all()
    return [CategoryTotal(TransactionType(row[0]), row[1], row[2], row[3] if row[3] is not None else ZERO,
                          int(row[4])) for row in rows]


async def day_totals(session: AsyncSession, tenant_id: uuid.UUID, base_currency: str, *,
                     start: dt.date, end: dt.date) -> list[DayTotal]:
    """SUM(amount_base) per day and type over a date range (at most two rows a day)."""
    connection = await session.connection()
    rows = (await connection.execute(_DAY_TOTALS, _params(tenant_id, base_currency, start=start, end=end))).all()
    return [DayTotal(row[0], TransactionType(row[1]), row[2] if row[2] is not None else ZERO) for row in rows]
