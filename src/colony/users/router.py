"""/users/me: the signed-in user's own account."""

from fastapi import APIRouter, Response

from colony.core.db import commit
from colony.core.deps import CacheDep, SessionDep
from colony.core.openapi import error_responses
from colony.users import service as user_service
from colony.users.deps import Principal
from colony.users.errors import BaseCurrencySetByBusiness, NotAuthenticated, TokenExpired
from colony.users.schemas import ProfileUpdate, UserRead

router = APIRouter(prefix="/users", tags=["users"])
_auth_errors = (NotAuthenticated, TokenExpired)


@router.get("/me", response_model=UserRead, responses=error_responses(*_auth_errors))
async def read_me(principal: Principal, session: SessionDep) -> UserRead:
    return await user_service.get_user(session, principal.user_id)


@router.patch("/me", response_model=UserRead,
              responses=error_responses(*_auth_errors, BaseCurrencySetByBusiness))
async def update_me(body: ProfileUpdate, principal: Principal, session: SessionDep, cache: CacheDep) -> UserRead:
    """Change profile fields; only those sent change. A business's base currency applies to its sub-users."""
    user = await user_service.update_profile(session, cache, principal.user_id, body)
    await commit(session)
    return user


@router.delete("/me", status_code=204, response_class=Response, responses=error_responses(*_auth_errors))
async def deactivate_me(principal: Principal, session: SessionDep, cache: CacheDep) -> None:
    """Deactivate the account: every token stops working at once. A business's sub-users go with it."""
    await user_service.deactivate(session, cache, principal.user_id)
    await commit(session)
