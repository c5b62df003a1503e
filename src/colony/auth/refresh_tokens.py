"""Opaque refresh tokens with rotation and reuse detection."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from colony.auth.errors import TokenRevoked
from colony.auth.models import RefreshToken
from colony.auth.repository import RefreshTokenRepository
from colony.core.clock import utcnow
from colony.core.tokens import hash_token, new_opaque_token
from colony.users.errors import NotAuthenticated, TokenExpired


async def issue(session: AsyncSession, user_id: uuid.UUID, days: int, family_id: uuid.UUID | None = None) -> str:
    """A new refresh token: the first of a new chain, or the next link of `family_id`."""
    token = new_opaque_token()
    await RefreshTokenRepository(session).add(RefreshToken(
        user_id=user_id, family_id=family_id or uuid.uuid4(), token_hash=hash_token(token),
        expires_at=utcnow() + timedelta(days=days),
    ))
    return token


@dataclass(frozen=True, slots=True)
class Rotation:
    """What presenting a refresh token led to: the claimed link, or an error to raise after the commit.

    A replayed token revokes its chain, and that revocation must be committed even though the request
    fails, so the error is returned rather than raised.
    """

    token: RefreshToken | None = None
    error: NotAuthenticated | TokenExpired | TokenRevoked | None = None


async def claim(session: AsyncSession, token: str) -> Rotation:
    """Use up `token` once. A token presented again revokes its whole chain (it was stolen, or replayed)."""
    repository = RefreshTokenRepository(session)
    stored = await repository.by_hash(hash_token(token))
    if stored is None:
        return Rotation(error=NotAuthenticated("Invalid refresh token"))
    now = utcnow()
    if stored.revoked_at is not None or stored.used_at is not None or not await repository.mark_used(stored.id, now):
        await repository.revoke_family(stored.family_id, now)
        return Rotation(error=TokenRevoked())
    if stored.expires_at <= now:
        return Rotation(error=TokenExpired("The refresh token has expired"))
    return Rotation(token=stored)


async def revoke_chain(session: AsyncSession, token: str) -> None:
    """Log out: the chain `token` belongs to stops working. An unknown token is already no session."""
    repository = RefreshTokenRepository(session)
    stored = await repository.by_hash(hash_token(token))
    if stored is not None:
        await repository.revoke_family(stored.family_id, utcnow())


async def revoke_all(session: AsyncSession, user_ids: Sequence[uuid.UUID]) -> None:
    """Every chain of these users ends (a password change, a deactivation: `users.DEACTIVATED`)."""
    await RefreshTokenRepository(session).revoke_all_of_users(user_ids, utcnow())
