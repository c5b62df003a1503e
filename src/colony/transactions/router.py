"""HTTP for transactions and the expense-only view of them. Sub-users may write both.

Reads and writes render through `transaction_service.render` (amounts with their currency's
decimals) and return an orjson `JSONResponse` directly; `response_model` documents the shape.
"""

import uuid
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from colony.auth.deps import TenantCtx
from colony.core.deps import PageDep, SessionDep
from colony.core.errors import Forbidden, Unauthorized, ValidationFailed
from colony.core.idempotency import IdempotencyDep, IdempotencyKeyInProgress, IdempotencyKeyReused
from colony.core.money import CurrencyCode, DecimalInput
from colony.core.openapi import error_responses
from colony.core.responses import JSONResponse
from colony.core.schemas import IsoDate, Page
from colony.exchange_rates.errors import RateNotAvailable
from colony.transactions import service as transaction_service
from colony.transactions.errors import CycleAlreadyCompleted, ExpenseNotFound, TransactionNotFound
from colony.transactions.models import TransactionStatus, TransactionType
from colony.transactions.schemas import (
    ExpenseCreate,
    ExpenseUpdate,
    TransactionCreate,
    TransactionFilters,
    TransactionRead,
    TransactionSort,
    TransactionUpdate,
)

transactions_router = APIRouter(prefix="/transactions", tags=["transactions"])
expenses_router = APIRouter(prefix="/expenses", tags=["expenses"])

_AUTH = (Unauthorized, Forbidden)
_CREATE_ERRORS = (*_AUTH, RateNotAvailable, CycleAlreadyCompleted, IdempotencyKeyReused, IdempotencyKeyInProgress)
_UPDATE_ERRORS = (*_AUTH, RateNotAvailable, CycleAlreadyCompleted)


def _filters(start_date: IsoDate | None, end_date: IsoDate | None, category_id: uuid.UUID | None,
             payment_method_id: uuid.UUID | None, account_id: uuid.UUID | None, cycle_id: uuid.UUID | None,
             type_: TransactionType | None, status: TransactionStatus | None, min_amount: Decimal | None,
             max_amount: Decimal | None, currency: str | None, q: str | None,
             sort: TransactionSort) -> TransactionFilters:
    if start_date is not None and end_date is not None and start_date > end_date:
        raise ValidationFailed("query.start_date", "must not be after end_date")
    if min_amount is not None and max_amount is not None and min_amount > max_amount:
        raise ValidationFailed("query.min_amount", "must not exceed max_amount")
    return TransactionFilters(start_date=start_date, end_date=end_date, category_id=category_id,
                              payment_method_id=payment_method_id, account_id=account_id, cycle_id=cycle_id,
                              type=type_, status=status, min_amount=min_amount, max_amount=max_amount,
                              currency=currency, q=q or None, sort=sort)


Q = Annotated[str | None, Query(max_length=200, description="Case-insensitive text in description or notes")]
Sort = Annotated[TransactionSort, Query(description="Order of the page; id breaks ties")]
Amount = Annotated[DecimalInput | None, Query(description="Bound on `amount`, in the row's own currency")]


async def transaction_filters(
    start_date: IsoDate | None = None, end_date: IsoDate | None = None, category_id: uuid.UUID | None = None,
    payment_method_id: uuid.UUID | None = None, account_id: uuid.UUID | None = None,
    cycle_id: uuid.UUID | None = None, type: TransactionType | None = None,
    status: TransactionStatus | None = None, min_amount: Amount = None, max_amount: Amount = None,
    currency: CurrencyCode | None = None, q: Q = None, sort: Sort = TransactionSort.date_desc,
) -> TransactionFilters:
    return _filters(start_date, end_date, category_id, payment_method_id, account_id, cycle_id, type, status,
                    min_amount, max_amount, currency, q, sort)


async def expense_filters(
    start_date: IsoDate | None = None, end_date: IsoDate | None = None, category_id: uuid.UUID | None = None,
    payment_method_id: uuid.UUID | None = None, account_id: uuid.UUID | None = None,
    cycle_id: uuid.UUID | None = None, status: TransactionStatus | None = None,
    min_amount: Amount = None, max_amount: Amount = None, currency: CurrencyCode | None = None,
    q: Q = None, sort: Sort = TransactionSort.date_desc,
) -> TransactionFilters:
    return _filters(start_date, end_date, category_id, payment_method_id, account_id, cycle_id,
                    TransactionType.expense, status, min_amount, max_amount, currency, q, sort)


