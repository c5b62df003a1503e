"""The assistant's tables: conversations and their messages per user, the writes the model proposed, and one
`llm_logs` row per call to the model (what was sent and received, redacted; what it cost; how it ended)."""

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from colony.core.clock import utcnow
from colony.core.models import Base, IdMixin, TenantMixin, TenantOwned, TimestampMixin


class Conversation(IdMixin, TenantMixin, TimestampMixin, Base):
    """One user's chat. A business's sub-users share the tenant's data, not each other's conversations."""

    __tablename__ = "assistant_conversations"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_assistant_conversations_user_updated", "tenant_id", "user_id", "updated_at"),)


class MessageRole(StrEnum):
    user = "user"
    assistant = "assistant"


class Message(IdMixin, TenantOwned, Base):
    __tablename__ = "assistant_messages"

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assistant_conversations.id", ondelete="CASCADE"))
    role: Mapped[MessageRole] = mapped_column(Enum(MessageRole, native_enum=False, length=16))
    content: Mapped[str] = mapped_column(Text)
    # The tools the model called to write this answer: [{name, arguments}] (their results are not kept).
    tool_calls: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_assistant_messages_conversation", "conversation_id", "created_at"),)


class ActionStatus(StrEnum):
    pending = "pending"
    confirmed = "confirmed"
    rejected = "rejected"


class PendingAction(IdMixin, TenantOwned, Base):
    """A write the model proposed; it happens only when its user confirms it, before `expires_at`."""

    __tablename__ = "assistant_actions"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("assistant_conversations.id", ondelete="CASCADE"))
    tool: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON)  # resolved: ids, not the names the model used
    preview: Mapped[str] = mapped_column(Text)
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # what the target looked like when proposed
    status: Mapped[ActionStatus] = mapped_column(Enum(ActionStatus, native_enum=False, length=16),
                                                 default=ActionStatus.pending)
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    expires_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_assistant_actions_user", "tenant_id", "user_id", "created_at"),)


class CallStatus(StrEnum):
    ok = "ok"
    error = "error"
    timeout = "timeout"


class LlmLog(IdMixin, TenantOwned, Base):
    """One call to the model, failed or not. Content is redacted before it is stored, cleared when its
    conversation is deleted, and every row goes after `COLONY_LLM_LOG_RETENTION_DAYS`."""

    __tablename__ = "llm_logs"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("assistant_conversations.id", ondelete="SET NULL"))
    turn_id: Mapped[uuid.UUID]  # the calls that answered one message
    call_index: Mapped[int]
    operation: Mapped[str] = mapped_column(String(32), default="chat")
    model: Mapped[str] = mapped_column(String(200))
    server_host: Mapped[str] = mapped_column(String(255))
    request: Mapped[str | None] = mapped_column(Text)
    response: Mapped[str | None] = mapped_column(Text)
    tool_calls: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    prompt_tokens: Mapped[int] = mapped_column(default=0)
    completion_tokens: Mapped[int] = mapped_column(default=0)
    latency_ms: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=1)
    status: Mapped[CallStatus] = mapped_column(Enum(CallStatus, native_enum=False, length=16))
    error_code: Mapped[str | None] = mapped_column(String(64))
    http_status: Mapped[int | None]
    started_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_llm_logs_user_created", "tenant_id", "user_id", "created_at"),
        Index("ix_llm_logs_conversation", "conversation_id"),
        Index("ix_llm_logs_created", "created_at"),
    )
