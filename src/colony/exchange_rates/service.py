"""Exchange-rate rules: lookups for a date, cross rates through EUR, loading and refreshing the data.

Rates are ECB reference rates, stored as units of a currency per 1 EUR, one row per fixing. A lookup
for a date uses the closest fixing on or before it (weekends and holidays have none), and converts
through EUR: rate(from -> to) = to_per_eur / from_per_eur, computed exactly and quantized to 10
decimals (the Rate column's scale), half-even.

How far back the closest earlier fixing may be: at most `FIXING_WINDOW` (14 days) before the date, or
before the newest fixing in the database when the date is later than that (the data may simply not
have been refreshed yet: a bundled-only install converts today's transactions at the newest fixing it
has). A currency with no fixing in that window has no rate: a date before the data (ECB starts on
1999-01-04), a currency ECB stopped quoting (CYP after 2007) or suspended (RUB since March 2022)
→ `RateNotAvailable` (422 RATE_NOT_AVAILABLE).
"""

import asyncio
import bisect
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core import clock, money
from colony.core.cache import Cache
from colony.core.domain import Hooks
from colony.core.errors import ValidationFailed
from colony.core.types import RATE_SCALE
from colony.exchange_rates import bundled
from colony.exchange_rates.client import RatesClient
from colony.exchange_rates.errors import RateNotAvailable
from colony.exchange_rates.repository import ExchangeRateRepository, Fixing
from colony.exchange_rates.schemas import ConversionRead, RatesRead

EUR = "EUR"
FIXING_WINDOW = timedelta(days=14)
RATE_QUANTUM = Decimal(1).scaleb(-RATE_SCALE)
ONE = Decimal(1)
# Refreshes ask the HTTP source for whole blocks of days back from today, so that two refreshes on the
# same day ask for the same URL (and the second is served from the cache).
REFRESH_BLOCK_DAYS = 31
LOAD_CHUNK_ROWS = 20_000  # rows per progress step of a load


@dataclass(frozen=True, slots=True)
class Conversion:
    """A rate from one currency to another, and the date of the fixing it comes from."""

    rate: Decimal
    date: date

    def apply(self, amount: Decimal, to_currency: str) -> Decimal:
        """`amount * rate`, rounded once, half-even, to the minor unit of `to_currency`."""
        with localcontext() as ctx:
            ctx.prec = 60
            return money.quantize(amount * self.rate, to_currency)


def _window_start(day: date) -> date:
    """The earliest fixing a lookup for `day` may use (a day in year 1 has no window before it)."""
    return day - FIXING_WINDOW if day > date.min + FIXING_WINDOW else date.min


def cross_rate(from_per_eur: Decimal, to_per_eur: Decimal) -> Decimal:
    """Units of `to` per unit of `from`, through EUR, at the Rate column's scale."""
    with localcontext() as ctx:
        ctx.prec = 60
        return (to_per_eur / from_per_eur).quantize(RATE_QUANTUM, rounding=ROUND_HALF_EVEN)


def _not_available(from_currency: str, to_currency: str, on_date: date) -> RateNotAvailable:
    return RateNotAvailable(
        f"No {from_currency}/{to_currency} exchange rate is available for {on_date.isoformat()}",
        details={"from": from_currency, "to": to_currency, "date": on_date.isoformat()},
    )


