"""Payment method rules. A method used by transactions can't be deleted (history keeps it): deactivate it."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.db import savepoint
from colony.core.errors import ValidationFailed
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import Tenant
from colony.payment_methods.errors import PaymentMethodInUse, PaymentMethodNotFound
from colony.payment_methods.models import PaymentMethod
from colony.payment_methods.repository import PaymentMethodRepository
from colony.payment_methods.schemas import PaymentMethodCreate, PaymentMethodRead, PaymentMethodUpdate


async def list_payment_methods(session: AsyncSession, tenant: Tenant, is_active: bool | None,
                               params: PageParams) -> Page[PaymentMethodRead]:
    rows, total = await PaymentMethodRepository(session, tenant.tenant_id).list(is_active, params)
    return Page[PaymentMethodRead].build([PaymentMethodRead.model_validate(row) for row in rows], total, params)


async def _get(session: AsyncSession, tenant: Tenant, payment_method_id: uuid.UUID) -> PaymentMethod:
    return await PaymentMethodRepository(session, tenant.tenant_id).get_or_raise(payment_method_id,
                                                                                 PaymentMethodNotFound)


async def get(session: AsyncSession, tenant: Tenant, payment_method_id: uuid.UUID) -> PaymentMethodRead:
    return PaymentMethodRead.model_validate(await _get(session, tenant, payment_method_id))


async def require(session: AsyncSession, tenant: Tenant, payment_method_id: uuid.UUID, *, field: str,
                  active: bool = True) -> None:
    """A payment method named in a request body: missing or foreign (or inactive) → 422 on `field`."""
    method = await PaymentMethodRepository(session, tenant.tenant_id).get(payment_method_id)
    if method is None:
        raise ValidationFailed(field, "payment method not found")
    if active and not method.is_active:
        raise ValidationFailed(field, "payment method is inactive")


async def create(session: AsyncSession, tenant: Tenant, data: PaymentMethodCreate) -> PaymentMethodRead:
    method = PaymentMethod(created_by_id=tenant.user_id, **data.model_dump())
    return PaymentMethodRead.model_validate(await PaymentMethodRepository(session, tenant.tenant_id).add(method))


async def update(session: AsyncSession, tenant: Tenant, payment_method_id: uuid.UUID,
                 data: PaymentMethodUpdate) -> PaymentMethodRead:
    method = await _get(session, tenant, payment_method_id)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(method, field, value)
    await session.flush()
    return PaymentMethodRead.model_validate(method)


async def delete(session: AsyncSession, tenant: Tenant, payment_method_id: uuid.UUID) -> None:
    method = await _get(session, tenant, payment_method_id)
    async with savepoint(session, PaymentMethodInUse):  # transactions reference it (ON DELETE RESTRICT)
        await session.delete(method)


async def names_of(session: AsyncSession, tenant_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """The names of all the tenant's payment methods (an export shows names)."""
    return await PaymentMethodRepository(session, tenant_id).names()
