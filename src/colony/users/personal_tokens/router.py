"""/users/me/tokens: personal access tokens, for scripts that should not hold a password."""

import uuid

from fastapi import APIRouter, Depends, Response

from colony.core.db import commit
from colony.core.deps import CacheDep, PageDep, SessionDep, no_store
from colony.core.openapi import NO_STORE_HEADERS, error_responses
from colony.core.schemas import Page
from colony.users.deps import SignedInCtx
from colony.users.errors import AdminOnly, NotAuthenticated, PersonalTokenNotAllowed, TokenExpired, TokenRevoked
from colony.users.personal_tokens import service
from colony.users.personal_tokens.errors import PersonalTokenNotFound
from colony.users.personal_tokens.schemas import PersonalTokenCreate, PersonalTokenCreated, PersonalTokenRead

router = APIRouter(prefix="/users/me/tokens", tags=["users"])
_caller_errors = (NotAuthenticated, TokenExpired, TokenRevoked, PersonalTokenNotAllowed, AdminOnly)


@router.post("", status_code=201, response_model=PersonalTokenCreated, dependencies=[Depends(no_store)],
             responses={201: NO_STORE_HEADERS, **error_responses(*_caller_errors)})
async def create_personal_token(body: PersonalTokenCreate, user: SignedInCtx, session: SessionDep
                                ) -> PersonalTokenCreated:
    """A token for `Authorization: Bearer`, shown in this answer only. It acts as its user, within its
    scopes: a `read` token answers 403 to anything but GET, HEAD and OPTIONS. It ends when deleted, when it
    expires, and with every other token of its user on a password change or reset and on deactivation.
    Tokens are managed when signed in with a password (not with a personal access token); administrators
    have none."""
    created = await service.create(session, user.user_id, body)
    await commit(session)
    return created


@router.get("", response_model=Page[PersonalTokenRead], responses=error_responses(*_caller_errors))
async def list_personal_tokens(user: SignedInCtx, session: SessionDep, page: PageDep) -> Page[PersonalTokenRead]:
    """The caller's tokens, newest first (never the tokens themselves)."""
    return await service.list_tokens(session, user.user_id, page)


@router.get("/{token_id}", response_model=PersonalTokenRead,
            responses=error_responses(*_caller_errors, PersonalTokenNotFound))
async def get_personal_token(token_id: uuid.UUID, user: SignedInCtx, session: SessionDep) -> PersonalTokenRead:
    return await service.get(session, user.user_id, token_id)


@router.delete("/{token_id}", status_code=204, response_class=Response,
               responses=error_responses(*_caller_errors, PersonalTokenNotFound))
async def delete_personal_token(token_id: uuid.UUID, user: SignedInCtx, session: SessionDep,
                                cache: CacheDep) -> None:
    """Delete a token: it stops working at once, on every instance."""
    await service.delete(session, cache, user.user_id, token_id)
    await commit(session)
