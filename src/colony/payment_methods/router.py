"""HTTP for payment methods: anyone in the tenant reads; only the owner writes."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from colony.core.db import commit
from colony.core.deps import PageDep, SessionDep
from colony.core.errors import Forbidden, Unauthorized
from colony.core.openapi import error_responses
from colony.core.schemas import Page
from colony.payment_methods import service as payment_method_service
from colony.payment_methods.errors import PaymentMethodInUse, PaymentMethodNotFound
from colony.payment_methods.schemas import PaymentMethodCreate, PaymentMethodRead, PaymentMethodUpdate
from colony.users.deps import OwnerCtx, TenantCtx

router = APIRouter(prefix="/payment-methods", tags=["payment methods"])


@router.get("", response_model=Page[PaymentMethodRead], responses=error_responses(Unauthorized, Forbidden))
async def list_payment_methods(ctx: TenantCtx, session: SessionDep, page: PageDep,
                               is_active: Annotated[bool | None, Query()] = None) -> Page[PaymentMethodRead]:
    return await payment_method_service.list_payment_methods(session, ctx, is_active, page)


@router.post("", status_code=201, response_model=PaymentMethodRead,
             responses=error_responses(Unauthorized, Forbidden))
async def create_payment_method(body: PaymentMethodCreate, ctx: OwnerCtx, session: SessionDep) -> PaymentMethodRead:
    method = await payment_method_service.create(session, ctx, body)
    await commit(session)
    return method


@router.get("/{payment_method_id}", response_model=PaymentMethodRead,
            responses=error_responses(Unauthorized, Forbidden, PaymentMethodNotFound))
async def get_payment_method(payment_method_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> PaymentMethodRead:
    return await payment_method_service.get(session, ctx, payment_method_id)


@router.patch("/{payment_method_id}", response_model=PaymentMethodRead,
              responses=error_responses(Unauthorized, Forbidden, PaymentMethodNotFound))
async def update_payment_method(payment_method_id: uuid.UUID, body: PaymentMethodUpdate, ctx: OwnerCtx,
                                session: SessionDep) -> PaymentMethodRead:
    method = await payment_method_service.update(session, ctx, payment_method_id, body)
    await commit(session)
    return method


@router.delete("/{payment_method_id}", status_code=204,
               responses=error_responses(Unauthorized, Forbidden, PaymentMethodNotFound, PaymentMethodInUse))
async def delete_payment_method(payment_method_id: uuid.UUID, ctx: OwnerCtx, session: SessionDep) -> Response:
    await payment_method_service.delete(session, ctx, payment_method_id)
    await commit(session)
    return Response(status_code=204)
