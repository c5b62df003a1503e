"""Personal access tokens: made, listed and deleted by their user; checked on use by `users.service`."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from colony.core import tokens
from colony.core.cache import Cache
from colony.core.clock import utcnow
from colony.core.db import after_commit
from colony.core.schemas import Page, PageParams
from colony.users import service as user_service
from colony.users.models import PersonalAccessToken
from colony.users.personal_tokens.errors import PersonalTokenNotFound
from colony.users.personal_tokens.repository import PersonalAccessTokenRepository
from colony.users.personal_tokens.schemas import PersonalTokenCreate, PersonalTokenCreated, PersonalTokenRead


async def create(session: AsyncSession, user_id: uuid.UUID, data: PersonalTokenCreate) -> PersonalTokenCreated:
    """A new token; the answer is the only time the token itself is seen (only its sha256 is kept)."""
    token = tokens.new_personal_token()
    row = await PersonalAccessTokenRepository(session, user_id).add(PersonalAccessToken(
        user_id=user_id, name=data.name, token_hash=tokens.hash_token(token), scopes=" ".join(data.scopes),
        created_at=utcnow(), expires_at=data.expires_at,
    ))
    return PersonalTokenCreated(**PersonalTokenRead.of(row).model_dump(), token=token)


async def list_tokens(session: AsyncSession, user_id: uuid.UUID, params: PageParams) -> Page[PersonalTokenRead]:
    rows, total = await PersonalAccessTokenRepository(session, user_id).newest_first(params)
    return Page[PersonalTokenRead].build([PersonalTokenRead.of(row) for row in rows], total, params)


async def get(session: AsyncSession, user_id: uuid.UUID, token_id: uuid.UUID) -> PersonalTokenRead:
    row = await PersonalAccessTokenRepository(session, user_id).get(token_id)
    if row is None:
        raise PersonalTokenNotFound()
    return PersonalTokenRead.of(row)


async def delete(session: AsyncSession, cache: Cache, user_id: uuid.UUID, token_id: uuid.UUID) -> None:
    """Delete a token: refused on every instance from the commit on."""
    repository = PersonalAccessTokenRepository(session, user_id)
    row = await repository.get(token_id)
    if row is None:
        raise PersonalTokenNotFound()
    await repository.delete(row)
    user_service.invalidate_personal_token_after_commit(session, cache, row.token_hash)


async def record_use(session: AsyncSession, cache: Cache, caller: user_service.PersonalTokenCaller) -> None:
    """Move the token's last_used_at to now (see `PersonalTokenCaller.use_to_record`)."""
    now = utcnow()
    await PersonalAccessTokenRepository(session, caller.principal.user_id).touch(
        caller.token_id, now, unless_since=now - user_service.LAST_USE_RESOLUTION)

    async def forget_cached() -> None:  # the next use reads the new last_used_at
        await user_service.forget_personal_token(cache, caller.token_hash)

    after_commit(session, forget_cached)
