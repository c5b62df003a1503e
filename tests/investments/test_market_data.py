"""Market data: the wrapper's cache, retries, deadline and budget (a fake provider); the Yahoo adapter's
conversions (DataFrames shaped like yfinance's); yfinance itself against a fake Yahoo on 127.0.0.1.
Nothing here reaches the internet: the yfinance tests refuse every connection that is not loopback."""

import asyncio
import math
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from colony.config import Settings
from colony.core.cache import MemoryCache, RedisCache
from colony.core.errors import ValidationFailed
from colony.investments.securities import market_data
from colony.investments.securities.errors import MarketDataUnavailable
from colony.investments.securities.market_data import (
    Bar,
    MarketData,
    MemoryBudget,
    NoMarketData,
    ProviderError,
    RedisBudget,
    SecurityInfo,
    Split,
    build_market_data,
    decode_history,
    encode_history,
)
from colony.investments.securities.yahoo import YahooMarketData, to_history
from tests.conftest import TEST_REDIS_URL
from tests.investments.fake_market import RedirectingSession, chart_body, fake_market, loopback_only
from tests.investments.fake_provider import END, HISTORY, START, FakeProvider

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:yfinance")  # pandas' notices to yfinance

# ---- the wrapper, over a scripted provider ----

class BrokenCache:
    async def get(self, key: str) -> bytes | None:
        raise RedisConnectionError("down")

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        raise RedisConnectionError("down")

    async def delete(self, key: str) -> None:
        raise RedisConnectionError("down")


def market(provider: Any, **options: Any) -> MarketData:
    options = {"backoff_seconds": 0.01, "deadline_seconds": 2.0, **options}
    return MarketData(provider, MemoryCache(), **options)


def transient() -> ProviderError:
    return ProviderError("HTTP 503", transient=True)


async def unavailable(data: MarketData, symbol: str = "ACME") -> MarketDataUnavailable:
    with pytest.raises(MarketDataUnavailable) as caught:
        await data.history(symbol, START, END)
    assert caught.value.code == "MARKET_DATA_UNAVAILABLE"
    assert caught.value.status_code == 503
    return caught.value


async def test_answers_are_cached_by_request() -> None:
    provider = FakeProvider()
    data = market(provider)
    assert await data.history("ACME", START, END) == HISTORY
    assert await data.history("acme", START, END) == HISTORY  # symbols are case-insensitive
    assert len(provider.calls) == 1
    await data.history("ACME", START, date(2024, 2, 1))  # another request, another fetch
    await data.history("ACME", None, END)
    assert provider.calls == [("ACME", START, END), ("ACME", START, date(2024, 2, 1)), ("ACME", None, END)]


async def test_a_cache_outage_only_costs_a_fetch() -> None:
    provider = FakeProvider()
    data = MarketData(provider, BrokenCache(), backoff_seconds=0.01)
    assert await data.history("ACME", START, END) == HISTORY
    assert await data.history("ACME", START, END) == HISTORY
    assert len(provider.calls) == 2


class HungCache(BrokenCache):
    async def get(self, key: str) -> bytes | None:
        await asyncio.sleep(30)
        return None


async def test_a_hung_cache_only_costs_a_fetch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(market_data, "CACHE_TIMEOUT_SECONDS", 0.05)
    provider = FakeProvider()
    started = time.monotonic()
    assert await MarketData(provider, HungCache()).history("ACME", START, END) == HISTORY
    assert time.monotonic() - started < 1
    assert len(provider.calls) == 1


def test_cached_history_round_trips() -> None:
    assert decode_history(encode_history(HISTORY)) == HISTORY


async def test_an_unreadable_cache_entry_is_a_miss() -> None:
    provider = FakeProvider()
    data = market(provider)
    await data.cache.set("market-data:fake:history:ACME:2024-01-01:2024-01-31", b"{not json", 60)
    assert await data.history("ACME", START, END) == HISTORY
    assert len(provider.calls) == 1


async def test_transient_failures_are_retried_with_backoff() -> None:
    provider = FakeProvider(transient(), ConnectionResetError(), HISTORY)
    started = time.monotonic()
    assert await market(provider, backoff_seconds=0.05).history("ACME", START, END) == HISTORY
    assert len(provider.calls) == 3
    assert time.monotonic() - started >= 0.05 + 0.1  # 0.05 s, then 0.1 s


