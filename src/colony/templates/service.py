"""Expense-template rules: references resolved under the tenant, exact amounts, schedules."""

import uuid
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from colony.categories import service as category_service
from colony.categories.models import CategoryKind
from colony.categories.service import CategoryReferences
from colony.core import money
from colony.core.errors import ValidationFailed
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import Tenant
from colony.payment_methods import service as payment_method_service
from colony.templates import recurrence
from colony.templates.errors import ExpenseTemplateNotFound
from colony.templates.models import ExpenseTemplate
from colony.templates.repository import ExpenseTemplateRepository
from colony.templates.schemas import (
    ExpenseTemplateCreate,
    ExpenseTemplateRead,
    ExpenseTemplateUpdate,
    OccurrencesRead,
    check_schedule,
)

MAX_OCCURRENCE_RANGE = timedelta(days=3660)  # about ten years of dates per request


async def list_templates(session: AsyncSession, tenant: Tenant, is_active: bool | None,
                         params: PageParams) -> Page[ExpenseTemplateRead]:
    rows, total = await ExpenseTemplateRepository(session, tenant.tenant_id).list(is_active, params)
    return Page[ExpenseTemplateRead].build([ExpenseTemplateRead.model_validate(r) for r in rows], total, params)


async def _get(session: AsyncSession, tenant: Tenant, template_id: uuid.UUID) -> ExpenseTemplate:
    return await ExpenseTemplateRepository(session, tenant.tenant_id).get_or_raise(template_id,
                                                                                   ExpenseTemplateNotFound)


async def get(session: AsyncSession, tenant: Tenant, template_id: uuid.UUID) -> ExpenseTemplateRead:
    return ExpenseTemplateRead.model_validate(await _get(session, tenant, template_id))


async def active_templates(session: AsyncSession, tenant_id: uuid.UUID) -> list[ExpenseTemplateRead]:
    templates = await ExpenseTemplateRepository(session, tenant_id).active()
    return [ExpenseTemplateRead.model_validate(template) for template in templates]


def dates_between(template: ExpenseTemplateRead, start: date, end: date) -> list[date]:
    """The template's dates in [start, end] (none when it is inactive)."""
    if not template.is_active:
        return []
    return recurrence.occurrences(template.frequency, template.start_date, template.end_date,
                                  template.day_of_month, start, end)


async def occurrences(session: AsyncSession, tenant: Tenant, template_id: uuid.UUID, start: date, end: date
                      ) -> OccurrencesRead:
    template = await get(session, tenant, template_id)
    if end < start:
        raise ValidationFailed("query.end_date", "must not be before start_date")
    if end - start > MAX_OCCURRENCE_RANGE:
        raise ValidationFailed("query.end_date", "the range may span at most 3660 days")
    return OccurrencesRead(template_id=template.id, start_date=start, end_date=end,
                           dates=dates_between(template, start, end))


async def _check_references(session: AsyncSession, tenant: Tenant, category_id: uuid.UUID | None,
                            payment_method_id: uuid.UUID | None) -> None:
    if category_id is not None:
        await category_service.require(session, tenant, category_id, field="body.category_id",
                                       kind=CategoryKind.expense)
    if payment_method_id is not None:
        await payment_method_service.require(session, tenant, payment_method_id, field="body.payment_method_id")


async def create(session: AsyncSession, tenant: Tenant, data: ExpenseTemplateCreate) -> ExpenseTemplateRead:
    await _check_references(session, tenant, data.category_id, data.payment_method_id)
    template = ExpenseTemplate(created_by_id=tenant.user_id, **data.model_dump())
    return ExpenseTemplateRead.model_validate(await ExpenseTemplateRepository(session, tenant.tenant_id).add(template))


async def update(session: AsyncSession, tenant: Tenant, template_id: uuid.UUID, data: ExpenseTemplateUpdate
                 ) -> ExpenseTemplateRead:
    template = await _get(session, tenant, template_id)
    changes = data.model_dump(exclude_unset=True)
    if "amount" in changes or "currency" in changes:
        currency = changes.get("currency", template.currency)
        try:
            changes["amount"] = money.check_amount(changes.get("amount", template.amount), currency)
        except money.MoneyError as exc:
            raise ValidationFailed("body.amount", str(exc)) from None
    frequency = changes.get("frequency", template.frequency)
    day_of_month = changes.get("day_of_month", template.day_of_month)
    if "frequency" in changes and frequency not in recurrence.MONTHLY_KINDS and "day_of_month" not in changes:
        day_of_month = changes["day_of_month"] = None  # a weekly schedule has no day of the month
    try:
        check_schedule(frequency, changes.get("start_date", template.start_date),
                       changes.get("end_date", template.end_date), day_of_month)
    except ValueError as exc:
        raise ValidationFailed("body", str(exc)) from None
    await _check_references(session, tenant,
                            changes.get("category_id") if changes.get("category_id") != template.category_id
                            else None,
                            changes.get("payment_method_id")
                            if changes.get("payment_method_id") != template.payment_method_id else None)
    for field, value in changes.items():
        setattr(template, field, value)
    await session.flush()
    return ExpenseTemplateRead.model_validate(template)


async def delete(session: AsyncSession, tenant: Tenant, template_id: uuid.UUID) -> None:
    """Planned expenses generated from it stay (their `template_id` becomes null)."""
    template = await _get(session, tenant, template_id)
    await ExpenseTemplateRepository(session, tenant.tenant_id).delete(template)


# Our part in the categories' rules (contributed in domain.py).
CATEGORY_REFERENCES = CategoryReferences.by_column(ExpenseTemplateRepository, ExpenseTemplate.category_id)
