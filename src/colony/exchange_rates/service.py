"""Exchange-rate rules: lookups for a date, cross rates through EUR, the tenant's own rates, loading and
refreshing the ECB data.

ECB rates are stored as units of a currency per 1 EUR, one row per fixing. A lookup for a date uses the
closest fixing on or before it (weekends and holidays have none), and converts through EUR: rate(from -> to)
= to_per_eur / from_per_eur, computed exactly and quantized to 10 decimals (the Rate column's scale),
half-even.

How far back the closest earlier fixing may be: at most `FIXING_WINDOW` (14 days) before the date, or
before the newest fixing in the database when the date is later than that (the data may simply not
have been refreshed yet: a bundled-only install converts today's transactions at the newest fixing it
has). A currency with no fixing in that window has no ECB rate: a date before the data (ECB starts on
1999-01-04), a currency ECB stopped quoting (CYP after 2007), suspended (RUB since March 2022) or never
quoted (ARS).

A tenant's own rates (`CustomRate`: 1 `from` = `rate` `to`, from its date until the pair's next one, with
no window) come before the ECB's. A tenant's conversion is, in this order:
1. between a currency and itself: 1;
2. the tenant's newest rate of the pair on or before the date, either way round (the other way as
   1 / rate; on the same date, the direction asked wins);
3. the ECB's cross rate;
4. the ECB's cross rate between currencies that the tenant's rates reach in one step from either end
   (ARS -> EUR with the tenant's ARS -> USD: ARS -> USD x USD -> EUR), the newest of the tenant's rates
   tried first; rounded once, dated by its oldest part.
Otherwise `RateNotAvailable` (422 RATE_NOT_AVAILABLE).
"""

import asyncio
import bisect
import uuid
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core import clock, money
from colony.core.cache import Cache
from colony.core.db import savepoint
from colony.core.domain import Hooks
from colony.core.errors import ValidationFailed
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import Tenant
from colony.core.types import RATE_SCALE
from colony.exchange_rates import bundled
from colony.exchange_rates.client import ECB_90_DAYS, ECB_DAILY, ECB_HISTORY, RatesClient
from colony.exchange_rates.errors import CustomRateExists, CustomRateNotFound, RateNotAvailable
from colony.exchange_rates.models import CustomRate
from colony.exchange_rates.repository import (
    CustomFixing,
    CustomRateRepository,
    ExchangeRateRepository,
    Fixing,
    RateRefreshRepository,
)
from colony.exchange_rates.schemas import (
    ConversionRead,
    CustomRateCreate,
    CustomRateRead,
    CustomRateUpdate,
    RatesRead,
    RatesStatusRead,
)

EUR = "EUR"
FIXING_WINDOW = timedelta(days=14)
RATE_QUANTUM = Decimal(1).scaleb(-RATE_SCALE)
ONE = Decimal(1)
# A chained rate outside these bounds would not fit the Rate column (SQLite stores it as a scaled 64-bit
# integer): such a chain is not used.
MAX_CHAINED_RATE = Decimal(10) ** 8
# Refreshes ask the HTTP source for whole blocks of days back from today, so that two refreshes on the
# same day ask for the same URL (and the second is served from the cache).
REFRESH_BLOCK_DAYS = 31
# The ECB's 90-day file, when the newest stored fixing is at most this old (it holds the last 90 days).
ECB_90_DAYS_REACH = timedelta(days=85)
LOAD_CHUNK_ROWS = 20_000  # rows per progress step of a load
BUNDLED = "bundled"


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
class CustomRates:
    """A tenant's own rates in memory, per ordered pair (from, to): its dates, sorted, and its rates."""

    _dates: dict[tuple[str, str], list[date]] = field(default_factory=dict)
    _rates: dict[tuple[str, str], dict[date, Decimal]] = field(default_factory=dict)
    _partners: dict[str, set[str]] = field(default_factory=dict)  # the currencies each has a rate with

    @classmethod
    def from_rows(cls, rows: Iterable[CustomFixing]) -> "CustomRates":
        rates = cls()
        for day, from_currency, to_currency, rate in rows:
            rates._rates.setdefault((from_currency, to_currency), {})[day] = rate
            rates._partners.setdefault(from_currency, set()).add(to_currency)
            rates._partners.setdefault(to_currency, set()).add(from_currency)
        rates._dates = {pair: sorted(by_date) for pair, by_date in rates._rates.items()}
        return rates

    def __bool__(self) -> bool:
        return bool(self._rates)

    @property
    def currencies(self) -> set[str]:
        return set(self._partners)

    def _latest(self, pair: tuple[str, str], on_date: date) -> date | None:
        dates = self._dates.get(pair)
        index = bisect.bisect_right(dates, on_date) - 1 if dates else -1
        return dates[index] if dates and index >= 0 else None

    def between(self, from_currency: str, to_currency: str, on_date: date) -> Conversion | None:
        """The newest rate of the pair on or before `on_date`, either way round (the direction asked wins a
        tie), or None."""
        direct = self._latest((from_currency, to_currency), on_date)
        reverse = self._latest((to_currency, from_currency), on_date)
        if direct is not None and (reverse is None or direct >= reverse):
            return Conversion(self._rates[from_currency, to_currency][direct], direct)
        if reverse is not None:
            return Conversion(cross_rate(self._rates[to_currency, from_currency][reverse], ONE), reverse)
        return None

    def steps(self, currency: str, on_date: date) -> list[tuple[str, Conversion]]:
        """Where the tenant's rates take `currency` in one step on `on_date`: (currency reached, rate to it),
        newest first."""
        found = [(partner, conversion) for partner in self._partners.get(currency, ())
                 if (conversion := self.between(currency, partner, on_date)) is not None]
        return sorted(found, key=lambda step: (-step[1].date.toordinal(), step[0]))


