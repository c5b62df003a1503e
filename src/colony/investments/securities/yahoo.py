"""The `yahoo` market-data provider: Yahoo Finance through `yfinance`, turned into prices as quoted.

Yahoo's daily history is adjusted for every split up to today, whatever range is asked for; Colony
stores prices as quoted on their day. So the fetch always runs through today (a split after the range
still adjusted it), with `auto_adjust=False` (closes not adjusted for dividends), and each bar is
multiplied back by the splits dated after it (prices times the ratio, volumes divided by it). Bar dates
are read in the exchange's time zone; pence-style units (GBp, ZAc, ILA) become their main unit at 0.01.

yfinance (and pandas under it) is imported on the first fetch only, and it blocks: every call runs in a
small pool of worker threads, so a hung request can neither stall the event loop nor pile up threads.
"""

import asyncio
import functools
import math
import re
import threading
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

from colony.core.clock import today
from colony.core.logging import get_logger
from colony.investments.securities.market_data import (
    Bar,
    History,
    ProviderError,
    SecurityInfo,
    SecurityType,
    Split,
)

log = get_logger("colony.investments.yahoo")
T = TypeVar("T")

Fetch = Callable[[str, date | None], tuple[Any, Mapping[str, Any]]]
"""(symbol, start) → (yfinance's daily DataFrame from `start`, or from the first day, through today;
the chart metadata). May raise ProviderError; any other exception counts as a transient failure."""

PRICE_QUANTUM = Decimal("1e-8")
MINOR_UNITS: dict[str, tuple[str, Decimal]] = {
    "GBp": ("GBP", Decimal("0.01")), "GBX": ("GBP", Decimal("0.01")),  # pence
    "ZAc": ("ZAR", Decimal("0.01")),  # South African cents
    "ILA": ("ILS", Decimal("0.01")),  # Israeli agorot
}
CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
SECURITY_TYPES: dict[str, SecurityType] = {
    "EQUITY": "stock", "ETF": "etf", "MUTUALFUND": "mutual_fund", "BOND": "bond",
    "CRYPTOCURRENCY": "crypto", "INDEX": "index",
}
META_KEYS = ("symbol", "longName", "shortName", "instrumentType", "fullExchangeName", "exchangeName",
             "currency", "exchangeTimezoneName")
PRICE_COLUMNS = ("Open", "High", "Low", "Close")
HTTP_TIMEOUT_SECONDS = 4.0  # per HTTP request; MarketData's deadline bounds the whole call
WORKERS = 4
INFO_WINDOW_DAYS = 31  # metadata comes with a short history: a month always has a trading day


class YahooMarketData:
    """Fetches through `fetch` (yfinance unless a test injects one) and converts to plain data."""

    name = "yahoo"

    def __init__(self, fetch: Fetch | None = None, *, session: Any = None, cache_dir: Path | None = None,
                 timeout_seconds: float = HTTP_TIMEOUT_SECONDS) -> None:
        self._fetch = fetch or YFinanceFetch(session=session, cache_dir=cache_dir, timeout_seconds=timeout_seconds)

    async def history(self, symbol: str, start: date | None, end: date) -> History:
        return await _in_worker(self._history, symbol, start, end)

    async def info(self, symbol: str) -> SecurityInfo:
        return await _in_worker(self._info, symbol)

    def _history(self, symbol: str, start: date | None, end: date) -> History:
        frame, meta = self._call(symbol, start)
        return _converted(lambda: to_history(symbol, frame, meta, start, end))

    def _info(self, symbol: str) -> SecurityInfo:
        _frame, meta = self._call(symbol, today() - timedelta(days=INFO_WINDOW_DAYS))
        return _converted(lambda: to_info(symbol, meta))

    def _call(self, symbol: str, start: date | None) -> tuple[Any, Mapping[str, Any]]:
        try:
            return self._fetch(symbol, start)
        except ProviderError:
            raise
        except Exception as exc:  # network errors, timeouts, Yahoo's error pages: worth another try
            status = getattr(getattr(exc, "response", None), "status_code", None)  # requests' HTTPError
            raise ProviderError(f"Yahoo Finance request failed ({type(exc).__name__}: {exc})",
                                transient=status != 404) from exc  # 404: Yahoo does not know the symbol


