"""Refreshing from a Frankfurter-style HTTP source (a local fake), its cache, the CLI and the schedule."""

import asyncio
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from typer.testing import CliRunner

from colony import migrate
from colony.cli import app as cli_app
from colony.core.cache import MemoryCache
from colony.core.db import Database
from colony.core.jobs import JobContext, create_scheduler, lock_key, run_exclusively, run_job
from colony.domains import metadata
from colony.exchange_rates import jobs, service
from colony.exchange_rates.client import RatesClient
from colony.exchange_rates.errors import RateSourceUnavailable
from colony.exchange_rates.models import ExchangeRate
from colony.exchange_rates.repository import ExchangeRateRepository
from colony.main import create_app, start_scheduler
from tests.conftest import make_settings
from tests.exchange_rates.fake_source import FakeSource, fake_source, range_body


@pytest.fixture
def source() -> Iterator[FakeSource]:
    with fake_source() as state:
        yield state


def days_after(newest: date, source: FakeSource) -> list[date]:
    """Three new fixing days after `newest`, served by the fake source with exact JSON numbers."""
    days = [newest + timedelta(days=n) for n in (1, 2, 3)]
    source.body = range_body({
        days[0].isoformat(): '{"USD": 1.0746, "JPY": 173.5, "GBP": 0.1, "XAU": 5, "EUR": 1}',
        days[1].isoformat(): '{"USD": 1.07461234567891, "JPY": 174}',
        days[2].isoformat(): '{"USD": 1.2}',
    })
    return days


async def rate(session: AsyncSession, currency: str, day: date) -> Decimal | None:
    return (await session.execute(select(ExchangeRate.rate).where(
        ExchangeRate.currency == currency, ExchangeRate.date == day))).scalar_one_or_none()


async def test_refresh_upserts_the_fetched_days_exactly(session: AsyncSession, app: FastAPI,
                                                        source: FakeSource) -> None:
    newest = await ExchangeRateRepository(session).newest_date()
    assert newest is not None
    days = days_after(newest, source)
    today = newest + timedelta(days=6)
    result = await service.refresh(session, url=source.url, http=app.state.http, cache=MemoryCache(), today=today)

    assert source.hits == [f"/v1/{(today - timedelta(days=31)).isoformat()}..{today.isoformat()}?from=EUR"]
    assert (result.source, result.days, result.rows, result.newest) == (source.url, 3, 6, days[2])
    assert await rate(session, "USD", days[0]) == Decimal("1.0746")
    assert await rate(session, "GBP", days[0]) == Decimal("0.1")  # never 0.1000000000000000055...
    assert await rate(session, "USD", days[1]) == Decimal("1.0746123457")  # the Rate column's 10 decimals
    assert await rate(session, "XAU", days[0]) is None  # unknown to Colony: skipped
    assert await rate(session, "EUR", days[0]) is None
    # the new fixing is what lookups use now
    assert (await service.rate_on(session, "EUR", "USD", today, tenant_id=None)).date == days[2]

    # a source may correct a day: a refresh replaces it
    source.body = range_body({days[0].isoformat(): '{"USD": 1.0747}'})
    await service.refresh(session, url=source.url, http=app.state.http, cache=MemoryCache(), today=today)
    assert await rate(session, "USD", days[0]) == Decimal("1.0747")


async def test_second_refresh_is_served_from_the_cache(session: AsyncSession, app: FastAPI,
                                                       source: FakeSource) -> None:
    cache = app.state.cache  # Redis when COLONY_TEST_REDIS_URL is set, else in-process
    newest = await ExchangeRateRepository(session).newest_date()
    assert newest is not None
    days = days_after(newest, source)
    today = newest + timedelta(days=5)
    first = await service.refresh(session, url=source.url, http=app.state.http, cache=cache, today=today)
    second = await service.refresh(session, url=source.url, http=app.state.http, cache=cache, today=today)
    assert len(source.hits) == 1
    assert first.days == second.days == 3
    assert await rate(session, "JPY", days[1]) == Decimal("174")


async def test_refresh_without_a_source_uses_the_bundled_data(session: AsyncSession, app: FastAPI) -> None:
    result = await service.refresh(session, url=None, http=app.state.http, cache=MemoryCache())
    assert (result.source, result.rows) == ("bundled", 0)
    assert result.newest == await ExchangeRateRepository(session).newest_date()


