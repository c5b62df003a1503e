from colony.categories import service as category_service
from colony.core.domain import Domain
from colony.transactions import service
from colony.transactions.models import MonthlyTotal, Transaction
from colony.transactions.router import expenses_router, transactions_router

domain = Domain(
    name="transactions",
    routers=(expenses_router, transactions_router),
    busiest=True,
    models=(Transaction, MonthlyTotal),
    extension_points=(service.CYCLE_GUARDS, service.ACCOUNT_GUARDS, service.BOOKING_WATCHERS),
    hooks=(category_service.REFERENCES.provide(service.CATEGORY_REFERENCES),),
)
