"""SQL over personal access tokens, always within one user's own."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.repository import Repository
from colony.core.schemas import PageParams
from colony.users.models import PersonalAccessToken


class PersonalAccessTokenRepository(Repository[PersonalAccessToken]):
    """One user's tokens: every statement filters by that user, so another user's token does not exist."""

    model = PersonalAccessToken

    def __init__(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        super().__init__(session)
        self.user_id = user_id

    def _everything(self) -> Select[PersonalAccessToken]:
        return select(PersonalAccessToken).where(PersonalAccessToken.user_id == self.user_id)

    async def get(self, token_id: uuid.UUID) -> PersonalAccessToken | None:
        statement = self._everything().where(PersonalAccessToken.id == token_id)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def newest_first(self, params: PageParams) -> tuple[Sequence[PersonalAccessToken], int]:
        statement = self._everything().order_by(PersonalAccessToken.created_at.desc(), PersonalAccessToken.id)
        return await self.page(statement, params)

    async def touch(self, token_id: uuid.UUID, now: datetime, *, unless_since: datetime) -> None:
        """Stamp a use, unless one was stamped since `unless_since` (concurrent requests write it once)."""
        await self.session.execute(
            update(PersonalAccessToken)
            .where(PersonalAccessToken.id == token_id, PersonalAccessToken.user_id == self.user_id,
                   or_(PersonalAccessToken.last_used_at.is_(None), PersonalAccessToken.last_used_at < unless_since))
            .values(last_used_at=now).execution_options(synchronize_session=False)
        )
