"""`GET /assistant/prompt`: a markdown digest of the caller's own figures, to paste into any chat model.
It needs no model: the same services as the reports, put into words and tables."""

import datetime as dt

from colony.analytics import service as analytics_service
from colony.assistant.schemas import PromptMode
from colony.budgets import service as budget_service
from colony.core import clock
from colony.core.db import Database
from colony.core.schemas import PageParams
from colony.core.tenancy import Tenant
from colony.goals import service as goal_service
from colony.investments.portfolio import worth
from colony.transactions import service as transaction_service

TREND_MONTHS = 6
TOP_CATEGORIES = 8

ANALYSIS_INTRO = """You are a careful personal-finance analyst. Below are my own figures from my finance app. \
Analyse my spending and saving: how the last months compare, where the money goes, whether my budgets and \
goals are on track, and three concrete changes worth making. Use only these figures; say when they are not \
enough to conclude.

"""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _month_back(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 - months
    return index // 12, index % 12 + 1


async def summary(database: Database, tenant: Tenant, mode: PromptMode) -> str:
    today = clock.today()
    currency = tenant.base_currency
    lines = [f"# My finances on {today}", "", f"All amounts in {currency} unless stated.", ""]
    async with database.reader() as session:
        for label, back in (("This month so far", 0), ("Last month", 1)):
            year, month = _month_back(today, back)
            report = await analytics_service.monthly(session, tenant, year, month)
            lines += [f"## {label} ({year}-{month:02d})", "",
                      f"- Income: {report.total_income}", f"- Expenses: {report.total_expenses} "
                      f"({report.expense_count} expenses)", f"- Net: {report.net}"]
            top = report.category_breakdown[:TOP_CATEGORIES]
            if top:
                lines += ["", "| Category | Spent | Share |", "|---|---:|---:|"]
                lines += [f"| {_cell(row.category_name)} | {row.total} | {row.percentage} % |" for row in top]
            lines.append("")
        start = _month_back(today, TREND_MONTHS - 1)
        trend = await analytics_service.trends(session, tenant, dt.date(*start, 1), today)
        lines += [f"## The last {TREND_MONTHS} months", "", "| Month | Income | Expenses | Net |",
                  "|---|---:|---:|---:|"]
        lines += [f"| {row.month} | {row.total_income} | {row.total_expenses} | {row.net} |" for row in trend]
        lines.append("")
        budgets = [b for b in (await budget_service.list_budgets(session, tenant, PageParams(size=100))).items
                   if b.period_start <= today <= b.period_end]
        if budgets:
            lines += ["## Budgets of today", "", "| Budget | Period | Budgeted | Spent | Used |",
                      "|---|---|---:|---:|---:|"]
            for budget in budgets:
                overall = (await budget_service.report(session, tenant, budget.id)).overall
                lines.append(f"| {_cell(budget.name)} | {budget.period_start} to {budget.period_end} | "
                             f"{overall.budgeted} {budget.currency} | {overall.spent} | {overall.percent_used} % |")
            lines.append("")
        goals = (await goal_service.list_goals(session, tenant, PageParams(size=50))).items
        if goals:
            lines += ["## Savings goals", "", "| Goal | Saved | Target | Progress | Due |", "|---|---:|---:|---:|---|"]
            lines += [f"| {_cell(g.name)} | {g.current_amount} {g.currency} | {g.target_amount} | "
                      f"{g.progress_percent} % | {g.due_date or '—'} |" for g in goals if g.status.value != "cancelled"]
            lines.append("")
        recurring = (await transaction_service.recurring_series(session, tenant.tenant_id))[:15]
        if recurring:
            lines += ["## Recurring payments and incomes", "", "| What | Amount | Every | Next |", "|---|---:|---|---|"]
            lines += [f"| {_cell(r.description)} | {r.amount} {r.currency} | {r.interval} | {r.next_date} |"
                      for r in recurring]
            lines.append("")
    sheet = await worth.net_worth(database, tenant, today, None)
    if sheet.accounts:
        lines += ["## Net worth", "", f"- Total: {sheet.total} (assets {sheet.assets}, liabilities "
                  f"{sheet.liabilities})"]
        lines += [f"- {_cell(a.name)} ({a.type.value}): {a.balance} {a.currency}" for a in sheet.accounts[:20]]
        lines.append("")
    text = "\n".join(lines).rstrip() + "\n"
    return ANALYSIS_INTRO + text if mode is PromptMode.analysis else text



