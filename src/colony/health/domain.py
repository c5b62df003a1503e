from colony.core.domain import Domain
from colony.health.router import router

domain = Domain(name="health", routers=(router,), prefix="")  # /health and /metrics, outside the versioned API
