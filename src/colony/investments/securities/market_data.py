"""Security metadata and daily prices from an outside market-data provider, as plain data.

`MarketData` is what the rest of the app calls: it caches answers (1 h, by request), spends a global
request budget, retries transient failures with exponential back-off and gives up within a hard time
limit, so that any provider failure becomes a 503 `MARKET_DATA_UNAVAILABLE` within seconds. Providers
(`YahooMarketData` in yahoo.py, `NoMarketData`) only fetch and convert. Nothing here touches the
database: storing prices is the caller's job.

This module must stay cheap to import: pandas and yfinance are loaded by the Yahoo adapter on its
first fetch, never at start-up and never at all under `COLONY_MARKET_DATA=none`.
"""

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal, Protocol, TypeVar, get_args

from redis.asyncio import Redis
from redis.exceptions import RedisError

from colony.config import Settings
from colony.core.cache import Cache, RedisCache
from colony.core.errors import ValidationFailed
from colony.core.logging import get_logger
from colony.investments.securities.errors import MarketDataUnavailable

log = get_logger("colony.investments.market_data")
T = TypeVar("T")

SecurityType = Literal["stock", "etf", "mutual_fund", "bond", "crypto", "index", "other"]
SECURITY_TYPES: frozenset[str] = frozenset(get_args(SecurityType))

CACHE_TTL_SECONDS = 3600
CACHE_PREFIX = "market-data:"
CACHE_TIMEOUT_SECONDS = 1.0
ATTEMPTS = 3
BACKOFF_SECONDS = 0.5  # then 1 s: transient blips, not Yahoo's 429 waves (those spend the budget)
DEADLINE_SECONDS = 10.0  # every attempt and back-off of one request together
BUDGET_PER_MINUTE = 20  # provider calls, for all instances together (a Yahoo call is 1 or 2 HTTP requests)
BUDGET_BURST = 30
BUDGET_KEY = "colony:market-data:budget:"

# Yahoo-style symbols: AAPL, BRK-B, VOD.L, ^GSPC, EURUSD=X, BTC-USD. Nothing that could alter a URL path.
SYMBOL_PATTERN = re.compile(r"^[A-Z0-9^][A-Z0-9.\-=^]{0,31}$")


class ProviderError(Exception):
    """A provider's failure. Only `transient` ones (network, timeouts, 429, 5xx) are worth a retry."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True, slots=True)
class SecurityInfo:
    symbol: str
    name: str
    security_type: SecurityType
    exchange: str | None
    currency: str  # ISO 4217, after normalisation (GBp → GBP)


@dataclass(frozen=True, slots=True)
class Bar:
    """One day's prices as quoted that day (not adjusted for later splits or dividends), ≤ 8 decimals."""

    date: date
    open: Decimal | None
    high: Decimal | None
    low: Decimal | None
    close: Decimal
    volume: int | None


@dataclass(frozen=True, slots=True)
class Split:
    """A split effective on `date`: one share became `numerator / denominator` shares ("2:1" → 2, 1)."""

    date: date
    numerator: int
    denominator: int


@dataclass(frozen=True, slots=True)
class History:
    info: SecurityInfo
    bars: tuple[Bar, ...]  # oldest first, one per date
    splits: tuple[Split, ...] = ()  # the provider's split events within the range


class MarketDataProvider(Protocol):
    """Fetches and converts; raises ProviderError (or MarketDataUnavailable when it never can answer)."""

    name: str

    async def history(self, symbol: str, start: date | None, end: date) -> History:
        """Daily bars in [start, end] (from the first one when `start` is None) and the security's info."""
        ...

    async def info(self, symbol: str) -> SecurityInfo: ...


class NoMarketData:
    """`COLONY_MARKET_DATA=none`: every request is refused at once; prices come from uploads only."""

    name = "none"

    async def history(self, symbol: str, start: date | None, end: date) -> History:
        raise _not_configured(symbol)

    async def info(self, symbol: str) -> SecurityInfo:
        raise _not_configured(symbol)


def _not_configured(symbol: str) -> MarketDataUnavailable:
    return MarketDataUnavailable("No market-data provider is configured (COLONY_MARKET_DATA=none)",
                                 details={"provider": "none", "symbol": symbol, "reason": "not_configured"})


# ---- the request budget: a token bucket ----