@dataclass
class RateTable:
    """Fixings of a few currencies over a span of dates, and the tenant's own rates, held in memory: lookups
    without a query. Built by `rate_table()` for work that converts many rows (a CSV import, a report);
    `rate_on` follows the module's rules exactly."""

    newest: date | None
    custom: CustomRates = field(default_factory=CustomRates)
    _dates: dict[str, list[date]] = field(default_factory=dict)
    _rates: dict[str, dict[date, Decimal]] = field(default_factory=dict)
    _conversions: dict[tuple[str, str, date], "Conversion"] = field(default_factory=dict)
    _tenant_conversions: dict[tuple[str, str, date], "Conversion | None"] = field(default_factory=dict)

    @classmethod
    def from_fixings(cls, fixings: Iterable[Fixing], newest: date | None,
                     custom: CustomRates | None = None) -> "RateTable":
        table = cls(newest, custom or CustomRates())
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

    def _ecb(self, from_currency: str, to_currency: str, on_date: date) -> Conversion | None:
        """The ECB's cross rate (`from_currency` != `to_currency`), or None."""
        legs = [c for c in (from_currency, to_currency) if c != EUR]
        day = self._fixing_date(legs, on_date)
        if day is None:
            return None
        key = (from_currency, to_currency, day)
        conversion = self._conversions.get(key)
        if conversion is None:  # a day's rates serve every later day up to the next fixing: computed once
            from_per_eur = ONE if from_currency == EUR else self._rates[from_currency][day]
            to_per_eur = ONE if to_currency == EUR else self._rates[to_currency][day]
            conversion = self._conversions[key] = Conversion(cross_rate(from_per_eur, to_per_eur), day)
        return conversion

    def _tenant_rate(self, from_currency: str, to_currency: str, on_date: date) -> Conversion | None:
        """Steps 2 to 4 of the module's rules."""
        own = self.custom.between(from_currency, to_currency, on_date)
        if own is not None:
            return own
        ecb = self._ecb(from_currency, to_currency, on_date)
        if ecb is not None:
            return ecb
        for start, first in [(from_currency, None), *self.custom.steps(from_currency, on_date)]:
            for end, last in [(to_currency, None), *self.custom.steps(to_currency, on_date)]:
                if first is None and last is None:
                    continue  # the ECB's own cross rate: there is none
                middle = Conversion(ONE, on_date) if start == end else self._ecb(start, end, on_date)
                if middle is None:
                    continue
                with localcontext() as ctx:
                    ctx.prec = 60
                    rate = ((first.rate if first else ONE) * middle.rate / (last.rate if last else ONE)).quantize(
                        RATE_QUANTUM, rounding=ROUND_HALF_EVEN)
                if 0 < rate < MAX_CHAINED_RATE:
                    return Conversion(rate, min(part.date for part in (first, middle, last) if part is not None))
        return None

    def rate_on(self, from_currency: str, to_currency: str, on_date: date) -> Conversion:
        if from_currency == to_currency:
            return Conversion(ONE, on_date)
        if self.custom:
            key = (from_currency, to_currency, on_date)
            if key not in self._tenant_conversions:
                self._tenant_conversions[key] = self._tenant_rate(from_currency, to_currency, on_date)
            conversion = self._tenant_conversions[key]
        else:
            conversion = self._ecb(from_currency, to_currency, on_date)
        if conversion is None:
            raise _not_available(from_currency, to_currency, on_date)
        return conversion

    def get(self, from_currency: str, to_currency: str, on_date: date) -> Conversion | None:
        """Like `rate_on`, but None instead of an error (for reports of many rows)."""
        try:
            return self.rate_on(from_currency, to_currency, on_date)
        except RateNotAvailable:
            return None


