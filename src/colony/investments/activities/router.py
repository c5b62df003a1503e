"""HTTP for an investment account's holdings (opening lots) and investment transactions. Anyone in the
tenant reads; only the owner writes."""

import uuid

from fastapi import APIRouter, Response

from colony.core.db import commit
from colony.core.deps import PageDep, SessionDep
from colony.core.errors import Forbidden, Unauthorized
from colony.core.idempotency import IdempotencyDep, IdempotencyKeyInProgress, IdempotencyKeyReused
from colony.core.openapi import error_responses
from colony.core.schemas import Page
from colony.investments.accounts.errors import AccountNotFound
from colony.investments.activities import service as activity_service
from colony.investments.activities.errors import (
    HoldingNotFound,
    InsufficientQuantity,
    InvestmentTransactionNotFound,
    NotAnInvestmentAccount,
)
from colony.investments.activities.schemas import (
    HoldingCreate,
    HoldingRead,
    HoldingUpdate,
    InvestmentTransactionCreate,
    InvestmentTransactionRead,
    InvestmentTransactionUpdate,
    PositionRead,
)
from colony.users.deps import OwnerCtx, TenantCtx

router = APIRouter(prefix="/accounts/{account_id}", tags=["investments"])
_AUTH = (Unauthorized, Forbidden, AccountNotFound, NotAnInvestmentAccount)
_WRITE = (*_AUTH, InsufficientQuantity)
_IDEM = (IdempotencyKeyReused, IdempotencyKeyInProgress)


@router.get("/holdings", response_model=Page[PositionRead], responses=error_responses(*_AUTH))
async def list_holdings(account_id: uuid.UUID, ctx: TenantCtx, session: SessionDep,
                        page: PageDep) -> Page[PositionRead]:
    """What the account holds now, one row per security, derived from its opening lots and its investment
    transactions (each opening lot listed under its security), by symbol."""
    return await activity_service.positions(session, ctx, account_id, page)


@router.post("/holdings", status_code=201, response_model=HoldingRead, responses=error_responses(*_WRITE, *_IDEM))
async def create_holding(account_id: uuid.UUID, body: HoldingCreate, ctx: OwnerCtx, session: SessionDep,
                         idem: IdempotencyDep) -> Response:
    """Enters a holding: an opening lot of the account, which cost basis, gains and performance treat like a
    buy of that quantity at that cost on `acquired_on` (without it: held since before anything else)."""
    return await idem.respond(session, ctx.user_id,
                              lambda: activity_service.create_holding(session, ctx, account_id, body))


@router.get("/holdings/{holding_id}", response_model=HoldingRead,
            responses=error_responses(*_AUTH, HoldingNotFound))
async def get_holding(account_id: uuid.UUID, holding_id: uuid.UUID, ctx: TenantCtx,
                      session: SessionDep) -> HoldingRead:
    return await activity_service.get_holding(session, ctx, account_id, holding_id)


@router.patch("/holdings/{holding_id}", response_model=HoldingRead,
              responses=error_responses(*_WRITE, HoldingNotFound))
async def update_holding(account_id: uuid.UUID, holding_id: uuid.UUID, body: HoldingUpdate, ctx: OwnerCtx,
                         session: SessionDep) -> HoldingRead:
    holding = await activity_service.update_holding(session, ctx, account_id, holding_id, body)
    await commit(session)
    return holding


@router.delete("/holdings/{holding_id}", status_code=204, responses=error_responses(*_WRITE, HoldingNotFound))
async def delete_holding(account_id: uuid.UUID, holding_id: uuid.UUID, ctx: OwnerCtx,
                         session: SessionDep) -> Response:
    await activity_service.delete_holding(session, ctx, account_id, holding_id)
    await commit(session)
    return Response(status_code=204)


@router.get("/investment-transactions", response_model=Page[InvestmentTransactionRead],
            responses=error_responses(*_AUTH))
async def list_transactions(account_id: uuid.UUID, ctx: TenantCtx, session: SessionDep,
                            page: PageDep) -> Page[InvestmentTransactionRead]:
    """Newest first."""
    return await activity_service.list_transactions(session, ctx, account_id, page)


@router.post("/investment-transactions", status_code=201, response_model=InvestmentTransactionRead,
             responses=error_responses(*_WRITE, *_IDEM))
async def create_transaction(account_id: uuid.UUID, body: InvestmentTransactionCreate, ctx: OwnerCtx,
                             session: SessionDep, idem: IdempotencyDep) -> Response:
    """Records one investment transaction (see the API reference for what each type does to cash and lots).
    A transfer_out or transfer_in books its other side on `counter_account_id` too."""
    return await idem.respond(session, ctx.user_id,
                              lambda: activity_service.create_transaction(session, ctx, account_id, body))


@router.get("/investment-transactions/{investment_transaction_id}", response_model=InvestmentTransactionRead,
            responses=error_responses(*_AUTH, InvestmentTransactionNotFound))
async def get_transaction(account_id: uuid.UUID, investment_transaction_id: uuid.UUID, ctx: TenantCtx,
                          session: SessionDep) -> InvestmentTransactionRead:
    return await activity_service.get_transaction(session, ctx, account_id, investment_transaction_id)


@router.patch("/investment-transactions/{investment_transaction_id}", response_model=InvestmentTransactionRead,
              responses=error_responses(*_WRITE, InvestmentTransactionNotFound))
async def update_transaction(account_id: uuid.UUID, investment_transaction_id: uuid.UUID,
                             body: InvestmentTransactionUpdate, ctx: OwnerCtx,
                             session: SessionDep) -> InvestmentTransactionRead:
    transaction = await activity_service.update_transaction(session, ctx, account_id, investment_transaction_id,
                                                            body)
    await commit(session)
    return transaction


@router.delete("/investment-transactions/{investment_transaction_id}", status_code=204,
               responses=error_responses(*_WRITE, InvestmentTransactionNotFound))
async def delete_transaction(account_id: uuid.UUID, investment_transaction_id: uuid.UUID, ctx: OwnerCtx,
                             session: SessionDep) -> Response:
    """Deletes it (both sides of a transfer); 422 INSUFFICIENT_QUANTITY when a later sale needs it."""
    await activity_service.delete_transaction(session, ctx, account_id, investment_transaction_id)
    await commit(session)
    return Response(status_code=204)
