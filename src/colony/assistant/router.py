"""HTTP for the assistant. Each user has their own conversations and proposals, even inside a business."""

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import PlainTextResponse, StreamingResponse

from colony.assistant import chat, digest
from colony.assistant import service as assistant_service
from colony.assistant.deps import ChatClientDep, ChatterCtx
from colony.assistant.errors import (
    ActionAlreadyDecided,
    ActionExpired,
    ActionNotFound,
    ActionTargetChanged,
    AssistantNotConfigured,
    AssistantQuotaExceeded,
    AssistantTimeout,
    AssistantUpstreamError,
    ConversationNotFound,
)
from colony.assistant.schemas import (
    ActionConfirmed,
    ActionRejected,
    AssistantReply,
    AssistantStatus,
    ConversationCreate,
    ConversationDetail,
    ConversationRead,
    LlmLogRead,
    LlmUsageRow,
    MessageCreate,
    PromptMode,
    PromptRead,
    UsageRead,
)
from colony.core import clock
from colony.core.db import commit
from colony.core.deps import DatabaseDep, PageDep, SessionDep
from colony.core.errors import AppError, Conflict, Forbidden, Unauthorized
from colony.core.logging import get_logger
from colony.core.openapi import error_responses
from colony.core.responses import dumps
from colony.core.schemas import IsoDate, Page
from colony.exchange_rates.errors import RateNotAvailable
from colony.goals.errors import GoalCancelled, GoalNotFound
from colony.transactions.errors import CycleAlreadyCompleted, TransactionNotFound
from colony.users.deps import AdminCtx, Principal, TenantCtx

router = APIRouter(prefix="/assistant", tags=["assistant"])
admin_router = APIRouter(prefix="/admin", tags=["admin"])
log = get_logger("colony.assistant")
_AUTH = (Unauthorized, Forbidden)
_MODEL_ERRORS = (AssistantNotConfigured, AssistantQuotaExceeded, AssistantUpstreamError, AssistantTimeout)
_SSE_DOC = ("With `Accept: text/event-stream`: server-sent events `delta` `{content}`, `proposal` (a proposal), "
            "`done` (the whole reply, with usage) and `error` `{code, message}` when the turn fails after it began; "
            "a failure before the first event is the plain error response.")


@router.get("/status", response_model=AssistantStatus, responses=error_responses(*_AUTH))
async def status(request: Request, _caller: Principal) -> AssistantStatus:
    settings = request.app.state.settings
    return AssistantStatus(configured=settings.assistant_configured,
                           model=settings.llm_model if settings.assistant_configured else None)


@router.post("/conversations", status_code=201, response_model=ConversationRead, responses=error_responses(*_AUTH))
async def create_conversation(ctx: TenantCtx, session: SessionDep,
                              body: ConversationCreate | None = None) -> ConversationRead:
    conversation = await assistant_service.create_conversation(session, ctx, body or ConversationCreate())
    await commit(session)
    return conversation


@router.get("/conversations", response_model=Page[ConversationRead], responses=error_responses(*_AUTH))
async def list_conversations(ctx: TenantCtx, session: SessionDep, page: PageDep) -> Page[ConversationRead]:
    """The caller's own conversations, the latest active first."""
    return await assistant_service.list_conversations(session, ctx, page)


@router.get("/conversations/{conversation_id}", response_model=ConversationDetail,
            responses=error_responses(*_AUTH, ConversationNotFound))
