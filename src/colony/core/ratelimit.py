"""Request budgets per client: in Redis when configured (one limit for every instance), else in-process.

While Redis is unreachable, each process counts on its own (`MemoryStorage`) instead of failing requests:
the limit still holds on every instance, and the shared count resumes when Redis answers again.
"""

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import Redis

from colony.core.cache import REDIS_ERRORS, RedisBreaker
from colony.core.errors import RateLimited

STORAGE_ERRORS = (*REDIS_ERRORS, StorageError)


class RateLimiter:
    """One budget (e.g. "20/minute") shared by every endpoint that uses this limiter."""

    def __init__(self, storage: Storage, limit: str, namespace: str, *, fallback: Storage | None = None) -> None:
        self._item: RateLimitItem = parse(limit)
        self._strategy = MovingWindowRateLimiter(storage)
        self._fallback = MovingWindowRateLimiter(fallback) if fallback is not None else None
        self._breaker = RedisBreaker(f"rate limit {namespace}")
        self._namespace = namespace

    @classmethod
    def create(cls, limit: str, namespace: str, redis: Redis | None = None) -> "RateLimiter":
        if redis is None:
            return cls(MemoryStorage(), limit, namespace)
        # Ride on the application's Redis connection pool (and its reconnecting retries) rather than open another.
        storage = RedisStorage("async+redis://", implementation="redispy", key_prefix="colony:limits",
                               connection_pool=redis.connection_pool)  # type: ignore[arg-type]  # documented option
        return cls(storage, limit, namespace, fallback=MemoryStorage())

    async def hit(self, client: str) -> None:
        """Spend one request of `client`'s budget, or raise RateLimited with the seconds to wait."""
        retry_after = await self._spend(client)
        if retry_after is not None:
            raise RateLimited(retry_after=retry_after)

    async def _spend(self, client: str) -> int | None:
        """In the shared budget when Redis answers, else in this process's."""
        if self._fallback is None:
            return await self._spend_in(self._strategy, client)
        if self._breaker.ready():
            try:
                retry_after = await self._spend_in(self._strategy, client)
            except STORAGE_ERRORS as exc:
                self._breaker.failed(exc)
            else:
                self._breaker.succeeded()
                return retry_after
        return await self._spend_in(self._fallback, client)

    async def _spend_in(self, strategy: MovingWindowRateLimiter, client: str) -> int | None:
        """None when the request fits, else the seconds until it would."""
        if await strategy.hit(self._item, self._namespace, client):
            return None
        stats = await strategy.get_window_stats(self._item, self._namespace, client)
        return max(1, math.ceil(stats.reset_time - time.time()))
