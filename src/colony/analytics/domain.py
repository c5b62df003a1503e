from colony.analytics.router import router
from colony.core.domain import Domain

domain = Domain(name="analytics", routers=(router,))
