"""HTTP for budgets: anyone in the tenant reads; only the owner writes."""

import uuid

from fastapi import APIRouter, Response

from colony.budgets import service as budget_service
from colony.budgets.errors import BudgetEntriesExceedTotal, BudgetNotFound
from colony.budgets.schemas import BudgetCreate, BudgetRead, BudgetReport, BudgetUpdate
from colony.core.db import commit
from colony.core.deps import PageDep, SessionDep
from colony.core.errors import Forbidden, Unauthorized
from colony.core.idempotency import IdempotencyDep, IdempotencyKeyInProgress, IdempotencyKeyReused
from colony.core.openapi import error_responses
from colony.core.schemas import Page
from colony.exchange_rates.errors import RateNotAvailable
from colony.users.deps import OwnerCtx, TenantCtx

router = APIRouter(prefix="/budgets", tags=["budgets"])
_AUTH = (Unauthorized, Forbidden)


@router.get("", response_model=Page[BudgetRead], responses=error_responses(*_AUTH))
async def list_budgets(ctx: TenantCtx, session: SessionDep, page: PageDep) -> Page[BudgetRead]:
    return await budget_service.list_budgets(session, ctx, page)


@router.post("", status_code=201, response_model=BudgetRead,
             responses=error_responses(*_AUTH, BudgetEntriesExceedTotal, IdempotencyKeyReused,
                                       IdempotencyKeyInProgress))
async def create_budget(body: BudgetCreate, ctx: OwnerCtx, session: SessionDep, idem: IdempotencyDep) -> Response:
    return await idem.respond(session, ctx.user_id, lambda: budget_service.create(session, ctx, body))


@router.get("/{budget_id}", response_model=BudgetRead, responses=error_responses(*_AUTH, BudgetNotFound))
async def get_budget(budget_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> BudgetRead:
    return await budget_service.get(session, ctx, budget_id)


@router.get("/{budget_id}/report", response_model=BudgetReport,
            responses=error_responses(*_AUTH, BudgetNotFound, RateNotAvailable))
async def budget_report(budget_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> BudgetReport:
    """Budgeted, spent, remaining and percent used, per entry and overall, from the tenant's expenses of
    the period (paid and planned) converted into the budget's currency at the rate of their dates."""
    return await budget_service.report(session, ctx, budget_id)


@router.patch("/{budget_id}", response_model=BudgetRead,
              responses=error_responses(*_AUTH, BudgetNotFound, BudgetEntriesExceedTotal))
async def update_budget(budget_id: uuid.UUID, body: BudgetUpdate, ctx: OwnerCtx, session: SessionDep) -> BudgetRead:
    budget = await budget_service.update(session, ctx, budget_id, body)
    await commit(session)
    return budget


@router.delete("/{budget_id}", status_code=204, responses=error_responses(*_AUTH, BudgetNotFound))
async def delete_budget(budget_id: uuid.UUID, ctx: OwnerCtx, session: SessionDep) -> Response:
    await budget_service.delete(session, ctx, budget_id)
    await commit(session)
    return Response(status_code=204)
