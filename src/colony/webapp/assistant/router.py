"""The assistant's chat: the person's own conversations, a message answered by the model through the API's
own turn (`chat.answer`: tools under the person's tenant and role, quotas, logs), and the writes it proposes,
each with a confirm and a reject button. Nothing is written until confirmed, as in the API.

Without a model configured (COLONY_LLM_BASE_URL, COLONY_LLM_MODEL) the page says how to set one up, and the
menu does not offer it.
"""

import uuid
from typing import Annotated

from fastapi import Form, Request, Response
from pydantic import ValidationError

from colony.assistant import chat
from colony.assistant import service as assistant_service
from colony.assistant.deps import chat_client, within_rate
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
from colony.assistant.schemas import ConversationCreate, MessageCreate
from colony.core.db import Database, commit
from colony.core.deps import DatabaseDep, SessionDep
from colony.core.errors import AppError
from colony.core.schemas import PageParams
from colony.webapp.deps import FormViewer, Viewer, ViewerDep
from colony.webapp.forms import field_errors
from colony.webapp.routing import is_htmx, page_responses, page_router, see_other
from colony.webapp.templating import render

router = page_router(prefix="/assistant")
HOME = "/app/assistant"
CONVERSATIONS = PageParams(size=50)
MODEL_ERRORS = (AssistantNotConfigured, AssistantQuotaExceeded, AssistantUpstreamError, AssistantTimeout)
DECIDE_ERRORS = (ActionNotFound, ActionAlreadyDecided, ActionExpired, ActionTargetChanged)


def _configured(request: Request) -> bool:
    return bool(request.app.state.settings.assistant_configured)


async def _page(request: Request, viewer: Viewer, database: Database, conversation_id: uuid.UUID | None,
                status: int = 200, problem: str | None = None, draft: str = "") -> Response:
    async with database.reader() as session:
        conversations = (await assistant_service.list_conversations(session, viewer.tenant, CONVERSATIONS)).items
        shown = (await assistant_service.get_conversation(session, viewer.tenant, conversation_id)
                 if conversation_id is not None else None)
    return render("assistant/page.html", status, viewer=viewer, current=HOME, title="Assistant",
                  configured=_configured(request), conversations=conversations, shown=shown, problem=problem,
                  draft=draft)


@router.get("", responses=page_responses())
async def assistant(request: Request, viewer: ViewerDep, database: DatabaseDep) -> Response:
    """The person's conversations (their own, even inside a business); without a model, how to set one up."""
    return await _page(request, viewer, database, None)


@router.post("/conversations", status_code=303, responses=page_responses(AssistantNotConfigured, form=True,
                                                         done="Started: to the new conversation"))
async def start_conversation(request: Request, viewer: FormViewer, session: SessionDep) -> Response:
    if not _configured(request):
        raise AssistantNotConfigured()
    conversation = await assistant_service.create_conversation(session, viewer.tenant, ConversationCreate())
    await commit(session)
    return see_other(f"{HOME}/{conversation.id}")


@router.get("/{conversation_id}", responses=page_responses(ConversationNotFound))
async def conversation(request: Request, conversation_id: uuid.UUID, viewer: ViewerDep,
                       database: DatabaseDep) -> Response:
    """One conversation of the person's (anyone else's: 404), with the proposals waiting for an answer."""
    return await _page(request, viewer, database, conversation_id)


@router.post("/{conversation_id}/messages", responses=page_responses(
    ConversationNotFound, *MODEL_ERRORS, form=True, done="Answered: back to the conversation"))
async def send_message(request: Request, conversation_id: uuid.UUID, viewer: FormViewer, database: DatabaseDep,
                       content: Annotated[str, Form(max_length=8000)] = "") -> Response:
    """Ask the assistant (the API's `POST /assistant/conversations/{id}/messages`). With htmx: the question,
    the answer and its proposals, to append; else a 303 back to the conversation. The model failing, or the
    daily quota spent: the conversation again with the reason. Like the API's, the turn owns short
    transactions of its own: no connection waits while the model thinks."""
    try:
        message = MessageCreate(content=content)
    except ValidationError as exc:
        return await _page(request, viewer, database, conversation_id, 422,
                           "Write a question first" if not content.strip() else field_errors(exc).get("content"))
    try:
        await within_rate(request, viewer.tenant)
        client = chat_client(request.app.state.settings, request.app.state.http)
        settings = request.app.state.settings
        reply = await chat.collect(chat.answer(database, client, viewer.tenant, conversation_id, message.content,
                                               daily_tokens=settings.assistant_daily_tokens, stream=False))
    except MODEL_ERRORS as exc:
        if is_htmx(request):
            raise
        return await _page(request, viewer, database, conversation_id, exc.status_code, exc.detail_message,
                           draft=content)
    if is_htmx(request):
        return render("assistant/_turn.html", viewer=viewer, question=message.content, reply=reply)
    return see_other(f"{HOME}/{conversation_id}")


def _decided(request: Request, viewer: Viewer, action_id: uuid.UUID, outcome: str,
             back: uuid.UUID | None) -> Response:
    if is_htmx(request):
        return render("assistant/_decided.html", viewer=viewer, action_id=action_id, outcome=outcome)
    return see_other(f"{HOME}/{back}" if back is not None else HOME)


@router.post("/actions/{action_id}/confirm", responses=page_responses(
    *DECIDE_ERRORS, form=True, done="Done: back to the conversation (htmx: the proposal, marked done)"))
async def confirm(request: Request, action_id: uuid.UUID, viewer: FormViewer, session: SessionDep,
                  conversation_id: uuid.UUID | None = None) -> Response:
    """Do what the assistant proposed, through the same rules as the matching endpoint (the API's `POST
    /assistant/actions/{id}/confirm`): the person's own, pending, in time, its target unchanged."""
    try:
        await assistant_service.confirm(session, viewer.tenant, action_id)
        await commit(session)
    except ActionNotFound:
        raise
    except AppError as exc:  # expired, decided, changed since, or refused by the endpoint's own rules
        return _decided(request, viewer, action_id, f"Not done: {exc.detail_message}", conversation_id)
    return _decided(request, viewer, action_id, "Done.", conversation_id)


@router.post("/actions/{action_id}/reject", responses=page_responses(
    *DECIDE_ERRORS, form=True, done="Rejected: back to the conversation (htmx: the proposal, marked rejected)"))
async def reject(request: Request, action_id: uuid.UUID, viewer: FormViewer, session: SessionDep,
                 conversation_id: uuid.UUID | None = None) -> Response:
    """Discard what the assistant proposed (the API's `POST /assistant/actions/{id}/reject`)."""
    await assistant_service.reject(session, viewer.tenant, action_id)
    await commit(session)
    return _decided(request, viewer, action_id, "Rejected: nothing was written.", conversation_id)
