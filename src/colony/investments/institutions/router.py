"""HTTP for financial institutions: anyone in the tenant reads; only the owner writes."""

import uuid

from fastapi import APIRouter, Response

from colony.core.db import commit
from colony.core.deps import PageDep, SessionDep
from colony.core.errors import Forbidden, Unauthorized
from colony.core.openapi import error_responses
from colony.core.schemas import Page
from colony.investments.institutions import service as institution_service
from colony.investments.institutions.errors import InstitutionNotFound
from colony.investments.institutions.schemas import InstitutionCreate, InstitutionRead, InstitutionUpdate
from colony.users.deps import OwnerCtx, TenantCtx

router = APIRouter(prefix="/financial-institutions", tags=["financial institutions"])
_AUTH = (Unauthorized, Forbidden)


@router.get("", response_model=Page[InstitutionRead], responses=error_responses(*_AUTH))
async def list_institutions(ctx: TenantCtx, session: SessionDep, page: PageDep) -> Page[InstitutionRead]:
    return await institution_service.list_institutions(session, ctx, page)


@router.post("", status_code=201, response_model=InstitutionRead, responses=error_responses(*_AUTH))
async def create_institution(body: InstitutionCreate, ctx: OwnerCtx, session: SessionDep) -> InstitutionRead:
    institution = await institution_service.create(session, ctx, body)
    await commit(session)
    return institution


@router.get("/{institution_id}", response_model=InstitutionRead,
            responses=error_responses(*_AUTH, InstitutionNotFound))
async def get_institution(institution_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> InstitutionRead:
    return await institution_service.get(session, ctx, institution_id)


@router.patch("/{institution_id}", response_model=InstitutionRead,
              responses=error_responses(*_AUTH, InstitutionNotFound))
async def update_institution(institution_id: uuid.UUID, body: InstitutionUpdate, ctx: OwnerCtx,
                             session: SessionDep) -> InstitutionRead:
    institution = await institution_service.update(session, ctx, institution_id, body)
    await commit(session)
    return institution


@router.delete("/{institution_id}", status_code=204, responses=error_responses(*_AUTH, InstitutionNotFound))
async def delete_institution(institution_id: uuid.UUID, ctx: OwnerCtx, session: SessionDep) -> Response:
    """Deletes the institution; its accounts stay, with no institution."""
    await institution_service.delete(session, ctx, institution_id)
    await commit(session)
    return Response(status_code=204)
