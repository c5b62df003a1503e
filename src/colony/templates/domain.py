from colony.categories import service as category_service
from colony.core.domain import Domain
from colony.templates import service
from colony.templates.models import ExpenseTemplate
from colony.templates.router import router

domain = Domain(
    name="templates",
    routers=(router,),
    models=(ExpenseTemplate,),
    hooks=(category_service.REFERENCES.provide(service.CATEGORY_REFERENCES),),
)
