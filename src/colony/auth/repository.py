"""SQL over refresh and password-reset tokens (single use is enforced by conditional UPDATEs) and over the
failed-login counts."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, delete, select, update

from colony.auth.models import LoginFailure, PasswordResetToken, RefreshToken
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


class LoginFailureRepository(Repository[LoginFailure]):
    model = LoginFailure

    async def get(self, key: str) -> LoginFailure | None:
        return await self.session.get(LoginFailure, key)

    async def count_failure(self, key: str, now: datetime, counted_since: datetime) -> int:
        """One more failure for `key`, in one statement, so concurrent attempts are all counted; the new
        count. A failure after a quiet spell (none since `counted_since`) starts a new count."""
        upsert = self._insert().values(key=key, failures=1, last_failed_at=now).on_conflict_do_update(
            index_elements=[LoginFailure.key], set_={
                "failures": case((LoginFailure.last_failed_at < counted_since, 1), else_=LoginFailure.failures + 1),
                "last_failed_at": now,
            })
        result = await self.session.execute(upsert.returning(LoginFailure.failures))
        return int(result.scalar_one())

    async def lock(self, key: str, until: datetime) -> None:
        """Lock the pair and start its next count from zero."""
        await self.session.execute(
            update(LoginFailure).where(LoginFailure.key == key).values(failures=0, locked_until=until)
            .execution_options(synchronize_session=False)
        )

    async def forget(self, key: str) -> None:
        await self.session.execute(delete(LoginFailure).where(LoginFailure.key == key)
                                   .execution_options(synchronize_session=False))

    async def delete_older_than(self, moment: datetime) -> int:
        """Rows whose last failure is before `moment`; how many."""
        result = await self.session.execute(delete(LoginFailure).where(LoginFailure.last_failed_at < moment)
                                            .execution_options(synchronize_session=False))
        return rowcount(result)