@pytest.mark.parametrize(("status", "body", "message"), [
    (500, b'{"message": "boom"}', "HTTP 500"),
    (404, b"not found", "HTTP 404"),
    (200, b"<html>", "malformed JSON"),
    (200, b'{"base": "USD", "rates": {}}', "not EUR"),
    (200, b'{"base": "EUR", "rates": {"2024-01-02": {"USD": -1}}}', "bad rate"),
    (200, b'{"base": "EUR", "rates": {"yesterday": {"USD": 1}}}', "bad date"),
    (200, b'{"base": "EUR"}', "without rates"),
])
async def test_source_failures_are_503(app: FastAPI, source: FakeSource, status: int, body: bytes,
                                       message: str) -> None:
    source.status, source.body = status, body
    cache = MemoryCache()
    client = RatesClient(app.state.http, cache, source.url)
    with pytest.raises(RateSourceUnavailable) as caught:
        await client.fetch_range(date(2024, 1, 1), date(2024, 1, 5))
    assert caught.value.status_code == 503
    assert caught.value.code == "SERVICE_UNAVAILABLE"
    assert message in caught.value.detail_message
    # a failed answer is not cached: the next call asks again
    source.status, source.body = 200, range_body({"2024-01-02": '{"USD": 1.0956}'})
    assert await client.fetch_range(date(2024, 1, 1), date(2024, 1, 5)) == {
        date(2024, 1, 2): {"USD": Decimal("1.0956")}}
    assert len(source.hits) == 2


async def test_unreachable_source_is_503(app: FastAPI) -> None:
    with fake_source() as gone:
        url = gone.url
    with pytest.raises(RateSourceUnavailable, match="cannot be reached"):
        await RatesClient(app.state.http, MemoryCache(), url).fetch_range(date(2024, 1, 1), date(2024, 1, 2))


async def test_latest_from_the_source(app: FastAPI, source: FakeSource) -> None:
    source.body = b'{"amount": 1.0, "base": "EUR", "date": "2024-01-05", "rates": {"USD": 1.0921, "JPY": 158.57}}'
    day, rates = await RatesClient(app.state.http, MemoryCache(), source.url + "/").fetch_latest()
    assert (day, rates) == (date(2024, 1, 5), {"USD": Decimal("1.0921"), "JPY": Decimal("158.57")})
    assert source.hits == ["/v1/latest?from=EUR"]


def test_refresh_start_asks_for_whole_blocks() -> None:
    today = date(2026, 11, 21)
    assert service.refresh_start(today - timedelta(days=1), today) == today - timedelta(days=31)
    assert service.refresh_start(today - timedelta(days=31), today) == today - timedelta(days=31)
    assert service.refresh_start(today - timedelta(days=32), today) == today - timedelta(days=62)
    assert service.refresh_start(today + timedelta(days=3), today) == today - timedelta(days=31)


# --- the command line -------------------------------------------------------------------------------

