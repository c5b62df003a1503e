from colony.assistant import jobs
from colony.assistant.models import Conversation, LlmLog, Message, PendingAction
from colony.assistant.router import admin_router, router
from colony.core.domain import Domain

domain = Domain(name="assistant", routers=(router, admin_router),
                models=(Conversation, Message, PendingAction, LlmLog), jobs=(jobs.RETENTION,))
