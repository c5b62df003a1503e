"""Closes and exchange rates as the engine sees them: carried forward, never from a later day, never
invented, and remembered when missing (the figures say what they left out)."""

import datetime as dt
import uuid
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from colony.investments.engine.model import PriceLookup, RateLookup

ONE = Decimal(1)
Quote = tuple[Decimal, dt.date]
_UNASKED: Quote = (ONE, dt.date.min)  # a cache's "not asked yet", never a real answer


def carried_forward(points: Mapping[dt.date, Decimal] | Sequence[tuple[dt.date, Decimal]]
                    ) -> Callable[[dt.date], Quote | None]:
    """The last value on or before a day (a later duplicate of a date wins). Asked once per security and
    day by a pass that moves forward, it first tries where the last answer was and the point after it,
    and bisects only when the day jumps."""
    latest = dict(points.items() if isinstance(points, Mapping) else points)
    dates = sorted(latest)
    quotes: list[Quote] = [(latest[d], d) for d in dates]
    count = len(dates)
    at = 0  # the index of the first date after the last answer

    def lookup(day: dt.date) -> Quote | None:
        nonlocal at
        if not (at and dates[at - 1] <= day) or (at < count and dates[at] <= day):
            if at < count and dates[at] <= day and (at + 1 == count or dates[at + 1] > day):
                at += 1  # the next point: a day of the walk reached it
            else:
                at = bisect_right(dates, day)
        return quotes[at - 1] if at else None

    return lookup


class Market:
    """The lookups of one calculation, cached for the day being worked on (days only move forward in a
    pass, so one day's cache is all that is ever reused)."""

    def __init__(self, base_currency: str, prices: PriceLookup, rates: RateLookup) -> None:
        self.base_currency = base_currency
        self._prices, self._rates = prices, rates
        self._day: dt.date | None = None
        self._closes: dict[uuid.UUID, Quote | None] = {}
        self._rate_cache: dict[str, Decimal | None] = {}
        self.missing_prices: set[uuid.UUID] = set()
        self.missing_rates: set[str] = set()

    def _on(self, day: dt.date) -> None:
        if day != self._day:
            self._day = day
            self._closes.clear()
            self._rate_cache.clear()

    def close(self, security_id: uuid.UUID, day: dt.date) -> Quote | None:
        """The close a holding is valued at on `day`; a quote dated after the day is refused."""
        self._on(day)
        quote = self._closes.get(security_id, _UNASKED)
        if quote is _UNASKED:
            quote = self._prices(security_id, day)
            if quote is not None and quote[1] > day:
                quote = None
            self._closes[security_id] = quote
        if quote is None:
            self.missing_prices.add(security_id)
        return quote

    def rate(self, currency: str, day: dt.date) -> Decimal | None:
        """Base units per unit of `currency` on `day`; the base currency is 1 by definition, any other
        missing rate stays missing."""
        if currency == self.base_currency:
            return ONE
        self._on(day)
        if currency not in self._rate_cache:
            self._rate_cache[currency] = self._rates(currency, day)
        rate = self._rate_cache[currency]
        if rate is None:
            self.missing_rates.add(currency)
        return rate

    def to_base(self, amount: Decimal, currency: str, day: dt.date) -> Decimal | None:
        """`amount` in base currency, or None without a rate (nothing is missing for a zero)."""
        if not amount:
            return amount
        rate = self.rate(currency, day)
        return None if rate is None else amount * rate

    def value(self, security_id: uuid.UUID, currency: str, quantity: Decimal, day: dt.date
              ) -> tuple[Quote | None, Decimal | None]:
        """A quantity of a security at the close of `day` in base currency, with the close used; the value
        is None when the close or the rate is missing."""
        quote = self.close(security_id, day)
        if quote is None:
            return None, None
        return quote, self.to_base(quantity * quote[0], currency, day)
