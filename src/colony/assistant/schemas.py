import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from colony.assistant.models import ActionStatus, CallStatus, MessageRole
from colony.core.schemas import IsoDate, Schema


def _no_nul(text: str | None) -> str | None:
    if text is not None and "\x00" in text:
        raise ValueError("must not contain NUL characters")
    return text


class AssistantStatus(Schema):
    configured: bool = Field(description="A model server and a model are set (COLONY_LLM_BASE_URL, COLONY_LLM_MODEL)")
    model: str | None


class ConversationCreate(Schema):
    title: Annotated[str | None, AfterValidator(_no_nul)] = Field(
        default=None, min_length=1, max_length=200, description="Default: the start of the first message")


class ConversationRead(Schema):
    id: uuid.UUID
    title: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ToolCallRead(Schema):
    name: str
    arguments: Any = Field(description="As the model gave them (an object, or the text it wrote)")


class MessageRead(Schema):
    id: uuid.UUID
    role: MessageRole
    content: str
    tool_calls: list[ToolCallRead] | None = Field(default=None,
                                                  description="The tools the assistant used for this answer")
    created_at: dt.datetime


class ProposalRead(Schema):
    id: uuid.UUID
    tool: str
    arguments: dict[str, Any] = Field(description="What confirming will do, with the ids resolved")
    preview: str = Field(description="The change in words, to show before the user confirms")
    status: Literal["pending", "confirmed", "rejected", "expired"]
    expires_at: dt.datetime


class ConversationDetail(ConversationRead):
    messages: list[MessageRead]
    proposals: list[ProposalRead] = Field(description="Writes the assistant proposed in this conversation")


class MessageCreate(Schema):
    content: Annotated[str, AfterValidator(_no_nul)] = Field(
        min_length=1, max_length=8000, examples=["How much did I spend on groceries last month?"])


class TokenUsage(Schema):
    prompt_tokens: int
    completion_tokens: int


class AssistantReply(Schema):
    message: MessageRead
    proposals: list[ProposalRead] = Field(description="Writes proposed in this turn: nothing is written until "
                                          "POST /assistant/actions/{id}/confirm")
    usage: TokenUsage = Field(description="Tokens of every call to the model in this turn")


class ActionConfirmed(Schema):
    id: uuid.UUID
    status: Literal[ActionStatus.confirmed]
    result: Any = Field(description="What the matching endpoint returns (POST /expenses, PATCH "
                        "/transactions/{id}, POST /goals/{id}/contributions)")


class ActionRejected(Schema):
    id: uuid.UUID
    status: Literal[ActionStatus.rejected]


class UsageRead(Schema):
    date: IsoDate = Field(description="The UTC day counted")
    calls: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    daily_limit: int = Field(description="COLONY_ASSISTANT_DAILY_TOKENS")
    remaining: int


class LlmLogRead(Schema):
    id: uuid.UUID
    conversation_id: uuid.UUID | None
    model: str
    server_host: str
    operation: str
    prompt_tokens: int
    completion_tokens: int
    latency_ms: int
    attempts: int
    status: CallStatus
    error_code: str | None
    http_status: int | None
    tool_calls: list[dict[str, Any]] | None
    request: str | None = Field(description="The request sent (JSON), with IBANs, card numbers, emails and phone "
                                "numbers masked; null once its conversation was deleted")
    response: str | None = Field(description="The answer received, masked the same way")
    created_at: dt.datetime


class PromptMode(StrEnum):
    summary = "summary"
    analysis = "analysis"


class PromptRead(Schema):
    mode: PromptMode
    prompt: str = Field(description="Markdown, ready to paste into any chat model")
    generated_at: dt.datetime


class LlmUsageRow(Schema):
    user_id: uuid.UUID
    email: str
    date: IsoDate
    calls: int
    failed_calls: int
    prompt_tokens: int
    completion_tokens: int
