"""The signed-in browser: cookies holding the API's own tokens, read back into the API's own principal.

`colony_session` holds the access token of `POST /auth/login`, `colony_refresh` its refresh token, and
`colony_csrf` the nonce of the CSRF tokens (csrf.py); all three HttpOnly, SameSite=Lax, Secure when the
request came over HTTPS, scoped to /app, and gone when the browser closes. Whatever ends an API session ends
this one the same way (logout, password change, deactivation), since it is the same tokens.

When the access token has expired, the refresh token is traded for a new pair (rotation, as `POST
/auth/refresh`). A browser may send several requests with the same expired pair at once (a page and an htmx
swap); the first renews and the others get its result from the cache for RENEWAL_GRACE_SECONDS, instead of
replaying the used refresh token, which would revoke the whole chain and sign the person out.
"""

import asyncio
import weakref
from dataclasses import dataclass, field

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from colony.auth import service as auth_service
from colony.auth.schemas import TokenPair
from colony.core import tokens
from colony.core.db import commit
from colony.core.errors import AppError, Unauthorized
from colony.core.tenancy import Tenant
from colony.users import service as user_service
from colony.webapp import csrf

SESSION_COOKIE = "colony_session"
REFRESH_COOKIE = "colony_refresh"
NONCE_COOKIE = "colony_csrf"
COOKIE_PATH = "/app"
RENEWAL_GRACE_SECONDS = 60

_renewals: "weakref.WeakValueDictionary[str, asyncio.Lock]" = weakref.WeakValueDictionary()


class SignInRequired(Exception):
    """No session, or one that has ended: the page answers with the way to the sign-in form."""


@dataclass
class CookieChanges:
    """Cookies a request decided to set (a value) or clear (None), written on whatever response it gets."""

    values: dict[str, str | None] = field(default_factory=dict)

    def sign_in(self, pair: TokenPair) -> None:
        self.values[SESSION_COOKIE] = pair.access_token
        self.values[REFRESH_COOKIE] = pair.refresh_token

    def sign_out(self) -> None:
        self.values[SESSION_COOKIE] = self.values[REFRESH_COOKIE] = self.values[NONCE_COOKIE] = None

    def apply(self, request: Request, response: Response) -> None:
        secure = request.url.scheme == "https"
        for name, value in self.values.items():
            if value is None:
                response.delete_cookie(name, path=COOKIE_PATH, secure=secure, httponly=True, samesite="lax")
            else:
                response.set_cookie(name, value, path=COOKIE_PATH, secure=secure, httponly=True, samesite="lax")


def cookie_changes(request: Request) -> CookieChanges:
    """This request's pending cookie changes (kept in the ASGI scope's state, which every `Request` object
    of the request shares)."""
    changes: CookieChanges | None = getattr(request.state, "webapp_cookies", None)
    if changes is None:
        changes = request.state.webapp_cookies = CookieChanges()
    return changes


def csrf_nonce(request: Request) -> str:
    """The browser's CSRF nonce, made (and set as a cookie on this response) when it has none."""
    changes = cookie_changes(request)
    nonce = changes.values.get(NONCE_COOKIE) or request.cookies.get(NONCE_COOKIE)
    if not nonce:
        nonce = changes.values[NONCE_COOKIE] = csrf.new_nonce()
    return nonce


def start(request: Request, pair: TokenPair) -> None:
    """A successful sign-in: the new session's cookies, and a fresh CSRF nonce (nothing planted before the
    sign-in carries over)."""
    changes = cookie_changes(request)
    changes.sign_in(pair)
    changes.values[NONCE_COOKIE] = csrf.new_nonce()


async def end(request: Request, session: AsyncSession) -> None:
    """Sign out: the refresh chain and the access token are revoked (as `POST /auth/logout`; the caller
    commits), and the cookies go."""
    state = request.app.state
    refresh_token = request.cookies.get(REFRESH_COOKIE)
    if refresh_token:
        await auth_service.logout(session, state.cache, state.settings, refresh_token,
                                  request.cookies.get(SESSION_COOKIE))
    cookie_changes(request).sign_out()


async def principal(request: Request) -> Tenant:
    """The API's principal behind the session cookies (renewing an expired access token), or SignInRequired."""
    state = request.app.state
    access_token = request.cookies.get(SESSION_COOKIE)
    if access_token:
        try:
            claims = tokens.decode_access_token(access_token, state.settings.signing_key)
        except tokens.TokenExpired:
            pass  # renewed below
        except tokens.TokenInvalid:
            raise SignInRequired from None
        else:
            return await _principal_of(request, claims)
    refresh_token = request.cookies.get(REFRESH_COOKIE)
    if not refresh_token:
        raise SignInRequired
    pair = await _renewed(request, refresh_token)
    cookie_changes(request).sign_in(pair)
    return await _principal_of(request, tokens.decode_access_token(pair.access_token, state.settings.signing_key))


async def _principal_of(request: Request, claims: tokens.AccessClaims) -> Tenant:
    state = request.app.state
    try:
        found = await user_service.principal_for_access_token(state.database, state.cache, claims)
    except Unauthorized:  # deactivated, logged out, password changed: the session has ended
        raise SignInRequired from None
    request.state.user_id = str(found.user_id)  # for the request log line, as the API's
    return found


async def _renewed(request: Request, refresh_token: str) -> TokenPair:
    """The pair that replaces this refresh token: made once, then shared for RENEWAL_GRACE_SECONDS."""
    state = request.app.state
    key = f"webapp:renewed:{tokens.hash_token(refresh_token)}"
    lock = _renewals.setdefault(key, asyncio.Lock())
    async with lock:
        cached = await state.cache.get(key)
        if cached is not None:
            return TokenPair.model_validate_json(cached)
        async with state.database.sessionmaker() as session:
            attempt = await auth_service.refresh(session, state.settings, refresh_token)
            await commit(session)  # a replay revokes the chain, and that must stick
        try:
            pair = attempt.result()
        except AppError:
            raise SignInRequired from None
        await state.cache.set(key, pair.model_dump_json().encode(), RENEWAL_GRACE_SECONDS)
        return pair
