"""Cycle rules: dates, names, the draft → active → completed life, generation from templates, summary.

Invariants and where they are held:
- one active cycle per tenant: a partial unique index (uq_cycles_tenant_active); a losing concurrent
  activation gets the IntegrityError, turned into ACTIVE_CYCLE_EXISTS;
- unique names (case-insensitive): a unique index on (tenant_id, lower(name)) → CYCLE_NAME_EXISTS;
- no overlap: checked under a per-tenant lock (CycleRepository.lock_tenant), since no portable index
  can hold it;
- transitions: conditional UPDATEs (status = the expected one), so two racing requests can't both move it;
- one generated expense per (cycle, template, date): a unique index on transactions, inserted with
  ON CONFLICT DO NOTHING;
- a completed cycle's transactions are immutable: transactions call our guard (`guard_transaction_write`,
  contributed to `transactions.CYCLE_GUARDS` in domain.py) before writing a row linked to a cycle; it
  share-locks the cycle row, so completion waits for them.
"""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from colony.categories import service as category_service
from colony.core import money
from colony.core.db import savepoint
from colony.core.errors import ValidationFailed
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import Tenant
from colony.cycles.errors import (
    ActiveCycleExists,
    CycleAlreadyCompleted,
    CycleNameExists,
    CycleNotFound,
    CycleOverlap,
    InvalidCycleDates,
    InvalidCycleTransition,
)
from colony.cycles.models import Cycle, CycleStatus
from colony.cycles.repository import ActiveCyclesRepository, CycleRepository
from colony.cycles.schemas import CategorySummary, CycleCreate, CycleRead, CycleSummary, CycleUpdate, GenerationRead
from colony.templates import service as template_service
from colony.templates.schemas import ExpenseTemplateRead
from colony.transactions import service as transaction_service
from colony.transactions.models import TransactionStatus

# (tenant_id) -> the tenant's owner as a Tenant, or None when it is gone or deactivated.
TenantLoader = Callable[[uuid.UUID], Awaitable[Tenant | None]]

DEFAULT_LENGTH = timedelta(days=42)
MAX_LENGTH_DAYS = 45
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def default_name(start: date) -> str:
    """"<Month YYYY> Cycle", in English whatever the server's locale."""
    return f"{_MONTHS[start.month - 1]} {start.year} Cycle"


def default_end(start: date) -> date:
    if start > date.max - DEFAULT_LENGTH:  # the calendar ends with 9999: no default end date to give
        raise InvalidCycleDates(f"A cycle starting on {start.isoformat()} needs an end_date: 42 days later is past "
                                f"{date.max.isoformat()}", details={"start_date": start.isoformat()})
    return start + DEFAULT_LENGTH


def _check_dates(start: date, end: date) -> None:
    if not 1 <= (end - start).days <= MAX_LENGTH_DAYS:
        raise InvalidCycleDates(details={"start_date": start.isoformat(), "end_date": end.isoformat()})


def _check_income(amount: Decimal, currency: str) -> Decimal:
    try:
        return money.check_amount(amount, currency)
    except money.MoneyError as exc:
        raise ValidationFailed("body.income_amount", str(exc)) from None


async def list_cycles(session: AsyncSession, tenant: Tenant, status: CycleStatus | None,
                      params: PageParams) -> Page[CycleRead]:
    rows, total = await CycleRepository(session, tenant.tenant_id).list(status, params)
    return Page[CycleRead].build([CycleRead.model_validate(row) for row in rows], total, params)


async def _get(session: AsyncSession, tenant: Tenant, cycle_id: uuid.UUID) -> Cycle:
    return await CycleRepository(session, tenant.tenant_id).get_or_raise(cycle_id, CycleNotFound)


async def get(session: AsyncSession, tenant: Tenant, cycle_id: uuid.UUID) -> CycleRead:
    return CycleRead.model_validate(await _get(session, tenant, cycle_id))


async def _check_free(repo: CycleRepository, name: str, start: date, end: date,
                      exclude_id: uuid.UUID | None = None) -> None:
    await repo.lock_tenant()
    if await repo.overlapping(start, end, exclude_id) is not None:
        raise CycleOverlap()
    if await repo.find_by_name(name, exclude_id) is not None:
        raise CycleNameExists()


