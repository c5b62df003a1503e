"""/business/sub-users: the members of a business tenant, managed by its owner."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from colony.business import service as business_service
from colony.business.errors import SubUserNotFound
from colony.business.schemas import SubUserCreate, SubUserRead
from colony.core.db import commit
from colony.core.deps import CacheDep, PageDep, SessionDep
from colony.core.openapi import error_responses
from colony.core.schemas import Page
from colony.users.deps import BusinessOwnerCtx
from colony.users.errors import AdminOnly, EmailAlreadyRegistered, NotAuthenticated, TokenExpired

router = APIRouter(prefix="/business/sub-users", tags=["business"])
_auth_errors = (NotAuthenticated, TokenExpired, AdminOnly)


@router.get("", response_model=Page[SubUserRead], responses=error_responses(*_auth_errors))
async def list_sub_users(business: BusinessOwnerCtx, session: SessionDep, page: PageDep,
                         is_active: Annotated[bool | None, Query()] = None) -> Page[SubUserRead]:
    """The business's sub-users, oldest first (business owners only)."""
    return await business_service.list_sub_users(session, business, page, is_active)


@router.post("", status_code=201, response_model=SubUserRead,
             responses=error_responses(*_auth_errors, EmailAlreadyRegistered))
async def create_sub_user(body: SubUserCreate, business: BusinessOwnerCtx, session: SessionDep) -> SubUserRead:
    """Add a sub-user who works inside the business's tenant (business owners only)."""
    user = await business_service.create_sub_user(session, business, body)
    await commit(session)
    return user


@router.delete("/{sub_user_id}", status_code=204, response_class=Response,
               responses=error_responses(*_auth_errors, SubUserNotFound))
async def deactivate_sub_user(sub_user_id: uuid.UUID, business: BusinessOwnerCtx, session: SessionDep,
                              cache: CacheDep) -> None:
    """Deactivate a sub-user: its tokens stop working at once (business owners only)."""
    await business_service.deactivate_sub_user(session, cache, business, sub_user_id)
    await commit(session)
