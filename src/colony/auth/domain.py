from colony.auth import jobs, refresh_tokens
from colony.auth.models import LoginFailure, PasswordResetToken, RefreshToken
from colony.auth.router import router
from colony.core.domain import Domain
from colony.users import service as user_service

domain = Domain(
    name="auth",
    routers=(router,),
    models=(RefreshToken, PasswordResetToken, LoginFailure),
    jobs=(jobs.PURGE_LOGIN_FAILURES,),
    hooks=(user_service.DEACTIVATED.provide(refresh_tokens.revoke_all),),
)
