"""HTTP for accounts, their value entries, and transfers between them. Anyone in the tenant reads; only
the owner writes accounts and values; transfers, which book transactions, are open to sub-users too."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from colony.core.db import commit
from colony.core.deps import PageDep, SessionDep
from colony.core.errors import Forbidden, Unauthorized
from colony.core.idempotency import IdempotencyDep, IdempotencyKeyInProgress, IdempotencyKeyReused
from colony.core.openapi import error_responses
from colony.core.schemas import Page
from colony.exchange_rates.errors import RateNotAvailable
from colony.investments.accounts import service as account_service
from colony.investments.accounts.errors import AccountCurrencyInUse, AccountInUse, AccountNotFound
from colony.investments.accounts.models import AccountType
from colony.investments.accounts.schemas import (
    AccountCreate,
    AccountRead,
    AccountUpdate,
    AccountValueCreate,
    AccountValueRead,
    TransferCreate,
    TransferRead,
)
from colony.transactions.errors import TransferNotFound
from colony.users.deps import OwnerCtx, TenantCtx

router = APIRouter(prefix="/accounts", tags=["accounts"])
transfers_router = APIRouter(prefix="/transfers", tags=["accounts"])
_AUTH = (Unauthorized, Forbidden)
_IDEM = (IdempotencyKeyReused, IdempotencyKeyInProgress)


@router.get("", response_model=Page[AccountRead], responses=error_responses(*_AUTH))
async def list_accounts(ctx: TenantCtx, session: SessionDep, page: PageDep,
                        type: Annotated[AccountType | None, Query()] = None,
                        is_active: Annotated[bool | None, Query()] = None) -> Page[AccountRead]:
    return await account_service.list_accounts(session, ctx, page, type_=type, is_active=is_active)


@router.post("", status_code=201, response_model=AccountRead, responses=error_responses(*_AUTH))
async def create_account(body: AccountCreate, ctx: OwnerCtx, session: SessionDep) -> AccountRead:
    account = await account_service.create(session, ctx, body)
    await commit(session)
    return account


@router.get("/{account_id}", response_model=AccountRead, responses=error_responses(*_AUTH, AccountNotFound))
async def get_account(account_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> AccountRead:
    return await account_service.get(session, ctx, account_id)


@router.patch("/{account_id}", response_model=AccountRead,
              responses=error_responses(*_AUTH, AccountNotFound, AccountCurrencyInUse))
async def update_account(account_id: uuid.UUID, body: AccountUpdate, ctx: OwnerCtx,
                         session: SessionDep) -> AccountRead:
    account = await account_service.update(session, ctx, account_id, body)
    await commit(session)
    return account


@router.delete("/{account_id}", status_code=204, responses=error_responses(*_AUTH, AccountNotFound, AccountInUse))
async def delete_account(account_id: uuid.UUID, ctx: OwnerCtx, session: SessionDep) -> Response:
    """Deletes the account with its value entries, holdings and investment transactions; an account that
    transactions are booked to can't be deleted (409 ACCOUNT_IN_USE): deactivate it instead."""
    await account_service.delete(session, ctx, account_id)
    await commit(session)
    return Response(status_code=204)


@router.post("/{account_id}/values", status_code=201, response_model=AccountValueRead,
             responses=error_responses(*_AUTH, AccountNotFound, *_IDEM))
async def put_value(account_id: uuid.UUID, body: AccountValueCreate, ctx: OwnerCtx, session: SessionDep,
                    idem: IdempotencyDep) -> Response:
    """Records the account's balance on a date; a second value for the same date replaces the first."""
    return await idem.respond(session, ctx.user_id, lambda: account_service.put_value(session, ctx, account_id, body))


@router.get("/{account_id}/values", response_model=Page[AccountValueRead],
            responses=error_responses(*_AUTH, AccountNotFound))
async def list_values(account_id: uuid.UUID, ctx: TenantCtx, session: SessionDep,
                      page: PageDep) -> Page[AccountValueRead]:
    """The valuation history, newest first."""
    return await account_service.list_values(session, ctx, account_id, page)


@transfers_router.post("", status_code=201, response_model=TransferRead,
                       responses=error_responses(*_AUTH, RateNotAvailable, *_IDEM))
async def create_transfer(body: TransferCreate, ctx: TenantCtx, session: SessionDep, idem: IdempotencyDep) -> Response:
    """Moves money between two accounts of the tenant: an expense booked to `from_account_id` and an income
    booked to `to_account_id`, linked by the transfer's id. No report counts either leg as spending or
    income; the legs change only through the transfer (their own PATCH and DELETE answer 409)."""
    return await idem.respond(session, ctx.user_id, lambda: account_service.create_transfer(session, ctx, body))


@transfers_router.get("/{transfer_id}", response_model=TransferRead,
                      responses=error_responses(*_AUTH, TransferNotFound))
async def get_transfer(transfer_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> TransferRead:
    return await account_service.get_transfer(session, ctx, transfer_id)


@transfers_router.delete("/{transfer_id}", status_code=204, responses=error_responses(*_AUTH, TransferNotFound))
async def delete_transfer(transfer_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> Response:
    """Removes both legs."""
    await account_service.delete_transfer(session, ctx, transfer_id)
    await commit(session)
    return Response(status_code=204)
