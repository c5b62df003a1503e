"""Users: identity, credentials and profile; and the principal behind a token, with a short cache."""

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import orjson
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from colony.auth import passwords
from colony.auth import refresh_tokens as refresh_token_service
from colony.core.cache import Cache
from colony.core.clock import utcnow
from colony.core.db import Database
from colony.core.schemas import PageParams
from colony.core.tenancy import Role, Tenant
from colony.users.errors import BaseCurrencySetByBusiness, EmailAlreadyRegistered, UserNotFound
from colony.users.models import Credentials, Profile, User
from colony.users.repository import UserRepository
from colony.users.schemas import ProfileUpdate

PRINCIPAL_TTL_SECONDS = 60
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


def normalize_email(email: str) -> str:
    """Emails are unique case-insensitively: stored and looked up in lower case."""
    return email.strip().lower()


def _principal_key(user_id: uuid.UUID) -> str:
    return f"principal:{user_id}"


async def principal_for_request(database: Database, cache: Cache, user_id: uuid.UUID) -> Tenant | None:
    """The principal behind a request's token: from the cache, with a short reader session of its own
    only when it is not cached (so authenticating needs no request session)."""
    cached = await cache.get(_principal_key(user_id))
    if cached is not None:
        return _principal_from_cache(user_id, cached)
    async with database.reader() as session:
        return await load_principal(session, cache, user_id)


async def load_principal(session: AsyncSession, cache: Cache, user_id: uuid.UUID) -> Tenant | None:
    """The active user behind `user_id`, or None. Cached; `forget_principal` drops it on every change."""
    key = _principal_key(user_id)
    cached = await cache.get(key)
    if cached is not None:
        return _principal_from_cache(user_id, cached)
    row = await UserRepository(session).principal_row(user_id)
    principal = None
    if row is not None and row[0].is_active:
        user, base_currency = row
        principal = Tenant(user_id=user.id, tenant_id=user.tenant_id, role=user.role, base_currency=base_currency)
    payload = None if principal is None else {"tenant_id": str(principal.tenant_id), "role": principal.role.value,
                                              "base_currency": principal.base_currency}
    await cache.set(key, orjson.dumps(payload), PRINCIPAL_TTL_SECONDS)
    return principal


def _principal_from_cache(user_id: uuid.UUID, cached: bytes) -> Tenant | None:
    data = orjson.loads(cached)
    if data is None:  # a user known to be gone or deactivated
        return None
    return Tenant(user_id=user_id, tenant_id=uuid.UUID(data["tenant_id"]), role=Role(data["role"]),
                  base_currency=data["base_currency"])


async def forget_principal(cache: Cache, user_id: uuid.UUID) -> None:
    """Call after any change to a user's role, activity or base currency (after the commit)."""
    await cache.delete(_principal_key(user_id))


async def forget_principals(cache: Cache, user_ids: Iterable[uuid.UUID]) -> None:
    for user_id in user_ids:
        await forget_principal(cache, user_id)


async def create_user(session: AsyncSession, *, email: str, password: str, role: Role,
                      tenant_id: uuid.UUID | None = None, base_currency: str = "USD",
                      first_name: str | None = None, last_name: str | None = None) -> User:
    """A user with its credentials and profile. `tenant_id` is the business for a sub-user, else itself."""
    repository = UserRepository(session)
    email = normalize_email(email)
    if await repository.email_taken(email):  # the cheap answer; the unique index settles races below
        raise EmailAlreadyRegistered()
    password_hash = await passwords.hash_password(password)
    user_id = uuid.uuid4()
    user = User(id=user_id, email=email, role=role, is_active=True, tenant_id=tenant_id or user_id)
    user.credentials = Credentials(password_hash=password_hash, algorithm=passwords.ALGORITHM,
                                   failed_attempts=0, password_changed_at=utcnow())
    user.profile = Profile(first_name=first_name, last_name=last_name, base_currency=base_currency)
    try:
        async with session.begin_nested():
            await repository.add(user)
    except IntegrityError as exc:
        if "email" in str(exc.orig).lower():
            raise EmailAlreadyRegistered() from None
        raise
    return user