class RequestBudget(Protocol):
    async def take(self) -> bool:
        """Spend one token; False when the budget is exhausted (the caller then gives up, never waits)."""
        ...


class MemoryBudget:
    """A token bucket for one process: `burst` tokens at most, refilled at `per_minute`."""

    def __init__(self, per_minute: float = BUDGET_PER_MINUTE, burst: int = BUDGET_BURST,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = per_minute / 60
        self._burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()

    async def take(self) -> bool:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


# Atomic in Redis, on Redis's clock: every instance spends from the same bucket.
_TAKE_SCRIPT = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens, stamp = tonumber(state[1]) or burst, tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local taken = 0
if tokens >= 1 then tokens = tokens - 1; taken = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
redis.call('EXPIRE', KEYS[1], math.min(86400, math.ceil(burst / rate) + 1))
return taken
"""


class RedisBudget:
    """The token bucket in Redis, shared by every instance; while Redis is down, a per-process bucket
    stands in (an outage must not stop the app, and the local bucket still bounds this instance)."""

    def __init__(self, redis: Redis, key: str, per_minute: float = BUDGET_PER_MINUTE,
                 burst: int = BUDGET_BURST) -> None:
        self._script = redis.register_script(_TAKE_SCRIPT)
        self._key = key
        self._args = (per_minute / 60, burst)
        self._fallback = MemoryBudget(per_minute, burst)

    async def take(self) -> bool:
        try:
            return bool(await self._script(keys=[self._key], args=list(self._args)))
        except (RedisError, OSError) as exc:
            log.warning("market_data_budget_redis_unavailable", error=type(exc).__name__)
            return await self._fallback.take()


# ---- what the app calls ----

class MarketData:
    """A provider behind a cache, a request budget, retries and a deadline."""

    def __init__(self, provider: MarketDataProvider, cache: Cache, *, budget: RequestBudget | None = None,
                 ttl_seconds: int = CACHE_TTL_SECONDS, attempts: int = ATTEMPTS,
                 backoff_seconds: float = BACKOFF_SECONDS, deadline_seconds: float = DEADLINE_SECONDS) -> None:
        self.provider = provider
        self.cache = cache
        self.budget = budget or MemoryBudget()
        self.ttl_seconds = ttl_seconds
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.deadline_seconds = deadline_seconds

    @property
    def configured(self) -> bool:
        return not isinstance(self.provider, NoMarketData)

    async def history(self, symbol: str, start: date | None, end: date) -> History:
        """Bars as quoted on their day in [start, end] (all of them up to `end` when `start` is None)."""
        symbol = _checked_symbol(symbol)
        if start is not None and start > end:
            raise ValidationFailed("start_date", "must not be after end_date")
        key = f"{CACHE_PREFIX}{self.provider.name}:history:{symbol}:{start or ''}:{end}"
        return await self._answer(key, symbol, lambda: self.provider.history(symbol, start, end),
                                  encode_history, decode_history)

    async def info(self, symbol: str) -> SecurityInfo:
        symbol = _checked_symbol(symbol)
        key = f"{CACHE_PREFIX}{self.provider.name}:info:{symbol}"
        return await self._answer(key, symbol, lambda: self.provider.info(symbol), encode_info, decode_info)

    async def _answer(self, key: str, symbol: str, fetch: Callable[[], Awaitable[T]],
                      encode: Callable[[T], bytes], decode: Callable[[bytes], T]) -> T:
        """From the cache, else fetched (and then cached): only a valid answer is cached."""
        body = await self._cached(key)
        if body is not None:
            try:
                return decode(body)
            except (ValueError, KeyError, TypeError, IndexError):
                log.warning("market_data_cache_entry_unreadable", key=key)
        try:
            async with asyncio.timeout(self.deadline_seconds):
                answer = await self._attempts(symbol, fetch)
        except TimeoutError:
            log.warning("market_data_timeout", provider=self.provider.name, symbol=symbol)
            raise self._unavailable(symbol, "timeout", "The market-data provider did not answer in time") from None
        await self._store(key, encode(answer))
        return answer

    async def _attempts(self, symbol: str, fetch: Callable[[], Awaitable[T]]) -> T:
        failure = "no attempt was made"
        for attempt in range(self.attempts):
            if attempt:
                await asyncio.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            if not await self.budget.take():
                log.warning("market_data_budget_exhausted", provider=self.provider.name, symbol=symbol)
                raise self._unavailable(symbol, "budget_exhausted",
                                        "Too many market-data requests; try again in a minute")
            try:
                return await fetch()
            except MarketDataUnavailable:
                raise
            except ProviderError as exc:
                failure, retry = str(exc), exc.transient
            except (TimeoutError, OSError) as exc:
                failure, retry = f"{type(exc).__name__}: {exc}", True
            except Exception as exc:  # a provider bug or library oddity still ends as a 503, logged
                log.exception("market_data_provider_crashed", provider=self.provider.name, symbol=symbol)
                failure, retry = f"{type(exc).__name__}: {exc}", False
            log.warning("market_data_attempt_failed", provider=self.provider.name, symbol=symbol,
                        attempt=attempt + 1, error=failure, retry=retry)
            if not retry:
                break
        raise self._unavailable(symbol, "provider_error", f"The market-data provider failed: {failure}")

    def _unavailable(self, symbol: str, reason: str, message: str) -> MarketDataUnavailable:
        return MarketDataUnavailable(message, details={"provider": self.provider.name, "symbol": symbol,
                                                       "reason": reason})

    async def _cached(self, key: str) -> bytes | None:
        try:
            async with asyncio.timeout(CACHE_TIMEOUT_SECONDS):
                return await self.cache.get(key)
        except (RedisError, OSError) as exc:  # a cache outage (or a hung Redis) only costs a fetch
            log.warning("market_data_cache_unavailable", error=type(exc).__name__)
            return None

    async def _store(self, key: str, body: bytes) -> None:
        try:
            async with asyncio.timeout(CACHE_TIMEOUT_SECONDS):
                await self.cache.set(key, body, self.ttl_seconds)
        except (RedisError, OSError) as exc:
            log.warning("market_data_cache_unavailable", error=type(exc).__name__)


def _checked_symbol(symbol: str) -> str:
    symbol = symbol.strip().upper()
    if not SYMBOL_PATTERN.match(symbol):
        raise ValidationFailed("symbol", "not a market symbol (letters, digits and . - = ^, at most 32)")
    return symbol


def build_market_data(settings: Settings, cache: Cache, redis: Redis | None = None) -> MarketData:
    """The provider that `COLONY_MARKET_DATA` names, its budget in Redis when there is one (the given
    client, else the cache's), in-process otherwise. Build it once per process: it holds the budget."""
    provider: MarketDataProvider
    if settings.market_data == "none":
        provider = NoMarketData()
    else:
        from colony.investments.securities.yahoo import YahooMarketData  # here: no pandas until it is used
        provider = YahooMarketData(cache_dir=settings.data_dir / "yfinance")
    if redis is None and isinstance(cache, RedisCache):
        redis = cache.redis  # the app's one Redis client, behind its cache
    budget: RequestBudget = (RedisBudget(redis, BUDGET_KEY + provider.name) if redis is not None
                             else MemoryBudget())
    return MarketData(provider, cache, budget=budget)


# ---- cache encoding: compact JSON, prices as decimal strings ----

def encode_info(info: SecurityInfo) -> bytes:
    return json.dumps(asdict(info)).encode()


def decode_info(body: bytes) -> SecurityInfo:
    return _info(json.loads(body))


def encode_history(history: History) -> bytes:
    bars = [[bar.date.isoformat(), *map(_text, (bar.open, bar.high, bar.low, bar.close)), bar.volume]
            for bar in history.bars]
    splits = [[split.date.isoformat(), split.numerator, split.denominator] for split in history.splits]
    return json.dumps({"info": asdict(history.info), "bars": bars, "splits": splits}).encode()


def decode_history(body: bytes) -> History:
    payload = json.loads(body)
    bars = tuple(Bar(date.fromisoformat(day), _decimal(o), _decimal(h), _decimal(lo), Decimal(c), volume)
                 for day, o, h, lo, c, volume in payload["bars"])
    splits = tuple(Split(date.fromisoformat(day), int(num), int(den)) for day, num, den in payload["splits"])
    return History(_info(payload["info"]), bars, splits)


def _info(values: dict[str, Any]) -> SecurityInfo:
    info = SecurityInfo(**values)
    if info.security_type not in SECURITY_TYPES:
        raise ValueError(f"unknown security type {info.security_type!r}")
    return info


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
