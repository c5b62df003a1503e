"""Reports in the tenant's base currency: monthly summary, monthly trends, totals per category.

What counts: transactions with status `paid` only — reports answer "where did the money go", and a
`planned` row has not moved money yet (cycle summaries show planned amounts). Amounts are the
stored `amount_base` (converted at the rate of the transaction's date when it was written). Rows
booked in another base currency (before the user changed theirs) are summed per day in their own
currency and each day's sum is converted at that day's rate, rounded once (`_in_base_currency`).

All sums happen in SQL (queries.py: whole months from the monthly totals, the days of a month a range cuts
into from the transactions) and are exact; percentages are computed here from Decimals, rounded once to 2
decimals, half-even.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from colony.analytics import queries
from colony.analytics.errors import InvalidReportRange
from colony.analytics.schemas import CategoryBreakdown, CategoryTotalRead, MonthlyReport, TrendRow
from colony.core import clock, money
from colony.core.errors import ValidationFailed
from colony.core.tenancy import Tenant
from colony.exchange_rates import service as rate_service
from colony.transactions.models import TransactionType

UNCATEGORIZED = "Uncategorized"
MAX_TREND_MONTHS = 120
DEFAULT_TREND_MONTHS = 12
ZERO = Decimal(0)
HUNDRED = Decimal(100)
PERCENT_QUANTUM = Decimal("0.01")

Total = TypeVar("Total", queries.CategoryTotal, queries.PeriodTotal)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """First and last day of a month."""
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def percentage(part: Decimal, whole: Decimal) -> Decimal:
    if not whole:
        return ZERO.quantize(PERCENT_QUANTUM)
    return (part * HUNDRED / whole).quantize(PERCENT_QUANTUM, rounding=ROUND_HALF_EVEN)


def _amount(value: Decimal, currency: str) -> Decimal:
    """An exact sum shown with the currency's decimals (sums of amounts never need more)."""
    return money.quantize(value, currency)


def _breakdown(totals: list[queries.CategoryTotal], whole: Decimal, currency: str) -> list[CategoryBreakdown]:
    rows = sorted(totals, key=lambda t: (-t.total, (t.category_name or UNCATEGORIZED).lower(), str(t.category_id)))
    return [CategoryBreakdown(
        category_id=t.category_id,
        category_name=t.category_name if t.category_id is not None and t.category_name else UNCATEGORIZED,
        total=_amount(t.total, currency), count=t.count, percentage=percentage(t.total, whole)) for t in rows]


def _former(total: Total) -> tuple[str, dt.date] | None:
    """The currency and day of a sum in a former base currency; None for a sum in the current one."""
    if total.foreign_currency is None or total.date is None:
        return None
    return total.foreign_currency, total.date


async def _in_base_currency(session: AsyncSession, tenant: Tenant, totals: Sequence[Total]) -> list[Total]:
    """`totals` with each sum in a former base currency converted to the tenant's base currency at the rate
    of its day (422 RATE_NOT_AVAILABLE without one). Usually there are none, and no rate is looked up."""
    currency = tenant.base_currency
    former = [key for t in totals if (key := _former(t)) is not None]
    if not former:
        return list(totals)
    days = [day for _, day in former]
    table = await rate_service.rate_table(session, {code for code, _ in former} | {currency}, min(days), max(days),
                                          tenant_id=tenant.tenant_id)
    converted: list[Total] = []
    for t in totals:
        if (key := _former(t)) is not None:
            code, day = key
            t = replace(t, total=table.rate_on(code, currency, day).apply(t.total, currency), foreign_currency=None)
        converted.append(t)
    return converted


async def _category_totals(session: AsyncSession, tenant: Tenant, *, start: dt.date | None, end: dt.date | None,
                           type_: TransactionType | None = None) -> list[queries.CategoryTotal]:
    """One total per type and category, in the tenant's base currency (the parts the queries read added up)."""
    totals = await queries.category_totals(session, tenant.tenant_id, tenant.base_currency, start=start, end=end,
                                           type_=type_)
    merged: dict[tuple[TransactionType, object], queries.CategoryTotal] = {}
    for t in await _in_base_currency(session, tenant, totals):
        seen = merged.get((t.type, t.category_id))
        merged[t.type, t.category_id] = t if seen is None else replace(
            seen, total=seen.total + t.total, count=seen.count + t.count)
    return list(merged.values())


