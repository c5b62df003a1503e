from colony.categories import service
from colony.categories.models import Category
from colony.categories.router import router
from colony.core.domain import Domain
from colony.users import service as user_service

domain = Domain(
    name="categories",
    routers=(router,),
    models=(Category,),
    extension_points=(service.REFERENCES,),
    hooks=(user_service.TENANT_CREATED.provide(service.create_defaults),),
)
