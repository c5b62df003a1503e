"""Sub-users: members of a business tenant, managed by its owner."""

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from colony.business.errors import SubUserNotFound
from colony.business.schemas import SubUserCreate
from colony.core.schemas import PageParams
from colony.core.tenancy import Role, Tenant
from colony.users import service as user_service
from colony.users.models import User


async def create_sub_user(session: AsyncSession, business: Tenant, data: SubUserCreate) -> User:
    """A sub-user works inside the business's tenant, in its base currency."""
    return await user_service.create_user(
        session, email=data.email, password=data.password, role=Role.sub_user, tenant_id=business.tenant_id,
        base_currency=business.base_currency, first_name=data.first_name, last_name=data.last_name,
    )


async def list_sub_users(session: AsyncSession, business: Tenant, params: PageParams,
                         is_active: bool | None) -> tuple[Sequence[User], int]:
    return await user_service.list_users(session, params, role=Role.sub_user, is_active=is_active,
                                         tenant_id=business.tenant_id)


async def deactivate_sub_user(session: AsyncSession, business: Tenant, sub_user_id: uuid.UUID) -> list[uuid.UUID]:
    """Deactivate one of the business's sub-users (another business's is not found); ids to forget."""
    user = await user_service.get_member(session, business.tenant_id, sub_user_id, Role.sub_user)
    if user is None:
        raise SubUserNotFound()
    return await user_service.deactivate(session, user)