async def get_conversation(conversation_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> ConversationDetail:
    return await assistant_service.get_conversation(session, ctx, conversation_id)


@router.delete("/conversations/{conversation_id}", status_code=204,
               responses=error_responses(*_AUTH, ConversationNotFound))
async def delete_conversation(conversation_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> Response:
    """Removes the conversation, its messages, its proposals, and what it said from `llm_logs`."""
    await assistant_service.delete_conversation(session, ctx, conversation_id)
    await commit(session)
    return Response(status_code=204)


@router.post("/conversations/{conversation_id}/messages", response_model=AssistantReply,
             responses={**error_responses(*_AUTH, ConversationNotFound, *_MODEL_ERRORS),
                        200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
                              "description": _SSE_DOC}})
async def send_message(conversation_id: uuid.UUID, body: MessageCreate, ctx: ChatterCtx, client: ChatClientDep,
                       request: Request, database: DatabaseDep,
                       accept: Annotated[str | None, Header()] = None) -> Any:
    """Asks the assistant. It reads the caller's data through its tools; a write it proposes waits for
    POST /assistant/actions/{id}/confirm."""
    events = chat.answer(database, client, ctx, conversation_id, body.content,
                         daily_tokens=request.app.state.settings.assistant_daily_tokens,
                         stream="text/event-stream" in (accept or ""))
    if "text/event-stream" not in (accept or ""):
        return await chat.collect(events)
    first = await anext(events)  # what fails before the first event is a plain error response
    return StreamingResponse(_server_sent(first, events), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _frame(name: str, data: Any) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + dumps(data) + b"\n\n"


def _encode(event: chat.Event) -> bytes:
    if isinstance(event, chat.Delta):
        return _frame("delta", {"content": event.text})
    if isinstance(event, chat.Proposal):
        return _frame("proposal", event.proposal.model_dump(mode="json"))
    return _frame("done", event.reply.model_dump(mode="json"))


async def _server_sent(first: chat.Event, events: AsyncIterator[chat.Event]) -> AsyncIterator[bytes]:
    try:
        yield _encode(first)
        async for event in events:
            yield _encode(event)
    except AppError as exc:
        yield _frame("error", exc.body()["error"])
    except Exception:  # the status line is sent: the error can only be an event
        log.exception("assistant_stream_failed")
        yield _frame("error", {"code": "INTERNAL_ERROR", "message": "An unexpected error occurred"})


_DECIDE_ERRORS = (*_AUTH, ActionNotFound, ActionAlreadyDecided, ActionExpired)


@router.post("/actions/{action_id}/confirm", response_model=ActionConfirmed,
             responses=error_responses(*_DECIDE_ERRORS, ActionTargetChanged, TransactionNotFound, GoalNotFound,
                                       GoalCancelled, CycleAlreadyCompleted, RateNotAvailable, Conflict))
async def confirm_action(action_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> ActionConfirmed:
    """Does what the assistant proposed, through the same rules as the matching endpoint, if the proposal is
    the caller's, pending, not expired, and what it changes has not changed since."""
    confirmed = await assistant_service.confirm(session, ctx, action_id)
    await commit(session)
    return confirmed


@router.post("/actions/{action_id}/reject", response_model=ActionRejected, responses=error_responses(*_DECIDE_ERRORS))
async def reject_action(action_id: uuid.UUID, ctx: TenantCtx, session: SessionDep) -> ActionRejected:
    rejected = await assistant_service.reject(session, ctx, action_id)
    await commit(session)
    return rejected


@router.get("/usage", response_model=UsageRead, responses=error_responses(*_AUTH))
async def usage(request: Request, ctx: TenantCtx, session: SessionDep) -> UsageRead:
    """The caller's calls and tokens of the UTC day, against COLONY_ASSISTANT_DAILY_TOKENS."""
    return await assistant_service.usage_today(session, ctx, request.app.state.settings.assistant_daily_tokens)


@router.get("/logs", response_model=Page[LlmLogRead], responses=error_responses(*_AUTH))
async def logs(ctx: TenantCtx, session: SessionDep, page: PageDep,
               conversation_id: Annotated[uuid.UUID | None, Query()] = None) -> Page[LlmLogRead]:
    """The caller's calls to the model, newest first, with what was sent and received (redacted)."""
    return await assistant_service.list_logs(session, ctx, page, conversation_id)


@router.get("/prompt", response_model=PromptRead, responses={
    **error_responses(*_AUTH), 200: {"content": {"text/markdown": {"schema": {"type": "string"}}},
                                     "description": "JSON, or the markdown alone with `Accept: text/markdown`"}})
async def prompt(ctx: TenantCtx, database: DatabaseDep, mode: Annotated[PromptMode, Query()] = PromptMode.summary,
                 accept: Annotated[str | None, Header()] = None) -> Any:
    """A digest of the caller's own figures in markdown, to paste into any chat model; needs no model.
    `analysis` puts a request for an analysis before it."""
    text = await digest.summary(database, ctx, mode)
    if "text/markdown" in (accept or ""):
        return PlainTextResponse(text, media_type="text/markdown")
    return PromptRead(mode=mode, prompt=text, generated_at=clock.utcnow())


@admin_router.get("/llm-usage", response_model=Page[LlmUsageRow], responses=error_responses(*_AUTH))
async def llm_usage(_admin: AdminCtx, session: SessionDep, page: PageDep,
                    start_date: Annotated[IsoDate | None, Query(description="First day (YYYY-MM-DD); default: "
                                                                            "30 days before end_date")] = None,
                    end_date: Annotated[IsoDate | None, Query(description="Last day (YYYY-MM-DD, inclusive); "
                                                                          "default today")] = None
                    ) -> Page[LlmUsageRow]:
    """Administrators: calls and tokens per user and UTC day (default: the last 30 days), never content."""
    return await assistant_service.usage_by_user(session, start_date, end_date, page)