# ---- /transactions ----

@transactions_router.get("", response_model=Page[TransactionRead], response_class=JSONResponse,
                         responses=error_responses(*_AUTH))
async def list_transactions(ctx: TenantCtx, session: SessionDep, page: PageDep,
                            filters: Annotated[TransactionFilters, Depends(transaction_filters)]) -> Response:
    return JSONResponse(await transaction_service.list_transactions(session, ctx, filters, page))


@transactions_router.post("", status_code=201, response_model=TransactionRead, response_class=JSONResponse,
                          responses=error_responses(*_CREATE_ERRORS))
async def create_transaction(body: TransactionCreate, ctx: TenantCtx, session: SessionDep,
                             idem: IdempotencyDep) -> Response:
    replay = await idem.start(session, ctx.user_id)
    if replay is not None:
        return replay
    tx = await transaction_service.create(session, ctx, body)
    response = await idem.finish(session, 201, transaction_service.to_read(tx))
    await session.commit()
    return response


@transactions_router.get("/{transaction_id:uuid}", response_model=TransactionRead, response_class=JSONResponse,
                         responses=error_responses(*_AUTH, TransactionNotFound))
async def get_transaction(transaction_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> Response:
    return JSONResponse(transaction_service.to_read(await transaction_service.get(session, ctx, transaction_id)))


@transactions_router.patch("/{transaction_id:uuid}", response_model=TransactionRead, response_class=JSONResponse,
                           responses=error_responses(*_UPDATE_ERRORS, TransactionNotFound))
async def update_transaction(transaction_id: uuid.UUID, body: TransactionUpdate, ctx: TenantCtx,
                             session: SessionDep) -> Response:
    tx = await transaction_service.update(session, ctx, transaction_id, body)
    content = transaction_service.to_read(tx)
    await session.commit()
    return JSONResponse(content)


@transactions_router.delete("/{transaction_id:uuid}", status_code=204,
                            responses=error_responses(*_AUTH, TransactionNotFound, CycleAlreadyCompleted))
async def delete_transaction(transaction_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> Response:
    await transaction_service.delete(session, ctx, transaction_id)
    await session.commit()
    return Response(status_code=204)


# ---- /expenses: the same resource, type fixed to expense ----

@expenses_router.get("", response_model=Page[TransactionRead], response_class=JSONResponse,
                     responses=error_responses(*_AUTH))
async def list_expenses(ctx: TenantCtx, session: SessionDep, page: PageDep,
                        filters: Annotated[TransactionFilters, Depends(expense_filters)]) -> Response:
    return JSONResponse(await transaction_service.list_transactions(session, ctx, filters, page))


@expenses_router.post("", status_code=201, response_model=TransactionRead, response_class=JSONResponse,
                      responses=error_responses(*_CREATE_ERRORS))
async def create_expense(body: ExpenseCreate, ctx: TenantCtx, session: SessionDep,
                         idem: IdempotencyDep) -> Response:
    replay = await idem.start(session, ctx.user_id)
    if replay is not None:
        return replay
    tx = await transaction_service.create(session, ctx, body)
    response = await idem.finish(session, 201, transaction_service.to_read(tx))
    await session.commit()
    return response


@expenses_router.get("/{expense_id}", response_model=TransactionRead, response_class=JSONResponse,
                     responses=error_responses(*_AUTH, ExpenseNotFound))
async def get_expense(expense_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> Response:
    tx = await transaction_service.get(session, ctx, expense_id, expense_only=True)
    return JSONResponse(transaction_service.to_read(tx))


@expenses_router.patch("/{expense_id}", response_model=TransactionRead, response_class=JSONResponse,
                       responses=error_responses(*_UPDATE_ERRORS, ExpenseNotFound))
async def update_expense(expense_id: uuid.UUID, body: ExpenseUpdate, ctx: TenantCtx,
                         session: SessionDep) -> Response:
    tx = await transaction_service.update(session, ctx, expense_id, body, expense_only=True)
    content = transaction_service.to_read(tx)
    await session.commit()
    return JSONResponse(content)


@expenses_router.delete("/{expense_id}", status_code=204,
                        responses=error_responses(*_AUTH, ExpenseNotFound, CycleAlreadyCompleted))
async def delete_expense(expense_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> Response:
    await transaction_service.delete(session, ctx, expense_id, expense_only=True)
    await session.commit()
    return Response(status_code=204)
