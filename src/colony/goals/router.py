"""HTTP for savings goals and their contributions: anyone in the tenant reads; only the owner writes."""

import uuid

from fastapi import APIRouter, Response

from colony.auth.deps import OwnerCtx, TenantCtx
from colony.core.deps import PageDep, SessionDep
from colony.core.errors import Forbidden, Unauthorized
from colony.core.idempotency import IdempotencyDep, IdempotencyKeyInProgress, IdempotencyKeyReused
from colony.core.money import quantize
from colony.core.openapi import error_responses
from colony.core.schemas import Page
from colony.goals import service as goal_service
from colony.goals.errors import GoalCancelled, GoalNotFound
from colony.goals.schemas import ContributionCreate, ContributionRead, GoalCreate, GoalRead, GoalUpdate

router = APIRouter(prefix="/goals", tags=["goals"])
_AUTH = (Unauthorized, Forbidden)
_IDEM = (IdempotencyKeyReused, IdempotencyKeyInProgress)


@router.get("", response_model=Page[GoalRead], responses=error_responses(*_AUTH))
async def list_goals(ctx: TenantCtx, session: SessionDep, page: PageDep) -> Page[GoalRead]:
    items, total = await goal_service.list_goals(session, ctx, page)
    return Page[GoalRead].build(items, total, page)


@router.post("", status_code=201, response_model=GoalRead, responses=error_responses(*_AUTH, *_IDEM))
async def create_goal(body: GoalCreate, ctx: OwnerCtx, session: SessionDep, idem: IdempotencyDep) -> Response:
    replay = await idem.start(session, ctx.user_id)
    if replay is not None:
        return replay
    goal = await goal_service.create(session, ctx, body)
    response = await idem.finish(session, 201, goal.model_dump(mode="json"))
    await session.commit()
    return response


@router.get("/{goal_id}", response_model=GoalRead, responses=error_responses(*_AUTH, GoalNotFound))
async def get_goal(goal_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> GoalRead:
    return await goal_service.get(session, ctx, goal_id)


@router.patch("/{goal_id}", response_model=GoalRead, responses=error_responses(*_AUTH, GoalNotFound))
async def update_goal(goal_id: uuid.UUID, body: GoalUpdate, ctx: OwnerCtx, session: SessionDep) -> GoalRead:
    goal = await goal_service.update(session, ctx, goal_id, body)
    await session.commit()
    return goal


@router.delete("/{goal_id}", status_code=204, responses=error_responses(*_AUTH, GoalNotFound))
async def delete_goal(goal_id: uuid.UUID, ctx: OwnerCtx, session: SessionDep) -> Response:
    await goal_service.delete(session, ctx, goal_id)
    await session.commit()
    return Response(status_code=204)


@router.post("/{goal_id}/contributions", status_code=201, response_model=ContributionRead,
             responses=error_responses(*_AUTH, GoalNotFound, GoalCancelled, *_IDEM))
async def contribute(goal_id: uuid.UUID, body: ContributionCreate, ctx: OwnerCtx, session: SessionDep,
                     idem: IdempotencyDep) -> Response:
    """Adds to the goal's progress; the contribution that reaches the target makes the goal achieved."""
    replay = await idem.start(session, ctx.user_id)
    if replay is not None:
        return replay
    contribution = await goal_service.contribute(session, ctx, goal_id, body)
    read = ContributionRead.model_validate(contribution)
    response = await idem.finish(session, 201, read.model_dump(mode="json"))
    await session.commit()
    return response


@router.get("/{goal_id}/contributions", response_model=Page[ContributionRead],
            responses=error_responses(*_AUTH, GoalNotFound))
async def list_contributions(goal_id: uuid.UUID, ctx: TenantCtx, session: SessionDep,
                             page: PageDep) -> Page[ContributionRead]:
    rows, total, currency = await goal_service.list_contributions(session, ctx, goal_id, page)
    items = [ContributionRead.model_validate(row) for row in rows]
    for item in items:
        item.amount = quantize(item.amount, currency)
    return Page[ContributionRead].build(items, total, page)