async def rate_table(session: AsyncSession, currencies: Collection[str], start: date, end: date, *,
                     tenant_id: uuid.UUID | None) -> RateTable:
    """Everything needed to convert between `currencies` on any date in [start, end] for a tenant (None: with
    the ECB's rates only), in three queries at most: the tenant's rates, the newest fixing date, the fixings
    (of `currencies` and of those the tenant's rates reach). Use `.rate_on(from, to, date)` on the result."""
    custom = CustomRates()
    if tenant_id is not None and len(set(currencies)) > 1:
        custom = CustomRates.from_rows(await CustomRateRepository(session, tenant_id).touching(currencies, end))
    repository = ExchangeRateRepository(session)
    newest = await repository.newest_date()
    legs = sorted({c for c in (*currencies, *custom.currencies) if c != EUR})
    if newest is None or not legs:
        return RateTable(newest, custom)
    fixings = await repository.fixings(legs, _window_start(min(start, newest)), end)
    return RateTable.from_fixings(fixings, newest, custom)


async def rate_on(session: AsyncSession, from_currency: str, to_currency: str, on_date: date, *,
                  tenant_id: uuid.UUID | None) -> Conversion:
    """The rate from `from_currency` to `to_currency` for `on_date`, for a tenant (None: the ECB's rates only).

    Same currency → rate 1 dated `on_date`, without a query. Otherwise see the module's rules (three
    indexed queries; two without a tenant); raises RateNotAvailable (422).
    """
    if from_currency == to_currency:
        return Conversion(ONE, on_date)
    table = await rate_table(session, {from_currency, to_currency}, on_date, on_date, tenant_id=tenant_id)
    return table.rate_on(from_currency, to_currency, on_date)


async def convert(session: AsyncSession, amount: Decimal, from_currency: str, to_currency: str,
                  on_date: date, *, tenant_id: uuid.UUID | None) -> ConversionRead:
    """`amount` (≥ 0, at most the minor unit of `from_currency`) at the rate of `on_date`."""
    try:
        if amount < 0:
            raise money.MoneyError("must not be negative")
        checked = money.check_amount(amount, from_currency, positive=False)
    except money.MoneyError as exc:
        raise ValidationFailed("query.amount", str(exc)) from None
    conversion = await rate_on(session, from_currency, to_currency, on_date, tenant_id=tenant_id)
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
    return LoadResult(BUNDLED, days, inserted, fixings[-1][0] if fixings else newest)


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
    start = refresh_start(newest, today)
    client = RatesClient(http, cache, url)
    if client.serves_ecb_files:
        by_day = await client.fetch_ecb_file(ecb_file_for(newest, today))
        by_day = {day: rates for day, rates in by_day.items() if start <= day <= today}
    else:
        by_day = await client.fetch_range(start, today)
    return FetchedRates(url, by_day)


def ecb_file_for(newest: date, today: date) -> str:
    """The smallest of the ECB's published files that holds every day after `newest`."""
    if today - newest <= timedelta(days=1):
        return ECB_DAILY
    return ECB_90_DAYS if today - newest <= ECB_90_DAYS_REACH else ECB_HISTORY


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


# --- the status of the data and of its refreshes ----------------------------------------------------

