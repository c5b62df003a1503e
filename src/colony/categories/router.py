"""HTTP for categories: anyone in the tenant reads; only the owner writes."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from colony.categories import service as category_service
from colony.categories.errors import CategoryInUse, CategoryNameExists, CategoryNotFound
from colony.categories.models import CategoryKind
from colony.categories.schemas import CategoryCreate, CategoryRead, CategoryUpdate
from colony.core.db import commit
from colony.core.deps import PageDep, SessionDep
from colony.core.errors import Forbidden, Unauthorized
from colony.core.openapi import error_responses
from colony.core.schemas import Page
from colony.users.deps import OwnerCtx, TenantCtx

router = APIRouter(prefix="/categories", tags=["categories"])


@router.get("", response_model=Page[CategoryRead], responses=error_responses(Unauthorized, Forbidden))
async def list_categories(ctx: TenantCtx, session: SessionDep, page: PageDep,
                          kind: Annotated[CategoryKind | None, Query()] = None) -> Page[CategoryRead]:
    return await category_service.list_categories(session, ctx, kind, page)


@router.post("", status_code=201, response_model=CategoryRead,
             responses=error_responses(Unauthorized, Forbidden, CategoryNameExists))
async def create_category(body: CategoryCreate, ctx: OwnerCtx, session: SessionDep) -> CategoryRead:
    category = await category_service.create(session, ctx, body)
    await commit(session)
    return category


@router.get("/{category_id}", response_model=CategoryRead,
            responses=error_responses(Unauthorized, Forbidden, CategoryNotFound))
async def get_category(category_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> CategoryRead:
    return await category_service.get(session, ctx, category_id)


@router.patch("/{category_id}", response_model=CategoryRead,
              responses=error_responses(Unauthorized, Forbidden, CategoryNotFound, CategoryNameExists,
                                        CategoryInUse))
async def update_category(category_id: uuid.UUID, body: CategoryUpdate, ctx: OwnerCtx,
                          session: SessionDep) -> CategoryRead:
    category = await category_service.update(session, ctx, category_id, body)
    await commit(session)
    return category


@router.delete("/{category_id}", status_code=204,
               responses=error_responses(Unauthorized, Forbidden, CategoryNotFound, CategoryInUse))
async def delete_category(
    category_id: uuid.UUID, ctx: OwnerCtx, session: SessionDep,
    reassign_to: Annotated[uuid.UUID | None, Query(
        description="Move the transactions of this category to that one (same kind) before deleting")] = None,
) -> Response:
    await category_service.delete(session, ctx, category_id, reassign_to)
    await commit(session)
    return Response(status_code=204)
