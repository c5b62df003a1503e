"""/auth: registration, tokens, logout and passwords. Endpoints that take a password or email are rate limited
per client address: the one uvicorn resolved (X-Forwarded-For counts only from COLONY_TRUSTED_PROXIES)."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Header, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from colony.auth import service as auth_service
from colony.auth.errors import AccountLocked, InvalidCredentials, InvalidResetToken, RegistrationClosed, TokenRevoked
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
from colony.core.deps import CacheDep, MailerDep, SessionDep, SettingsDep, no_store
from colony.core.errors import RateLimited
from colony.core.mail import send_quietly
from colony.core.openapi import NO_STORE_HEADERS, error_responses
from colony.core.ratelimit import RateLimiter
from colony.users.deps import Principal, oauth2_scheme
from colony.users.errors import EmailAlreadyRegistered, NotAuthenticated, ReadOnlyToken, TokenExpired
from colony.users.schemas import UserRead


async def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]


async def limit_auth_requests(address: ClientAddress, request: Request) -> None:
    """Spend one of the client address's budget for the endpoints that take a password or an email."""
    limiter: RateLimiter = request.app.state.auth_rate_limiter
    await limiter.hit(address)


router = APIRouter(prefix="/auth", tags=["auth"])
rate_limited = [Depends(limit_auth_requests)]
issues_tokens = [*rate_limited, Depends(no_store)]  # the success carries tokens: no cache keeps it


@router.post("/register", status_code=201, response_model=UserRead, dependencies=rate_limited,
             responses=error_responses(EmailAlreadyRegistered, RegistrationClosed, RateLimited))
async def register(body: RegisterRequest, session: SessionDep, settings: SettingsDep) -> UserRead:
    """Create a personal or business account, with the new tenant's default categories. With
    COLONY_REGISTRATION=closed, 403: administrators create accounts (`POST /admin/users`)."""
    user = await auth_service.register(session, settings, body)
    await commit(session)
    return user


@router.post("/login", response_model=TokenPair, dependencies=issues_tokens,
             responses={200: NO_STORE_HEADERS, **error_responses(InvalidCredentials, AccountLocked, RateLimited)})
async def login(body: LoginRequest, session: SessionDep, settings: SettingsDep, address: ClientAddress) -> TokenPair:
    """Five failures in a row from one client address lock that address out of that email for 15 minutes
    (423, whatever the password); other addresses, the owner's among them, are not locked out."""
    attempt = await auth_service.login(session, settings, address, body.email, body.password)
    await commit(session)  # a failed attempt is counted too
    return attempt.result()


@router.post("/token", response_model=TokenPair, dependencies=issues_tokens,
             responses={200: NO_STORE_HEADERS, **error_responses(InvalidCredentials, AccountLocked, RateLimited)})
async def login_form(form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep,
                     settings: SettingsDep, address: ClientAddress) -> TokenPair:
    """The login as an OAuth2 password form (`username` is the email), for the "Authorize" button of /docs."""
    attempt = await auth_service.login(session, settings, address, form.username, form.password)
    await commit(session)
    return attempt.result()


@router.post("/refresh", response_model=TokenPair, dependencies=[Depends(no_store)],
             responses={200: NO_STORE_HEADERS, **error_responses(NotAuthenticated, TokenExpired, TokenRevoked)})
async def refresh(session: SessionDep, settings: SettingsDep, body: RefreshRequest | None = None,
                  authorization: Annotated[str | None, Header(description="`Bearer <refresh token>`, "
                                                                          "instead of the body")] = None,
                  ) -> TokenPair:
    """A new token pair. Each refresh token works once: a replayed one revokes its whole chain."""
    attempt = await auth_service.refresh(session, settings, _refresh_token(body, authorization))
    await commit(session)  # a replay revokes the chain, and that must stick
    return attempt.result()


@router.post("/logout", status_code=204, response_class=Response, responses=error_responses())
async def logout(body: LogoutRequest, session: SessionDep, settings: SettingsDep, cache: CacheDep,
                 access_token: Annotated[str | None, Depends(oauth2_scheme)]) -> None:
    """Revoke the chain the refresh token belongs to (an unknown token is already no session) and, at once on
    every instance, the access token sent as `Authorization: Bearer` with the call."""
    await auth_service.logout(session, cache, settings, body.refresh_token, access_token)
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
async def confirm_password_reset(body: PasswordResetConfirm, session: SessionDep, cache: CacheDep) -> None:
    """Set a new password with a reset token; every token of the user ends at once (refresh chains, access
    tokens, personal access tokens)."""
    await auth_service.confirm_password_reset(session, cache, body.token, body.new_password)
    await commit(session)


@router.post("/change-password", status_code=204, response_class=Response, dependencies=rate_limited,
             responses=error_responses(NotAuthenticated, TokenExpired, TokenRevoked, ReadOnlyToken,
                                       InvalidCredentials, RateLimited))
async def change_password(body: ChangePasswordRequest, principal: Principal, session: SessionDep,
                          cache: CacheDep) -> None:
    """Replace the password of the signed-in user; every token issued before ends at once (refresh chains,
    access tokens, this one included, and personal access tokens): every device signs in again."""
    await auth_service.change_password(session, cache, principal.user_id, body.current_password,
                                       body.new_password)
    await commit(session)


def _refresh_token(body: RefreshRequest | None, authorization: str | None) -> str:
    if body is not None:
        return body.refresh_token
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("A refresh token is required")
    return token.strip()