async def record_refresh(session: AsyncSession, source: str, *, error: str | None = None) -> None:
    """A refresh from `source` succeeded (error None) or failed: what GET /exchange-rates/status tells.
    Flushes; the caller commits."""
    now = clock.utcnow()
    row: dict[str, Any] = ({"source": source, "last_refresh_at": now, "last_error": None, "last_error_at": None}
                           if error is None else {"source": source, "last_error": error, "last_error_at": now})
    await RateRefreshRepository(session).upsert_many([row])


async def status(session: AsyncSession, source: str | None) -> RatesStatusRead:
    """How old the stored ECB rates are, and how the refreshes from `source` (None: fetching off) went."""
    newest = await ExchangeRateRepository(session).newest_date()
    refresh = await RateRefreshRepository(session).of(source) if source else None
    return RatesStatusRead(
        source=source or BUNDLED, latest_date=newest,
        age_days=(clock.today() - newest).days if newest is not None else None,
        last_refresh_at=refresh.last_refresh_at if refresh else None,
        last_error=refresh.last_error if refresh else None,
        last_error_at=refresh.last_error_at if refresh and refresh.last_error else None)


# --- the tenant's own rates -------------------------------------------------------------------------

CUSTOM_RATE_WATCHERS: Hooks[Callable[[AsyncSession, uuid.UUID, date], Awaitable[None]]] = Hooks(
    "exchange_rates.CUSTOM_RATE_WATCHERS")
"""(session, tenant_id, day) after a tenant's own rates from `day` on changed: its conversions may differ."""


def _custom_read(row: CustomRate) -> CustomRateRead:
    return CustomRateRead(id=row.id, date=row.date, from_=row.from_currency, to=row.to_currency, rate=row.rate,
                          created_at=row.created_at, updated_at=row.updated_at)


async def _custom_changed(session: AsyncSession, tenant: Tenant, day: date) -> None:
    for watcher in CUSTOM_RATE_WATCHERS:
        await watcher(session, tenant.tenant_id, day)


async def list_custom(session: AsyncSession, tenant: Tenant, params: PageParams,
                      currency: str | None = None) -> Page[CustomRateRead]:
    rows, total = await CustomRateRepository(session, tenant.tenant_id).search(params, currency)
    return Page[CustomRateRead].build([_custom_read(row) for row in rows], total, params)


async def get_custom(session: AsyncSession, tenant: Tenant, rate_id: uuid.UUID) -> CustomRateRead:
    return _custom_read(await CustomRateRepository(session, tenant.tenant_id).get_or_raise(rate_id, CustomRateNotFound))


async def create_custom(session: AsyncSession, tenant: Tenant, data: CustomRateCreate) -> CustomRateRead:
    """A new rate of the tenant; one per pair and date (409 CUSTOM_RATE_EXISTS: change that one instead)."""
    row = CustomRate(created_by_id=tenant.user_id, date=data.date, from_currency=data.from_, to_currency=data.to,
                     rate=data.rate)
    async with savepoint(session, CustomRateExists):  # the unique index decides, also between two requests
        await CustomRateRepository(session, tenant.tenant_id).add(row)
    await _custom_changed(session, tenant, row.date)
    return _custom_read(row)


async def update_custom(session: AsyncSession, tenant: Tenant, rate_id: uuid.UUID,
                        data: CustomRateUpdate) -> CustomRateRead:
    repository = CustomRateRepository(session, tenant.tenant_id)
    row = await repository.get_or_raise(rate_id, CustomRateNotFound)
    changes = data.model_dump(exclude_unset=True)
    from_currency, to_currency = changes.get("from_", row.from_currency), changes.get("to", row.to_currency)
    if from_currency == to_currency:
        raise ValidationFailed("body.to" if "to" in changes else "body.from",
                               "from and to must be two different currencies")
    first_day = min(row.date, changes.get("date", row.date))
    async with savepoint(session, CustomRateExists):
        row.date = changes.get("date", row.date)
        row.from_currency, row.to_currency = from_currency, to_currency
        row.rate = changes.get("rate", row.rate)
    await _custom_changed(session, tenant, first_day)
    return _custom_read(row)


async def delete_custom(session: AsyncSession, tenant: Tenant, rate_id: uuid.UUID) -> None:
    repository = CustomRateRepository(session, tenant.tenant_id)
    row = await repository.get_or_raise(rate_id, CustomRateNotFound)
    await repository.delete(row)
    await _custom_changed(session, tenant, row.date)
