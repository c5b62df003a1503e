"""Financial institutions: a name, a country and a website; accounts say where they are held."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.errors import ValidationFailed
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import Tenant
from colony.investments.institutions.errors import InstitutionNotFound
from colony.investments.institutions.models import Institution
from colony.investments.institutions.repository import InstitutionRepository
from colony.investments.institutions.schemas import InstitutionCreate, InstitutionRead, InstitutionUpdate


async def list_institutions(session: AsyncSession, tenant: Tenant, params: PageParams) -> Page[InstitutionRead]:
    rows, total = await InstitutionRepository(session, tenant.tenant_id).list(params)
    return Page[InstitutionRead].build([InstitutionRead.model_validate(row) for row in rows], total, params)


async def _get(session: AsyncSession, tenant: Tenant, institution_id: uuid.UUID) -> Institution:
    return await InstitutionRepository(session, tenant.tenant_id).get_or_raise(institution_id, InstitutionNotFound)


async def get(session: AsyncSession, tenant: Tenant, institution_id: uuid.UUID) -> InstitutionRead:
    return InstitutionRead.model_validate(await _get(session, tenant, institution_id))


async def require(session: AsyncSession, tenant: Tenant, institution_id: uuid.UUID, *, field: str) -> None:
    """An institution named in a request body: missing or another tenant's → 422 on `field`."""
    if await InstitutionRepository(session, tenant.tenant_id).get(institution_id) is None:
        raise ValidationFailed(field, "financial institution not found")


async def create(session: AsyncSession, tenant: Tenant, data: InstitutionCreate) -> InstitutionRead:
    institution = Institution(created_by_id=tenant.user_id, **data.model_dump())
    return InstitutionRead.model_validate(await InstitutionRepository(session, tenant.tenant_id).add(institution))


async def update(session: AsyncSession, tenant: Tenant, institution_id: uuid.UUID,
                 data: InstitutionUpdate) -> InstitutionRead:
    institution = await _get(session, tenant, institution_id)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(institution, field, value)
    await session.flush()
    return InstitutionRead.model_validate(institution)


async def delete(session: AsyncSession, tenant: Tenant, institution_id: uuid.UUID) -> None:
    """Its accounts stay, without an institution."""
    institution = await _get(session, tenant, institution_id)
    await InstitutionRepository(session, tenant.tenant_id).delete(institution)
