"""Amounts, dates and times as the person reads them: their locale (CLDR data through Babel) and time zone.

Amounts stay Decimals up to the moment they become text; Babel formats a Decimal exactly, with the currency's
own number of decimals.
"""

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_skeleton
from babel.numbers import format_currency, format_decimal, format_percent

from colony.core import clock

FALLBACK_LOCALE = "en_US"
UTC = zoneinfo.ZoneInfo("UTC")
PERCENT_QUANTUM = Decimal("0.01")


@functools.cache
def parse_locale(tag: str) -> Locale:
    """`en-US`, `fr`, `pt-BR` as a Babel locale; an unknown tag falls back to American English."""
    try:
        return Locale.parse(tag.replace("_", "-"), sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale.parse(FALLBACK_LOCALE)


@functools.cache
def parse_timezone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


@dataclass(frozen=True, slots=True)
class Formatter:
    """One person's way of reading numbers and dates; `currency` is their base currency."""

    locale: Locale
    timezone: zoneinfo.ZoneInfo
    currency: str

    @classmethod
    def of(cls, locale: str, timezone: str, currency: str) -> "Formatter":
        return cls(parse_locale(locale), parse_timezone(timezone), currency)

    @property
    def language(self) -> str:
        """The `lang` attribute of the page (BCP 47)."""
        return str(self.locale).replace("_", "-")

    def now(self) -> dt.datetime:
        return clock.utcnow().astimezone(self.timezone)

    def today(self) -> dt.date:
        """Today in the person's time zone: what "this month" means on their pages."""
        return self.now().date()

    def money(self, amount: Decimal | str | None, currency: str | None = None) -> str:
        if amount is None:
            return "—"
        return format_currency(Decimal(amount), currency or self.currency, locale=self.locale)

    def number(self, value: Decimal | str | int) -> str:
        return format_decimal(Decimal(value), locale=self.locale, decimal_quantization=False)

    def percent(self, value: Decimal | str | None) -> str:
        """A percentage given in percent units, as the API gives them (`12.50` → "12.5%" or "12,5 %")."""
        if value is None:
            return "—"
        return format_percent(Decimal(value) / 100, locale=self.locale, decimal_quantization=False)

    def fraction(self, value: Decimal | str | None) -> str:
        """A rate or a weight given as a fraction, as the API gives them (`0.2557677598` → "25.58%")."""
        if value is None:
            return "—"
        return self.percent((Decimal(value) * 100).quantize(PERCENT_QUANTUM, rounding=ROUND_HALF_EVEN))

    def date(self, day: dt.date | None, style: str = "medium") -> str:
        return "—" if day is None else format_date(day, style, locale=self.locale)

    def month(self, day: dt.date) -> str:
        """`March 2024`, `mars 2024`."""
        return format_skeleton("yMMMM", day, locale=self.locale)

    def short_month(self, day: dt.date) -> str:
        """`Mar 2024`, `mars 2024`: chart labels."""
        return format_skeleton("yMMM", day, locale=self.locale)

    def moment(self, moment: dt.datetime | None) -> str:
        """A stored UTC timestamp in the person's time zone."""
        if moment is None:
            return "—"
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return format_datetime(moment, "medium", tzinfo=self.timezone, locale=self.locale)

