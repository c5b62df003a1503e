"""Syncing securities with the market-data provider: through the API and in the daily job."""

import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI

from colony.core import clock
from colony.core.cache import MemoryCache
from colony.core.tenancy import Role
from colony.investments.activities.jobs import sync_held_in
from colony.investments.securities.market_data import Bar, History, MarketData, ProviderError, SecurityInfo
from tests.factories import V1, MakeUser, create_account, create_holding, create_security, error_code, put_prices
from tests.investments.fake_provider import HISTORY, INFO, FakeProvider

TODAY = date(2024, 1, 31)


@pytest.fixture
def provider(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProvider]:
    """The app's market data for this test: the scripted provider behind a fresh cache, quick retries."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    fake = FakeProvider()
    app.state.market_data = MarketData(fake, MemoryCache(), backoff_seconds=0.01, deadline_seconds=2.0)
    yield fake
    del app.state.market_data


def bars(*closes: tuple[date, str]) -> tuple[Bar, ...]:
    return tuple(Bar(day, None, None, None, Decimal(close), None) for day, close in closes)


async def test_sync_creates_an_unknown_security_with_its_history(client: httpx.AsyncClient, make_user: MakeUser,
                                                                 provider: FakeProvider) -> None:
    owner = await make_user()
    r = await client.post(f"{V1}/securities/acme/sync", headers=owner.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["symbol"], body["stored"], body["first_date"], body["last_date"]) == \
        ("ACME", 2, "2024-01-02", "2024-01-03")
    security = body["security"]
    assert (security["name"], security["security_type"], security["exchange"], security["currency"]) == \
        ("Acme Corp", "stock", "NYSE", "USD")
    assert security["synced_at"] is not None
    assert provider.calls == [("ACME", None, TODAY)]  # the whole history, up to today
    prices = (await client.get(f"{V1}/securities/ACME/prices", headers=owner.headers)).json()["prices"]
    assert [(p["date"], p["open"], p["low"], p["close"], p["volume"]) for p in prices] == [
        ("2024-01-02", "10.50000000", "10.00000000", "10.25000000", 1200),
        ("2024-01-03", None, None, "11.00000000", None)]


async def test_a_later_sync_fetches_from_a_week_before_the_last_stored_day(
        client: httpx.AsyncClient, make_user: MakeUser, provider: FakeProvider) -> None:
    owner = await make_user()
    await create_security(client, owner, symbol="ACME", name="Typed by hand", currency="USD")
    await put_prices(client, owner, "ACME", {"2024-01-20": "9", "2024-01-25": "99"})
    provider.script = [History(INFO, bars((date(2024, 1, 25), "12"), (date(2024, 1, 26), "13")))]
    r = await client.post(f"{V1}/securities/ACME/sync", headers=owner.headers)
    assert r.status_code == 200 and r.json()["security"]["name"] == "Acme Corp"
    assert provider.calls == [("ACME", date(2024, 1, 18), TODAY)]
    prices = (await client.get(f"{V1}/securities/ACME/prices", headers=owner.headers)).json()["prices"]
    assert [(p["date"], p["close"]) for p in prices] == [
        ("2024-01-20", "9.00000000"), ("2024-01-25", "12.00000000"), ("2024-01-26", "13.00000000")]


async def test_a_failing_provider_is_a_quick_503_and_stored_prices_stay(
        client: httpx.AsyncClient, make_user: MakeUser, provider: FakeProvider) -> None:
    owner = await make_user()
    await create_security(client, owner, symbol="ACME", name="Acme", currency="USD")
    await put_prices(client, owner, "ACME", {"2024-01-02": "7"})
    provider.script = [ProviderError("HTTP 503", transient=True)]
    started = time.monotonic()
    r = await client.post(f"{V1}/securities/ACME/sync", headers=owner.headers)
    assert r.status_code == 503 and error_code(r) == "MARKET_DATA_UNAVAILABLE"
    assert r.json()["error"]["details"]["reason"] == "provider_error"
    assert len(provider.calls) == 3 and time.monotonic() - started < 2  # retried, then given up
    prices = (await client.get(f"{V1}/securities/ACME/prices", headers=owner.headers)).json()["prices"]
    assert [(p["date"], p["close"]) for p in prices] == [("2024-01-02", "7.00000000")]
    assert (await client.get(f"{V1}/securities/ACME", headers=owner.headers)).json()["synced_at"] is None


async def test_a_provider_quoting_another_currency_changes_nothing(
        client: httpx.AsyncClient, make_user: MakeUser, provider: FakeProvider) -> None:
    owner = await make_user()
    await create_security(client, owner, symbol="ACME", name="Acme", currency="EUR")
    r = await client.post(f"{V1}/securities/ACME/sync", headers=owner.headers)
    assert r.status_code == 409 and error_code(r) == "SECURITY_CURRENCY_MISMATCH"
    assert r.json()["error"]["details"] == {"symbol": "ACME", "stored": "EUR", "provider": "USD"}
    assert (await client.get(f"{V1}/securities/ACME/prices", headers=owner.headers)).json()["prices"] == []


async def test_sync_is_for_owners_and_unavailable_without_a_provider(
        client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    sub = await make_user(Role.sub_user, business=await make_user(Role.business))
    r = await client.post(f"{V1}/securities/ACME/sync", headers=sub.headers)
    assert r.status_code == 403
    r = await client.post(f"{V1}/securities/ACME/sync", headers=owner.headers)  # COLONY_MARKET_DATA=none
    assert r.status_code == 503 and error_code(r) == "MARKET_DATA_UNAVAILABLE"
    assert r.json()["error"]["details"]["reason"] == "not_configured"
    r = await client.post(f"{V1}/securities/A%20B/sync", headers=owner.headers)
    assert r.status_code == 422  # not a symbol: refused before any provider is asked


async def test_the_daily_job_syncs_what_any_tenant_holds_and_only_that(
        app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser, provider: FakeProvider) -> None:
    first, second = await make_user(), await make_user()
    for symbol in ("ACME", "HELD", "IDLE"):
        await create_security(client, first, symbol=symbol, name=symbol, currency="USD")
    account = await create_account(client, first, type="investment")
    await create_holding(client, first, account["id"], symbol="ACME")
    other = await create_account(client, second, type="investment")
    await create_holding(client, second, other["id"], symbol="HELD")
    held = History(SecurityInfo("HELD", "Held Inc", "etf", None, "USD"), bars((date(2024, 1, 30), "5")))
    provider.script = [HISTORY, held]
    market_data = app.state.market_data
    result = await sync_held_in(app.state.database, market_data)
    assert (result.synced, result.failed) == (["ACME", "HELD"], [])
    assert [call[0] for call in provider.calls] == ["ACME", "HELD"]  # IDLE is held by no one
    r = await client.get(f"{V1}/securities/HELD", headers=first.headers)
    assert (r.json()["name"], r.json()["security_type"]) == ("Held Inc", "etf")
    prices = (await client.get(f"{V1}/securities/HELD/prices", headers=first.headers)).json()["prices"]
    assert [(p["date"], p["close"]) for p in prices] == [("2024-01-30", "5.00000000")]

    provider.script, provider.calls = [ProviderError("down", transient=False)], []
    market_data.cache = MemoryCache()  # the provider again, not its cached answers
    failed = await sync_held_in(app.state.database, market_data)
    assert (failed.synced, failed.failed) == ([], ["ACME", "HELD"])  # each symbol fails alone, the run goes on
