"""Users: identity, credentials and profile; and the principal behind a token, checked on every request.

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

from colony.core import passwords, tokens
from colony.core.cache import Cache, RedisCache
from colony.core.clock import utcnow
from colony.core.db import Database, after_commit, savepoint
from colony.core.domain import Hooks
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import OWNER_ROLES, Role, Tenant
from colony.users.errors import (
    BaseCurrencySetByBusiness,
    EmailAlreadyRegistered,
    NotAuthenticated,
    TokenExpired,
    TokenRevoked,
    UserNotFound,
)
from colony.users.models import Credentials, Profile, User
from colony.users.repository import AnyRow, RevokedAccessTokenRepository, UserRepository
from colony.users.schemas import AdminUserRead, ProfileUpdate, UserRead

TENANT_CREATED: Hooks[Callable[[AsyncSession, Tenant], Awaitable[None]]] = Hooks("users.TENANT_CREATED")
"""(session, the new tenant's owner): seed what a new tenant starts with, in its registration's transaction."""
DEACTIVATED: Hooks[Callable[[AsyncSession, Sequence[uuid.UUID]], Awaitable[None]]] = Hooks("users.DEACTIVATED")
"""(session, user ids): end whatever access those users still hold, in the deactivation's transaction."""


def normalize_email(email: str) -> str:
    """Emails are unique case-insensitively: stored and looked up in lower case."""
    return email.strip().lower()


# ---- the principal behind a token ----
#
# Every authenticated request checks its token against the database, the source of truth: the user is
# still active, the token was not revoked (a logout) nor issued before `tokens_valid_after` (a password
# change or reset, a deactivation). That is one statement of primary-key lookups. With Redis, the instances
# share what they read for AUTH_CACHE_SECONDS, and every change invalidates it there once committed (a
# reader that loaded the old state cannot put it back: core/cache.py). Without Redis nothing is cached: a
# copy in one process would let the other workers accept a token that a change has just ended.

AUTH_CACHE_SECONDS = 60
INVALIDATION_SECONDS = 10  # far longer than a reader takes between loading a state and adding it to the cache
LAST_USE_RESOLUTION = timedelta(minutes=1)  # a personal access token's last_used_at is written at most this often


@dataclass(frozen=True, slots=True)
class _Account:
    """A user as its tokens see it."""

    tenant_id: uuid.UUID
    role: Role
    base_currency: str
    is_active: bool
    tokens_valid_after: datetime | None

    @classmethod
    def of(cls, row: AnyRow) -> "_Account":
        return cls(row.tenant_id, row.role, row.base_currency, row.is_active, row.tokens_valid_after)

    def encode(self) -> bytes:
        return orjson.dumps([str(self.tenant_id), self.role.value, self.base_currency, self.is_active,
                             self.tokens_valid_after])

    @classmethod
    def decode(cls, data: bytes) -> "_Account":
        tenant_id, role, base_currency, is_active, valid_after = orjson.loads(data)
        return cls(uuid.UUID(tenant_id), Role(role), base_currency, is_active,
                   datetime.fromisoformat(valid_after) if valid_after else None)

    def principal(self, user_id: uuid.UUID, issued_at: datetime, *, revoked: bool = False) -> Tenant:
        """The user behind a token issued at `issued_at`, or the 401 that ends the token."""
        if not self.is_active:
            raise NotAuthenticated("Invalid token")
        if revoked or (self.tokens_valid_after is not None and issued_at < self.tokens_valid_after):
            raise TokenRevoked()
        return Tenant(user_id=user_id, tenant_id=self.tenant_id, role=self.role, base_currency=self.base_currency)


@dataclass(frozen=True, slots=True)
class _PersonalToken:
    id: uuid.UUID
    user_id: uuid.UUID
    scopes: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, row: AnyRow) -> "_PersonalToken":
        return cls(row.id, row.user_id, row.scopes, row.created_at, row.expires_at, row.last_used_at)

    def encode(self) -> bytes:
        return orjson.dumps([str(self.id), str(self.user_id), self.scopes, self.created_at, self.expires_at,
                             self.last_used_at])

    @classmethod
    def decode(cls, data: bytes) -> "_PersonalToken":
        token_id, user_id, scopes, created_at, expires_at, last_used_at = orjson.loads(data)
        return cls(uuid.UUID(token_id), uuid.UUID(user_id), scopes, datetime.fromisoformat(created_at),
                   *(datetime.fromisoformat(moment) if moment else None for moment in (expires_at, last_used_at)))


