"""Who is calling: the principal behind the bearer token, and one dependency per permission."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from colony.core import tokens
from colony.core.tenancy import Role, Tenant
from colony.users import service as user_service
from colony.users.errors import AdminOnly, BusinessOnly, NotAuthenticated, OwnerOnly, TokenExpired

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def get_current_principal(request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]) -> Tenant:
    """The caller behind the bearer token. Its one sub-dependency documents the scheme in OpenAPI; every
    dependency costs on each request, so the chain behind an authenticated route stays this short."""
    if not token:
        raise NotAuthenticated()
    try:
        claims = tokens.decode_access_token(token, request.app.state.settings.signing_key)
    except tokens.TokenExpired:
        raise TokenExpired() from None
    except tokens.TokenInvalid:
        raise NotAuthenticated("Invalid token") from None
    state = request.app.state
    principal = await user_service.principal_for_request(state.database, state.cache, claims.user_id)
    if principal is None:  # deleted or deactivated: its tokens stop working at once
        raise NotAuthenticated("Invalid token")
    request.state.user_id = str(principal.user_id)  # for the request log line
    return principal


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


Principal = Annotated[Tenant, Depends(get_current_principal)]
TenantCtx = Annotated[Tenant, Depends(get_tenant)]
OwnerCtx = Annotated[Tenant, Depends(require_owner)]
AdminCtx = Annotated[Tenant, Depends(require_admin)]
BusinessOwnerCtx = Annotated[Tenant, Depends(require_business_owner)]
