"""The report SQL: aggregations over a tenant's transactions, in its base currency.

Whole months are read from the monthly totals (transactions.models.MonthlyTotal, kept by every write in its
transaction): a few rows per month, whatever the tenant's size. The days of a month that a range only cuts into
are summed from the transactions themselves, by the same rules: only `paid` rows count (money that moved), and no
leg of a transfer between two accounts (it is neither income nor expense). Both give exact sums: `amount_base` and
the totals are ExactDecimal columns, SUM over them stays exact on both engines.

Every function takes the tenant id as a required argument and filters by it first (bound to the statements'
`tenant_condition`), so the totals' primary key and the transactions' (tenant_id, date, id) index serve the
range. The statements are built once (bound parameters), not per request. A row adds its `amount_base` when it
was booked in the tenant's current base currency; a row booked before the tenant changed it is summed in its own
currency per day (from the transactions, over the whole range), and service.py converts those sums.
No dialect-specific functions: months are date ranges, and trends group by month or day (Python buckets days
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
from colony.transactions.models import NO_CATEGORY, MonthlyTotal, Transaction, TransactionStatus, TransactionType

T = Transaction
MT = MonthlyTotal


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
class PeriodTotal:
    """The sum of one day, or of a whole month (`date` its first day). `total` is in the base currency, unless
    `foreign_currency` is set (as CategoryTotal): then it is one day's."""

    date: dt.date
    type: TransactionType
    total: Decimal
    foreign_currency: str | None = None


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_end(day: dt.date) -> dt.date:
    following = _month_index(day) + 1
    return dt.date.max if following > _LAST_MONTH else dt.date(following // 12, following % 12 + 1, 1) - _ONE_DAY


_ONE_DAY = dt.timedelta(days=1)
_FIRST_MONTH, _LAST_MONTH = _month_index(dt.date.min), _month_index(dt.date.max)
Months = tuple[dt.date | None, dt.date | None]  # first days of the first and last whole month; None: open


@dataclass(frozen=True, slots=True)
class Split:
    """A range (either end open) as the whole months inside it (None: there are none) and the days of the
    months it cuts into (at most two ranges of days, both ends inclusive)."""

    months: Months | None
    days: tuple[tuple[dt.date, dt.date], ...]


def split(start: dt.date | None, end: dt.date | None) -> Split:
    first = None if start is None else _month_index(start) + (start.day != 1)
    last = None if end is None else _month_index(end) - (end != _month_end(end))
    days: list[tuple[dt.date, dt.date]] = []
    if start is not None and start.day != 1:
        days.append((start, _month_end(start) if end is None else min(end, _month_end(start))))
    if end is not None and end != _month_end(end):
        month_first = end.replace(day=1)
        if start is None or start <= month_first:  # else the days from start already end at `end`
            days.append((month_first, end))
    if (first is not None and first > _LAST_MONTH) or (last is not None and last < _FIRST_MONTH) or (
            first is not None and last is not None and first > last):
        return Split(None, tuple(days))
    return Split((_month_first(first), _month_first(last)), tuple(days))


def _month_first(index: int | None) -> dt.date | None:
    return None if index is None else dt.date(index // 12, index % 12 + 1, 1)


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


@functools.cache
def _month_conditions(*, has_first: bool, has_last: bool) -> tuple[ColumnElement[bool], ...]:
    conditions: list[ColumnElement[bool]] = [tenant_condition(MT)]
    if has_first:
        conditions.append(MT.month >= bindparam("first_month"))
    if has_last:
        conditions.append(MT.month <= bindparam("last_month"))
    return tuple(conditions)


@functools.cache
def _monthly_category_statement(*, has_first: bool, has_last: bool, has_type: bool) -> Select[Any]:
    """The whole months' totals per type, category and base currency, in the shape of the transactions'
    statement above (not `former`): the two are read alike."""
    conditions = [*_month_conditions(has_first=has_first, has_last=has_last)]
    if has_type:
        conditions.append(MT.type == bindparam("type"))
    keys = (MT.type, MT.category_id, MT.base_currency)
    grouped = (select(*(key.label(key.key) for key in keys), func.sum(MT.total).label("total"),
                      func.sum(MT.count).label("count")).where(*conditions).group_by(*keys).subquery())
    return (select(grouped.c.type, grouped.c.category_id, Category.name, grouped.c.total, grouped.c.count,
                   grouped.c.base_currency)
            .outerjoin(Category, and_(Category.id == grouped.c.category_id, tenant_condition(Category))))


@functools.cache
def _month_totals_statement(*, has_first: bool, has_last: bool) -> Select[dt.date, TransactionType, str, Decimal]:
    return (select(MT.month, MT.type, MT.base_currency, func.sum(MT.total))
            .where(*_month_conditions(has_first=has_first, has_last=has_last))
            .group_by(MT.month, MT.type, MT.base_currency))


_DAY_CONDITIONS = _conditions(has_start=True, has_end=True)
_DAY_TOTALS = (select(T.date, T.type, T.base_currency, func.sum(T.amount_base)).where(*_DAY_CONDITIONS)
               .group_by(T.date, T.type, T.base_currency))
_FORMER_DAY_TOTALS = (select(T.date, T.type, T.currency, func.sum(T.amount))
                      .where(*_DAY_CONDITIONS, T.base_currency != bindparam("base_currency"))
                      .group_by(T.date, T.type, T.currency))


def _month_params(months: Months) -> dict[str, Any]:
    first, last = months
    return {name: value for name, value in (("first_month", first), ("last_month", last)) if value is not None}


def _month_shape(months: Months) -> dict[str, bool]:
    return {"has_first": months[0] is not None, "has_last": months[1] is not None}


def _category(category_id: uuid.UUID | None) -> uuid.UUID | None:
    return None if category_id == NO_CATEGORY else category_id


async def category_totals(session: AsyncSession, tenant_id: uuid.UUID, base_currency: str, *,
                          start: dt.date | None, end: dt.date | None,
                          type_: TransactionType | None = None) -> list[CategoryTotal]:
    """The sums and counts per type and category over a date range, a type and category possibly in several
    parts (whole months, days; the caller adds them up): one query for the whole months, one per range of days,
    and one more only when some rows were booked in a former base currency (see CategoryTotal)."""
    params = _params(tenant_id, base_currency, type=type_)
    has_type = type_ is not None
    parts = split(start, end)
    connection = await session.connection()
    rows: list[Any] = []
    if parts.months is not None:
        statement = _monthly_category_statement(**_month_shape(parts.months), has_type=has_type)
        rows += (await connection.execute(statement, {**params, **_month_params(parts.months)})).all()
    for first_day, last_day in parts.days:
        statement = _category_totals_statement(has_start=True, has_end=True, has_type=has_type, former=False)
        rows += (await connection.execute(statement, {**params, "start": first_day, "end": last_day})).all()
    totals = [CategoryTotal(TransactionType(row[0]), _category(row[1]), row[2], row[3], int(row[4]))
              for row in rows if row[5] == base_currency]
    if len(totals) < len(rows):
        shape = {"has_start": start is not None, "has_end": end is not None, "has_type": has_type}
        former_params = _params(tenant_id, base_currency, start=start, end=end, type=type_)
        former = (await connection.execute(_category_totals_statement(**shape, former=True), former_params)).all()
        totals += [CategoryTotal(TransactionType(row[0]), row[1], row[2], row[3], int(row[4]), row[5], row[6])
                   for row in former]
    return totals


async def period_totals(session: AsyncSession, tenant_id: uuid.UUID, base_currency: str, *,
                        start: dt.date, end: dt.date) -> list[PeriodTotal]:
    """The sums per type over a date range: per whole month, and per day in the months it cuts into (at most
    two rows a month or a day; as `category_totals`, one more query only for rows booked in a former base
    currency, per day)."""
    params = _params(tenant_id, base_currency)
    parts = split(start, end)
    connection = await session.connection()
    rows: list[Any] = []
    if parts.months is not None:
        statement = _month_totals_statement(**_month_shape(parts.months))
        rows += (await connection.execute(statement, {**params, **_month_params(parts.months)})).all()
    for first_day, last_day in parts.days:
        rows += (await connection.execute(_DAY_TOTALS, {**params, "start": first_day, "end": last_day})).all()
    totals = [PeriodTotal(row[0], TransactionType(row[1]), row[3]) for row in rows if row[2] == base_currency]
    if len(totals) < len(rows):
        former = (await connection.execute(_FORMER_DAY_TOTALS, {**params, "start": start, "end": end})).all()
        totals += [PeriodTotal(row[0], TransactionType(row[1]), row[3], row[2]) for row in former]
    return totals
