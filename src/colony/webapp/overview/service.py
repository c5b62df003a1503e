"""The overview's figures, from the services behind the API's reports, so the page and the API agree to the
cent: the month's income and spending and its expenses by category (`GET /analytics/monthly/{y}/{m}`), net
worth today and at the end of each of the last 12 months (`GET /reports/net-worth`), and the planned
expenses still to come (`GET /expenses?status=planned`)."""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from colony.analytics import service as analytics_service
from colony.analytics.schemas import MonthlyReport
from colony.categories import service as category_service
from colony.core.db import Database
from colony.core.schemas import PageParams
from colony.core.tenancy import Tenant
from colony.investments.portfolio import worth
from colony.investments.portfolio.schemas import NetWorthRead
from colony.transactions import service as transaction_service
from colony.transactions.models import TransactionStatus, TransactionType
from colony.transactions.schemas import TransactionFilters, TransactionRead, TransactionSort
from colony.webapp.formatting import Formatter

UPCOMING = 8  # planned expenses listed


@dataclass(frozen=True, slots=True)
class Overview:
    today: dt.date
    month: MonthlyReport
    net_worth: NetWorthRead
    upcoming: list[TransactionRead]
    category_names: dict[str | None, str]  # by id as text, as transactions carry them


async def overview(database: Database, session: AsyncSession, tenant: Tenant, today: dt.date) -> Overview:
    """Everything on the overview for `today` (in the person's time zone)."""
    month = await analytics_service.monthly(session, tenant, today.year, today.month)
    net_worth = await worth.net_worth(database, tenant, today, None)
    planned = TransactionFilters(type=TransactionType.expense, status=TransactionStatus.planned, start_date=today,
                                 sort=TransactionSort.date_asc)
    upcoming = (await transaction_service.list_transactions(session, tenant, planned,
                                                            PageParams(size=UPCOMING))).items
    ids = {uuid.UUID(tx["category_id"]) for tx in upcoming if tx["category_id"]}
    names = await category_service.names_of(session, tenant.tenant_id, ids)
    return Overview(today=today, month=month, net_worth=net_worth, upcoming=upcoming,
                    category_names={str(key): name for key, name in names.items()})


def net_worth_chart(figures: NetWorthRead, fmt: Formatter) -> dict[str, Any]:
    """The line chart's data: the total at each month's end, then today's; values as exact decimal strings
    (the chart draws them as numbers) and their formatted text for the tooltips."""
    points = [(point.date, point.total) for point in figures.history] + [(figures.date, figures.total)]
    return {"type": "line", "label": f"Net worth ({figures.currency})",
            "labels": [fmt.short_month(day) if day != figures.date else fmt.date(day) for day, _ in points],
            "values": [str(total) for _, total in points],
            "display": [fmt.money(total, figures.currency) for _, total in points]}


def spending_chart(month: MonthlyReport, fmt: Formatter) -> dict[str, Any]:
    rows = month.category_breakdown
    return {"type": "doughnut", "label": f"Spending ({month.currency})",
            "labels": [row.category_name for row in rows], "values": [str(row.total) for row in rows],
            "display": [f"{fmt.money(row.total, month.currency)} ({fmt.percent(row.percentage)})" for row in rows]}