async def create(session: AsyncSession, tenant: Tenant, data: CycleCreate) -> CycleRead:
    start = data.start_date
    end = data.end_date or default_end(start)
    _check_dates(start, end)
    currency = data.currency or tenant.base_currency
    income = _check_income(data.income_amount, currency)
    name = data.name or default_name(start)
    repo = CycleRepository(session, tenant.tenant_id)
    await _check_free(repo, name, start, end)
    cycle = Cycle(tenant_id=tenant.tenant_id, created_by_id=tenant.user_id, name=name, start_date=start,
                  end_date=end, income_amount=income, currency=currency, status=CycleStatus.draft)
    async with savepoint(session, CycleNameExists):  # the unique index settles a race for the name
        session.add(cycle)
    if data.generate_from_templates:
        await _generate(session, tenant, cycle, await template_service.active_templates(session, tenant.tenant_id))
    return CycleRead.model_validate(cycle)


async def update(session: AsyncSession, tenant: Tenant, cycle_id: uuid.UUID, data: CycleUpdate) -> CycleRead:
    cycle = await _get(session, tenant, cycle_id)
    if cycle.status is CycleStatus.completed:
        raise CycleAlreadyCompleted()
    changes = data.model_dump(exclude_unset=True)
    start, end = changes.get("start_date", cycle.start_date), changes.get("end_date", cycle.end_date)
    _check_dates(start, end)
    if "income_amount" in changes or "currency" in changes:
        changes["income_amount"] = _check_income(changes.get("income_amount", cycle.income_amount),
                                                 changes.get("currency", cycle.currency))
    name = changes.get("name", cycle.name)
    if start != cycle.start_date or end != cycle.end_date or name.lower() != cycle.name.lower():
        await _check_free(CycleRepository(session, tenant.tenant_id), name, start, end, exclude_id=cycle.id)
    async with savepoint(session, CycleNameExists):
        for field, value in changes.items():
            setattr(cycle, field, value)
    return CycleRead.model_validate(cycle)


async def delete(session: AsyncSession, tenant: Tenant, cycle_id: uuid.UUID) -> None:
    """Its planned expenses go with it; paid ones stay, unlinked (the foreign key sets them null)."""
    cycle = await _get(session, tenant, cycle_id)
    if cycle.status is CycleStatus.completed:
        raise CycleAlreadyCompleted()
    await transaction_service.delete_planned_of_cycle(session, tenant.tenant_id, cycle.id)
    await CycleRepository(session, tenant.tenant_id).delete(cycle)


async def _transition(session: AsyncSession, tenant: Tenant, cycle_id: uuid.UUID, from_status: CycleStatus,
                      to_status: CycleStatus) -> CycleRead:
    cycle = await _get(session, tenant, cycle_id)
    if cycle.status is not from_status:
        raise InvalidCycleTransition(details={"from": cycle.status.value, "to": to_status.value})
    repo = CycleRepository(session, tenant.tenant_id)
    # The partial unique index: another cycle of the tenant may have become active first.
    async with savepoint(session, ActiveCycleExists):
        moved = await repo.update_where(Cycle.id == cycle.id, Cycle.status == from_status, status=to_status)
    await repo.reload(cycle)
    if not moved:  # a concurrent request moved it first
        raise InvalidCycleTransition(details={"from": cycle.status.value, "to": to_status.value})
    return CycleRead.model_validate(cycle)


async def activate(session: AsyncSession, tenant: Tenant, cycle_id: uuid.UUID) -> CycleRead:
    return await _transition(session, tenant, cycle_id, CycleStatus.draft, CycleStatus.active)


async def complete(session: AsyncSession, tenant: Tenant, cycle_id: uuid.UUID) -> CycleRead:
    return await _transition(session, tenant, cycle_id, CycleStatus.active, CycleStatus.completed)


# ---- generation from templates ----