@dataclass(frozen=True, slots=True)
class PersonalTokenCaller:
    """Who calls with a personal access token, and what the token lets them do."""

    principal: Tenant
    token_id: uuid.UUID
    token_hash: str
    can_write: bool
    last_used_at: datetime | None

    @property
    def use_to_record(self) -> bool:
        """Whether this use moves last_used_at (kept to the minute, not written on every request)."""
        return self.last_used_at is None or self.last_used_at <= utcnow() - LAST_USE_RESOLUTION


def _shared(cache: Cache) -> RedisCache | None:
    return cache if isinstance(cache, RedisCache) else None


def _account_key(user_id: uuid.UUID) -> str:
    return f"auth:user:{user_id}"


def _revoked_key(jti: str) -> str:
    return f"auth:jti:{jti}"


def _personal_token_key(token_hash: str) -> str:
    return f"auth:pat:{token_hash}"


async def principal_for_access_token(database: Database, cache: Cache, claims: tokens.AccessClaims) -> Tenant:
    """The user behind a verified access token, or 401: NOT_AUTHENTICATED when the user is gone or
    deactivated, TOKEN_REVOKED when it logged out with this token or its password changed since. Reads in a
    short session of its own, so authenticating needs no request session."""
    shared = _shared(cache)
    account_key, revoked_key = _account_key(claims.user_id), _revoked_key(claims.jti)
    account: _Account | None = None
    revoked: bool | None = None
    if shared is not None:
        cached_account, cached_revoked = await shared.get_many(account_key, revoked_key)
        account = _Account.decode(cached_account) if cached_account is not None else None
        revoked = cached_revoked == b"1" if cached_revoked is not None else None
    if account is None or revoked is None:
        async with database.reader() as session:
            row = await UserRepository(session).access_token_state(claims.user_id, claims.jti)
        if row is None:
            raise NotAuthenticated("Invalid token")
        account, revoked = _Account.of(row), bool(row.revoked)
        if shared is not None:
            await shared.add(account_key, account.encode(), AUTH_CACHE_SECONDS)
            await shared.add(revoked_key, b"1" if revoked else b"0", AUTH_CACHE_SECONDS)
    return account.principal(claims.user_id, claims.issued_at, revoked=revoked)


async def principal_for_personal_token(database: Database, cache: Cache, token: str) -> PersonalTokenCaller:
    """The user behind a personal access token, or 401 (unknown or deleted, expired, its user deactivated)."""
    shared = _shared(cache)
    token_hash = tokens.hash_token(token)
    found: _PersonalToken | None = None
    account: _Account | None = None
    if shared is not None and (cached := await shared.get(_personal_token_key(token_hash))) is not None:
        found = _PersonalToken.decode(cached)
        cached_account = await shared.get(_account_key(found.user_id))
        account = _Account.decode(cached_account) if cached_account is not None else None
    if found is None or account is None:
        async with database.reader() as session:
            row = await UserRepository(session).personal_token_state(token_hash)
        if row is None:
            raise NotAuthenticated("Invalid token")
        found, account = _PersonalToken.of(row), _Account.of(row)
        if shared is not None:
            await shared.add(_personal_token_key(token_hash), found.encode(), AUTH_CACHE_SECONDS)
            await shared.add(_account_key(found.user_id), account.encode(), AUTH_CACHE_SECONDS)
    if found.expires_at is not None and found.expires_at <= utcnow():
        raise TokenExpired("The personal access token has expired")
    return PersonalTokenCaller(principal=account.principal(found.user_id, found.created_at), token_id=found.id,
                               token_hash=token_hash, can_write="write" in found.scopes.split(),
                               last_used_at=found.last_used_at)


async def forget_personal_token(cache: Cache, token_hash: str) -> None:
    """Drop what instances remember of a personal access token: the next use reads it anew."""
    if (shared := _shared(cache)) is not None:
        await shared.delete(_personal_token_key(token_hash))


def invalidate_personal_token_after_commit(session: AsyncSession, cache: Cache, token_hash: str) -> None:
    """A deleted personal access token: no instance accepts it once the deletion is committed."""
    _invalidate_after_commit(session, cache, [_personal_token_key(token_hash)])


async def revoke_access_token(session: AsyncSession, cache: Cache, claims: tokens.AccessClaims) -> None:
    """End one access token before its expiry (a logout): refused on every instance from the commit on."""
    await RevokedAccessTokenRepository(session).revoke(claims.jti, claims.user_id, claims.expires_at)
    _invalidate_after_commit(session, cache, [_revoked_key(claims.jti)])


async def purge_expired_revocations(session: AsyncSession) -> int:
    """Forget revocations of tokens that have expired since (refused as expired anyway); how many."""
    return await RevokedAccessTokenRepository(session).delete_expired(utcnow())