@dataclass
class RateTable:
    """Fixings of a few currencies over a span of dates, held in memory: lookups without a query.

    Built by `rate_table()` with one query, for work that converts many rows (a CSV import).
    `rate_on` follows exactly the rules of the module-level `rate_on`.
    """

    newest: date | None
    _dates: dict[str, list[date]] = field(default_factory=dict)
    _rates: dict[str, dict[date, Decimal]] = field(default_factory=dict)
    _conversions: dict[tuple[str, str, date], "Conversion"] = field(default_factory=dict)

    @classmethod
    def from_fixings(cls, fixings: Iterable[Fixing], newest: date | None) -> "RateTable":
        table = cls(newest)
        for day, currency, rate in fixings:
            table._rates.setdefault(currency, {})[day] = rate
        for currency, by_date in table._rates.items():
            table._dates[currency] = sorted(by_date)
        return table

    def _fixing_date(self, legs: list[str], on_date: date) -> date | None:
        """The latest date on or before `on_date`, inside the window, on which every leg has a fixing."""
        if self.newest is None:
            return None
        lower = _window_start(min(on_date, self.newest))
        first, *others = legs
        dates = self._dates.get(first, [])
        index = bisect.bisect_right(dates, on_date) - 1
        while index >= 0 and dates[index] >= lower:
            day = dates[index]
            if all(day in self._rates.get(other, {}) for other in others):
                return day
            index -= 1
        return None

    def rate_on(self, from_currency: str, to_currency: str, on_date: date) -> Conversion:
        if from_currency == to_currency:
            return Conversion(ONE, on_date)
        legs = [c for c in (from_currency, to_currency) if c != EUR]
        day = self._fixing_date(legs, on_date)
        if day is None:
            raise _not_available(from_currency, to_currency, on_date)
        key = (from_currency, to_currency, day)
        conversion = self._conversions.get(key)
        if conversion is None:  # a day's rates serve every later day up to the next fixing: computed once
            from_per_eur = ONE if from_currency == EUR else self._rates[from_currency][day]
            to_per_eur = ONE if to_currency == EUR else self._rates[to_currency][day]
            conversion = self._conversions[key] = Conversion(cross_rate(from_per_eur, to_per_eur), day)
        return conversion

    def get(self, from_currency: str, to_currency: str, on_date: date) -> Conversion | None:
        """Like `rate_on`, but None instead of an error (for reports of many rows)."""
        try:
            return self.rate_on(from_currency, to_currency, on_date)
        except RateNotAvailable:
            return None


async def rate_table(session: AsyncSession, currencies: Collection[str], start: date, end: date) -> RateTable:
    """Everything needed to convert between `currencies` on any date in [start, end], in one query
    (plus one for the newest date). Use `.rate_on(from, to, date)` on the result per row."""
    repository = ExchangeRateRepository(session)
    newest = await repository.newest_date()
    legs = sorted({c for c in currencies if c != EUR})
    if newest is None or not legs:
        return RateTable(newest)
    fixings = await repository.fixings(legs, _window_start(min(start, newest)), end)
    return RateTable.from_fixings(fixings, newest)


async def rate_on(session: AsyncSession, from_currency: str, to_currency: str, on_date: date) -> Conversion:
    """The rate from `from_currency` to `to_currency` for `on_date` (two indexed queries).

    Same currency → rate 1 dated `on_date`. Otherwise the closest fixing on or before the date that has
    both currencies (see the module docstring for the window); raises RateNotAvailable (422).
    """
    if from_currency == to_currency:
        return Conversion(ONE, on_date)
    table = await rate_table(session, {from_currency, to_currency}, on_date, on_date)
    return table.rate_on(from_currency, to_currency, on_date)


async def convert(session: AsyncSession, amount: Decimal, from_currency: str, to_currency: str,
                  on_date: date) -> ConversionRead:
    """`amount` (≥ 0, at most the minor unit of `from_currency`) at the rate of `on_date`."""
    try:
        if amount < 0:
            raise money.MoneyError("must not be negative")
        checked = money.check_amount(amount, from_currency, positive=False)
    except money.MoneyError as exc:
        raise ValidationFailed("query.amount", str(exc)) from None
    conversion = await rate_on(session, from_currency, to_currency, on_date)
    return ConversionRead(amount=checked, from_=from_currency, to=to_currency, date=conversion.date,
                          rate=conversion.rate, result=conversion.apply(checked, to_currency))


async def rates_of_day(session: AsyncSession, base: str, on_date: date | None = None) -> RatesRead:
    """Every rate against `base` at the closest fixing on or before `on_date` (None: the newest)."""
    repository = ExchangeRateRepository(session)
    newest = await repository.newest_date()
    day = on_date or newest
    if newest is None or day is None:
        raise _not_available(base, EUR, on_date or clock.today())
    lower = _window_start(min(day, newest))
    fixing = await repository.latest_date_on_or_before(day, None if base == EUR else base)
    if fixing is None or fixing < lower:
        raise RateNotAvailable(f"No {base} exchange rates are available for {day.isoformat()}",
                               details={"base": base, "date": day.isoformat()})
    per_eur = await repository.rates_of(fixing)
    per_eur[EUR] = ONE
    base_per_eur = per_eur[base]
    rates = {currency: cross_rate(base_per_eur, rate)
             for currency, rate in sorted(per_eur.items()) if currency != base}
    return RatesRead(base=base, date=fixing, rates=rates)


