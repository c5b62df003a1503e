"""HTTP for transactions and the expense-only view of them. Sub-users may write both.

Transactions are read shapes ready for JSON (see TransactionRead), so these routes return an orjson
`JSONResponse` of them directly; `response_model` documents the shape.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from colony.core.db import commit
from colony.core.deps import PageDep, SessionDep
from colony.core.errors import Forbidden, Unauthorized
from colony.core.idempotency import IdempotencyDep, IdempotencyKeyInProgress, IdempotencyKeyReused
from colony.core.openapi import error_responses
from colony.core.responses import JSONResponse
from colony.core.schemas import Page
from colony.exchange_rates.errors import RateNotAvailable
from colony.transactions import service as transaction_service
from colony.transactions.errors import CycleAlreadyCompleted, ExpenseNotFound, TransactionNotFound
from colony.transactions.schemas import (
    CategorySuggestionRequest,
    CategorySuggestions,
    ExpenseCreate,
    ExpenseListQuery,
    ExpenseUpdate,
    RecurringSeriesRead,
    TransactionCreate,
    TransactionListQuery,
    TransactionRead,
    TransactionUpdate,
)
from colony.users.deps import TenantCtx

transactions_router = APIRouter(prefix="/transactions", tags=["transactions"])
expenses_router = APIRouter(prefix="/expenses", tags=["expenses"])

_AUTH = (Unauthorized, Forbidden)
_CREATE_ERRORS = (*_AUTH, RateNotAvailable, CycleAlreadyCompleted, IdempotencyKeyReused, IdempotencyKeyInProgress)
_UPDATE_ERRORS = (*_AUTH, RateNotAvailable, CycleAlreadyCompleted)


# ---- /transactions ----

@transactions_router.get("", response_model=Page[TransactionRead], response_class=JSONResponse,
                         responses=error_responses(*_AUTH))
async def list_transactions(ctx: TenantCtx, session: SessionDep,
                            query: Annotated[TransactionListQuery, Query()]) -> Response:
    return JSONResponse(await transaction_service.list_transactions(session, ctx, query.filters(), query))


@transactions_router.post("", status_code=201, response_model=TransactionRead, response_class=JSONResponse,
                          responses=error_responses(*_CREATE_ERRORS))
async def create_transaction(body: TransactionCreate, ctx: TenantCtx, session: SessionDep,
                             idem: IdempotencyDep) -> Response:
    return await idem.respond(session, ctx.user_id, lambda: transaction_service.create(session, ctx, body))


@transactions_router.post("/suggest-category", response_model=CategorySuggestions, responses=error_responses(*_AUTH))
async def suggest_category(body: CategorySuggestionRequest, ctx: TenantCtx, session: SessionDep) -> CategorySuggestions:
    """Categories for a new transaction, ranked by how well its description matches the descriptions of the
    tenant's own categorised transactions of that type (merchant names normalised: case, digits, dates,
    card references and payment words such as POS or CARD don't count). No model involved; writes nothing."""
    return await transaction_service.suggest_categories(session, ctx.tenant_id, body.description,
                                                        amount=body.amount, tx_type=body.type)


@transactions_router.get("/recurring", response_model=Page[RecurringSeriesRead], responses=error_responses(*_AUTH))
async def list_recurring(ctx: TenantCtx, session: SessionDep, page: PageDep) -> Page[RecurringSeriesRead]:
    """Series found in the tenant's paid expenses and incomes (transfers aside): at least 3 occurrences with
    the same merchant name, currency and type, regular gaps (weekly 7±2 days, biweekly 14±3, monthly 28-33,
    quarterly 85-95, yearly 355-375) and amounts within 15% of their median. Only series still going (the
    last occurrence at most two intervals ago), by next date."""
    return await transaction_service.recurring_page(session, ctx.tenant_id, page)


@transactions_router.get("/{transaction_id:uuid}", response_model=TransactionRead, response_class=JSONResponse,
                         responses=error_responses(*_AUTH, TransactionNotFound))
async def get_transaction(transaction_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> Response:
    return JSONResponse(await transaction_service.get(session, ctx, transaction_id))


@transactions_router.patch("/{transaction_id:uuid}", response_model=TransactionRead, response_class=JSONResponse,
                           responses=error_responses(*_UPDATE_ERRORS, TransactionNotFound))
async def update_transaction(transaction_id: uuid.UUID, body: TransactionUpdate, ctx: TenantCtx,
                             session: SessionDep) -> Response:
    tx = await transaction_service.update(session, ctx, transaction_id, body)
    await commit(session)
    return JSONResponse(tx)


@transactions_router.delete("/{transaction_id:uuid}", status_code=204,
                            responses=error_responses(*_AUTH, TransactionNotFound, CycleAlreadyCompleted))
async def delete_transaction(transaction_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> Response:
    await transaction_service.delete(session, ctx, transaction_id)
    await commit(session)
    return Response(status_code=204)


# ---- /expenses: the same resource, type fixed to expense ----

@expenses_router.get("", response_model=Page[TransactionRead], response_class=JSONResponse,
                     responses=error_responses(*_AUTH))
async def list_expenses(ctx: TenantCtx, session: SessionDep, query: Annotated[ExpenseListQuery, Query()]) -> Response:
    return JSONResponse(await transaction_service.list_transactions(session, ctx, query.filters(), query))


@expenses_router.post("", status_code=201, response_model=TransactionRead, response_class=JSONResponse,
                      responses=error_responses(*_CREATE_ERRORS))
async def create_expense(body: ExpenseCreate, ctx: TenantCtx, session: SessionDep,
                         idem: IdempotencyDep) -> Response:
    return await idem.respond(session, ctx.user_id, lambda: transaction_service.create(session, ctx, body))


@expenses_router.get("/{expense_id}", response_model=TransactionRead, response_class=JSONResponse,
                     responses=error_responses(*_AUTH, ExpenseNotFound))
async def get_expense(expense_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> Response:
    return JSONResponse(await transaction_service.get(session, ctx, expense_id, expense_only=True))


@expenses_router.patch("/{expense_id}", response_model=TransactionRead, response_class=JSONResponse,
                       responses=error_responses(*_UPDATE_ERRORS, ExpenseNotFound))
async def update_expense(expense_id: uuid.UUID, body: ExpenseUpdate, ctx: TenantCtx,
                         session: SessionDep) -> Response:
    tx = await transaction_service.update(session, ctx, expense_id, body, expense_only=True)
    await commit(session)
    return JSONResponse(tx)


@expenses_router.delete("/{expense_id}", status_code=204,
                        responses=error_responses(*_AUTH, ExpenseNotFound, CycleAlreadyCompleted))
async def delete_expense(expense_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> Response:
    await transaction_service.delete(session, ctx, expense_id, expense_only=True)
    await commit(session)
    return Response(status_code=204)