def cli_database(tmp_path: Path) -> str:
    """A fresh SQLite file with the schema (migrations, then any table they do not have yet)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    settings = make_settings(url, tmp_path)
    migrate.upgrade(settings)

    async def create() -> None:
        database = Database.from_url(url)
        async with database.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        await database.dispose()

    asyncio.run(create())
    return url


def cli_env(url: str, tmp_path: Path, rates_url: str | None) -> dict[str, str | None]:
    """The CLI's environment; `rates_url` None turns fetching off (unset, it would be the ECB's own files)."""
    return {"COLONY_ENV": "test", "COLONY_DATABASE_URL": url, "COLONY_DATA_DIR": str(tmp_path),
            "COLONY_SECRET_KEY": "cli-secret-key-that-is-long-enough", "COLONY_REDIS_URL": None,
            "COLONY_RATES_URL": rates_url or "none"}


def stored_rows(url: str) -> tuple[int, date | None, Decimal | None]:
    async def read() -> tuple[int, date | None, Decimal | None]:
        database = Database.from_url(url)
        async with database.reader() as session:
            repository = ExchangeRateRepository(session)
            newest = await repository.newest_date()
            usd = await rate(session, "USD", newest) if newest else None
            answer = (await repository.count(), newest, usd)
        await database.dispose()
        return answer

    return asyncio.run(read())


def test_cli_rates_refresh(tmp_path: Path, source: FakeSource) -> None:
    from colony.exchange_rates import bundled

    url = cli_database(tmp_path)
    bundled_newest = bundled.newest_date()
    days_after(bundled_newest, source)
    runner = CliRunner()
    result = runner.invoke(cli_app, ["rates", "refresh"], env=cli_env(url, tmp_path, source.url))
    assert result.exit_code == 0, result.output
    assert "refreshed exchange rates from http://127.0.0.1" in result.output
    assert len(source.hits) == 1
    count, newest, usd = stored_rows(url)
    assert count > 200_000  # the whole bundled history (from 1999), then the fetched days
    assert (newest, usd) == (bundled_newest + timedelta(days=3), Decimal("1.2"))

    # the source fails: one clear line, a non-zero exit
    source.status = 502
    source.body = b"bad gateway"
    failed = runner.invoke(cli_app, ["rates", "refresh"], env=cli_env(url, tmp_path, source.url + "/other"))
    assert failed.exit_code == 1
    assert "rates refresh failed: The exchange-rate source answered HTTP 502" in failed.output


def test_cli_rates_load_and_refresh_without_a_source(tmp_path: Path) -> None:
    url = cli_database(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli_app, ["rates", "load", "--since", "2024-01-01"], env=cli_env(url, tmp_path, None))
    assert result.exit_code == 0, result.output
    assert "from the bundled ECB data" in result.output
    count, _newest, _usd = stored_rows(url)
    assert 0 < count < 30_000
    again = runner.invoke(cli_app, ["rates", "refresh"], env=cli_env(url, tmp_path, None))
    assert again.exit_code == 0, again.output
    assert "bundled ECB data (COLONY_RATES_URL=none): 0 days, 0 rates stored" in again.output
    bad = runner.invoke(cli_app, ["rates", "load", "--since", "soon"], env=cli_env(url, tmp_path, None))
    assert bad.exit_code == 2


def test_cli_runs_every_job_once_and_says_which_failed(tmp_path: Path, source: FakeSource) -> None:
    url = cli_database(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli_app, ["jobs", "run"], env=cli_env(url, tmp_path, None))
    assert result.exit_code == 0, result.output
    assert "cycles.materialise_templates: 0 planned expenses booked in 0 active cycles" in result.output
    assert "exchange_rates.refresh" not in result.output  # fetching off: not a job of this install
    source.status = 502
    failed = runner.invoke(cli_app, ["jobs", "run"], env=cli_env(url, tmp_path, source.url))
    assert failed.exit_code == 1
    assert "exchange_rates.refresh: failed: The exchange-rate source answered HTTP 502" in failed.output
    assert "cycles.materialise_templates: 0 planned expenses" in failed.output  # the others still ran


# --- the schedule -----------------------------------------------------------------------------------

async def test_refresh_job_runs_exclusively(tmp_path: Path, app: FastAPI, source: FakeSource,
                                            database_url: str) -> None:
    from colony.exchange_rates import bundled

    database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'job.db'}")
    try:
        async with database.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        newest = bundled.newest_date()
        async with database.sessionmaker() as session:
            await service.load_bundled(session, since=newest - timedelta(days=10))
            await session.commit()
        days = days_after(newest, source)
        def context(url: str) -> JobContext:
            return JobContext(database=database, http=app.state.http, cache=MemoryCache(),
                              settings=make_settings(database_url, tmp_path, rates_url=url))

        result = await run_job(jobs.REFRESH, context(source.url))
        assert result is not None and result.newest == days[2]
        source.status = 500  # a failing source is logged, not raised: the next run retries
        assert await run_job(jobs.REFRESH, context(source.url + "/x")) is None
    finally:
        await database.dispose()


async def test_run_exclusively_skips_a_run_in_progress(engine: AsyncEngine) -> None:
    calls: list[str] = []

    async def inner() -> str:
        calls.append("inner")
        return "inner"

    async def outer() -> tuple[bool, str | None]:
        calls.append("outer")
        return await run_exclusively(engine, "test.job", inner)

    ran, nested = await run_exclusively(engine, "test.job", outer)
    assert ran and nested == (False, None)
    assert calls == ["outer"]
    assert await run_exclusively(engine, "test.job", inner) == (True, "inner")


async def test_run_exclusively_skips_when_another_instance_holds_the_lock(engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite runs jobs in-process")

    async def job() -> str:
        return "ran"

    async with engine.connect() as other_instance:
        assert (await other_instance.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                             {"k": lock_key("test.locked")})).scalar()
        assert await run_exclusively(engine, "test.locked", job) == (False, None)
        await other_instance.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key("test.locked")})
    assert await run_exclusively(engine, "test.locked", job) == (True, "ran")


def test_lock_keys_are_stable_64_bit() -> None:
    assert lock_key("colony.exchange_rates.refresh") == lock_key("colony.exchange_rates.refresh")
    assert -(2**63) <= lock_key("x") < 2**63
    assert lock_key("a") != lock_key("b")


async def test_scheduler_only_when_configured(database_url: str, data_dir: Path) -> None:
    plain = create_app(make_settings(database_url, data_dir))
    assert start_scheduler(plain, plain.state.settings) is None  # env=test: no jobs unless asked

    configured = create_app(make_settings(database_url, data_dir, rates_url="http://127.0.0.1:9/rates"))
    configured.state.run_jobs = True
    configured.state.database = Database.from_url(database_url)
    configured.state.http = None
    configured.state.cache = MemoryCache()
    scheduler = start_scheduler(configured, configured.state.settings)
    try:
        assert scheduler is not None and scheduler.running
        job = scheduler.get_job(jobs.REFRESH.id)
        assert job is not None and job.next_run_time is not None
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        await configured.state.database.dispose()

    unconfigured = create_app(make_settings(database_url, data_dir))  # no COLONY_RATES_URL: no refresh job
    unconfigured.state.run_jobs = True
    unconfigured.state.database = Database.from_url(database_url)
    unconfigured.state.http = None
    unconfigured.state.cache = MemoryCache()
    scheduler = start_scheduler(unconfigured, unconfigured.state.settings)
    try:
        assert scheduler is None or scheduler.get_job(jobs.REFRESH.id) is None
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        await unconfigured.state.database.dispose()
    assert create_scheduler().get_jobs() == []
