"""A small key-value cache with expiry: Redis when configured (shared by every instance), else in-process.

The cache never holds the only copy of anything, so a Redis outage is survivable: while Redis does not
answer, `RedisCache` behaves as an empty cache that keeps nothing, and callers read the source of truth.
After a failure it leaves Redis alone for `RedisBreaker.PAUSE_SECONDS`, so requests don't each wait on it.

Values that must not outlive a change (who a token belongs to, whether it was revoked) are read through
`add` and dropped with `invalidate`, which leaves a marker instead of deleting: a reader that loaded the old
value just before the change cannot `add` it back over the marker. An invalidation that Redis misses is
kept and written before this process reads from Redis again.
"""

import time
from collections import OrderedDict
from typing import Protocol

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from colony.core.logging import get_logger

log = get_logger("colony.cache")

REDIS_ERRORS = (RedisError, OSError)  # OSError: also the built-in TimeoutError of an asyncio timeout
STALE = b"\x00stale"  # what `invalidate` leaves: read as a miss, and `add` does not overwrite it


CONNECT_TIMEOUT_SECONDS = 1.0
COMMAND_TIMEOUT_SECONDS = 2.0  # Redis answers in well under a millisecond: this is a Redis that hangs


def connect_redis(url: str) -> Redis:
    """A client that survives a Redis restart without failing requests: a pooled connection found dead is
    replaced and the command retried, a connection idle for a while is checked before use, and nothing
    waits long on a Redis that does not answer."""
    return Redis.from_url(
        url,
        retry=Retry(ExponentialBackoff(cap=0.1, base=0.01), retries=2),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        health_check_interval=30,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=COMMAND_TIMEOUT_SECONDS,
    )


class Cache(Protocol):
    async def get(self, key: str) -> bytes | None: ...
    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None: ...
    async def delete(self, key: str) -> None: ...


class MemoryCache:
    """Bounded LRU with per-key expiry, for a single process (the embedded default)."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max_entries = max_entries

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if expires_at < time.monotonic():
            self._entries.pop(key, None)
            return None
        self._entries.move_to_end(key)
        return value

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        self._entries[key] = (time.monotonic() + ttl_seconds, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    async def delete(self, key: str) -> None:
        self._entries.pop(key, None)


class RedisBreaker:
    """Whether to try Redis now. After a failure, not for a moment: callers take their fallback at once
    instead of each waiting on a Redis that is down. Logs the outage and the recovery, once each."""

    PAUSE_SECONDS = 1.0

    def __init__(self, use: str) -> None:
        self._use = use
        self._retry_at = 0.0
        self._down = False

    def ready(self) -> bool:
        return time.monotonic() >= self._retry_at

    def failed(self, error: BaseException) -> None:
        if not self._down:
            log.warning("redis_unavailable", use=self._use, error=type(error).__name__)
        self._down = True
        self._retry_at = time.monotonic() + self.PAUSE_SECONDS

    def succeeded(self) -> None:
        if self._down:
            log.info("redis_recovered", use=self._use)
            self._down = False


def _cached(value: bytes | str | None) -> bytes | None:
    """What Redis answered, as a cached value: None for a miss or an invalidation marker."""
    value = value.encode() if isinstance(value, str) else value
    return None if value == STALE else value


class RedisCache:
    """The cache in Redis, shared by every instance; an outage reads as misses (see the module's notes)."""

    def __init__(self, redis: "Redis", prefix: str = "colony:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._breaker = RedisBreaker("cache")
        self._missed_invalidations: dict[str, int] = {}  # key → seconds its marker must last

    @property
    def redis(self) -> "Redis":
        """The client behind this cache, for what else wants the same Redis (budgets, locks)."""
        return self._redis

    async def get(self, key: str) -> bytes | None:
        """The value, or None: absent, invalidated, or Redis unreachable."""
        if not await self._reachable():
            return None
        try:
            value = await self._redis.get(self._prefix + key)
        except REDIS_ERRORS as exc:
            self._breaker.failed(exc)
            return None
        self._breaker.succeeded()
        return _cached(value)

    async def get_many(self, *keys: str) -> list[bytes | None]:
        """`get` of several keys in one round trip."""
        if not await self._reachable():
            return [None] * len(keys)
        try:
            values = await self._redis.mget([self._prefix + key for key in keys])
        except REDIS_ERRORS as exc:
            self._breaker.failed(exc)
            return [None] * len(keys)
        self._breaker.succeeded()
        return [_cached(value) for value in values]

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        """Best effort: with Redis unreachable, nothing is kept."""
        await self._write(key, value, ttl_seconds)

    async def add(self, key: str, value: bytes, ttl_seconds: int) -> None:
        """Keep `value` unless the key holds something, an invalidation marker included: what a reader
        loaded before a change never replaces the change's marker."""
        await self._write(key, value, ttl_seconds, only_if_absent=True)

    async def delete(self, key: str) -> None:
        """Best effort; a value that must not be read again after a change is `invalidate`d instead."""
        if not await self._reachable():
            return
        try:
            await self._redis.delete(self._prefix + key)
        except REDIS_ERRORS as exc:
            self._breaker.failed(exc)

    async def invalidate(self, key: str, ttl_seconds: int) -> None:
        """No instance reads the key's value again: a marker for `ttl_seconds` (longer than a reader takes
        between loading a value and adding it). Kept and retried when Redis misses it."""
        self._missed_invalidations[key] = ttl_seconds
        await self._reachable()

    async def _write(self, key: str, value: bytes, ttl_seconds: int, *, only_if_absent: bool = False) -> None:
        if not await self._reachable():
            return
        try:
            await self._redis.set(self._prefix + key, value, ex=ttl_seconds, nx=only_if_absent)
        except REDIS_ERRORS as exc:
            self._breaker.failed(exc)

    async def _reachable(self) -> bool:
        """Whether to use Redis now: not just after a failure, and only once the invalidations it missed
        are written (until then, what it holds may be stale)."""
        if not self._breaker.ready():
            return False
        if not self._missed_invalidations:
            return True
        missed = dict(self._missed_invalidations)
        try:
            async with self._redis.pipeline(transaction=False) as pipeline:
                for key, ttl_seconds in missed.items():
                    pipeline.set(self._prefix + key, STALE, ex=ttl_seconds)
                await pipeline.execute()
        except REDIS_ERRORS as exc:
            self._breaker.failed(exc)
            return False
        self._breaker.succeeded()
        for key in missed:
            self._missed_invalidations.pop(key, None)
        return True
