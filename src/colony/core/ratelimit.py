"""Request budgets per client address: in Redis when configured (one limit for every instance), else in-process."""

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis

from colony.core.errors import RateLimited


class RateLimiter:
    """One budget (e.g. "20/minute") shared by every endpoint that uses this limiter."""

    def __init__(self, storage: Storage, limit: str, namespace: str) -> None:
        self._item: RateLimitItem = parse(limit)
        self._strategy = MovingWindowRateLimiter(storage)
        self._namespace = namespace

    @classmethod
    def create(cls, limit: str, namespace: str, redis: Redis | None = None) -> "RateLimiter":
        storage: Storage
        if redis is None:
            storage = MemoryStorage()
        else:  # ride on the application's Redis connection pool rather than opening another
            storage = RedisStorage("async+redis://", implementation="redispy", key_prefix="colony:limits",
                                   connection_pool=redis.connection_pool)  # type: ignore[arg-type]  # documented option
        return cls(storage, limit, namespace)

    async def hit(self, client: str) -> None:
        """Spend one request of `client`'s budget, or raise RateLimited with the seconds to wait."""
        if await self._strategy.hit(self._item, self._namespace, client):
            return
        stats = await self._strategy.get_window_stats(self._item, self._namespace, client)
        raise RateLimited(retry_after=max(1, math.ceil(stats.reset_time - time.time())))
