"""What a call to the model needs before it starts: a configured model, and a request within the caller's rate."""

from typing import Annotated

import httpx
from fastapi import Depends, Request

from colony.assistant.client import ChatClient
from colony.assistant.errors import AssistantQuotaExceeded
from colony.config import Settings
from colony.core.errors import RateLimited
from colony.core.ratelimit import RateLimiter
from colony.core.tenancy import Tenant
from colony.users.deps import TenantCtx


def chat_client(settings: Settings, http: httpx.AsyncClient) -> ChatClient | None:
    if not settings.assistant_configured:
        return None
    assert settings.llm_base_url is not None and settings.llm_model is not None
    return ChatClient(http, base_url=settings.llm_base_url, model=settings.llm_model,
                      api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
                      timeout=settings.llm_timeout, backoff_seconds=settings.llm_retry_backoff)


async def get_chat_client(request: Request) -> ChatClient | None:
    """The model's client, None when no model is set (the turn then answers 503 ASSISTANT_NOT_CONFIGURED,
    once it knows the conversation is the caller's)."""
    return chat_client(request.app.state.settings, request.app.state.http)


def _limiter(request: Request) -> RateLimiter:
    """One per process, on the app's Redis when there is one (then one budget across every instance)."""
    state = request.app.state
    limiter: RateLimiter | None = getattr(state, "assistant_rate_limiter", None)
    if limiter is None:
        limiter = RateLimiter.create(state.settings.assistant_rate_limit, "assistant", state.redis)
        state.assistant_rate_limiter = limiter
    return limiter


async def within_rate(request: Request, tenant: TenantCtx) -> Tenant:
    """The caller, once a message of theirs fits in COLONY_ASSISTANT_RATE_LIMIT (else 429)."""
    try:
        await _limiter(request).hit(str(tenant.user_id))
    except RateLimited as exc:
        raise AssistantQuotaExceeded(retry_after=int(exc.details["retry_after"])) from None
    return tenant


ChatClientDep = Annotated[ChatClient | None, Depends(get_chat_client)]
ChatterCtx = Annotated[Tenant, Depends(within_rate)]
