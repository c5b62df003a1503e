from colony.business.router import router
from colony.core.domain import Domain

domain = Domain(name="business", routers=(router,))
