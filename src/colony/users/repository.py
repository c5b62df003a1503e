"""SQL over users, their credentials and profiles, and what ends their tokens (not tenant-owned: identity itself)."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, String, delete, exists, func, literal, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload

from colony.core.repository import Repository, contains_pattern, rowcount
from colony.core.schemas import PageParams
from colony.core.tenancy import Role
from colony.core.types import UTCDateTime
from colony.users.models import Credentials, PersonalAccessToken, Profile, RevokedAccessToken, User

AnyRow = Row[*tuple[Any, ...]]  # a row of columns, read by name
_ACCOUNT_COLUMNS = (User.tenant_id, User.role, User.is_active, User.tokens_valid_after, Profile.base_currency)


class UserRepository(Repository[User]):
    model = User

    async def delete_by_id(self, user_id: uuid.UUID) -> None:
        """A Core DELETE: the database cascades to everything the user owns."""
        await self.session.execute(delete(User).where(User.id == user_id).execution_options(synchronize_session=False))

    async def principal_row(self, user_id: uuid.UUID) -> tuple[User, str] | None:
        """The user and its base currency: all an authenticated request needs to know."""
        row = (await self.session.execute(
            select(User, Profile.base_currency).join(Profile, Profile.user_id == User.id)
            .where(User.id == user_id)
        )).first()
        return (row[0], row[1]) if row else None

    async def access_token_state(self, user_id: uuid.UUID, jti: str) -> AnyRow | None:
        """What deciding on an access token needs, in one statement (primary-key lookups): the user's
        tenant_id, role, is_active, tokens_valid_after and base_currency, and whether `jti` was revoked."""
        revoked = select(RevokedAccessToken.jti).where(RevokedAccessToken.jti == jti).exists()
        return (await self.session.execute(
            select(*_ACCOUNT_COLUMNS, revoked.label("revoked")).join(Profile, Profile.user_id == User.id)
            .where(User.id == user_id)
        )).first()

    async def personal_token_state(self, token_hash: str) -> AnyRow | None:
        """The personal access token with this hash (id, user_id, scopes, created_at, expires_at,
        last_used_at) and its user's columns as in `access_token_state`, in one statement."""
        return (await self.session.execute(
            select(PersonalAccessToken.id, PersonalAccessToken.user_id, PersonalAccessToken.scopes,
                   PersonalAccessToken.created_at, PersonalAccessToken.expires_at, PersonalAccessToken.last_used_at,
                   *_ACCOUNT_COLUMNS)
            .join(User, User.id == PersonalAccessToken.user_id).join(Profile, Profile.user_id == User.id)
            .where(PersonalAccessToken.token_hash == token_hash)
        )).first()

    async def end_tokens(self, user_ids: Sequence[uuid.UUID], now: datetime) -> None:
        """Every token these users hold stops working: access tokens issued before `now`, and their
        personal access tokens (deleted)."""
        await self.session.execute(update(User).where(User.id.in_(user_ids)).values(tokens_valid_after=now)
                                   .execution_options(synchronize_session=False))
        await self.session.execute(delete(PersonalAccessToken).where(PersonalAccessToken.user_id.in_(user_ids))
                                   .execution_options(synchronize_session=False))

    @staticmethod
    def _with_profile() -> Select[User]:
        return select(User).options(joinedload(User.profile))

    async def get_with_profile(self, user_id: uuid.UUID) -> User | None:
        return (await self.session.execute(self._with_profile().where(User.id == user_id))).scalar_one_or_none()

    async def email_taken(self, email: str) -> bool:
        return bool((await self.session.execute(select(exists().where(User.email == email)))).scalar())

    async def with_credentials(self, *, user_id: uuid.UUID | None = None, email: str | None = None) -> User | None:
        statement = select(User).options(joinedload(User.credentials))
        statement = statement.where(User.id == user_id) if user_id is not None else statement.where(User.email == email)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def update_credentials(self, user_id: uuid.UUID, **values: object) -> None:
        await self.session.execute(update(Credentials).where(Credentials.user_id == user_id).values(**values)
                                   .execution_options(synchronize_session=False))

    async def search(self, params: PageParams, *, q: str | None = None, role: Role | None = None,
                   is_active: bool | None = None, tenant_id: uuid.UUID | None = None,
                   exclude_id: uuid.UUID | None = None) -> tuple[Sequence[User], int]:
        statement = select(User).join(User.profile).options(contains_eager(User.profile))
        if q:
            pattern = contains_pattern(q.lower())
            statement = statement.where(or_(
                User.email.like(pattern, escape="\\"),
                func.lower(Profile.first_name).like(pattern, escape="\\"),
                func.lower(Profile.last_name).like(pattern, escape="\\"),
                func.lower(func.coalesce(Profile.first_name, "") + " " + func.coalesce(Profile.last_name, ""))
                .like(pattern, escape="\\"),
            ))
        if role is not None:
            statement = statement.where(User.role == role)
        if is_active is not None:
            statement = statement.where(User.is_active == is_active)
        if tenant_id is not None:
            statement = statement.where(User.tenant_id == tenant_id)
        if exclude_id is not None:
            statement = statement.where(User.id != exclude_id)
        return await self.page(statement.order_by(User.created_at, User.id), params)

    async def is_member(self, tenant_id: uuid.UUID, user_id: uuid.UUID, role: Role) -> bool:
        statement = select(exists().where(User.id == user_id, User.tenant_id == tenant_id, User.role == role))
        return bool((await self.session.execute(statement)).scalar())

    async def has_members(self, tenant_id: uuid.UUID) -> bool:
        statement = select(exists().where(User.tenant_id == tenant_id, User.id != tenant_id))
        return bool((await self.session.execute(statement)).scalar())

    async def member_ids(self, tenant_id: uuid.UUID) -> list[uuid.UUID]:
        statement = select(User.id).where(User.tenant_id == tenant_id, User.id != tenant_id)
        return list((await self.session.execute(statement)).scalars())

    async def set_base_currency(self, user_ids: Sequence[uuid.UUID], base_currency: str) -> None:
        await self.session.execute(update(Profile).where(Profile.user_id.in_(user_ids))
                                   .values(base_currency=base_currency).execution_options(synchronize_session=False))

    async def deactivate_members(self, tenant_id: uuid.UUID) -> list[uuid.UUID]:
        """Deactivate the other users of a tenant (a business's sub-users); their ids."""
        result = await self.session.execute(
            update(User).where(User.tenant_id == tenant_id, User.id != tenant_id, User.is_active.is_(True))
            .values(is_active=False).returning(User.id).execution_options(synchronize_session=False)
        )
        return list(result.scalars())


class RevokedAccessTokenRepository(Repository[RevokedAccessToken]):
    model = RevokedAccessToken

    async def revoke(self, jti: str, user_id: uuid.UUID, expires_at: datetime) -> None:
        """Revoke an access token of an existing user (again, or for a deleted user, is a no-op)."""
        of_user = select(literal(jti, String()), User.id, literal(expires_at, UTCDateTime())).where(User.id == user_id)
        await self.session.execute(self._insert().from_select(["jti", "user_id", "expires_at"], of_user)
                                   .on_conflict_do_nothing())

    async def delete_expired(self, now: datetime) -> int:
        """Revocations of tokens that have expired since (they are refused as expired anyway); how many."""
        return rowcount(await self.session.execute(
            delete(RevokedAccessToken).where(RevokedAccessToken.expires_at <= now)
            .execution_options(synchronize_session=False)))
