"""Budget rules: entries within the total, categories resolved under the tenant, the spending report."""

import uuid
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from colony.budgets.errors import BudgetEntriesExceedTotal, BudgetNotFound
from colony.budgets.models import Budget, BudgetEntry
from colony.budgets.repository import BudgetEntryRepository, BudgetRepository
from colony.budgets.schemas import (
    BudgetCreate,
    BudgetRead,
    BudgetReport,
    BudgetUpdate,
    EntryIn,
    EntryReport,
    ReportLine,
)
from colony.categories import service as category_service
from colony.categories.models import CategoryKind
from colony.categories.service import CategoryReferences
from colony.core import money
from colony.core.errors import ValidationFailed
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import Tenant
from colony.transactions import service as transaction_service

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


async def list_budgets(session: AsyncSession, tenant: Tenant, params: PageParams) -> Page[BudgetRead]:
    rows, total = await BudgetRepository(session, tenant.tenant_id).list(params)
    return Page[BudgetRead].build([BudgetRead.model_validate(row) for row in rows], total, params)


async def _get(session: AsyncSession, tenant: Tenant, budget_id: uuid.UUID) -> Budget:
    budget = await BudgetRepository(session, tenant.tenant_id).get_with_entries(budget_id)
    if budget is None:
        raise BudgetNotFound()
    return budget


async def get(session: AsyncSession, tenant: Tenant, budget_id: uuid.UUID) -> BudgetRead:
    return BudgetRead.model_validate(await _get(session, tenant, budget_id))


def _amount(value: Decimal, currency: str, field: str) -> Decimal:
    try:
        return money.check_amount(value, currency)
    except money.MoneyError as exc:
        raise ValidationFailed(field, str(exc)) from None


async def _entries(session: AsyncSession, tenant: Tenant, entries: Sequence[EntryIn], currency: str,
                   total: Decimal) -> list[BudgetEntry]:
    rows = []
    for index, entry in enumerate(entries):
        amount = _amount(entry.amount, currency, f"body.entries.{index}.amount")
        await category_service.require(session, tenant, entry.category_id, field=f"body.entries.{index}.category_id",
                                       kind=CategoryKind.expense)
        rows.append(BudgetEntry(tenant_id=tenant.tenant_id, created_by_id=tenant.user_id,
                                category_id=entry.category_id, amount=amount, position=index))
    allotted = sum((row.amount for row in rows), Decimal(0))
    if allotted > total:
        raise BudgetEntriesExceedTotal(details={"entries_total": str(allotted), "total_amount": str(total)})
    return rows


async def create(session: AsyncSession, tenant: Tenant, data: BudgetCreate) -> BudgetRead:
    total = _amount(data.total_amount, data.currency, "body.total_amount")
    budget = Budget(created_by_id=tenant.user_id, name=data.name, currency=data.currency,
                    period_start=data.period_start, period_end=data.period_end, total_amount=total,
                    entries=await _entries(session, tenant, data.entries, data.currency, total))
    return BudgetRead.model_validate(await BudgetRepository(session, tenant.tenant_id).add(budget))


async def update(session: AsyncSession, tenant: Tenant, budget_id: uuid.UUID, data: BudgetUpdate) -> BudgetRead:
    budget = await _get(session, tenant, budget_id)
    changes = data.model_dump(exclude_unset=True, exclude={"entries"})
    start, end = changes.get("period_start", budget.period_start), changes.get("period_end", budget.period_end)
    if end < start:
        raise ValidationFailed("body.period_end", "must not be before period_start")
    currency = changes.get("currency", budget.currency)
    total = _amount(changes.get("total_amount", budget.total_amount), currency, "body.total_amount")
    changes["total_amount"] = total
    entries: Sequence[EntryIn] = data.entries if data.entries is not None else [
        EntryIn(category_id=e.category_id, amount=e.amount) for e in budget.entries]
    new_entries = await _entries(session, tenant, entries, currency, total)
    for field, value in changes.items():
        setattr(budget, field, value)
    if data.entries is not None:
        budget.entries.clear()
        await session.flush()  # the old rows go first: a category may come back in the new list
        budget.entries.extend(new_entries)
    await session.flush()
    return BudgetRead.model_validate(budget)


async def delete(session: AsyncSession, tenant: Tenant, budget_id: uuid.UUID) -> None:
    budget = await _get(session, tenant, budget_id)
    await BudgetRepository(session, tenant.tenant_id).delete(budget)


def _line(budgeted: Decimal, spent: Decimal) -> ReportLine:
    percent = (spent * HUNDRED / budgeted).quantize(CENT, rounding=ROUND_HALF_EVEN)
    return ReportLine(budgeted=budgeted, spent=spent, remaining=budgeted - spent, percent_used=percent)


async def report(session: AsyncSession, tenant: Tenant, budget_id: uuid.UUID) -> BudgetReport:
    """Spending of the period (paid and planned expenses, as a cycle counts them) against the budget,
    every expense converted into the budget's currency at the rate of its own date."""
    budget = await _get(session, tenant, budget_id)
    currency = budget.currency
    totals = await transaction_service.expense_totals(session, tenant.tenant_id, currency,
                                                      start_date=budget.period_start, end_date=budget.period_end)
    zero = money.quantize(Decimal(0), currency)
    spent: dict[uuid.UUID | None, Decimal] = {}
    for total in totals:
        spent[total.category_id] = spent.get(total.category_id, zero) + total.amount
    names = await category_service.names_of(session, tenant.tenant_id, [e.category_id for e in budget.entries])
    entries = []
    for entry in budget.entries:
        line = _line(money.quantize(entry.amount, currency), spent.get(entry.category_id, zero))
        entries.append(EntryReport(category_id=entry.category_id, name=names.get(entry.category_id),
                                   **line.model_dump()))
    overall = _line(money.quantize(budget.total_amount, currency), sum(spent.values(), zero))
    return BudgetReport(budget_id=budget.id, currency=currency, period_start=budget.period_start,
                        period_end=budget.period_end, overall=overall, entries=entries)


# ---- our part in the categories' rules (contributed in domain.py) ----

async def _category_in_use(session: AsyncSession, tenant_id: uuid.UUID, category_id: uuid.UUID) -> bool:
    return await BudgetEntryRepository(session, tenant_id).exists(BudgetEntry.category_id == category_id)


async def _reassign_category(session: AsyncSession, tenant_id: uuid.UUID, from_id: uuid.UUID,
                             to_id: uuid.UUID) -> None:
    await BudgetEntryRepository(session, tenant_id).reassign_category(from_id, to_id)


CATEGORY_REFERENCES = CategoryReferences(in_use=_category_in_use, reassign=_reassign_category)
