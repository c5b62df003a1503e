"""Operator actions on users: creation, activation, and the few role changes that keep tenancy coherent."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from colony.admin.schemas import AdminUserCreate, AdminUserUpdate
from colony.core.cache import Cache
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import OWNER_ROLES, Role, Tenant
from colony.users import service as user_service
from colony.users.errors import RoleChangeNotAllowed
from colony.users.schemas import AdminUserRead


async def list_users(session: AsyncSession, params: PageParams, *, q: str | None, role: Role | None,
                     is_active: bool | None) -> Page[AdminUserRead]:
    return await user_service.list_accounts(session, params, q=q, role=role, is_active=is_active)


async def create_user(session: AsyncSession, data: AdminUserCreate) -> AdminUserRead:
    """A personal or business owner and its tenant, whether registration is open or not."""
    user = await user_service.create_user(
        session, email=data.email, password=data.password, role=Role(data.account_type),
        base_currency=data.base_currency, first_name=data.first_name, last_name=data.last_name,
    )
    return await user_service.get_account(session, user.id)


async def update_user(session: AsyncSession, cache: Cache, admin: Tenant, user_id: uuid.UUID,
                      changes: AdminUserUpdate) -> AdminUserRead:
    account = await user_service.get_account(session, user_id)
    if account.id == admin.user_id:
        raise RoleChangeNotAllowed("Administrators do not change their own account here")
    if changes.role is not None and changes.role is not account.role:
        await _check_role_change(session, account, changes.role)
        await user_service.set_role(session, cache, user_id, changes.role)
    if changes.is_active is False and account.is_active:
        await user_service.deactivate(session, cache, user_id)
    elif changes.is_active is True and not account.is_active:
        await user_service.reactivate(session, cache, user_id)
    return await user_service.get_account(session, user_id)


async def _check_role_change(session: AsyncSession, account: AdminUserRead, role: Role) -> None:
    """Only owners switch between personal and business; sub-users belong to their business, and admins
    are made by `colony create-admin` alone. A business with sub-users keeps its role."""
    if account.role not in OWNER_ROLES or role not in OWNER_ROLES:
        raise RoleChangeNotAllowed("Only personal and business accounts switch, between each other")
    if account.role is Role.business and await user_service.has_members(session, account.tenant_id):
        raise RoleChangeNotAllowed("This business has sub-users")
