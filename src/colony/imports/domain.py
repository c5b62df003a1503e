from colony.core.domain import Domain
from colony.imports.router import router

domain = Domain(name="imports", routers=(router,))
