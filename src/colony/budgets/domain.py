from colony.budgets import service
from colony.budgets.models import Budget, BudgetEntry
from colony.budgets.router import router
from colony.categories import service as category_service
from colony.core.domain import Domain

domain = Domain(
    name="budgets",
    routers=(router,),
    models=(Budget, BudgetEntry),
    hooks=(category_service.REFERENCES.provide(service.CATEGORY_REFERENCES),),
)
