"""HTTP for cycles: anyone in the tenant reads; only the owner writes."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from colony.core.db import commit
from colony.core.deps import PageDep, SessionDep
from colony.core.errors import Forbidden, Unauthorized
from colony.core.idempotency import IdempotencyDep, IdempotencyKeyInProgress, IdempotencyKeyReused
from colony.core.openapi import error_responses
from colony.core.schemas import Page
from colony.cycles import service as cycle_service
from colony.cycles.errors import (
    ActiveCycleExists,
    CycleAlreadyCompleted,
    CycleNameExists,
    CycleNotFound,
    CycleOverlap,
    InvalidCycleDates,
    InvalidCycleTransition,
)
from colony.cycles.models import CycleStatus
from colony.cycles.schemas import CycleCreate, CycleRead, CycleSummary, CycleUpdate, GenerationRead
from colony.exchange_rates.errors import RateNotAvailable
from colony.users.deps import OwnerCtx, TenantCtx

router = APIRouter(prefix="/cycles", tags=["cycles"])
_AUTH = (Unauthorized, Forbidden)


@router.get("", response_model=Page[CycleRead], responses=error_responses(*_AUTH))
async def list_cycles(ctx: TenantCtx, session: SessionDep, page: PageDep,
                      status: Annotated[CycleStatus | None, Query()] = None) -> Page[CycleRead]:
    return await cycle_service.list_cycles(session, ctx, status, page)


@router.post("", status_code=201, response_model=CycleRead,
             responses=error_responses(*_AUTH, InvalidCycleDates, CycleOverlap, CycleNameExists, RateNotAvailable,
                                       IdempotencyKeyReused, IdempotencyKeyInProgress))
async def create_cycle(body: CycleCreate, ctx: OwnerCtx, session: SessionDep, idem: IdempotencyDep) -> Response:
    """Creates a draft cycle and, unless `generate_from_templates` is false, one planned expense per
    occurrence of each active template inside it."""
    return await idem.respond(session, ctx.user_id, lambda: cycle_service.create(session, ctx, body))


@router.get("/{cycle_id}", response_model=CycleRead, responses=error_responses(*_AUTH, CycleNotFound))
async def get_cycle(cycle_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> CycleRead:
    return await cycle_service.get(session, ctx, cycle_id)


@router.patch("/{cycle_id}", response_model=CycleRead,
              responses=error_responses(*_AUTH, CycleNotFound, CycleAlreadyCompleted, InvalidCycleDates,
                                        CycleOverlap, CycleNameExists))
async def update_cycle(cycle_id: uuid.UUID, body: CycleUpdate, ctx: OwnerCtx, session: SessionDep) -> CycleRead:
    cycle = await cycle_service.update(session, ctx, cycle_id, body)
    await commit(session)
    return cycle


@router.delete("/{cycle_id}", status_code=204,
               responses=error_responses(*_AUTH, CycleNotFound, CycleAlreadyCompleted))
async def delete_cycle(cycle_id: uuid.UUID, ctx: OwnerCtx, session: SessionDep) -> Response:
    """Deletes a draft or active cycle and its planned expenses; its paid expenses stay, unlinked."""
    await cycle_service.delete(session, ctx, cycle_id)
    await commit(session)
    return Response(status_code=204)


@router.post("/{cycle_id}/activate", response_model=CycleRead,
             responses=error_responses(*_AUTH, CycleNotFound, InvalidCycleTransition, ActiveCycleExists))
async def activate_cycle(cycle_id: uuid.UUID, ctx: OwnerCtx, session: SessionDep) -> CycleRead:
    cycle = await cycle_service.activate(session, ctx, cycle_id)
    await commit(session)
    return cycle


@router.post("/{cycle_id}/complete", response_model=CycleRead,
             responses=error_responses(*_AUTH, CycleNotFound, InvalidCycleTransition))
async def complete_cycle(cycle_id: uuid.UUID, ctx: OwnerCtx, session: SessionDep) -> CycleRead:
    cycle = await cycle_service.complete(session, ctx, cycle_id)
    await commit(session)
    return cycle


@router.post("/{cycle_id}/generate", response_model=GenerationRead,
             responses=error_responses(*_AUTH, CycleNotFound, CycleAlreadyCompleted, RateNotAvailable))
async def generate_cycle(cycle_id: uuid.UUID, ctx: OwnerCtx, session: SessionDep) -> GenerationRead:
    """Books the occurrences of the active templates that the cycle doesn't have yet; never duplicates."""
    generation = await cycle_service.generate(session, ctx, cycle_id)
    await commit(session)
    return generation


@router.get("/{cycle_id}/summary", response_model=CycleSummary,
            responses=error_responses(*_AUTH, CycleNotFound, RateNotAvailable))
async def cycle_summary(cycle_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> CycleSummary:
    return await cycle_service.summary(session, ctx, cycle_id)
