from colony.auth import refresh_tokens
from colony.auth.models import PasswordResetToken, RefreshToken
from colony.auth.router import router
from colony.core.domain import Domain
from colony.users import service as user_service

domain = Domain(
    name="auth",
    routers=(router,),
    models=(RefreshToken, PasswordResetToken),
    hooks=(user_service.DEACTIVATED.provide(refresh_tokens.revoke_all),),
)