async def monthly(session: AsyncSession, tenant: Tenant, year: int, month: int) -> MonthlyReport:
    start, end = month_bounds(year, month)
    currency = tenant.base_currency
    totals = await _category_totals(session, tenant, start=start, end=end)
    expenses = [t for t in totals if t.type is TransactionType.expense]
    total_expenses = sum((t.total for t in expenses), ZERO)
    total_income = sum((t.total for t in totals if t.type is TransactionType.income), ZERO)
    return MonthlyReport(
        year=year, month=month, currency=currency,
        total_expenses=_amount(total_expenses, currency), total_income=_amount(total_income, currency),
        net=_amount(total_income - total_expenses, currency), expense_count=sum(t.count for t in expenses),
        category_breakdown=_breakdown(expenses, total_expenses, currency),
    )


def parse_month(value: str, field: str) -> tuple[int, int]:
    try:
        year_text, month_text = value.split("-")
        if len(year_text) != 4 or len(month_text) != 2:
            raise ValueError
        year, month = int(year_text), int(month_text)
        dt.date(year, month, 1)
    except ValueError:
        raise ValidationFailed(f"query.{field}", "must be a month such as 2024-03") from None
    return year, month


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _range_error(field: str, message: str) -> InvalidReportRange:
    return InvalidReportRange(message, details={"errors": [{"field": f"query.{field}", "message": message}]})


def trend_range(start_date: dt.date | None, end_date: dt.date | None, start: str | None, end: str | None,
                today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The days a trend covers: `start_date`..`end_date`, or the months `start`..`end` (the older form),
    by default the last 12 months up to today."""
    if start_date is not None and start is not None:
        raise ValidationFailed("query.start", "give start_date or start, not both")
    if end_date is not None and end is not None:
        raise ValidationFailed("query.end", "give end_date or end, not both")
    last = end_date or (month_bounds(*parse_month(end, "end"))[1] if end else today or clock.today())
    if start_date is None and start is None:
        back = max(_month_index(last) - (DEFAULT_TREND_MONTHS - 1), _month_index(dt.date.min))
        return dt.date(back // 12, back % 12 + 1, 1), last
    first = start_date or month_bounds(*parse_month(start or "", "start"))[0]
    start_field, end_field = ("start" if start else "start_date"), ("end" if end else "end_date")
    if first > last:
        raise _range_error(start_field, f"must not be after {end_field}")
    if _month_index(last) - _month_index(first) + 1 > MAX_TREND_MONTHS:
        raise _range_error(end_field, f"at most {MAX_TREND_MONTHS} months after {start_field}")
    return first, last


async def trends(session: AsyncSession, tenant: Tenant, first: dt.date, last: dt.date) -> list[TrendRow]:
    """One row per month touched by `first`..`last` (inclusive); months without paid rows are zeros."""
    currency = tenant.base_currency
    income: dict[int, Decimal] = defaultdict(lambda: ZERO)
    expenses: dict[int, Decimal] = defaultdict(lambda: ZERO)
    period_totals = await queries.period_totals(session, tenant.tenant_id, currency, start=first, end=last)
    for period in await _in_base_currency(session, tenant, period_totals):
        bucket = income if period.type is TransactionType.income else expenses
        bucket[_month_index(period.date)] += period.total
    rows: list[TrendRow] = []
    for index in range(_month_index(first), _month_index(last) + 1):
        year, month = divmod(index, 12)
        total_income, total_expenses = income[index], expenses[index]
        rows.append(TrendRow(month=f"{year:04d}-{month + 1:02d}", currency=currency,
                             total_income=_amount(total_income, currency),
                             total_expenses=_amount(total_expenses, currency),
                             net=_amount(total_income - total_expenses, currency)))
    return rows


async def categories(session: AsyncSession, tenant: Tenant, start: dt.date | None, end: dt.date | None,
                     type_: TransactionType) -> list[CategoryTotalRead]:
    """Totals per category of one type over a date range (either end open), largest first."""
    if start is not None and end is not None and start > end:
        raise InvalidReportRange("start_date must not be after end_date", details={"errors": [
            {"field": "query.start_date", "message": "must not be after end_date"}]})
    currency = tenant.base_currency
    totals = await _category_totals(session, tenant, start=start, end=end, type_=type_)
    whole = sum((t.total for t in totals), ZERO)
    return [CategoryTotalRead(**row.model_dump(), currency=currency) for row in _breakdown(totals, whole, currency)]
