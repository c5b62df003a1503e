from colony.core.domain import Domain
from colony.webapp.account.router import router as account_router
from colony.webapp.assistant.router import router as assistant_router
from colony.webapp.investments.router import router as investments_router
from colony.webapp.overview.router import router as overview_router
from colony.webapp.planning.router import router as planning_router
from colony.webapp.router import router as static_router
from colony.webapp.transactions.router import router as transactions_router

domain = Domain(
    name="webapp",
    routers=(account_router, overview_router, transactions_router, planning_router,
             investments_router, assistant_router, static_router),
    prefix="/app",  # pages for people, outside the versioned API
)
