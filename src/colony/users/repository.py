"""SQL over users and their credentials and profiles (not tenant-owned: identity itself)."""

import uuid

from sqlalchemy import select

from colony.core.repository import Repository
from colony.users.models import Profile, User


class UserRepository(Repository[User]):
    model = User

    async def get(self, user_id: uuid.UUID) -> User | None:
        return await self.session.get(User, user_id)

    async def principal_row(self, user_id: uuid.UUID) -> tuple[User, str] | None:
        """The user and its base currency: all an authenticated request needs to know."""
        row = (await self.session.execute(
            select(User, Profile.base_currency).join(Profile, Profile.user_id == User.id)
            .where(User.id == user_id)
        )).first()
        return (row[0], row[1]) if row else None
