from colony.core.errors import AppError, Conflict, NotFound, RateLimited


class AssistantNotConfigured(AppError):
    status_code = 503
    code = "ASSISTANT_NOT_CONFIGURED"
    message = "No model is configured: set COLONY_LLM_BASE_URL and COLONY_LLM_MODEL"


class AssistantUpstreamError(AppError):
    status_code = 502
    code = "ASSISTANT_UPSTREAM_ERROR"
    message = "The model server failed"


class AssistantTimeout(AppError):
    status_code = 504
    code = "ASSISTANT_TIMEOUT"
    message = "The model server did not answer in time"


class AssistantQuotaExceeded(RateLimited):
    code = "ASSISTANT_QUOTA_EXCEEDED"
    message = "Your assistant quota is spent: wait before asking again"


class ConversationNotFound(NotFound):
    code = "CONVERSATION_NOT_FOUND"
    message = "Conversation not found"


class ActionNotFound(NotFound):
    code = "ACTION_NOT_FOUND"
    message = "Action not found"


class ActionAlreadyDecided(Conflict):
    code = "ACTION_ALREADY_DECIDED"
    message = "This action was already confirmed or rejected"


class ActionExpired(Conflict):
    code = "ACTION_EXPIRED"
    message = "This action expired: ask the assistant again"


class ActionTargetChanged(Conflict):
    code = "ACTION_TARGET_CHANGED"
    message = "What this action would change has changed since it was proposed: ask the assistant again"
