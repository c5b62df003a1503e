"""/auth: registration, tokens, logout and passwords. Endpoints that take a password or email are rate limited."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Header, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from colony.auth import service as auth_service
from colony.auth.errors import AccountLocked, InvalidCredentials, InvalidResetToken, TokenRevoked
from colony.auth.schemas import (
    ChangePasswordRequest,
    LoginRequest,
    LogoutRequest,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
)
from colony.core.db import commit
from colony.core.deps import MailerDep, SessionDep, SettingsDep
from colony.core.errors import RateLimited
from colony.core.mail import send_quietly
from colony.core.openapi import error_responses
from colony.core.ratelimit import RateLimiter
from colony.users.deps import Principal
from colony.users.errors import EmailAlreadyRegistered, NotAuthenticated, TokenExpired
from colony.users.schemas import UserRead


async def limit_auth_requests(request: Request) -> None:
    """Spend one of the client address's budget for the endpoints that take a password or an email."""
    limiter: RateLimiter = request.app.state.auth_rate_limiter
    await limiter.hit(request.client.host if request.client else "unknown")


router = APIRouter(prefix="/auth", tags=["auth"])
rate_limited = [Depends(limit_auth_requests)]


@router.post("/register", status_code=201, response_model=UserRead, dependencies=rate_limited,
             responses=error_responses(EmailAlreadyRegistered, RateLimited))
async def register(body: RegisterRequest, session: SessionDep) -> UserRead:
    """Create a personal or business account, with the new tenant's default categories."""
    user = await auth_service.register(session, body)
    await commit(session)
    return user


@router.post("/login", response_model=TokenPair, dependencies=rate_limited,
             responses=error_responses(InvalidCredentials, AccountLocked, RateLimited))
async def login(body: LoginRequest, session: SessionDep, settings: SettingsDep) -> TokenPair:
    attempt = await auth_service.login(session, settings, body.email, body.password)
    await commit(session)  # a failed attempt is counted too
    return attempt.result()


@router.post("/token", response_model=TokenPair, dependencies=rate_limited,
             responses=error_responses(InvalidCredentials, AccountLocked, RateLimited))
async def login_form(form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep,
                     settings: SettingsDep) -> TokenPair:
    """The login as an OAuth2 password form (`username` is the email), for the "Authorize" button of /docs."""
    attempt = await auth_service.login(session, settings, form.username, form.password)
    await commit(session)
    return attempt.result()


@router.post("/refresh", response_model=TokenPair,
             responses=error_responses(NotAuthenticated, TokenExpired, TokenRevoked))
async def refresh(session: SessionDep, settings: SettingsDep, body: RefreshRequest | None = None,
                  authorization: Annotated[str | None, Header(description="`Bearer <refresh token>`, "
                                                                          "instead of the body")] = None,
                  ) -> TokenPair:
    """A new token pair. Each refresh token works once: a replayed one revokes its whole chain."""
    attempt = await auth_service.refresh(session, settings, _refresh_token(body, authorization))
    await commit(session)  # a replay revokes the chain, and that must stick
    return attempt.result()


@router.post("/logout", status_code=204, response_class=Response, responses=error_responses())
async def logout(body: LogoutRequest, session: SessionDep) -> None:
    """Revoke the chain the refresh token belongs to (an unknown token is already no session)."""
    await auth_service.logout(session, body.refresh_token)
    await commit(session)


@router.post("/password-reset/request", status_code=202, response_class=Response, dependencies=rate_limited,
             responses=error_responses(RateLimited))
async def request_password_reset(body: PasswordResetRequest, session: SessionDep, settings: SettingsDep,
                                 mailer: MailerDep, background: BackgroundTasks) -> None:
    """Mail a single-use reset token, valid one hour. The answer is the same whether the email exists or not."""
    message = await auth_service.request_password_reset(session, settings, body.email)
    await commit(session)
    if message is not None:  # sent after the response, so its timing tells nothing either
        background.add_task(send_quietly, mailer, message)


@router.post("/password-reset/confirm", status_code=204, response_class=Response, dependencies=rate_limited,
             responses=error_responses(InvalidResetToken, RateLimited))
async def confirm_password_reset(body: PasswordResetConfirm, session: SessionDep) -> None:
    """Set a new password with a reset token; every session of the user ends."""
    await auth_service.confirm_password_reset(session, body.token, body.new_password)
    await commit(session)


@router.post("/change-password", status_code=204, response_class=Response, dependencies=rate_limited,
             responses=error_responses(NotAuthenticated, TokenExpired, InvalidCredentials, RateLimited))
async def change_password(body: ChangePasswordRequest, principal: Principal, session: SessionDep) -> None:
    """Replace the password of the signed-in user; every refresh chain ends (other devices sign in again)."""
    await auth_service.change_password(session, principal.user_id, body.current_password, body.new_password)
    await commit(session)


def _refresh_token(body: RefreshRequest | None, authorization: str | None) -> str:
    if body is not None:
        return body.refresh_token
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("A refresh token is required")
    return token.strip()
