"""Users: loading the principal behind a token, with a short cache that writes invalidate."""

import uuid

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.cache import Cache
from colony.core.tenancy import Role, Tenant
from colony.users.repository import UserRepository

PRINCIPAL_TTL_SECONDS = 60


def _principal_key(user_id: uuid.UUID) -> str:
    return f"principal:{user_id}"


async def load_principal(session: AsyncSession, cache: Cache, user_id: uuid.UUID) -> Tenant | None:
    """The active user behind `user_id`, or None. Cached; `forget_principal` drops it on every change."""
    key = _principal_key(user_id)
    cached = await cache.get(key)
    if cached is not None:
        data = orjson.loads(cached)
        if data is None:
            return None
        return Tenant(user_id=user_id, tenant_id=uuid.UUID(data["tenant_id"]), role=Role(data["role"]),
                      base_currency=data["base_currency"])
    row = await UserRepository(session).principal_row(user_id)
    principal = None
    if row is not None and row[0].is_active:
        user, base_currency = row
        principal = Tenant(user_id=user.id, tenant_id=user.tenant_id, role=user.role, base_currency=base_currency)
    payload = None if principal is None else {"tenant_id": str(principal.tenant_id), "role": principal.role.value,
                                              "base_currency": principal.base_currency}
    await cache.set(key, orjson.dumps(payload), PRINCIPAL_TTL_SECONDS)
    return principal


async def forget_principal(cache: Cache, user_id: uuid.UUID) -> None:
    """Call after any change to a user's role, activity or base currency (after the commit)."""
    await cache.delete(_principal_key(user_id))