async def delete_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Remove a user for good; its owned rows go with it (ON DELETE CASCADE)."""
    await UserRepository(session).delete_by_id(user_id)


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    """The user with its profile loaded."""
    user = await UserRepository(session).get_with_profile(user_id)
    if user is None:
        raise UserNotFound()
    return user


async def update_profile(session: AsyncSession, user_id: uuid.UUID, changes: ProfileUpdate
                         ) -> tuple[User, list[uuid.UUID]]:
    """The updated user, and the ids whose cached principal the caller must forget after the commit.

    A tenant has one base currency: a business's change reaches its sub-users, who cannot change it.
    """
    user = await get_user(session, user_id)
    values = changes.model_dump(exclude_unset=True)
    affected = [user.id]
    new_currency = values.get("base_currency")
    if new_currency is not None and new_currency != user.profile.base_currency:
        if user.role is Role.sub_user:
            raise BaseCurrencySetByBusiness()
        if user.role is Role.business:
            repository = UserRepository(session)
            members = await repository.member_ids(user.tenant_id)
            await repository.set_base_currency(members, new_currency)
            affected += members
    for field, value in values.items():
        setattr(user.profile, field, value)
    await session.flush()
    return user, affected


async def deactivate(session: AsyncSession, user: User) -> list[uuid.UUID]:
    """End a user's access: inactive, every refresh chain revoked. A business takes its sub-users along.

    Returns the ids whose cached principal the caller must forget after the commit.
    """
    affected = [user.id]
    user.is_active = False
    if user.role is Role.business:
        affected += await UserRepository(session).deactivate_members(user.tenant_id)
    for user_id in affected:
        await refresh_token_service.revoke_all(session, user_id)
    await session.flush()
    return affected


async def list_users(session: AsyncSession, params: PageParams, *, q: str | None = None,
                     role: Role | None = None, is_active: bool | None = None,
                     tenant_id: uuid.UUID | None = None,
                     exclude_id: uuid.UUID | None = None) -> tuple[Sequence[User], int]:
    return await UserRepository(session).page(params, q=q, role=role, is_active=is_active, tenant_id=tenant_id,
                                              exclude_id=exclude_id)


async def get_member(session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, role: Role) -> User | None:
    """A user of `role` inside `tenant_id`, or None (another tenant's user does not exist for the caller)."""
    return await UserRepository(session).member(tenant_id, user_id, role)


async def has_members(session: AsyncSession, tenant_id: uuid.UUID) -> bool:
    """Whether a tenant has users besides its owner (a business's sub-users, active or not)."""
    return await UserRepository(session).has_members(tenant_id)


# Credentials: looked up for a login, counted on failure, replaced on a password change.

async def find_for_login(session: AsyncSession, email: str) -> User | None:
    """The user behind `email` with its credentials loaded, or None."""
    return await UserRepository(session).with_credentials_by_email(normalize_email(email))


async def find_with_credentials(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await UserRepository(session).with_credentials(user_id)


def locked_until(credentials: Credentials, now: datetime) -> datetime | None:
    if credentials.locked_until is not None and credentials.locked_until > now:
        return credentials.locked_until
    return None


async def record_failed_login(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Count a failed login; the fifth in a row locks the account and starts a new count."""
    repository = UserRepository(session)
    now = utcnow()
    if await repository.count_failed_login(user_id, now) >= MAX_FAILED_LOGINS:
        await repository.update_credentials(user_id, failed_attempts=0, locked_until=now + LOCKOUT)


async def record_successful_login(session: AsyncSession, credentials: Credentials) -> None:
    if credentials.failed_attempts or credentials.locked_until is not None:
        await UserRepository(session).update_credentials(credentials.user_id, failed_attempts=0,
                                                         last_failed_at=None, locked_until=None)


async def set_password(session: AsyncSession, user_id: uuid.UUID, password: str) -> None:
    password_hash = await passwords.hash_password(password)
    await UserRepository(session).update_credentials(
        user_id, password_hash=password_hash, algorithm=passwords.ALGORITHM, password_changed_at=utcnow(),
        failed_attempts=0, locked_until=None)