def _converted(convert: Callable[[], T]) -> T:
    """A frame that does not convert is Yahoo's (or yfinance's) oddity: an error, not a retry."""
    try:
        return convert()
    except ProviderError:
        raise
    except Exception as exc:
        raise ProviderError(f"Yahoo Finance answered data Colony cannot read ({type(exc).__name__}: {exc})",
                            transient=False) from exc


@functools.cache
def _executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="yahoo")


async def _in_worker(function: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_executor(), functools.partial(function, *args))


# ---- yfinance ----

class YFinanceFetch:
    """The real fetch. `session` (a requests or curl_cffi Session) lets tests send yfinance to a fake
    server; `cache_dir` holds yfinance's own small caches (time zones, cookies)."""

    def __init__(self, *, session: Any = None, cache_dir: Path | None = None,
                 timeout_seconds: float = HTTP_TIMEOUT_SECONDS) -> None:
        self._session = session
        self._cache_dir = cache_dir
        self._timeout = timeout_seconds

    def __call__(self, symbol: str, start: date | None) -> tuple[Any, Mapping[str, Any]]:
        yf = _yfinance(self._cache_dir)
        from yfinance.data import YfData
        from yfinance.exceptions import YFInvalidPeriodError, YFRateLimitError, YFTickerMissingError

        ticker = yf.Ticker(symbol, session=self._session)
        window = {"period": "max"} if start is None else {"start": start.isoformat()}  # always through today
        try:
            frame = ticker.history(interval="1d", auto_adjust=False, back_adjust=False, actions=True,
                                   repair=False, timeout=self._timeout, **window)
            metadata = ticker.get_history_metadata()
        except Exception as exc:
            YfData.cache_get.cache_clear()  # yfinance keeps responses, error pages too: a retry must ask again
            if isinstance(exc, YFRateLimitError):
                raise ProviderError("Yahoo Finance is rate limiting (HTTP 429)", transient=True) from exc
            if isinstance(exc, YFTickerMissingError | YFInvalidPeriodError):
                raise ProviderError(f"Yahoo Finance has no prices for {symbol}: {exc}", transient=False) from exc
            raise
        return frame, {key: metadata[key] for key in META_KEYS if key in metadata}


_setup_lock = threading.Lock()
_configured: list[bool] = []


def _yfinance(cache_dir: Path | None) -> Any:
    """yfinance, imported here and configured once per process: raise errors rather than log them and
    return an empty frame, and keep its caches under Colony's data directory."""
    import yfinance

    with _setup_lock:
        if not _configured:
            yfinance.config.debug.hide_exceptions = False
            # yfinance turns on its own DeprecationWarnings (pandas' notices): stray lines on stderr.
            warnings.filterwarnings("ignore", category=DeprecationWarning, module="^yfinance")
            if cache_dir is not None:
                try:
                    cache_dir.mkdir(parents=True, exist_ok=True)
                    yfinance.set_tz_cache_location(str(cache_dir))
                except OSError as exc:  # yfinance then uses its default place, or none
                    log.warning("yfinance_cache_dir_unusable", path=str(cache_dir), error=type(exc).__name__)
            _configured.append(True)
    return yfinance


# ---- conversion (pure: tests feed it DataFrames shaped like yfinance's) ----

def to_info(symbol: str, meta: Mapping[str, Any]) -> SecurityInfo:
    name = str(meta.get("longName") or meta.get("shortName") or symbol).strip()
    exchange = meta.get("fullExchangeName") or meta.get("exchangeName")
    return SecurityInfo(
        symbol=symbol,
        name=name[:200],
        security_type=SECURITY_TYPES.get(str(meta.get("instrumentType") or "").upper(), "other"),
        exchange=str(exchange)[:32] if exchange else None,
        currency=main_currency(meta.get("currency"))[0],
    )


