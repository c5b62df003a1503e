"""Users: identity, credentials and profile; and the principal behind a token, with a short cache.

Two extension points let later domains take part without this one importing them: a new tenant's
defaults (`TENANT_CREATED`: categories seeds its starter list) and the end of a user's access
(`DEACTIVATED`: auth revokes its refresh chains).
"""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core import passwords
from colony.core.cache import Cache
from colony.core.clock import utcnow
from colony.core.db import Database, after_commit, savepoint
from colony.core.domain import Hooks
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import OWNER_ROLES, Role, Tenant
from colony.users.errors import BaseCurrencySetByBusiness, EmailAlreadyRegistered, UserNotFound
from colony.users.models import Credentials, Profile, User
from colony.users.repository import UserRepository
from colony.users.schemas import AdminUserRead, ProfileUpdate, UserRead

PRINCIPAL_TTL_SECONDS = 60
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)

TENANT_CREATED: Hooks[Callable[[AsyncSession, Tenant], Awaitable[None]]] = Hooks("users.TENANT_CREATED")
"""(session, the new tenant's owner): seed what a new tenant starts with, in its registration's transaction."""
DEACTIVATED: Hooks[Callable[[AsyncSession, Sequence[uuid.UUID]], Awaitable[None]]] = Hooks("users.DEACTIVATED")
"""(session, user ids): end whatever access those users still hold, in the deactivation's transaction."""


def normalize_email(email: str) -> str:
    """Emails are unique case-insensitively: stored and looked up in lower case."""
    return email.strip().lower()


# ---- the principal behind a token ----

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
    """The active user behind `user_id`, or None. Cached; dropped after every change that alters it."""
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


def _forget_principals_after_commit(session: AsyncSession, cache: Cache, user_ids: Sequence[uuid.UUID]) -> None:
    """Their role, activity or base currency changed: the next request loads them anew."""
    async def forget() -> None:
        for user_id in user_ids:
            await cache.delete(_principal_key(user_id))

    after_commit(session, forget)


# ---- accounts ----

async def create_user(session: AsyncSession, *, email: str, password: str, role: Role,
                      tenant_id: uuid.UUID | None = None, base_currency: str = "USD",
                      first_name: str | None = None, last_name: str | None = None) -> UserRead:
    """A user with its credentials and profile. `tenant_id` is the business for a sub-user, else itself;
    an owner's new tenant gets what `TENANT_CREATED` seeds."""
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
    async with savepoint(session, EmailAlreadyRegistered):
        session.add(user)
    if role in OWNER_ROLES:
        owner = Tenant(user_id=user.id, tenant_id=user.tenant_id, role=role, base_currency=base_currency)
        for seed in TENANT_CREATED:
            await seed(session, owner)
    return UserRead.of(user)


async def delete_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Remove a user for good; its owned rows go with it (ON DELETE CASCADE)."""
    await UserRepository(session).delete_by_id(user_id)


async def _user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await UserRepository(session).get_with_profile(user_id)
    if user is None:
        raise UserNotFound()
    return user


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> UserRead:
    return UserRead.of(await _user(session, user_id))


async def get_account(session: AsyncSession, user_id: uuid.UUID) -> AdminUserRead:
    return AdminUserRead.of(await _user(session, user_id))


async def update_profile(session: AsyncSession, cache: Cache, user_id: uuid.UUID, changes: ProfileUpdate) -> UserRead:
    """Change the fields sent. A tenant has one base currency: a business's change reaches its sub-users,
    who cannot change it."""
    user = await _user(session, user_id)
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
    _forget_principals_after_commit(session, cache, affected)
    return UserRead.of(user)


async def deactivate(session: AsyncSession, cache: Cache, user_id: uuid.UUID) -> None:
    """End a user's access: inactive, and whatever `DEACTIVATED` ends. A business takes its sub-users along."""
    user = await _user(session, user_id)
    affected = [user.id]
    user.is_active = False
    if user.role is Role.business:
        affected += await UserRepository(session).deactivate_members(user.tenant_id)
    await session.flush()
    for end_access in DEACTIVATED:
        await end_access(session, affected)
    _forget_principals_after_commit(session, cache, affected)


async def reactivate(session: AsyncSession, cache: Cache, user_id: uuid.UUID) -> None:
    user = await _user(session, user_id)
    user.is_active = True
    await session.flush()
    _forget_principals_after_commit(session, cache, [user.id])


async def set_role(session: AsyncSession, cache: Cache, user_id: uuid.UUID, role: Role) -> None:
    user = await _user(session, user_id)
    user.role = role
    await session.flush()
    _forget_principals_after_commit(session, cache, [user.id])


async def list_accounts(session: AsyncSession, params: PageParams, *, q: str | None = None,
                        role: Role | None = None, is_active: bool | None = None,
                        tenant_id: uuid.UUID | None = None) -> Page[AdminUserRead]:
    users, total = await UserRepository(session).search(params, q=q, role=role, is_active=is_active,
                                                      tenant_id=tenant_id)
    return Page[AdminUserRead].build([AdminUserRead.of(user) for user in users], total, params)


async def is_member(session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID, role: Role) -> bool:
    """Whether `user_id` is a user of `role` inside `tenant_id` (another tenant's user is not)."""
    return await UserRepository(session).is_member(tenant_id, user_id, role)


async def has_members(session: AsyncSession, tenant_id: uuid.UUID) -> bool:
    """Whether a tenant has users besides its owner (a business's sub-users, active or not)."""
    return await UserRepository(session).has_members(tenant_id)


# ---- credentials: looked up for a login, counted on failure, replaced on a password change ----

@dataclass(frozen=True, slots=True)
class LoginAccount:
    """What checking a password needs to know of a user (the hash never leaves the identity domains)."""

    user_id: uuid.UUID
    email: str
    is_active: bool
    password_hash: str
    failed_attempts: int
    locked_until: datetime | None

    @classmethod
    def of(cls, user: User) -> "LoginAccount":
        credentials = user.credentials
        return cls(user.id, user.email, user.is_active, credentials.password_hash, credentials.failed_attempts,
                   credentials.locked_until)


async def login_account(session: AsyncSession, *, email: str | None = None,
                        user_id: uuid.UUID | None = None) -> LoginAccount | None:
    """The account behind an email (or an id), or None."""
    user = await UserRepository(session).with_credentials(
        user_id=user_id, email=normalize_email(email) if email is not None else None)
    return LoginAccount.of(user) if user is not None else None


def locked_until(account: LoginAccount, now: datetime) -> datetime | None:
    if account.locked_until is not None and account.locked_until > now:
        return account.locked_until
    return None


async def record_failed_login(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Count a failed login; the fifth in a row locks the account and starts a new count."""
    repository = UserRepository(session)
    now = utcnow()
    if await repository.count_failed_login(user_id, now) >= MAX_FAILED_LOGINS:
        await repository.update_credentials(user_id, failed_attempts=0, locked_until=now + LOCKOUT)


async def record_successful_login(session: AsyncSession, account: LoginAccount) -> None:
    if account.failed_attempts or account.locked_until is not None:
        await UserRepository(session).update_credentials(account.user_id, failed_attempts=0,
                                                         last_failed_at=None, locked_until=None)


async def set_password(session: AsyncSession, user_id: uuid.UUID, password: str) -> None:
    password_hash = await passwords.hash_password(password)
    await UserRepository(session).update_credentials(
        user_id, password_hash=password_hash, algorithm=passwords.ALGORITHM, password_changed_at=utcnow(),
        failed_attempts=0, locked_until=None)
