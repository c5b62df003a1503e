"""The HTTP source of ECB rates (COLONY_RATES_URL): the ECB's published files or a Frankfurter-style API, its
answers cached.

The ECB's files: a URL whose last segment is `eurofxref` is the directory that holds them (the default,
https://www.ecb.europa.eu/stats/eurofxref/): `eurofxref-daily.xml` (the latest day), `eurofxref-hist-90d.xml`
and `eurofxref-hist.zip` (every day since 1999, one CSV, as the bundled copy); the service asks for the
smallest that covers what it lacks. A URL that names one of these files is always asked for that one.
Any other URL is a Frankfurter-style API: `GET {url}/{start}..{end}?from=EUR` answers
`{"base": "EUR", "start_date": ..., "end_date": ..., "rates": {"2024-01-02": {"USD": 1.0956, ...}}}`.

Numbers are parsed straight to Decimal (never through float). Successful answers are cached by URL
(Redis when configured, in-process otherwise) for `CACHE_TTL_SECONDS`.
"""

import json
import zipfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError

import httpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml
from redis.exceptions import RedisError

from colony.core.cache import Cache
from colony.core.logging import get_logger
from colony.core.money import CURRENCIES
from colony.exchange_rates import bundled
from colony.exchange_rates.errors import RateSourceUnavailable

log = get_logger("colony.exchange_rates.client")
T = TypeVar("T")

CACHE_TTL_SECONDS = 3600
CACHE_PREFIX = "exchange-rates:http:"
TIMEOUT_SECONDS = 20
ECB_DIRECTORY = "eurofxref"
ECB_DAILY = "eurofxref-daily.xml"
ECB_90_DAYS = "eurofxref-hist-90d.xml"
ECB_HISTORY = "eurofxref-hist.zip"

ByDay = dict[date, dict[str, Decimal]]


class RatesClient:
    def __init__(self, http: httpx.AsyncClient, cache: Cache, base_url: str,
                 ttl_seconds: int = CACHE_TTL_SECONDS) -> None:
        self.http = http
        self.cache = cache
        self.base_url = base_url.rstrip("/")
        self.ttl_seconds = ttl_seconds
        last_segment = urlsplit(self.base_url).path.rsplit("/", 1)[-1]
        self._ecb_file = last_segment if last_segment in (ECB_DAILY, ECB_90_DAYS, ECB_HISTORY) else None
        self.serves_ecb_files = self._ecb_file is not None or last_segment == ECB_DIRECTORY

    async def fetch_range(self, start: date, end: date) -> ByDay:
        """Every fixing day in [start, end]: {day: {currency: units per 1 EUR}} (EUR itself left out)."""
        return await self._get(f"{self.base_url}/{start.isoformat()}..{end.isoformat()}?from=EUR",
                               lambda body: _parse_range(_decode(body)))

    async def fetch_latest(self) -> tuple[date, dict[str, Decimal]]:
        return await self._get(f"{self.base_url}/latest?from=EUR", lambda body: _parse_latest(_decode(body)))

    async def fetch_ecb_file(self, name: str) -> ByDay:
        """Every day of one of the ECB's files (`name`; the URL's own file when it names one)."""
        url = self.base_url if self._ecb_file else f"{self.base_url}/{name}"
        return await self._get(url, _parse_ecb_archive if url.endswith(".zip") else _parse_ecb_xml, accept="*/*")

    async def _get(self, url: str, parse: Callable[[bytes], T], accept: str = "application/json") -> T:
        """The parsed answer for `url`, from the cache or downloaded; only a valid answer is cached."""
        key = CACHE_PREFIX + url
        body = await self._cached(key)
        if body is not None:
            return parse(body)
        body = await self._download(url, accept)
        answer = parse(body)
        await self._store(key, body)
        return answer

    async def _download(self, url: str, accept: str) -> bytes:
        try:
            response = await self.http.get(url, timeout=TIMEOUT_SECONDS, headers={"Accept": accept})
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


def _parse_range(payload: dict[str, Any]) -> ByDay:
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


def _parse_ecb_xml(body: bytes) -> ByDay:
    """The ECB's XML: `<Cube time="2024-01-05"><Cube currency="USD" rate="1.0921"/>...</Cube>` per day."""
    try:
        root = parse_xml(body)
    except (ParseError, DefusedXmlException) as exc:
        raise RateSourceUnavailable("The exchange-rate source answered with malformed XML") from exc
    by_day: ByDay = {}
    for cube in root.iter():
        if str(cube.tag).endswith("Cube") and "time" in cube.attrib:
            by_day[_parse_date(cube.attrib["time"])] = _parse_rates(
                {rate.attrib.get("currency"): _decimal(rate.attrib.get("rate")) for rate in cube})
    if not by_day:
        raise RateSourceUnavailable("The exchange-rate source answered without rates")
    return by_day


def _parse_ecb_archive(body: bytes) -> ByDay:
    """The ECB's zipped CSV history, read as the bundled copy is."""
    try:
        fixings = bundled.read_history(archive=body)
    except (zipfile.BadZipFile, StopIteration, ValueError, InvalidOperation, UnicodeDecodeError) as exc:
        raise RateSourceUnavailable("The exchange-rate source answered with a malformed history archive") from exc
    by_day: ByDay = {}
    for day, code, rate in fixings:
        by_day.setdefault(day, {})[code] = rate
    return {day: _parse_rates(rates) for day, rates in by_day.items()}


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text is not None else None
    except InvalidOperation:
        return None  # refused by _parse_rates, with the currency's code