# --- loading and refreshing -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LoadResult:
    source: str  # "bundled" or the refresh URL
    days: int  # fixing days read from the source
    rows: int  # rows inserted or replaced
    newest: date | None  # the newest fixing in the database afterwards

    def __str__(self) -> str:
        return f"{self.rows} rates of {self.days} days stored from {self.source}; newest fixing {self.newest}"


ProgressCallback = Callable[[int, int], None]  # (rows done, rows in total)

RATE_WATCHERS: Hooks[Callable[[AsyncSession, date], Awaitable[None]]] = Hooks("exchange_rates.RATE_WATCHERS")
"""(session, day) after fixings from `day` on were stored: what was converted with them may differ."""


async def _stored(session: AsyncSession, days: Iterable[date]) -> None:
    first = min(days, default=None)
    if first is not None:
        for watcher in RATE_WATCHERS:
            await watcher(session, first)


async def load_bundled(session: AsyncSession, *, since: date | None = None,
                       progress: ProgressCallback | None = None) -> LoadResult:
    """Insert the bundled ECB history's days newer than the database's newest (idempotent, bulk).

    `since` limits the load to fixings on or after that date (the tests load a few years only).
    Flushes; the caller commits.
    """
    repository = ExchangeRateRepository(session)
    newest = await repository.newest_date()
    fixings = await asyncio.to_thread(bundled.read_history, newer_than=newest, since=since)
    inserted = 0
    for start in range(0, len(fixings), LOAD_CHUNK_ROWS):
        if progress is not None:
            progress(inserted, len(fixings))
        inserted += await repository.insert_fixings(fixings[start:start + LOAD_CHUNK_ROWS])
    if progress is not None:
        progress(inserted, len(fixings))
    await _stored(session, (fixing[0] for fixing in fixings))
    days = len({fixing[0] for fixing in fixings})
    return LoadResult("bundled", days, inserted, fixings[-1][0] if fixings else newest)


def refresh_start(newest: date, today: date) -> date:
    """The first day a refresh asks for: whole blocks of days back from today that reach past `newest`."""
    gap = max((today - newest).days, 1)
    blocks = -(-gap // REFRESH_BLOCK_DAYS)
    return today - timedelta(days=blocks * REFRESH_BLOCK_DAYS)


@dataclass(frozen=True, slots=True)
class FetchedRates:
    url: str
    by_day: dict[date, dict[str, Decimal]]


async def fetch_updates(session: AsyncSession, *, url: str, http: httpx.AsyncClient, cache: Cache,
                        today: date | None = None) -> FetchedRates:
    """Ask the HTTP source for the days since the newest stored fixing. Only reads the database.

    Kept apart from `store_updates` so that the download never happens inside a write transaction
    (on SQLite that would hold the write lock for the length of an HTTP request).
    Raises RateSourceUnavailable (503) when the source fails.
    """
    today = today or clock.today()
    newest = await ExchangeRateRepository(session).newest_date()
    if newest is None:  # nothing loaded yet: the bundled history will be, first
        newest = await asyncio.to_thread(bundled.newest_date)
    by_day = await RatesClient(http, cache, url).fetch_range(refresh_start(newest, today), today)
    return FetchedRates(url, by_day)


async def store_updates(session: AsyncSession, fetched: FetchedRates | None, *,
                        since: date | None = None) -> LoadResult:
    """The bundled history (if not loaded yet), then the fetched days, upserted. Flushes only."""
    loaded = await load_bundled(session, since=since)
    if fetched is None:
        return loaded
    repository = ExchangeRateRepository(session)
    fixings = [(day, currency, rate)
               for day, rates in sorted(fetched.by_day.items()) for currency, rate in rates.items()]
    rows = await repository.upsert_fixings(fixings)
    await _stored(session, fetched.by_day)
    return LoadResult(fetched.url, len(fetched.by_day), loaded.rows + rows, await repository.newest_date())


async def refresh(session: AsyncSession, *, url: str | None, http: httpx.AsyncClient, cache: Cache,
                  today: date | None = None, since: date | None = None) -> LoadResult:
    """Bring the stored rates up to date in one session: the bundled history, then the HTTP source
    if one is configured (its days upserted: a source may correct a day). Flushes; the caller commits.

    Without a configured source, only the bundled history is loaded (`LoadResult.source == "bundled"`).
    """
    fetched = await fetch_updates(session, url=url, http=http, cache=cache, today=today) if url else None
    return await store_updates(session, fetched, since=since)
