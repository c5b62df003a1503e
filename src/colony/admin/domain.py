from colony.admin.router import router
from colony.core.domain import Domain

domain = Domain(name="admin", routers=(router,))
