"""Who is calling: the principal behind the bearer token, and one dependency per permission."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import OAuth2PasswordBearer

import colony.users.personal_tokens.service as personal_token_service
from colony.core import tokens
from colony.core.cache import Cache
from colony.core.db import Database, commit
from colony.core.logging import get_logger
from colony.core.openapi import error_responses
from colony.core.tenancy import Role, Tenant
from colony.users import service as user_service
from colony.users.errors import (
    AdminOnly,
    BusinessOnly,
    NotAuthenticated,
    OwnerOnly,
    PersonalTokenNotAllowed,
    ReadOnlyToken,
    TokenExpired,
    TokenRevoked,
)

log = get_logger("colony.users")

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token", auto_error=False,
    description="An access token from `POST /auth/login`, or a personal access token (`colony_pat_...`)")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_current_principal(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Tenant:
    """The caller behind the bearer token: an access token, or a personal access token (which writes only
    with the `write` scope). Its one sub-dependency documents the scheme in OpenAPI; every dependency costs on
    each request, so the chain behind an authenticated route stays this short."""
    if not token:
        raise NotAuthenticated()
    state = request.app.state
    if tokens.is_personal_token(token):
        caller = await user_service.principal_for_personal_token(state.database, state.cache, token)
        if not caller.can_write and request.method not in READ_METHODS:
            raise ReadOnlyToken()
        if caller.use_to_record:  # at most once a minute, in a short transaction of its own
            await _record_use(state.database, state.cache, caller)
        request.state.personal_token_id = caller.token_id
        principal = caller.principal
    else:
        try:
            claims = tokens.decode_access_token(token, state.settings.signing_key)
        except tokens.TokenExpired:
            raise TokenExpired() from None
        except tokens.TokenInvalid:
            raise NotAuthenticated("Invalid token") from None
        principal = await user_service.principal_for_access_token(state.database, state.cache, claims)
    request.state.user_id = str(principal.user_id)  # for the request log line
    return principal


async def _record_use(database: Database, cache: Cache, caller: user_service.PersonalTokenCaller) -> None:
    try:
        async with database.sessionmaker() as session:
            await personal_token_service.record_use(session, cache, caller)
            await commit(session)
    except Exception as exc:  # bookkeeping only: it never fails the request
        log.warning("personal_token_use_not_recorded", error=type(exc).__name__)


async def get_tenant(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Tenant:
    """Anyone who works inside a tenant: owners and sub-users. Admins read no tenant's money."""
    principal = await get_current_principal(request, token)
    if principal.role is Role.admin:
        raise AdminOnly("Administrators have no access to tenant data")
    return principal


async def require_owner(tenant: Annotated[Tenant, Depends(get_tenant)]) -> Tenant:
    """The tenant's owner (personal or business user); sub-users may not."""
    if not tenant.is_owner:
        raise OwnerOnly()
    return tenant


async def require_business_owner(tenant: Annotated[Tenant, Depends(require_owner)]) -> Tenant:
    """The owner of a business tenant: the one who manages its sub-users."""
    if tenant.role is not Role.business:
        raise BusinessOnly()
    return tenant


async def require_admin(principal: Annotated[Tenant, Depends(get_current_principal)]) -> Tenant:
    if principal.role is not Role.admin:
        raise AdminOnly()
    return principal


async def require_signed_in_user(request: Request, tenant: Annotated[Tenant, Depends(get_tenant)]) -> Tenant:
    """A user signed in with its password (an access token), not a script holding a personal access token:
    such a token cannot make or see others. Not an administrator either (`get_tenant`): a long-lived token
    able to deactivate any user has no place in a script."""
    if getattr(request.state, "personal_token_id", None) is not None:
        raise PersonalTokenNotAllowed()
    return tenant


Principal = Annotated[Tenant, Depends(get_current_principal)]
TenantCtx = Annotated[Tenant, Depends(get_tenant)]
OwnerCtx = Annotated[Tenant, Depends(require_owner)]
AdminCtx = Annotated[Tenant, Depends(require_admin)]
BusinessOwnerCtx = Annotated[Tenant, Depends(require_business_owner)]
SignedInCtx = Annotated[Tenant, Depends(require_signed_in_user)]


# ---- what authenticating may answer, in the OpenAPI schema ----

CALLER_ERRORS = (NotAuthenticated, TokenExpired, TokenRevoked)
_CODES = "Error codes: "


def document_caller_errors(router: APIRouter) -> None:
    """Say on every route of `router` behind the bearer token what authenticating may answer: 401 for a token
    missing, invalid, expired or revoked, and for a write 403 (a personal access token without `write`).
    Idempotent, as the routers it changes are module-level and the tests build many apps."""
    for route in router.routes:
        if isinstance(route, APIRoute) and _authenticates(route.dependant):
            errors = CALLER_ERRORS if (route.methods or set()) <= READ_METHODS else (*CALLER_ERRORS, ReadOnlyToken)
            for status, entry in error_responses(*errors, validates_input=False).items():
                route.responses[status] = _with_codes(route.responses.get(status), entry)


def _authenticates(dependant: Dependant) -> bool:
    return any(sub.call in (get_current_principal, get_tenant) or _authenticates(sub)
               for sub in dependant.dependencies)


def _with_codes(documented: dict[str, Any] | None, added: dict[str, Any]) -> dict[str, Any]:
    """A route's documented error status with the codes of `added` too (one written in other words stays)."""
    if documented is None:
        return added
    description = str(documented.get("description", ""))
    if not description.startswith(_CODES):
        return documented
    codes = {*description.removeprefix(_CODES).split(", "), *str(added["description"]).removeprefix(_CODES).split(", ")}
    return {**documented, "description": _CODES + ", ".join(sorted(codes))}