async def _generate(session: AsyncSession, tenant: Tenant, cycle: Cycle, templates: Sequence[ExpenseTemplateRead],
                    *, until: date | None = None) -> int:
    end = cycle.end_date if until is None else min(cycle.end_date, until)
    items = [
        transaction_service.PlannedExpense(
            cycle_id=cycle.id, template_id=template.id, date=day, amount=template.amount,
            currency=template.currency, description=template.name, category_id=template.category_id,
            payment_method_id=template.payment_method_id)
        for template in templates
        for day in template_service.dates_between(template, cycle.start_date, end)
    ]
    return await transaction_service.create_planned(session, tenant, items)


async def generate(session: AsyncSession, tenant: Tenant, cycle_id: uuid.UUID) -> GenerationRead:
    """Book every missing occurrence of the active templates inside the cycle."""
    cycle = await _get(session, tenant, cycle_id)
    if cycle.status is CycleStatus.completed:
        raise CycleAlreadyCompleted()
    templates = await template_service.active_templates(session, tenant.tenant_id)
    return GenerationRead(cycle_id=cycle.id, created=await _generate(session, tenant, cycle, templates))


@dataclass(frozen=True, slots=True)
class MaterialiseResult:
    cycles: int
    created: int

    def __str__(self) -> str:
        return f"{self.created} planned expenses booked in {self.cycles} active cycles"


async def materialise_active_cycles(session: AsyncSession, load_tenant: TenantLoader, today: date
                                    ) -> MaterialiseResult:
    """The job: in every active cycle, book the occurrences up to `today` of the templates created after
    the cycle (the cycle's creation booked the others). Idempotent; flushes, the caller commits."""
    cycles = created = 0
    for tenant_id, cycle_id in await ActiveCyclesRepository(session).active():
        tenant = await load_tenant(tenant_id)
        if tenant is None:
            continue
        cycle = await CycleRepository(session, tenant_id).get(cycle_id)
        if cycle is None or cycle.start_date > today:
            continue
        templates = [t for t in await template_service.active_templates(session, tenant_id)
                     if t.created_at > cycle.created_at]
        cycles += 1
        created += await _generate(session, tenant, cycle, templates, until=today)
    return MaterialiseResult(cycles, created)


# ---- summary ----

async def summary(session: AsyncSession, tenant: Tenant, cycle_id: uuid.UUID) -> CycleSummary:
    cycle = await _get(session, tenant, cycle_id)
    currency = cycle.currency
    totals = await transaction_service.expense_totals(session, tenant.tenant_id, currency, cycle_id=cycle.id)
    zero = money.quantize(Decimal(0), currency)
    by_category: dict[uuid.UUID | None, dict[TransactionStatus, Decimal]] = {}
    for total in totals:
        by_category.setdefault(total.category_id, {})[total.status] = total.amount
    names = await category_service.names_of(session, tenant.tenant_id,
                                            [c for c in by_category if c is not None])
    rows = []
    for category_id, amounts in by_category.items():
        planned = amounts.get(TransactionStatus.planned, zero)
        paid = amounts.get(TransactionStatus.paid, zero)
        rows.append(CategorySummary(category_id=category_id, name=names.get(category_id) if category_id else None,
                                    planned=planned, paid=paid, total=planned + paid))
    rows.sort(key=lambda row: (-row.total, row.name or "", str(row.category_id)))
    planned_total = sum((row.planned for row in rows), zero)
    paid_total = sum((row.paid for row in rows), zero)
    income = money.quantize(cycle.income_amount, currency)
    return CycleSummary(cycle_id=cycle.id, currency=currency, income=income, planned_total=planned_total,
                        paid_total=paid_total, spent_total=planned_total + paid_total,
                        remaining=income - planned_total - paid_total, by_category=rows)


# ---- our part in the transactions' rules (contributed in domain.py) ----

async def guard_transaction_write(session: AsyncSession, tenant_id: uuid.UUID, cycle_id: uuid.UUID,
                                  field: str | None) -> None:
    status = await CycleRepository(session, tenant_id).status_for_share(cycle_id)
    if status is None:
        raise ValidationFailed(field or "body.cycle_id", "cycle not found")
    if status is CycleStatus.completed:
        raise CycleAlreadyCompleted()