async def _end_tokens(session: AsyncSession, cache: Cache, user_ids: Sequence[uuid.UUID]) -> None:
    """The access tokens these users were issued until now and their personal access tokens (deleted) stop
    working, on every instance from the commit on. (Refresh chains are auth's: `DEACTIVATED`.)"""
    await UserRepository(session).end_tokens(user_ids, utcnow())
    _invalidate_accounts_after_commit(session, cache, user_ids)


def _invalidate_accounts_after_commit(session: AsyncSession, cache: Cache, user_ids: Sequence[uuid.UUID]) -> None:
    """Their role, activity, tokens or base currency changed: every instance reads them anew."""
    _invalidate_after_commit(session, cache, [_account_key(user_id) for user_id in user_ids])


def _invalidate_after_commit(session: AsyncSession, cache: Cache, keys: Sequence[str]) -> None:
    shared = _shared(cache)
    if shared is None:
        return  # nothing cached to go stale

    async def invalidate() -> None:
        for key in keys:
            await shared.invalidate(key, INVALIDATION_SECONDS)

    after_commit(session, invalidate)


async def load_principal(session: AsyncSession, cache: Cache, user_id: uuid.UUID) -> Tenant | None:
    """The active user behind `user_id`, or None, remembered in `cache`: a job's own, for one run (requests
    authenticate with `principal_for_access_token`)."""
    key = f"principal:{user_id}"
    cached = await cache.get(key)
    if cached is not None:
        data = orjson.loads(cached)
        return None if data is None else Tenant(user_id=user_id, tenant_id=uuid.UUID(data["tenant_id"]),
                                                role=Role(data["role"]), base_currency=data["base_currency"])
    row = await UserRepository(session).principal_row(user_id)
    principal = None
    if row is not None and row[0].is_active:
        user, base_currency = row
        principal = Tenant(user_id=user.id, tenant_id=user.tenant_id, role=user.role, base_currency=base_currency)
    payload = None if principal is None else {"tenant_id": str(principal.tenant_id), "role": principal.role.value,
                                              "base_currency": principal.base_currency}
    await cache.set(key, orjson.dumps(payload), AUTH_CACHE_SECONDS)
    return principal


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
                                   password_changed_at=utcnow())
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
    _invalidate_accounts_after_commit(session, cache, affected)
    return UserRead.of(user)


async def deactivate(session: AsyncSession, cache: Cache, user_id: uuid.UUID) -> None:
    """End a user's access: inactive, every token it holds ended for good (reactivated, it signs in again),
    and whatever `DEACTIVATED` ends. A business takes its sub-users along."""
    user = await _user(session, user_id)
    affected = [user.id]
    user.is_active = False
    if user.role is Role.business:
        affected += await UserRepository(session).deactivate_members(user.tenant_id)
    await session.flush()
    await _end_tokens(session, cache, affected)
    for end_access in DEACTIVATED:
        await end_access(session, affected)


async def reactivate(session: AsyncSession, cache: Cache, user_id: uuid.UUID) -> None:
    user = await _user(session, user_id)
    user.is_active = True
    await session.flush()
    _invalidate_accounts_after_commit(session, cache, [user.id])


async def set_role(session: AsyncSession, cache: Cache, user_id: uuid.UUID, role: Role) -> None:
    user = await _user(session, user_id)
    user.role = role
    await session.flush()
    _invalidate_accounts_after_commit(session, cache, [user.id])


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


# ---- credentials: looked up for a login, replaced on a password change (lockout: auth/lockout.py) ----

@dataclass(frozen=True, slots=True)
class LoginAccount:
    """What checking a password needs to know of a user (the hash never leaves the identity domains)."""

    user_id: uuid.UUID
    email: str
    is_active: bool
    password_hash: str

    @classmethod
    def of(cls, user: User) -> "LoginAccount":
        return cls(user.id, user.email, user.is_active, user.credentials.password_hash)


async def login_account(session: AsyncSession, *, email: str | None = None,
                        user_id: uuid.UUID | None = None) -> LoginAccount | None:
    """The account behind an email (or an id), or None."""
    user = await UserRepository(session).with_credentials(
        user_id=user_id, email=normalize_email(email) if email is not None else None)
    return LoginAccount.of(user) if user is not None else None


async def set_password(session: AsyncSession, cache: Cache, user_id: uuid.UUID, password: str) -> None:
    """A new password ends every access token and personal access token issued before it, at once."""
    password_hash = await passwords.hash_password(password)
    await UserRepository(session).update_credentials(
        user_id, password_hash=password_hash, algorithm=passwords.ALGORITHM, password_changed_at=utcnow())
    await _end_tokens(session, cache, [user_id])
