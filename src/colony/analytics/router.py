"""HTTP for the reports. Read-only; every amount is in the caller's base currency."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import StringConstraints

from colony.analytics import service as analytics_service
from colony.analytics.errors import InvalidReportRange
from colony.analytics.schemas import CategoryTotalRead, MonthlyReport, TrendRow
from colony.core.deps import SessionDep
from colony.core.errors import Forbidden, Unauthorized
from colony.core.openapi import error_responses
from colony.core.schemas import IsoDate
from colony.exchange_rates.errors import RateNotAvailable
from colony.transactions.models import TransactionType
from colony.users.deps import TenantCtx

router = APIRouter(prefix="/analytics", tags=["analytics"])

# A row booked in a former base currency is converted at the rate of its date: 422 when there is none.
_ERRORS = (Unauthorized, Forbidden, RateNotAvailable)
_COUNTING = ("Counts transactions with status `paid` only (money that moved; `planned` rows are left out), "
             "by their `amount_base` in the tenant's base currency; rows booked before the user changed "
             "their base currency are converted at the rate of their date.")
# Years 1900-2999, as the monthly report's path.
MonthParam = Annotated[str, StringConstraints(pattern=r"^(19\d\d|2\d{3})-(0[1-9]|1[0-2])$")]


@router.get("/monthly/{year}/{month}", response_model=MonthlyReport,
            responses=error_responses(*_ERRORS),
            description="Income, expenses and net of one month, with the expenses per category. "
                        "Expenses without a category form one row with `category_id: null`, named "
                        '"Uncategorized". Percentages are of `total_expenses`, 2 decimals, half-even '
                        "(so they may not add up to exactly 100). " + _COUNTING)
async def monthly_report(year: Annotated[int, Path(ge=1900, le=2999)], month: Annotated[int, Path(ge=1, le=12)],
                         ctx: TenantCtx, session: SessionDep) -> MonthlyReport:
    return await analytics_service.monthly(session, ctx, year, month)


@router.get("/trends", response_model=list[TrendRow],
            responses=error_responses(*_ERRORS, InvalidReportRange),
            description="One row per month touched by the range `start_date`..`end_date` (YYYY-MM-DD, both "
                        "inclusive, as every range of the API), oldest first; the first and last rows count only "
                        "the range's days, and months without transactions are zeros. Default: the last 12 "
                        "months (`end_date` today, UTC; `start_date` the first day of the 12th month back). "
                        "`start=YYYY-MM` and `end=YYYY-MM` (whole months) are still accepted in place of them. "
                        "At most 120 months; the start after the end → 422 INVALID_REPORT_RANGE. " + _COUNTING)
async def trends(ctx: TenantCtx, session: SessionDep,
                 start_date: Annotated[IsoDate | None, Query(description="First day (YYYY-MM-DD)")] = None,
                 end_date: Annotated[IsoDate | None, Query(description="Last day (YYYY-MM-DD); default today")] = None,
                 start: Annotated[MonthParam | None, Query(deprecated=True, description="Instead of start_date: "
                                                                                       "the first month, YYYY-MM")]
                 = None,
                 end: Annotated[MonthParam | None, Query(deprecated=True, description="Instead of end_date: the "
                                                                                     "last month, YYYY-MM")]
                 = None) -> list[TrendRow]:
    first, last = analytics_service.trend_range(start_date, end_date, start, end)
    return await analytics_service.trends(session, ctx, first, last)


@router.get("/categories", response_model=list[CategoryTotalRead],
            responses=error_responses(*_ERRORS, InvalidReportRange),
            description="Totals per category of one type over a date range (both ends inclusive, either may be "
                        "omitted), largest first, with the count of transactions and the share of the range's "
                        'total. Rows without a category are one row with `category_id: null`, "Uncategorized". '
                        + _COUNTING)
async def category_totals(ctx: TenantCtx, session: SessionDep, start_date: IsoDate | None = None,
                          end_date: IsoDate | None = None,
                          type: Annotated[TransactionType, Query(description="expense (default) or income")]
                          = TransactionType.expense) -> list[CategoryTotalRead]:
    return await analytics_service.categories(session, ctx, start_date, end_date, type)
