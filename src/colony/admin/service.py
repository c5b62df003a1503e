"""Operator actions on users: activation, and the few role changes that keep tenancy coherent."""

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from colony.admin.schemas import AdminUserUpdate
from colony.core.schemas import PageParams
from colony.core.tenancy import OWNER_ROLES, Role, Tenant
from colony.users import service as user_service
from colony.users.errors import RoleChangeNotAllowed
from colony.users.models import User


async def list_users(session: AsyncSession, params: PageParams, *, q: str | None, role: Role | None,
                     is_active: bool | None) -> tuple[Sequence[User], int]:
    return await user_service.list_users(session, params, q=q, role=role, is_active=is_active)


async def update_user(session: AsyncSession, admin: Tenant, user_id: uuid.UUID, changes: AdminUserUpdate
                      ) -> tuple[User, list[uuid.UUID]]:
    """The updated user, and the ids whose cached principal the caller must forget after the commit."""
    user = await user_service.get_user(session, user_id)
    values = changes.model_dump(exclude_unset=True, exclude_none=True)
    if user.id == admin.user_id:
        raise RoleChangeNotAllowed("Administrators do not change their own account here")
    affected = [user.id]
    if "role" in values and values["role"] is not user.role:
        await _check_role_change(session, user, values["role"])
        user.role = values["role"]
    if values.get("is_active") is False and user.is_active:
        affected = await user_service.deactivate(session, user)
    elif values.get("is_active") is True:
        user.is_active = True
    await session.flush()
    return user, affected


async def _check_role_change(session: AsyncSession, user: User, role: Role) -> None:
    """Only owners switch between personal and business; sub-users belong to their business, and admins
    are made by `colony create-admin` alone. A business with sub-users keeps its role."""
    if user.role not in OWNER_ROLES or role not in OWNER_ROLES:
        raise RoleChangeNotAllowed("Only personal and business accounts switch, between each other")
    if user.role is Role.business and await user_service.has_members(session, user.tenant_id):
        raise RoleChangeNotAllowed("This business has sub-users")
