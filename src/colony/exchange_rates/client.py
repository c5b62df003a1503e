"""The HTTP source of ECB rates (COLONY_RATES_URL): a Frankfurter-style API, its answers cached.

`GET {url}/{start}..{end}?from=EUR` answers
`{"base": "EUR", "start_date": ..., "end_date": ..., "rates": {"2024-01-02": {"USD": 1.0956, ...}}}`.
JSON numbers are parsed straight to Decimal (never through float). Successful answers are cached by
URL (Redis when configured, in-process otherwise) for `CACHE_TTL_SECONDS`.
"""

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import httpx
from redis.exceptions import RedisError

from colony.core.cache import Cache
from colony.core.logging import get_logger
from colony.core.money import CURRENCIES
from colony.exchange_rates.errors import RateSourceUnavailable

log = get_logger("colony.exchange_rates.client")
T = TypeVar("T")

CACHE_TTL_SECONDS = 3600
CACHE_PREFIX = "exchange-rates:http:"
TIMEOUT_SECONDS = 20


class RatesClient:
    def __init__(self, http: httpx.AsyncClient, cache: Cache, base_url: str,
                 ttl_seconds: int = CACHE_TTL_SECONDS) -> None:
        self.http = http
        self.cache = cache
        self.base_url = base_url.rstrip("/")
        self.ttl_seconds = ttl_seconds

    async def fetch_range(self, start: date, end: date) -> dict[date, dict[str, Decimal]]:
        """Every fixing day in [start, end]: {day: {currency: units per 1 EUR}} (EUR itself left out)."""
        return await self._get(f"{self.base_url}/{start.isoformat()}..{end.isoformat()}?from=EUR", _parse_range)

    async def fetch_latest(self) -> tuple[date, dict[str, Decimal]]:
        return await self._get(f"{self.base_url}/latest?from=EUR", _parse_latest)

    async def _get(self, url: str, parse: Callable[[dict[str, Any]], T]) -> T:
        """The parsed answer for `url`, from the cache or downloaded; only a valid answer is cached."""
        key = CACHE_PREFIX + url
        body = await self._cached(key)
        if body is not None:
            return parse(_decode(body))
        body = await self._download(url)
        answer = parse(_decode(body))
        await self._store(key, body)
        return answer

    async def _download(self, url: str) -> bytes:
        try:
            response = await self.http.get(url, timeout=TIMEOUT_SECONDS, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            log.warning("rates_source_unreachable", url=url, error=type(exc).__name__)
            raise RateSourceUnavailable(f"The exchange-rate source cannot be reached ({type(exc).__name__})",
                                        details={"url": url}) from exc
        if response.status_code != 200:
            log.warning("rates_source_error", url=url, status=response.status_code)
            raise RateSourceUnavailable(f"The exchange-rate source answered HTTP {response.status_code}",
                                        details={"url": url, "status": response.status_code})
        return response.content

    async def _cached(self, key: str) -> bytes | None:
        try:
            return await self.cache.get(key)
        except (RedisError, OSError) as exc:  # a cache outage only costs a download
            log.warning("rates_cache_unavailable", error=type(exc).__name__)
            return None

    async def _store(self, key: str, body: bytes) -> None:
        try:
            await self.cache.set(key, body, self.ttl_seconds)
        except (RedisError, OSError) as exc:
            log.warning("rates_cache_unavailable", error=type(exc).__name__)


def _decode(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body, parse_float=Decimal, parse_int=Decimal)
    except ValueError as exc:
        raise RateSourceUnavailable("The exchange-rate source answered with malformed JSON") from exc
    if not isinstance(payload, dict):
        raise RateSourceUnavailable("The exchange-rate source answered with an unexpected document")
    base = payload.get("base", "EUR")
    if base != "EUR":
        raise RateSourceUnavailable(f"The exchange-rate source quoted rates against {base}, not EUR")
    return payload


def _parse_range(payload: dict[str, Any]) -> dict[date, dict[str, Decimal]]:
    rates = payload.get("rates")
    if not isinstance(rates, dict):
        raise RateSourceUnavailable("The exchange-rate source answered without rates")
    return {_parse_date(day): _parse_rates(values) for day, values in rates.items()}


def _parse_latest(payload: dict[str, Any]) -> tuple[date, dict[str, Decimal]]:
    return _parse_date(payload.get("date")), _parse_rates(payload.get("rates"))


def _parse_date(value: object) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RateSourceUnavailable(f"The exchange-rate source answered with a bad date: {value!r}") from None


def _parse_rates(values: object) -> dict[str, Decimal]:
    if not isinstance(values, dict):
        raise RateSourceUnavailable("The exchange-rate source answered with malformed rates")
    rates: dict[str, Decimal] = {}
    for code, value in values.items():
        if code == "EUR" or code not in CURRENCIES:
            continue  # a currency Colony does not know is skipped, not stored
        if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
            raise RateSourceUnavailable(f"The exchange-rate source answered a bad rate for {code}: {value!r}")
        rates[code] = value
    return rates
