"""/admin/users: operators manage accounts, and create them (the only way when COLONY_REGISTRATION=closed);
they read no tenant's money."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from colony.admin import service as admin_service
from colony.admin.schemas import AdminUserCreate, AdminUserUpdate
from colony.core.db import commit
from colony.core.deps import CacheDep, PageDep, SessionDep
from colony.core.openapi import error_responses
from colony.core.schemas import Page
from colony.core.tenancy import Role
from colony.users.deps import AdminCtx
from colony.users.errors import (
    AdminOnly,
    EmailAlreadyRegistered,
    NotAuthenticated,
    RoleChangeNotAllowed,
    TokenExpired,
    UserNotFound,
)
from colony.users.schemas import AdminUserRead

router = APIRouter(prefix="/admin/users", tags=["admin"])
_auth_errors = (NotAuthenticated, TokenExpired, AdminOnly)


@router.get("", response_model=Page[AdminUserRead], responses=error_responses(*_auth_errors))
async def list_users(
    _admin: AdminCtx, session: SessionDep, page: PageDep,
    q: Annotated[str | None, Query(max_length=320, description="Substring of the email or name, any case")] = None,
    role: Annotated[Role | None, Query()] = None,
    is_active: Annotated[bool | None, Query()] = None,
) -> Page[AdminUserRead]:
    return await admin_service.list_users(session, page, q=q, role=role, is_active=is_active)


@router.post("", status_code=201, response_model=AdminUserRead,
             responses=error_responses(*_auth_errors, EmailAlreadyRegistered))
async def create_user(body: AdminUserCreate, _admin: AdminCtx, session: SessionDep) -> AdminUserRead:
    """Create a personal or business account with its tenant's default categories, as registration would."""
    account = await admin_service.create_user(session, body)
    await commit(session)
    return account


@router.patch("/{user_id}", response_model=AdminUserRead,
              responses=error_responses(*_auth_errors, UserNotFound, RoleChangeNotAllowed))
async def update_user(user_id: uuid.UUID, body: AdminUserUpdate, admin: AdminCtx, session: SessionDep,
                      cache: CacheDep) -> AdminUserRead:
    """Activate or deactivate a user (deactivating ends its access at once; a business takes its sub-users
    along), or switch an owner between `personal` and `business`."""
    account = await admin_service.update_user(session, cache, admin, user_id, body)
    await commit(session)
    return account
