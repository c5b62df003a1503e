"""The budgets, cycles and goals pages: which one to show first, and what each page shows, from the services
behind the API's own reports (`/budgets/{id}/report`, `/cycles/{id}/summary`, `/goals`, contributions)."""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from colony.budgets import service as budget_service
from colony.budgets.schemas import BudgetRead, BudgetReport
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import Tenant
from colony.cycles import service as cycle_service
from colony.cycles.models import CycleStatus
from colony.cycles.schemas import CycleRead, CycleSummary
from colony.goals import service as goal_service
from colony.goals.schemas import ContributionRead, GoalRead
from colony.webapp.formatting import Formatter

LISTED = PageParams(size=100)  # budgets and cycles listed beside the one shown, newest first
CONTRIBUTIONS = PageParams(size=50)


@dataclass(frozen=True, slots=True)
class BudgetPage:
    budgets: list[BudgetRead]
    shown: BudgetRead | None
    report: BudgetReport | None


async def budget_page(session: AsyncSession, tenant: Tenant, today: dt.date,
                      budget_id: uuid.UUID | None = None) -> BudgetPage:
    """`budget_id`'s report (another tenant's: 404), else the budget whose period holds today, else the
    latest; and the list of budgets."""
    budgets = (await budget_service.list_budgets(session, tenant, LISTED)).items
    if budget_id is not None:
        shown: BudgetRead | None = await budget_service.get(session, tenant, budget_id)
    else:
        current = [b for b in budgets if b.period_start <= today <= b.period_end]
        shown = next(iter(current or budgets), None)
    report = await budget_service.report(session, tenant, shown.id) if shown is not None else None
    return BudgetPage(budgets=budgets, shown=shown, report=report)


def budget_chart(report: BudgetReport, fmt: Formatter) -> dict[str, Any]:
    """Budgeted and spent per category, side by side."""
    return {"type": "bar", "label": f"Budget vs actual ({report.currency})",
            "labels": [entry.name or "—" for entry in report.entries],
            "series": [{"label": "Budgeted", "values": [str(e.budgeted) for e in report.entries],
                        "display": [fmt.money(e.budgeted, report.currency) for e in report.entries]},
                       {"label": "Spent", "values": [str(e.spent) for e in report.entries],
                        "display": [fmt.money(e.spent, report.currency) for e in report.entries]}]}


@dataclass(frozen=True, slots=True)
class CyclePage:
    cycles: list[CycleRead]
    shown: CycleRead | None
    summary: CycleSummary | None


async def cycle_page(session: AsyncSession, tenant: Tenant, cycle_id: uuid.UUID | None = None) -> CyclePage:
    """`cycle_id`'s summary (another tenant's: 404), else the active cycle's, else the latest's."""
    cycles = (await cycle_service.list_cycles(session, tenant, None, LISTED)).items
    if cycle_id is not None:
        shown: CycleRead | None = await cycle_service.get(session, tenant, cycle_id)
    else:
        active = [c for c in cycles if c.status is CycleStatus.active]
        shown = next(iter(active or cycles), None)
    summary = await cycle_service.summary(session, tenant, shown.id) if shown is not None else None
    return CyclePage(cycles=cycles, shown=shown, summary=summary)


def cycle_chart(summary: CycleSummary, fmt: Formatter) -> dict[str, Any]:
    """Paid and planned per category, stacked."""
    rows = summary.by_category
    return {"type": "bar", "stacked": True, "label": f"Cycle by category ({summary.currency})",
            "labels": [row.name or "Uncategorized" for row in rows],
            "series": [{"label": "Paid", "values": [str(row.paid) for row in rows],
                        "display": [fmt.money(row.paid, summary.currency) for row in rows]},
                       {"label": "Planned", "values": [str(row.planned) for row in rows],
                        "display": [fmt.money(row.planned, summary.currency) for row in rows]}]}


async def goals(session: AsyncSession, tenant: Tenant) -> list[GoalRead]:
    page: Page[GoalRead] = await goal_service.list_goals(session, tenant, LISTED)
    return page.items


@dataclass(frozen=True, slots=True)
class GoalPage:
    goal: GoalRead
    contributions: Page[ContributionRead]


async def goal_page(session: AsyncSession, tenant: Tenant, goal_id: uuid.UUID) -> GoalPage:
    goal = await goal_service.get(session, tenant, goal_id)
    contributions = await goal_service.list_contributions(session, tenant, goal_id, CONTRIBUTIONS)
    return GoalPage(goal=goal, contributions=contributions)
