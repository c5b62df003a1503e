"""The default source: the ECB's published files (a local fake), refreshed on a schedule, quiet offline, and the
status that says how old the rates are."""

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.config import ConfigurationError, Settings
from colony.core import clock
from colony.core.cache import MemoryCache
from colony.core.jobs import JobContext, run_job
from colony.exchange_rates import jobs, service
from colony.exchange_rates.client import ECB_90_DAYS, ECB_DAILY, ECB_HISTORY, RatesClient
from colony.exchange_rates.errors import RateSourceUnavailable
from colony.exchange_rates.models import ExchangeRate
from colony.exchange_rates.repository import ExchangeRateRepository
from tests.conftest import make_settings
from tests.exchange_rates.fake_source import FakeSource, ecb_xml, ecb_zip, fake_source
from tests.factories import V1, MakeUser, UserHandle

ECB = "https://www.ecb.europa.eu/stats/eurofxref/"
STATUS = f"{V1}/exchange-rates/status"


@pytest.fixture
def source() -> Iterator[FakeSource]:
    with fake_source() as state:
        yield state


async def stored(session: AsyncSession, currency: str, day: date) -> Decimal | None:
    return (await session.execute(select(ExchangeRate.rate).where(
        ExchangeRate.currency == currency, ExchangeRate.date == day))).scalar_one_or_none()


async def newest(session: AsyncSession) -> date:
    day = await ExchangeRateRepository(session).newest_date()
    assert day is not None
    return day


def test_the_default_source_is_the_ecbs_published_files(tmp_path: Path) -> None:
    assert Settings.model_fields["rates_url"].default == ECB
    assert jobs.REFRESH.enabled(make_settings("sqlite+aiosqlite://", tmp_path, rates_url=ECB))
    for off in ("none", "None", ""):
        settings = make_settings("sqlite+aiosqlite://", tmp_path, rates_url=off)
        assert settings.rates_url is None and not jobs.REFRESH.enabled(settings)
    with pytest.raises(ConfigurationError, match="COLONY_RATES_URL"):
        make_settings("sqlite+aiosqlite://", tmp_path, rates_url="ftp://mirror/eurofxref")
    client = RatesClient(httpx.AsyncClient(), MemoryCache(), ECB)
    assert client.serves_ecb_files
    assert RatesClient(httpx.AsyncClient(), MemoryCache(), ECB + ECB_DAILY).serves_ecb_files
    assert not RatesClient(httpx.AsyncClient(), MemoryCache(), "https://api.frankfurter.app").serves_ecb_files


async def test_a_refresh_asks_for_the_smallest_file_that_covers_the_gap(session: AsyncSession, app: FastAPI,
                                                                        source: FakeSource) -> None:
    async def refresh(today: date) -> service.LoadResult:
        return await service.refresh(session, url=source.ecb_url, http=app.state.http, cache=MemoryCache(),
                                     today=today)

    # a day behind: the daily file
    day = await newest(session) + timedelta(days=1)
    source.files = {ECB_DAILY: ecb_xml({day: {"USD": "1.0999", "JPY": "160.01", "XAU": "5"}})}
    result = await refresh(day)
    assert source.hits == [f"/stats/eurofxref/{ECB_DAILY}"]
    assert (result.days, result.newest) == (1, day)
    assert (await stored(session, "USD", day), await stored(session, "JPY", day)) == (Decimal("1.0999"),
                                                                                     Decimal("160.01"))
    assert await stored(session, "XAU", day) is None  # not a currency Colony records

    # weeks behind: the 90-day file
    days = [day + timedelta(days=n) for n in (3, 4)]
    source.files = {ECB_90_DAYS: ecb_xml({days[0]: {"USD": "1.1"}, days[1]: {"USD": "1.2"}})}
    result = await refresh(day + timedelta(days=20))
    assert source.hits[1:] == [f"/stats/eurofxref/{ECB_90_DAYS}"]
    assert (result.days, result.newest, await stored(session, "USD", days[1])) == (2, days[1], Decimal("1.2"))

    # months behind (an old bundled copy): the whole history, of which only the recent days are stored
    late = days[1] + timedelta(days=200)
    source.files = {ECB_HISTORY: ecb_zip({date(2001, 1, 2): {"USD": "0.9"}, late - timedelta(days=1): {"JPY": "169"},
                                          late: {"USD": "1.3", "JPY": "170"}})}
    result = await refresh(late)
    assert source.hits[2:] == [f"/stats/eurofxref/{ECB_HISTORY}"]
    assert (result.days, result.newest) == (2, late)
    assert await stored(session, "USD", late - timedelta(days=1)) is None  # N/A in the file
    assert await stored(session, "USD", date(2001, 1, 2)) is None  # long past: not stored
    assert (await service.rate_on(session, "EUR", "JPY", late, tenant_id=None)).rate == Decimal("170")

    # a URL naming one file is always asked for that one
    named = await service.fetch_updates(session, url=source.ecb_url + ECB_HISTORY, http=app.state.http,
                                        cache=MemoryCache(), today=late)
    assert source.hits[3:] == [f"/stats/eurofxref/{ECB_HISTORY}"] and late in named.by_day


