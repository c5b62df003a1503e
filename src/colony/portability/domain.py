from colony.core.domain import Domain
from colony.portability.router import router

domain = Domain(name="portability", routers=(router,))
