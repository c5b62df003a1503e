"""Who looks at a page: the signed-in person as the API knows them (principal, profile, how they read numbers
and dates), and the CSRF check of every request that changes something.

Pages run under the same `Tenant` as the API, so the services apply the same tenancy and the same roles:
a sub-user reads everything of its business and writes transactions; the owner's writes need `OwnerForm`.
Only requests that change something (POST) are checked for a CSRF token: a GET changes nothing, and another
site cannot read what it answers.
"""

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from colony.core.db import Database
from colony.core.tenancy import Role, Tenant
from colony.users import service as user_service
from colony.users.errors import AdminOnly, OwnerOnly
from colony.users.schemas import UserRead
from colony.webapp import csrf, signin
from colony.webapp.errors import CsrfTokenInvalid
from colony.webapp.formatting import Formatter

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person looking at a page."""

    tenant: Tenant
    user: UserRead
    fmt: Formatter
    csrf_token: str  # for the page's forms and its htmx requests
    assistant_enabled: bool  # a model is configured: the assistant's page is in the menu

    @property
    def is_owner(self) -> bool:
        """Whether they may make the owner's writes (budgets, goals, cycles); a sub-user may not."""
        return self.tenant.is_owner


def _secret(request: Request) -> str:
    key: str = request.app.state.settings.signing_key
    return key


async def get_viewer(request: Request) -> Viewer:
    """Read in a short session of its own, as the principal is: a page that waits on something else (the
    assistant's model) holds no connection meanwhile, and a form's transaction starts with its own work."""
    tenant = await signin.principal(request)
    if tenant.role is Role.admin:
        raise AdminOnly("Administrators have no access to tenant data")
    database: Database = request.app.state.database
    async with database.reader() as session:
        user = await user_service.get_user(session, tenant.user_id)
    token = csrf.token(_secret(request), signin.csrf_nonce(request), tenant.user_id)
    return Viewer(tenant=tenant, user=user, fmt=Formatter.of(user.locale, user.timezone, tenant.base_currency),
                  csrf_token=token, assistant_enabled=request.app.state.settings.assistant_configured)


async def check_csrf(request: Request, user_id: uuid.UUID | None) -> None:
    """The request's token (the `X-CSRF-Token` header, else the form's `csrf_token`) matches the browser's
    nonce and the signed-in user (None: the sign-in and registration forms), or 403."""
    given = request.headers.get(csrf.HEADER)
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if given is None and content_type in FORM_TYPES:
        value = (await request.form()).get(csrf.FIELD)
        given = value if isinstance(value, str) else None
    if not csrf.is_valid(_secret(request), request.cookies.get(signin.NONCE_COOKIE), user_id, given):
        raise CsrfTokenInvalid()


async def get_form_viewer(request: Request, viewer: Annotated[Viewer, Depends(get_viewer)]) -> Viewer:
    """The signed-in person sending a form (or an htmx request that changes something) with a valid token."""
    await check_csrf(request, viewer.tenant.user_id)
    return viewer


async def get_owner_form_viewer(viewer: Annotated[Viewer, Depends(get_form_viewer)]) -> Viewer:
    """The same, for the tenant owner's writes (403 for a sub-user, as the API)."""
    if not viewer.is_owner:
        raise OwnerOnly()
    return viewer


async def visitor_csrf_token(request: Request) -> str:
    """The token of the forms a visitor fills in before signing in."""
    return csrf.token(_secret(request), signin.csrf_nonce(request), None)


async def check_visitor_form(request: Request) -> None:
    await check_csrf(request, None)


ViewerDep = Annotated[Viewer, Depends(get_viewer)]
FormViewer = Annotated[Viewer, Depends(get_form_viewer)]
OwnerForm = Annotated[Viewer, Depends(get_owner_form_viewer)]
VisitorToken = Annotated[str, Depends(visitor_csrf_token)]
