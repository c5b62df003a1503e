"""Sub-users: members of a business tenant, managed by its owner."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from colony.business.errors import SubUserNotFound
from colony.business.schemas import SubUserCreate, SubUserRead
from colony.core.cache import Cache
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import Role, Tenant
from colony.users import service as user_service


async def create_sub_user(session: AsyncSession, business: Tenant, data: SubUserCreate) -> SubUserRead:
    """A sub-user works inside the business's tenant, in its base currency."""
    user = await user_service.create_user(
        session, email=data.email, password=data.password, role=Role.sub_user, tenant_id=business.tenant_id,
        base_currency=business.base_currency, first_name=data.first_name, last_name=data.last_name,
    )
    return SubUserRead(**user.model_dump(), is_active=True)


async def list_sub_users(session: AsyncSession, business: Tenant, params: PageParams,
                         is_active: bool | None) -> Page[SubUserRead]:
    accounts = await user_service.list_accounts(session, params, role=Role.sub_user, is_active=is_active,
                                                tenant_id=business.tenant_id)
    return Page[SubUserRead].build([SubUserRead.of_account(a) for a in accounts.items], accounts.total, params)


async def deactivate_sub_user(session: AsyncSession, cache: Cache, business: Tenant, sub_user_id: uuid.UUID) -> None:
    """Deactivate one of the business's sub-users (another business's is not found)."""
    if not await user_service.is_member(session, business.tenant_id, sub_user_id, Role.sub_user):
        raise SubUserNotFound()
    await user_service.deactivate(session, cache, sub_user_id)
