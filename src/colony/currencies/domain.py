from colony.core.domain import Domain
from colony.currencies.router import router

domain = Domain(name="currencies", routers=(router,))
