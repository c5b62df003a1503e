from colony.core.domain import Domain
from colony.users import service
from colony.users.models import Credentials, Profile, User
from colony.users.router import router

domain = Domain(
    name="users",
    routers=(router,),
    models=(User, Credentials, Profile),
    extension_points=(service.TENANT_CREATED, service.DEACTIVATED),
)
