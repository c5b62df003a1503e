"""SQL over refresh and password-reset tokens. Single use is enforced by conditional UPDATEs."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from colony.auth.models import PasswordResetToken, RefreshToken
from colony.core.repository import Repository, rowcount


class RefreshTokenRepository(Repository[RefreshToken]):
    model = RefreshToken

    async def by_hash(self, token_hash: str) -> RefreshToken | None:
        result = await self.session.execute(select(RefreshToken).where(RefreshToken.token_hash == token_hash))
        return result.scalar_one_or_none()

    async def mark_used(self, token_id: uuid.UUID, now: datetime) -> bool:
        """Claim the token; False when another request used (or revoked) it first."""
        result = await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None), RefreshToken.revoked_at.is_(None))
            .values(used_at=now).execution_options(synchronize_session=False)
        )
        return rowcount(result) == 1

    async def revoke_family(self, family_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            update(RefreshToken).where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now).execution_options(synchronize_session=False)
        )

    async def revoke_all_of_users(self, user_ids: Sequence[uuid.UUID], now: datetime) -> None:
        await self.session.execute(
            update(RefreshToken).where(RefreshToken.user_id.in_(user_ids), RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now).execution_options(synchronize_session=False)
        )


class PasswordResetTokenRepository(Repository[PasswordResetToken]):
    model = PasswordResetToken

    async def by_hash(self, token_hash: str) -> PasswordResetToken | None:
        result = await self.session.execute(
            select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash))
        return result.scalar_one_or_none()

    async def mark_used(self, token_id: uuid.UUID, now: datetime) -> bool:
        """Claim the token; False when another request used it first."""
        result = await self.session.execute(
            update(PasswordResetToken).where(PasswordResetToken.id == token_id, PasswordResetToken.used_at.is_(None))
            .values(used_at=now).execution_options(synchronize_session=False)
        )
        return rowcount(result) == 1

    async def use_all_of_user(self, user_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            update(PasswordResetToken)
            .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
            .values(used_at=now).execution_options(synchronize_session=False)
        )
