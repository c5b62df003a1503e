"""HTTP for expense templates: anyone in the tenant reads; only the owner writes."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from colony.core.db import commit
from colony.core.deps import PageDep, SessionDep
from colony.core.errors import Forbidden, Unauthorized
from colony.core.idempotency import IdempotencyDep, IdempotencyKeyInProgress, IdempotencyKeyReused
from colony.core.openapi import error_responses
from colony.core.schemas import IsoDate, Page
from colony.templates import service as template_service
from colony.templates.errors import ExpenseTemplateNotFound
from colony.templates.schemas import (
    ExpenseTemplateCreate,
    ExpenseTemplateRead,
    ExpenseTemplateUpdate,
    OccurrencesRead,
)
from colony.users.deps import OwnerCtx, TenantCtx

router = APIRouter(prefix="/expense-templates", tags=["expense templates"])
_AUTH = (Unauthorized, Forbidden)


@router.get("", response_model=Page[ExpenseTemplateRead], responses=error_responses(*_AUTH))
async def list_templates(ctx: TenantCtx, session: SessionDep, page: PageDep,
                         is_active: Annotated[bool | None, Query()] = None) -> Page[ExpenseTemplateRead]:
    return await template_service.list_templates(session, ctx, is_active, page)


@router.post("", status_code=201, response_model=ExpenseTemplateRead,
             responses=error_responses(*_AUTH, IdempotencyKeyReused, IdempotencyKeyInProgress))
async def create_template(body: ExpenseTemplateCreate, ctx: OwnerCtx, session: SessionDep,
                          idem: IdempotencyDep) -> Response:
    return await idem.respond(session, ctx.user_id, lambda: template_service.create(session, ctx, body))


@router.get("/{template_id}", response_model=ExpenseTemplateRead,
            responses=error_responses(*_AUTH, ExpenseTemplateNotFound))
async def get_template(template_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> ExpenseTemplateRead:
    return await template_service.get(session, ctx, template_id)


@router.get("/{template_id}/occurrences", response_model=OccurrencesRead,
            responses=error_responses(*_AUTH, ExpenseTemplateNotFound))
async def get_occurrences(template_id: uuid.UUID, ctx: TenantCtx, session: SessionDep,
                          start_date: Annotated[IsoDate, Query(description="First day of the range")],
                          end_date: Annotated[IsoDate, Query(description="Last day of the range (inclusive, "
                                                             "at most 3660 days after start_date)")],
                          ) -> OccurrencesRead:
    return await template_service.occurrences(session, ctx, template_id, start_date, end_date)


@router.patch("/{template_id}", response_model=ExpenseTemplateRead,
              responses=error_responses(*_AUTH, ExpenseTemplateNotFound))
async def update_template(template_id: uuid.UUID, body: ExpenseTemplateUpdate, ctx: OwnerCtx,
                          session: SessionDep) -> ExpenseTemplateRead:
    template = await template_service.update(session, ctx, template_id, body)
    await commit(session)
    return template


@router.delete("/{template_id}", status_code=204, responses=error_responses(*_AUTH, ExpenseTemplateNotFound))
async def delete_template(template_id: uuid.UUID, ctx: OwnerCtx, session: SessionDep) -> Response:
    await template_service.delete(session, ctx, template_id)
    await commit(session)
    return Response(status_code=204)