@pytest.mark.parametrize(("name", "body", "message"), [
    (ECB_DAILY, b"<html>maintenance", "malformed XML"),
    (ECB_DAILY, b'<?xml version="1.0"?><Envelope><Cube/></Envelope>', "without rates"),
    (ECB_DAILY, b"<Cube><Cube time='2024-01-05'><Cube currency='USD' rate='abc'/></Cube></Cube>", "bad rate"),
    (ECB_DAILY, b"<Cube><Cube time='2024-01-05'><Cube currency='USD' rate='-1'/></Cube></Cube>", "bad rate"),
    (ECB_DAILY, b"<Cube><Cube time='yesterday'><Cube currency='USD' rate='1'/></Cube></Cube>", "bad date"),
    (ECB_DAILY, b'<!DOCTYPE x [<!ENTITY a "aaaa">]><Cube time="2024-01-05">&a;</Cube>', "malformed XML"),
    (ECB_HISTORY, b"PK not a zip", "malformed history archive"),
])
async def test_ecb_files_that_make_no_sense_are_503(app: FastAPI, source: FakeSource, name: str, body: bytes,
                                                    message: str) -> None:
    source.files = {name: body}
    with pytest.raises(RateSourceUnavailable) as caught:
        await RatesClient(app.state.http, MemoryCache(), source.ecb_url).fetch_ecb_file(name)
    assert caught.value.status_code == 503 and message in caught.value.detail_message


async def status(client: httpx.AsyncClient, user: UserHandle) -> dict[str, object]:
    response = await client.get(STATUS, headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def test_offline_the_stored_rates_keep_serving_and_the_status_says_so(
        client: httpx.AsyncClient, app: FastAPI, session: AsyncSession, make_user: MakeUser, settings: Settings,
        source: FakeSource, capfd: pytest.CaptureFixture[str]) -> None:
    user = await make_user()
    latest = await newest(session)
    age = (clock.today() - latest).days
    assert await status(client, user) == {"source": "bundled", "latest_date": latest.isoformat(), "age_days": age,
                                          "last_refresh_at": None, "last_error": None, "last_error_at": None}
    assert (await client.get(STATUS)).status_code == 401

    with fake_source() as gone:
        offline = gone.ecb_url  # nothing listens there any more
    database = app.state.database  # the test's own transaction
    context = JobContext(database=database, http=app.state.http, cache=MemoryCache(),
                         settings=make_settings("sqlite+aiosqlite://", Path("."), rates_url=offline))
    app.state.settings = context.settings
    try:
        assert await run_job(jobs.REFRESH, context) is None  # no exception: the next run retries
        assert "job_failed" in capfd.readouterr().err  # a warning line in the log
        body = await status(client, user)
        assert (body["source"], body["latest_date"], body["last_refresh_at"]) == (offline, latest.isoformat(), None)
        assert "cannot be reached" in str(body["last_error"]) and body["last_error_at"] is not None
        converted = await client.get(f"{V1}/exchange-rates/convert", headers=user.headers,
                                     params={"amount": "10", "from": "EUR", "to": "USD"})
        assert converted.status_code == 200 and converted.json()["date"] == latest.isoformat()

        # back online: the refresh succeeds, the error is gone
        today = clock.today()
        source.files = {name: ecb_xml({today: {"USD": "1.2345"}}) for name in (ECB_DAILY, ECB_90_DAYS)}
        source.files[ECB_HISTORY] = ecb_zip({today: {"USD": "1.2345"}})
        app.state.settings = make_settings("sqlite+aiosqlite://", Path("."), rates_url=source.ecb_url)
        await jobs.refresh_in(database, url=source.ecb_url, http=app.state.http, cache=MemoryCache())
        body = await status(client, user)
        assert (body["source"], body["latest_date"], body["age_days"]) == (source.ecb_url, today.isoformat(), 0)
        assert body["last_refresh_at"] is not None and body["last_error"] is None and body["last_error_at"] is None
        assert (await service.rate_on(session, "EUR", "USD", today, tenant_id=None)).rate == Decimal("1.2345")
    finally:
        app.state.settings = settings