def main_currency(code: object) -> tuple[str, Decimal]:
    """The ISO code of a quote currency and the factor into it (GBp → GBP, 0.01)."""
    if isinstance(code, str) and code in MINOR_UNITS:
        return MINOR_UNITS[code]
    if isinstance(code, str) and CURRENCY_PATTERN.match(code):
        return code, Decimal(1)
    raise ProviderError(f"Yahoo Finance quoted an unknown currency: {code!r}", transient=False)


def to_history(symbol: str, frame: Any, meta: Mapping[str, Any], start: date | None, end: date) -> History:
    """Yahoo's split-adjusted daily frame → the bars of [start, end] as quoted on their day."""
    info = to_info(symbol, meta)
    _currency, unit = main_currency(meta.get("currency"))
    bars: list[Bar] = []
    splits: list[Split] = []
    factor = Fraction(1)  # the product of the splits after the current row: Yahoo divided its prices by it
    for day, opening, high, low, close, volume, split in reversed(_rows(symbol, frame, meta)):
        in_range = (start is None or start <= day) and day <= end
        if in_range and _is_price(close):
            bars.append(Bar(day, _quoted(opening, factor, unit), _quoted(high, factor, unit),
                            _quoted(low, factor, unit), _price(close, factor, unit), _volume(volume, factor)))
        elif in_range and not math.isnan(close):
            log.warning("yahoo_bar_without_price", symbol=symbol, date=day.isoformat(), close=close)
        if split:
            factor *= split  # the bar of the split's own day is already in post-split terms
            if in_range:
                splits.append(Split(day, split.numerator, split.denominator))
    if not bars:
        raise ProviderError(f"Yahoo Finance answered no prices for {symbol} from {start or 'the start'} "
                            f"to {end}", transient=False)
    return History(info, tuple(reversed(bars)), tuple(reversed(splits)))


Row = tuple[date, float, float, float, float, float, Fraction | None]


def _rows(symbol: str, frame: Any, meta: Mapping[str, Any]) -> list[Row]:
    """(day in the exchange's time zone, open, high, low, close, volume, split ratio), oldest first."""
    if frame is None or len(frame) == 0:
        raise ProviderError(f"Yahoo Finance answered an empty history for {symbol}", transient=False)
    missing = [column for column in (*PRICE_COLUMNS, "Volume") if column not in frame.columns]
    if missing:
        raise ProviderError(f"Yahoo Finance answered a history without {', '.join(missing)}", transient=False)
    index = frame.index
    if index.tz is not None:  # a naive index is already in exchange-local days
        index = index.tz_convert(meta.get("exchangeTimezoneName") or index.tz)
    days = [stamp.date() for stamp in index]
    if len(set(days)) != len(days):
        raise ProviderError(f"Yahoo Finance answered two bars for one day for {symbol}", transient=False)
    columns = [[float(value) for value in frame[column].tolist()] for column in (*PRICE_COLUMNS, "Volume")]
    ratios = [_ratio(value) for value in frame["Stock Splits"].tolist()] if "Stock Splits" in frame.columns \
        else [None] * len(days)
    return sorted(zip(days, *columns, ratios, strict=True))


def _ratio(value: Any) -> Fraction | None:
    """yfinance's split column: numerator / denominator as a float, 0 when there is none."""
    number = float(value)
    if math.isnan(number) or number == 0:
        return None
    if math.isinf(number) or number < 0:
        raise ProviderError(f"Yahoo Finance answered a bad split ratio: {value!r}", transient=False)
    return Fraction(number).limit_denominator(1000)  # 0.333… → 1/3


def _is_price(value: float) -> bool:
    return math.isfinite(value) and value > 0


def _price(value: float, factor: Fraction, unit: Decimal) -> Decimal:
    price = Decimal(repr(value)) * unit * factor.numerator / factor.denominator
    return price.quantize(PRICE_QUANTUM, rounding=ROUND_HALF_EVEN)


def _quoted(value: float, factor: Fraction, unit: Decimal) -> Decimal | None:
    """An open, high or low: Yahoo's NaN or zero means it has none for the day."""
    return _price(value, factor, unit) if _is_price(value) else None


def _volume(value: float, factor: Fraction) -> int | None:
    if not math.isfinite(value) or value < 0:
        return None
    return round(Fraction(value) / factor)