async def test_retries_exhausted_is_unavailable_quickly() -> None:
    provider = FakeProvider(transient())
    started = time.monotonic()
    error = await unavailable(market(provider, attempts=3))
    assert time.monotonic() - started < 1
    assert len(provider.calls) == 3
    assert error.details == {"provider": "fake", "symbol": "ACME", "reason": "provider_error"}
    assert "HTTP 503" in error.detail_message


@pytest.mark.parametrize("failure", [ProviderError("unknown symbol", transient=False), KeyError("chart")])
async def test_permanent_failures_and_provider_bugs_are_not_retried(failure: Exception) -> None:
    provider = FakeProvider(failure)
    await unavailable(market(provider))
    assert len(provider.calls) == 1


async def test_a_hung_provider_meets_the_deadline() -> None:
    provider = FakeProvider(30.0)
    started = time.monotonic()
    error = await unavailable(market(provider, deadline_seconds=0.2))
    assert time.monotonic() - started < 1
    assert error.details["reason"] == "timeout"


async def test_an_exhausted_budget_is_unavailable_and_cached_answers_still_come() -> None:
    provider = FakeProvider()
    data = market(provider, budget=MemoryBudget(per_minute=0, burst=2))
    await data.history("ACME", START, END)
    await data.history("OTHER", START, END)
    error = await unavailable(data, "THIRD")
    assert error.details["reason"] == "budget_exhausted"
    assert len(provider.calls) == 2
    assert await data.history("ACME", START, END) == HISTORY  # from the cache: no token needed


async def test_every_attempt_spends_the_budget() -> None:
    provider = FakeProvider(transient())
    error = await unavailable(market(provider, attempts=5, budget=MemoryBudget(per_minute=0, burst=2)))
    assert len(provider.calls) == 2
    assert error.details["reason"] == "budget_exhausted"


async def test_the_memory_budget_refills_at_its_rate() -> None:
    now = [100.0]
    budget = MemoryBudget(per_minute=60, burst=2, clock=lambda: now[0])
    assert [await budget.take() for _ in range(3)] == [True, True, False]
    now[0] += 1.0  # one token a second
    assert [await budget.take() for _ in range(2)] == [True, False]
    now[0] += 60.0  # never more than the burst
    assert [await budget.take() for _ in range(3)] == [True, True, False]


@pytest.mark.skipif(not TEST_REDIS_URL, reason="needs COLONY_TEST_REDIS_URL")
async def test_the_redis_budget_is_one_bucket_for_every_instance() -> None:
    assert TEST_REDIS_URL is not None
    key = f"colony:test:budget:{uuid.uuid4()}"
    first, second = Redis.from_url(TEST_REDIS_URL), Redis.from_url(TEST_REDIS_URL)
    try:
        one = RedisBudget(first, key, per_minute=0.001, burst=3)
        two = RedisBudget(second, key, per_minute=0.001, burst=3)
        taken = [await budget.take() for budget in (one, two, one, two, one)]
        assert taken == [True, True, True, False, False]
        assert await first.ttl(key) > 0  # the bucket expires when idle
    finally:
        await first.delete(key)
        await first.aclose()
        await second.aclose()


async def test_the_redis_budget_falls_back_to_this_process_when_redis_is_down() -> None:
    redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        budget = RedisBudget(redis, "colony:test:budget", per_minute=0, burst=2)
        assert [await budget.take() for _ in range(3)] == [True, True, False]
    finally:
        await redis.aclose()


async def test_none_is_unavailable_at_once(tmp_path: Path) -> None:
    data = build_market_data(Settings(market_data="none", data_dir=tmp_path), MemoryCache())
    assert isinstance(data.provider, NoMarketData)
    assert not data.configured
    error = await unavailable(data)
    assert error.details == {"provider": "none", "symbol": "ACME", "reason": "not_configured"}
    with pytest.raises(MarketDataUnavailable):
        await data.info("ACME")


async def test_the_factory_picks_yahoo_and_shares_the_budget_through_redis(tmp_path: Path) -> None:
    settings = Settings(market_data="yahoo", data_dir=tmp_path)
    assert isinstance(build_market_data(settings, MemoryCache()).provider, YahooMarketData)
    assert isinstance(build_market_data(settings, MemoryCache()).budget, MemoryBudget)
    redis = Redis.from_url("redis://127.0.0.1:1/0")  # never connected: the budget only holds the client
    try:
        assert isinstance(build_market_data(settings, RedisCache(redis)).budget, RedisBudget)
        assert isinstance(build_market_data(settings, MemoryCache(), redis).budget, RedisBudget)
    finally:
        await redis.aclose()


