"""The report SQL: aggregations over a tenant's transactions, in its base currency.

Every function takes the tenant id as a required argument and filters by it first (bound to the
statements' `tenant_condition`), so the (tenant_id, date, id) index serves the date range. The
statements are built once (bound parameters), not per request. Only `paid` rows count (money that moved),
and no leg of a transfer between two accounts (it is neither income nor expense).
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

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from colony.categories.models import Category
from colony.core.repository import TENANT_PARAM, tenant_condition
from colony.transactions.models import Transaction, TransactionStatus, TransactionType

T = Transaction


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
    """Paid rows of the tenant with `start <= date <= end` (both inclusive, each optional): bound
    parameters, so each statement is built and compiled once (see `_params`)."""
    conditions: list[ColumnElement[bool]] = [tenant_condition(T)]
    if has_start:
        conditions.append(T.date >= bindparam("start"))
    if has_end:
        conditions.append(T.date <= bindparam("end"))
    conditions.append(T.status == TransactionStatus.paid)
    conditions.append(T.transfer_id.is_(None))  # money moved between two accounts is neither income nor expense
    return conditions


def _params(tenant_id: uuid.UUID, base_currency: str, **values: object) -> dict[str, object]:
    if not isinstance(tenant_id, uuid.UUID):
        raise TypeError("a tenant id is required")
    return {TENANT_PARAM: tenant_id, "base_currency": base_currency,
            **{name: value for name, value in values.items() if value is not None}}


@functools.cache
def _category_totals_statement(*, has_start: bool, has_end: bool, has_type: bool, former: bool) -> Select[Any]:
    """Grouped first, then joined to the categories for their names (a few rows, not every transaction).

    Not `former`: SUM(amount_base) per type, category and the base currency it is in (one more group key
    costs next to nothing; a CASE per row choosing the amount cost ~10%). `former`: the rows booked in
    another base currency than the current one, SUM(amount) per type, category, currency and day."""
    conditions = _conditions(has_start=has_start, has_end=has_end)
    if has_type:
        conditions.append(T.type == bindparam("type"))
    keys: tuple[InstrumentedAttribute[Any], ...]
    if former:
        conditions.append(T.base_currency != bindparam("base_currency"))
        keys, amount = (T.type, T.category_id, T.currency, T.date), T.amount
    else:
        keys, amount = (T.type, T.category_id, T.base_currency), T.amount_base
    grouped = (select(*(key.label(key.key) for key in keys), func.sum(amount).label("total"),
                      func.count().label("count")).where(*conditions).group_by(*keys).subquery())
    extra_keys = list(grouped.c)[2:len(keys)]  # base_currency, or currency and date
    return (select(grouped.c.type, grouped.c.category_id, Category.name, grouped.c.total, grouped.c.count,
                   *extra_keys)
            .outerjoin(Category, and_(Category.id == grouped.c.category_id, tenant_condition(Category))))


_DAY_CONDITIONS = _conditions(has_start=True, has_end=True)
_DAY_TOTALS = (select(T.date, T.type, T.base_currency, func.sum(T.amount_base)).where(*_DAY_CONDITIONS)
               .group_by(T.date, T.type, T.base_currency))
_FORMER_DAY_TOTALS = (select(T.date, T.type, T.currency, func.sum(T.amount))
                      .where(*_DAY_CONDITIONS, T.base_currency != bindparam("base_currency"))
                      .group_by(T.date, T.type, T.currency))


async def category_totals(session: AsyncSession, tenant_id: uuid.UUID, base_currency: str, *,
                          start: dt.date | None, end: dt.date | None,
                          type_: TransactionType | None = None) -> list[CategoryTotal]:
    """The sum and count per type and category over a date range: one query, and one more only when
    some rows were booked in a former base currency (see CategoryTotal)."""
    params = _params(tenant_id, base_currency, start=start, end=end, type=type_)
    shape = {"has_start": start is not None, "has_end": end is not None, "has_type": type_ is not None}
    connection = await session.connection()
    rows = (await connection.execute(_category_totals_statement(**shape, former=False), params)).all()
    totals = [CategoryTotal(TransactionType(row[0]), row[1], row[2], row[3], int(row[4]))
              for row in rows if row[5] == base_currency]
    if len(totals) < len(rows):
        rows = (await connection.execute(_category_totals_statement(**shape, former=True), params)).all()
        totals += [CategoryTotal(TransactionType(row[0]), row[1], row[2], row[3], int(row[4]), row[5], row[6])
                   for row in rows]
    return totals


async def day_totals(session: AsyncSession, tenant_id: uuid.UUID, base_currency: str, *,
                     start: dt.date, end: dt.date) -> list[DayTotal]:
    """The sum per day and type over a date range (at most two rows a day; as `category_totals`, a second
    query only for rows booked in a former base currency)."""
    params = _params(tenant_id, base_currency, start=start, end=end)
    connection = await session.connection()
    rows = (await connection.execute(_DAY_TOTALS, params)).all()
    totals = [DayTotal(row[0], TransactionType(row[1]), row[3]) for row in rows if row[2] == base_currency]
    if len(totals) < len(rows):
        rows = (await connection.execute(_FORMER_DAY_TOTALS, params)).all()
        totals += [DayTotal(row[0], TransactionType(row[1]), row[3], row[2]) for row in rows]
    return totals
