"""The report SQL: aggregations over a tenant's transactions, in its base currency.

Every function takes the tenant id as a required argument and filters by it first, so the
(tenant_id, date, id) index serves the date range. Only `paid` rows count (money that moved), and
only rows whose `amount_base` is in the tenant's current base currency (see service.py).
Sums are exact: `amount_base` is an ExactDecimal column, SUM over it stays exact on both engines.
No dialect-specific functions: months are date ranges, and trends group by day (Python buckets days
into months), so the same SQL runs on SQLite and PostgreSQL.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.categories.models import Category
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


def _conditions(tenant_id: uuid.UUID, base_currency: str, start: dt.date | None,
                end: dt.date | None) -> list[ColumnElement[bool]]:
    """Paid rows of the tenant, in its base currency, with `start <= date <= end` (both inclusive)."""
    if not isinstance(tenant_id, uuid.UUID):
        raise TypeError("a tenant id is required")
    conditions: list[ColumnElement[bool]] = [T.tenant_id == tenant_id]
    if start is not None:
        conditions.append(T.date >= start)
    if end is not None:
        conditions.append(T.date <= end)
    conditions += [T.status == TransactionStatus.paid, T.base_currency == base_currency]
    return conditions


async def category_totals(session: AsyncSession, tenant_id: uuid.UUID, base_currency: str, *,
                          start: dt.date | None, end: dt.date | None,
                          type_: TransactionType | None = None) -> list[CategoryTotal]:
    """SUM(amount_base) and COUNT(*) per type and category over a date range (one query).

    Grouped first, then joined to the categories for their names (a few rows, not every transaction).
    """
    conditions = _conditions(tenant_id, base_currency, start, end)
    if type_ is not None:
        conditions.append(T.type == type_)
    grouped = (select(T.type.label("type"), T.category_id.label("category_id"),
                      func.sum(T.amount_base).label("total"), func.count().label("count"))
               .where(*conditions).group_by(T.type, T.category_id).subquery())
    statement = (select(grouped.c.type, grouped.c.category_id, Category.name, grouped.c.total, grouped.c.count)
                 .outerjoin(Category, and_(Category.id == grouped.c.category_id,
                                           Category.tenant_id == tenant_id)))
    rows = (await session.execute(statement)).all()
    return [CategoryTotal(TransactionType(row[0]), row[1], row[2], row[3] if row[3] is not None else ZERO,
                          int(row[4])) for row in rows]


async def day_totals(session: AsyncSession, tenant_id: uuid.UUID, base_currency: str, *,
                     start: dt.date, end: dt.date) -> list[DayTotal]:
    """SUM(amount_base) per day and type over a date range (at most two rows a day)."""
    statement = (select(T.date, T.type, func.sum(T.amount_base))
                 .where(*_conditions(tenant_id, base_currency, start, end))
                 .group_by(T.date, T.type))
    rows = (await session.execute(statement)).all()
    return [DayTotal(row[0], TransactionType(row[1]), row[2] if row[2] is not None else ZERO) for row in rows]
