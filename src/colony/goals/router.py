"""HTTP for savings goals and their contributions: anyone in the tenant reads; only the owner writes."""

import uuid

from fastapi import APIRouter, Response

from colony.core.db import commit
from colony.core.deps import PageDep, SessionDep
from colony.core.errors import Forbidden, Unauthorized
from colony.core.idempotency import IdempotencyDep, IdempotencyKeyInProgress, IdempotencyKeyReused
from colony.core.openapi import error_responses
from colony.core.schemas import Page
from colony.goals import service as goal_service
from colony.goals.errors import GoalCancelled, GoalNotFound
from colony.goals.schemas import ContributionCreate, ContributionRead, GoalCreate, GoalRead, GoalUpdate
from colony.users.deps import OwnerCtx, TenantCtx

router = APIRouter(prefix="/goals", tags=["goals"])
_AUTH = (Unauthorized, Forbidden)
_IDEM = (IdempotencyKeyReused, IdempotencyKeyInProgress)


@router.get("", response_model=Page[GoalRead], responses=error_responses(*_AUTH))
async def list_goals(ctx: TenantCtx, session: SessionDep, page: PageDep) -> Page[GoalRead]:
    return await goal_service.list_goals(session, ctx, page)


@router.post("", status_code=201, response_model=GoalRead, responses=error_responses(*_AUTH, *_IDEM))
async def create_goal(body: GoalCreate, ctx: OwnerCtx, session: SessionDep, idem: IdempotencyDep) -> Response:
    return await idem.respond(session, ctx.user_id, lambda: goal_service.create(session, ctx, body))


@router.get("/{goal_id}", response_model=GoalRead, responses=error_responses(*_AUTH, GoalNotFound))
async def get_goal(goal_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> GoalRead:
    return await goal_service.get(session, ctx, goal_id)


@router.patch("/{goal_id}", response_model=GoalRead, responses=error_responses(*_AUTH, GoalNotFound))
async def update_goal(goal_id: uuid.UUID, body: GoalUpdate, ctx: OwnerCtx, session: SessionDep) -> GoalRead:
    goal = await goal_service.update(session, ctx, goal_id, body)
    await commit(session)
    return goal


@router.delete("/{goal_id}", status_code=204, responses=error_responses(*_AUTH, GoalNotFound))
async def delete_goal(goal_id: uuid.UUID, ctx: OwnerCtx, session: SessionDep) -> Response:
    await goal_service.delete(session, ctx, goal_id)
    await commit(session)
    return Response(status_code=204)


@router.post("/{goal_id}/contributions", status_code=201, response_model=ContributionRead,
             responses=error_responses(*_AUTH, GoalNotFound, GoalCancelled, *_IDEM))
async def contribute(goal_id: uuid.UUID, body: ContributionCreate, ctx: OwnerCtx, session: SessionDep,
                     idem: IdempotencyDep) -> Response:
    """Adds to the goal's progress; the contribution that reaches the target makes the goal achieved."""
    return await idem.respond(session, ctx.user_id, lambda: goal_service.contribute(session, ctx, goal_id, body))


@router.get("/{goal_id}/contributions", response_model=Page[ContributionRead],
            responses=error_responses(*_AUTH, GoalNotFound))
async def list_contributions(goal_id: uuid.UUID, ctx: TenantCtx, session: SessionDep,
                             page: PageDep) -> Page[ContributionRead]:
    return await goal_service.list_contributions(session, ctx, goal_id, page)
