"""The assistant's rules outside the model's turn (that is `chat.py`): conversations per user, deciding the
actions the model proposed, usage against the daily limit, the logs, and their retention."""

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from colony.assistant import proposals
from colony.assistant.errors import ActionAlreadyDecided, ActionExpired, ActionNotFound, ConversationNotFound
from colony.assistant.models import ActionStatus, Conversation, PendingAction
from colony.assistant.repository import (
    ActionRepository,
    AllLlmLogsRepository,
    ConversationRepository,
    LlmLogRepository,
    MessageRepository,
)
from colony.assistant.schemas import (
    ActionConfirmed,
    ActionRejected,
    ConversationCreate,
    ConversationDetail,
    ConversationRead,
    LlmLogRead,
    LlmUsageRow,
    MessageRead,
    ProposalRead,
    UsageRead,
)
from colony.core import clock
from colony.core.errors import ValidationFailed
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import Tenant

DEFAULT_USAGE_DAYS = dt.timedelta(days=29)  # the administrators' usage: 30 days to the end date


def proposal_read(action: PendingAction, now: dt.datetime) -> ProposalRead:
    expired = action.status is ActionStatus.pending and action.expires_at <= now
    return ProposalRead(id=action.id, tool=action.tool, arguments=action.arguments, preview=action.preview,
                        status="expired" if expired else action.status.value, expires_at=action.expires_at)


# ---- conversations ----

async def _conversation(session: AsyncSession, tenant: Tenant, conversation_id: uuid.UUID) -> Conversation:
    found = await ConversationRepository(session, tenant.tenant_id).get_mine(conversation_id, tenant.user_id)
    if found is None:
        raise ConversationNotFound()
    return found


async def create_conversation(session: AsyncSession, tenant: Tenant, data: ConversationCreate) -> ConversationRead:
    conversation = Conversation(user_id=tenant.user_id, created_by_id=tenant.user_id, title=data.title)
    await ConversationRepository(session, tenant.tenant_id).add(conversation)
    return ConversationRead.model_validate(conversation)


async def list_conversations(session: AsyncSession, tenant: Tenant, params: PageParams) -> Page[ConversationRead]:
    rows, total = await ConversationRepository(session, tenant.tenant_id).list(tenant.user_id, params)
    return Page[ConversationRead].build([ConversationRead.model_validate(row) for row in rows], total, params)


async def get_conversation(session: AsyncSession, tenant: Tenant, conversation_id: uuid.UUID) -> ConversationDetail:
    conversation = await _conversation(session, tenant, conversation_id)
    messages = await MessageRepository(session, tenant.tenant_id).of(conversation.id)
    actions = await ActionRepository(session, tenant.tenant_id).of_conversation(conversation.id)
    now = clock.utcnow()
    return ConversationDetail(id=conversation.id, title=conversation.title, created_at=conversation.created_at,
                              updated_at=conversation.updated_at,
                              messages=[MessageRead.model_validate(m) for m in messages],
                              proposals=[proposal_read(a, now) for a in actions])


async def delete_conversation(session: AsyncSession, tenant: Tenant, conversation_id: uuid.UUID) -> None:
    """The conversation, its messages and proposals go; its logs keep only their usage."""
    conversation = await _conversation(session, tenant, conversation_id)
    await LlmLogRepository(session, tenant.tenant_id).forget_content(conversation.id)
    await ConversationRepository(session, tenant.tenant_id).delete(conversation)


# ---- the actions the model proposed ----

async def _pending(session: AsyncSession, tenant: Tenant, action_id: uuid.UUID) -> tuple[PendingAction, dt.datetime]:
    """The caller's own action, still to decide (another user's, even in the same tenant, is not found)."""
    action = await ActionRepository(session, tenant.tenant_id).get_mine(action_id, tenant.user_id)
    if action is None:
        raise ActionNotFound()
    now = clock.utcnow()
    if action.status is not ActionStatus.pending:
        raise ActionAlreadyDecided()
    if action.expires_at <= now:
        raise ActionExpired()
    return action, now


async def confirm(session: AsyncSession, tenant: Tenant, action_id: uuid.UUID) -> ActionConfirmed:
    action, now = await _pending(session, tenant, action_id)
    if not await ActionRepository(session, tenant.tenant_id).claim(action, ActionStatus.confirmed, now):
        raise ActionAlreadyDecided()  # a concurrent decision came first
    result = await proposals.execute(session, tenant, action)  # fails: the claim rolls back with it
    await ActionRepository(session, tenant.tenant_id).update_where(
        PendingAction.id == action.id, result=result)
    return ActionConfirmed(id=action.id, status=ActionStatus.confirmed, result=result)


async def reject(session: AsyncSession, tenant: Tenant, action_id: uuid.UUID) -> ActionRejected:
    action, now = await _pending(session, tenant, action_id)
    if not await ActionRepository(session, tenant.tenant_id).claim(action, ActionStatus.rejected, now):
        raise ActionAlreadyDecided()
    return ActionRejected(id=action.id, status=ActionStatus.rejected)


# ---- usage and logs ----

def _start_of_day(now: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(now.date(), dt.time(), dt.UTC)


async def usage_today(session: AsyncSession, tenant: Tenant, daily_limit: int) -> UsageRead:
    now = clock.utcnow()
    calls, prompt, completion = await LlmLogRepository(session, tenant.tenant_id).usage_since(
        tenant.user_id, _start_of_day(now))
    total = prompt + completion
    return UsageRead(date=now.date(), calls=calls, prompt_tokens=prompt, completion_tokens=completion,
                     total_tokens=total, daily_limit=daily_limit, remaining=max(daily_limit - total, 0))


async def list_logs(session: AsyncSession, tenant: Tenant, params: PageParams,
                    conversation_id: uuid.UUID | None) -> Page[LlmLogRead]:
    rows, total = await LlmLogRepository(session, tenant.tenant_id).list(tenant.user_id, params, conversation_id)
    return Page[LlmLogRead].build([LlmLogRead.model_validate(row) for row in rows], total, params)


async def usage_by_user(session: AsyncSession, start: dt.date | None, end: dt.date | None,
                        params: PageParams) -> Page[LlmUsageRow]:
    """For administrators: counts per user and day, never what was said (default: the last 30 days)."""
    end = end or clock.today()
    if start is not None and start > end:
        raise ValidationFailed("query.start_date", "must not be after end_date")
    if start is None:
        start = end - DEFAULT_USAGE_DAYS if end - dt.date.min > DEFAULT_USAGE_DAYS else dt.date.min
    rows, total = await AllLlmLogsRepository(session).usage_by_user_and_day(start, end, params)
    return Page[LlmUsageRow].build([
        LlmUsageRow(user_id=row.user_id, email=row.email,
                    date=row.day if isinstance(row.day, dt.date) else dt.date.fromisoformat(row.day),
                    calls=row.calls, failed_calls=int(row.failed_calls or 0), prompt_tokens=int(row.prompt_tokens or 0),
                    completion_tokens=int(row.completion_tokens or 0)) for row in rows], total, params)


async def purge_logs(session: AsyncSession, retention_days: int) -> int:
    """Delete the logs older than the retention period; how many."""
    return await AllLlmLogsRepository(session).delete_before(clock.utcnow() - dt.timedelta(days=retention_days))