def test_importing_and_building_loads_neither_pandas_nor_yfinance(tmp_path: Path) -> None:
    """The server's memory budget: pandas is loaded by the first Yahoo fetch, never at start-up."""
    code = (
        "import sys\n"
        "from colony.config import Settings\n"
        "from colony.core.cache import MemoryCache\n"
        "from colony.investments.securities.market_data import build_market_data\n"
        f"for name in ('yahoo', 'none'): build_market_data(Settings(market_data=name, data_dir={str(tmp_path)!r}),"
        " MemoryCache())\n"
        "loaded = sorted(m for m in ('pandas', 'numpy', 'yfinance') if m in sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize("symbol", ["", "../v1/test", "AAPL?x=1", "A" * 33])
async def test_a_malformed_symbol_is_refused(symbol: str) -> None:
    provider = FakeProvider()
    with pytest.raises(ValidationFailed):
        await market(provider).history(symbol, START, END)
    assert provider.calls == []


async def test_a_reversed_range_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        await market(FakeProvider()).history("ACME", END, START)


# ---- the Yahoo adapter's conversions, on frames shaped like yfinance's ----

COLUMNS = ["Open", "High", "Low", "Close", "Adj Close", "Volume", "Dividends", "Stock Splits"]


def yf_frame(timezone: str, rows: list[tuple[str, float, float, float, float, float, int, float, float]]) -> Any:
    """yfinance's daily frame: midnight of each day in the exchange's zone, split-adjusted prices,
    `Stock Splits` holding numerator / denominator on a split's day (0 elsewhere)."""
    index = pd.DatetimeIndex([pd.Timestamp(day) for day, *_ in rows]).tz_localize(timezone)
    return pd.DataFrame([row[1:] for row in rows], index=index, columns=COLUMNS)


def yf_meta(currency: str | None = "USD", timezone: str = "America/New_York", **more: Any) -> dict[str, Any]:
    return {"symbol": "ACME", "longName": "Acme Corp", "shortName": "ACME CORP", "instrumentType": "EQUITY",
            "fullExchangeName": "NYSE", "exchangeName": "NYQ", "currency": currency,
            "exchangeTimezoneName": timezone, **more}


class FrameFetch:
    """Stands in for yfinance: records the (symbol, start) asked for and returns a prepared frame."""

    def __init__(self, frame: Any, meta: dict[str, Any]) -> None:
        self.frame, self.meta = frame, meta
        self.calls: list[tuple[str, date | None]] = []

    def __call__(self, symbol: str, start: date | None) -> tuple[Any, dict[str, Any]]:
        self.calls.append((symbol, start))
        return self.frame, self.meta


# 2:1 on 2024-03-04 in pence: Yahoo halved the earlier bars' prices and doubled their volumes.
VOD_ROWS = [
    ("2024-03-01", 70.0, 71.0, 69.5, 70.5, 60.0, 2000, 0.0, 0.0),
    ("2024-03-04", 36.0, 37.0, 35.0, 36.5, 30.0, 3000, 0.0, 2.0),
    ("2024-03-05", 36.5, 37.5, 36.0, 37.25, 30.5, 2500, 0.0, 0.0),
]


async def test_a_split_is_turned_back_into_quoted_prices_and_pence_into_pounds() -> None:
    fetch = FrameFetch(yf_frame("Europe/London", VOD_ROWS), yf_meta("GBp", "Europe/London", symbol="VOD.L"))
    history = await YahooMarketData(fetch).history("VOD.L", date(2024, 3, 1), date(2024, 3, 5))
    assert history.info == SecurityInfo("VOD.L", "Acme Corp", "stock", "NYSE", "GBP")
    assert history.bars == (
        Bar(date(2024, 3, 1), Decimal("1.4"), Decimal("1.42"), Decimal("1.39"), Decimal("1.41"), 1000),
        Bar(date(2024, 3, 4), Decimal("0.36"), Decimal("0.37"), Decimal("0.35"), Decimal("0.365"), 3000),
        Bar(date(2024, 3, 5), Decimal("0.365"), Decimal("0.375"), Decimal("0.36"), Decimal("0.3725"), 2500),
    )
    assert history.splits == (Split(date(2024, 3, 4), 2, 1),)
    assert all(bar.close.as_tuple().exponent == -8 for bar in history.bars)  # at most 8 decimals


async def test_a_split_after_the_range_still_counts_and_the_fetch_runs_through_today() -> None:
    fetch = FrameFetch(yf_frame("Europe/London", VOD_ROWS), yf_meta("GBp", "Europe/London"))
    history = await YahooMarketData(fetch).history("VOD.L", date(2024, 3, 1), date(2024, 3, 1))
    assert fetch.calls == [("VOD.L", date(2024, 3, 1))]  # no end: Yahoo adjusts for splits up to today
    assert [(bar.date, bar.close, bar.volume) for bar in history.bars] == [(date(2024, 3, 1), Decimal("1.41"), 1000)]
    assert history.splits == ()  # the split is outside the range asked for


async def test_several_splits_multiply_and_reverse_splits_divide() -> None:
    rows = [  # 3:2 on Jan 3, then 1:10 (reverse) on Jan 5: factor 0.15 before Jan 3, 0.1 before Jan 5
        ("2024-01-02", 30.0, 30.0, 30.0, 30.0, 30.0, 1500, 0.0, 0.0),
        ("2024-01-03", 30.0, 30.0, 30.0, 30.0, 30.0, 1000, 0.0, 1.5),
        ("2024-01-04", 30.0, 30.0, 30.0, 30.0, 30.0, 1000, 0.0, 0.0),
        ("2024-01-05", 30.0, 30.0, 30.0, 30.0, 30.0, 100, 0.0, 0.1),
    ]
    history = await YahooMarketData(FrameFetch(yf_frame("America/New_York", rows), yf_meta())).history(
        "ACME", None, date(2024, 1, 5))
    assert [(bar.close, bar.volume) for bar in history.bars] == [
        (Decimal("4.5"), 10000), (Decimal("3"), 10000), (Decimal("3"), 10000), (Decimal("30"), 100)]
    assert history.splits == (Split(date(2024, 1, 3), 3, 2), Split(date(2024, 1, 5), 1, 10))


async def test_bar_dates_are_the_exchanges_days_not_utcs() -> None:
    rows = [("2024-03-01", 3600.0, 3700.0, 3550.0, 3650.0, 3600.0, 10, 0.0, 0.0),
            ("2024-03-04", 3660.0, 3710.0, 3600.0, 3700.0, 3680.0, 20, 0.0, 0.0)]
    tokyo = yf_frame("Asia/Tokyo", rows)  # midnight in Tokyo is 15:00 UTC the day before
    in_utc = tokyo.tz_convert("UTC")
    for frame in (tokyo, in_utc):
        history = await YahooMarketData(FrameFetch(frame, yf_meta("JPY", "Asia/Tokyo"))).history(
            "7203.T", date(2024, 3, 1), date(2024, 3, 4))
        assert [bar.date for bar in history.bars] == [date(2024, 3, 1), date(2024, 3, 4)]


@pytest.mark.parametrize(("quoted", "currency", "close"), [
    ("GBp", "GBP", Decimal("1.41")), ("ZAc", "ZAR", Decimal("1.41")), ("ILA", "ILS", Decimal("1.41")),
    ("USD", "USD", Decimal("141")),
])
async def test_minor_units_become_main_units(quoted: str, currency: str, close: Decimal) -> None:
    rows = [("2024-03-01", 140.0, 142.0, 139.0, 141.0, 141.0, 5, 0.0, 0.0)]
    history = await YahooMarketData(FrameFetch(yf_frame("Europe/London", rows), yf_meta(quoted))).history(
        "X", None, date(2024, 3, 1))
    assert (history.info.currency, history.bars[0].close) == (currency, close)


async def test_rows_without_a_close_are_not_bars_and_missing_prices_stay_missing() -> None:
    nan = math.nan
    rows = [("2024-03-01", nan, 11.0, 9.0, 10.0, 10.0, 7, 0.0, 0.0),
            ("2024-03-02", nan, nan, nan, nan, nan, 0, 0.25, 0.0),  # a dividend on a Saturday
            ("2024-03-04", 0.0, 11.0, 9.0, 10.5, 10.5, 8, 0.0, 0.0)]  # Yahoo's 0 means "no open"
    history = await YahooMarketData(FrameFetch(yf_frame("America/New_York", rows), yf_meta())).history(
        "ACME", None, date(2024, 3, 4))
    assert history.bars == (Bar(date(2024, 3, 1), None, Decimal(11), Decimal(9), Decimal(10), 7),
                            Bar(date(2024, 3, 4), None, Decimal(11), Decimal(9), Decimal("10.5"), 8))


def test_info_from_the_chart_metadata() -> None:
    meta = yf_meta(instrumentType="MUTUALFUND", longName=None, fullExchangeName=None, exchangeName="NAS")
    history = to_history("VFIAX", yf_frame("America/New_York", VOD_ROWS), meta, None, date(2024, 3, 5))
    assert history.info == SecurityInfo("VFIAX", "ACME CORP", "mutual_fund", "NAS", "USD")
    for kind, expected in (("ETF", "etf"), ("CRYPTOCURRENCY", "crypto"), ("INDEX", "index"), ("FUTURE", "other")):
        assert to_history("X", yf_frame("UTC", VOD_ROWS), yf_meta(instrumentType=kind), None,
                          date(2024, 3, 5)).info.security_type == expected


def odd_frames() -> Iterator[tuple[str, Any, dict[str, Any]]]:
    frame = yf_frame("America/New_York", VOD_ROWS)
    yield "empty", frame.iloc[0:0], yf_meta()
    yield "no close column", frame.drop(columns=["Close"]), yf_meta()
    yield "no currency", frame, yf_meta(currency=None)
    yield "a currency that is no ISO code", frame, yf_meta(currency="usd")
    yield "two bars on one day", yf_frame("America/New_York", [VOD_ROWS[0], VOD_ROWS[0]]), yf_meta()
    yield "no date index", frame.reset_index(drop=True), yf_meta()
    yield "a negative split", yf_frame("America/New_York", [(*VOD_ROWS[0][:-1], -2.0)]), yf_meta()
    yield "nothing in the range", frame, yf_meta()  # asked for 2023 below


@pytest.mark.parametrize(("case", "frame", "meta"), list(odd_frames()), ids=[case for case, *_ in odd_frames()])
async def test_yfinance_oddities_are_errors_not_empty_answers(case: str, frame: Any, meta: dict[str, Any]) -> None:
    fetch = FrameFetch(frame, meta)
    start, end = date(2023, 1, 1), date(2023, 12, 31) if "range" in case else date(2024, 12, 31)
    with pytest.raises(ProviderError) as caught:
        await YahooMarketData(fetch).history("ACME", start, end)
    assert not caught.value.transient
    data = market(YahooMarketData(fetch))  # through the wrapper: a 503 at once, no retry
    with pytest.raises(MarketDataUnavailable):
        await data.history("ACME", start, end)
    assert len(fetch.calls) == 2


async def test_a_failing_fetch_is_transient_and_retried() -> None:
    calls: list[str] = []

    def fetch(symbol: str, start: date | None) -> tuple[Any, dict[str, Any]]:
        calls.append(symbol)
        raise ConnectionError("connection reset by peer")

    await unavailable(market(YahooMarketData(fetch), attempts=3))
    assert calls == ["ACME"] * 3


# ---- yfinance itself, against a fake Yahoo on 127.0.0.1 ----

@pytest.fixture
def yahoo_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp() / "yfinance"  # one per test session: yfinance sets it once


@pytest.fixture
def refused(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    with loopback_only(monkeypatch) as refused:
        yield refused


VOD_CHART = chart_body(
    "VOD.L", currency="GBp", timezone="Europe/London", name="Vodafone Group Plc", exchange="LSE",
    bars=[(datetime(2024, 3, 1, 8), 70.0, 71.0, 69.5, 70.5, 60.0, 2000),  # adjclose differs: never used
          (datetime(2024, 3, 4, 8), 36.0, 37.0, 35.0, 36.5, 30.0, 3000)],
    splits=((datetime(2024, 3, 4, 8), 2, 1),))
TOYOTA_CHART = chart_body(
    "7203.T", currency="JPY", timezone="Asia/Tokyo", name="Toyota Motor Corporation", exchange="Tokyo",
    bars=[(datetime(2024, 3, 1, 0), 3600.0, 3700.0, 3550.0, 3650.0, 3600.0, 10),  # 15:00 UTC on Feb 29
          (datetime(2024, 3, 4, 0), 3660.0, 3710.0, 3600.0, 3700.0, 3680.0, 20)])


async def test_yfinance_through_the_fake_yahoo(yahoo_cache_dir: Path, refused: list[object]) -> None:
    with fake_market() as fake:
        fake.charts.update({"VOD.L": VOD_CHART, "7203.T": TOYOTA_CHART})
        data = market(YahooMarketData(session=RedirectingSession(fake.url), cache_dir=yahoo_cache_dir),
                      deadline_seconds=10.0)
        vodafone = await data.history("VOD.L", date(2024, 1, 1), date(2024, 12, 31))
        toyota = await data.history("7203.T", date(2024, 1, 1), date(2024, 12, 31))
        hits = fake.chart_hits("VOD.L")
        assert await data.history("VOD.L", date(2024, 1, 1), date(2024, 12, 31)) == vodafone  # cached
        assert fake.chart_hits("VOD.L") == hits
        info = await data.info("7203.T")
    assert vodafone.info == SecurityInfo("VOD.L", "Vodafone Group Plc", "stock", "LSE", "GBP")
    assert vodafone.bars == (
        Bar(date(2024, 3, 1), Decimal("1.4"), Decimal("1.42"), Decimal("1.39"), Decimal("1.41"), 1000),
        Bar(date(2024, 3, 4), Decimal("0.36"), Decimal("0.37"), Decimal("0.35"), Decimal("0.365"), 3000))
    assert vodafone.splits == (Split(date(2024, 3, 4), 2, 1),)
    assert [(bar.date, bar.close) for bar in toyota.bars] == [(date(2024, 3, 1), Decimal(3650)),
                                                              (date(2024, 3, 4), Decimal(3700))]
    assert info == SecurityInfo("7203.T", "Toyota Motor Corporation", "stock", "Tokyo", "JPY")
    assert hits >= 1 and fake.chart_hits("7203.T") >= 2
    assert {host for host, _path in fake.hits} <= {"fc.yahoo.com", "query1.finance.yahoo.com",
                                                   "query2.finance.yahoo.com", "guce.yahoo.com"}
    assert refused == []  # nothing tried to leave the machine


@pytest.mark.parametrize("status", [429, 503])
async def test_yahoo_failing_is_retried_then_unavailable_then_recovers(yahoo_cache_dir: Path,
                                                                      refused: list[object], status: int) -> None:
    symbol = f"DOWN{status}.L"  # a symbol of its own: yfinance has never seen it (nor its time zone)
    with fake_market() as fake:
        fake.charts[symbol] = VOD_CHART
        fake.status = status
        data = market(YahooMarketData(session=RedirectingSession(fake.url), cache_dir=yahoo_cache_dir),
                      attempts=2, deadline_seconds=10.0)
        started = time.monotonic()
        error = await unavailable(data, symbol)
        assert time.monotonic() - started < 5
        assert error.details["reason"] == "provider_error"
        failed_hits = fake.chart_hits(symbol)
        assert failed_hits >= 2  # both attempts reached the (fake) server
        fake.status = None  # Yahoo is back: nothing of the outage was kept
        history = await data.history(symbol, date(2024, 1, 1), date(2024, 12, 31))
    assert [bar.close for bar in history.bars] == [Decimal("1.41"), Decimal("0.365")]
    assert fake.chart_hits(symbol) > failed_hits
    assert refused == []


async def test_an_unknown_symbol_is_unavailable_without_retries(yahoo_cache_dir: Path, refused: list[object]) -> None:
    with fake_market() as fake:
        provider = YahooMarketData(session=RedirectingSession(fake.url), cache_dir=yahoo_cache_dir)
        with pytest.raises(ProviderError) as caught:
            await provider.history("NOPE", date(2024, 1, 1), date(2024, 12, 31))
    assert not caught.value.transient
    assert fake.chart_hits("NOPE") >= 1
    assert refused == []


def test_the_redirecting_session_refuses_other_hosts() -> None:
    with pytest.raises(ConnectionRefusedError):
        RedirectingSession("http://127.0.0.1:9").get("https://example.com/")
