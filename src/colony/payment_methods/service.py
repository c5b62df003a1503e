"""Payment method rules. A method used by transactions can't be deleted (history keeps it): deactivate it."""

import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.errors import ValidationFailed
from colony.core.schemas import PageParams
from colony.core.tenancy import Tenant
from colony.payment_methods.errors import PaymentMethodInUse, PaymentMethodNotFound
from colony.payment_methods.models import PaymentMethod
from colony.payment_methods.repository import PaymentMethodRepository
from colony.payment_methods.schemas import PaymentMethodCreate, PaymentMethodUpdate


async def list_payment_methods(session: AsyncSession, tenant: Tenant, is_active: bool | None,
                               params: PageParams) -> tuple[Sequence[PaymentMethod], int]:
    return await PaymentMethodRepository(session, tenant.tenant_id).list(is_active, params)


async def get(session: AsyncSession, tenant: Tenant, payment_method_id: uuid.UUID) -> PaymentMethod:
    method = await PaymentMethodRepository(session, tenant.tenant_id).get(payment_method_id)
    if method is None:
        raise PaymentMethodNotFound()
    return method


async def require(session: AsyncSession, tenant: Tenant, payment_method_id: uuid.UUID, *, field: str,
                  active: bool = True) -> PaymentMethod:
    """A payment method named in a request body: missing or foreign (or inactive) → 422 on `field`."""
    method = await PaymentMethodRepository(session, tenant.tenant_id).get(payment_method_id)
    if method is None:
        raise ValidationFailed(field, "payment method not found")
    if active and not method.is_active:
        raise ValidationFailed(field, "payment method is inactive")
    return method


async def create(session: AsyncSession, tenant: Tenant, data: PaymentMethodCreate) -> PaymentMethod:
    method = PaymentMethod(created_by_id=tenant.user_id, **data.model_dump())
    return await PaymentMethodRepository(session, tenant.tenant_id).add(method)


async def update(session: AsyncSession, tenant: Tenant, payment_method_id: uuid.UUID,
                 data: PaymentMethodUpdate) -> PaymentMethod:
    method = await get(session, tenant, payment_method_id)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(method, field, value)
    await session.flush()
    return method


async def delete(session: AsyncSession, tenant: Tenant, payment_method_id: uuid.UUID) -> None:
    method = await get(session, tenant, payment_method_id)
    try:
        async with session.begin_nested():
            await session.delete(method)
    except IntegrityError:  # transactions reference it (ON DELETE RESTRICT)
        raise PaymentMethodInUse() from None
