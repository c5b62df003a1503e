from colony.core.domain import Domain
from colony.users import jobs, service
from colony.users.models import Credentials, PersonalAccessToken, Profile, RevokedAccessToken, User
from colony.users.personal_tokens.router import router as personal_tokens_router
from colony.users.router import router

domain = Domain(
    name="users",
    routers=(router, personal_tokens_router),
    models=(User, Credentials, Profile, RevokedAccessToken, PersonalAccessToken),
    jobs=(jobs.PURGE_REVOCATIONS,),
    extension_points=(service.TENANT_CREATED, service.DEACTIVATED),
)
