"""COLONY_TRUSTED_PROXIES: X-Forwarded-For names the client only when a trusted proxy sends it.

The app is served the way `colony serve` serves it: through uvicorn's own `Config`, which wraps it in
ProxyHeadersMiddleware per `cli.proxy_options`; then the address the auth rate limit and the lockout count by
is the one uvicorn resolved. One test runs `colony serve` itself with the default settings.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from colony.cli import proxy_options
from colony.config import ConfigurationError, Settings, load_settings
from colony.core.db import Database
from colony.main import create_app
from tests.auth.helpers import random_address
from tests.conftest import make_settings
from tests.e2e.conftest import start_server, stop_server
from tests.factories import V1, error_code, unique_email

PROXY = "127.0.0.1"  # a proxy on the same host, the case uvicorn trusts by default


def test_the_setting_takes_addresses_and_networks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COLONY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLONY_TRUSTED_PROXIES", "10.0.0.7/24, ::1,192.168.1.2")
    assert load_settings().trusted_proxies == ["10.0.0.0/24", "::1/128", "192.168.1.2/32"]
    monkeypatch.setenv("COLONY_TRUSTED_PROXIES", "10.0.0.1,nginx")
    with pytest.raises(ConfigurationError, match="'nginx' is not an address"):
        load_settings()
    monkeypatch.delenv("COLONY_TRUSTED_PROXIES")
    assert load_settings().trusted_proxies == []
    assert proxy_options(load_settings()) == {"proxy_headers": False}


@asynccontextmanager
async def served(settings: Settings, engine: AsyncEngine, connection: AsyncConnection) -> AsyncIterator[
        httpx.AsyncClient]:
    """A client connecting from PROXY to the app as uvicorn serves it with `settings`."""
    app = create_app(settings)
    config = uvicorn.Config(app, log_config=None, **proxy_options(settings))
    config.load()
    async with LifespanManager(app):
        app.state.database = Database(engine, bind=connection)
        transport = httpx.ASGITransport(app=config.loaded_app, client=(PROXY, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


@pytest.fixture
async def untrusting(database_url: str, data_dir: Path, engine: AsyncEngine,
                     connection: AsyncConnection) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(database_url, data_dir, auth_rate_limit="3/minute")
    async with served(settings, engine, connection) as http:
        yield http


@pytest.fixture
async def trusting(database_url: str, data_dir: Path, engine: AsyncEngine,
                   connection: AsyncConnection) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(database_url, data_dir, auth_rate_limit="3/minute", trusted_proxies=[PROXY])
    async with served(settings, engine, connection) as http:
        yield http


async def _login(http: httpx.AsyncClient, forwarded_for: str, email: str | None = None) -> httpx.Response:
    return await http.post(f"{V1}/auth/login", headers={"X-Forwarded-For": forwarded_for},
                           json={"email": email or unique_email(), "password": "wrong password"})


async def test_without_trusted_proxies_a_spoofed_x_forwarded_for_changes_nothing(
        untrusting: httpx.AsyncClient) -> None:
    statuses = [(await _login(untrusting, random_address())).status_code for _ in range(4)]
    assert statuses[-1] == 429  # every request spent the one budget of the connecting address


async def test_a_trusted_proxy_names_the_client(trusting: httpx.AsyncClient) -> None:
    client, other = random_address(), random_address()
    statuses = [(await _login(trusting, client)).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]  # the client's budget, whatever the proxy's address
    refused = await _login(trusting, client)
    assert error_code(refused) == "RATE_LIMITED"
    assert (await _login(trusting, other)).status_code == 401  # another client behind the same proxy


async def test_the_lockout_counts_by_the_address_the_proxy_names(database_url: str, data_dir: Path,
                                                                 engine: AsyncEngine,
                                                                 connection: AsyncConnection) -> None:
    settings = make_settings(database_url, data_dir, trusted_proxies=[PROXY])
    email = unique_email("nobody")
    guesser, owner = random_address(), random_address()
    async with served(settings, engine, connection) as http:
        statuses = [(await _login(http, guesser, email)).status_code for _ in range(6)]
        assert statuses == [401] * 5 + [423]
        assert (await _login(http, owner, email)).status_code == 401  # not locked out: another client


@pytest.mark.e2e
def test_colony_serve_ignores_x_forwarded_for_by_default(tmp_path: Path) -> None:
    """uvicorn alone believes X-Forwarded-For from 127.0.0.1: a same-host proxy passing the header on would let
    each request pick its own rate-limit budget. `colony serve` without COLONY_TRUSTED_PROXIES ignores it."""
    server = start_server(tmp_path, {"COLONY_AUTH_RATE_LIMIT": "2/minute"})
    try:
        with httpx.Client(base_url=server.base_url + V1, timeout=10) as http:
            statuses = [http.post("/auth/login", headers={"X-Forwarded-For": random_address()},
                                  json={"email": unique_email(), "password": "wrong password"}).status_code
                        for _ in range(3)]
        assert statuses[-1] == 429
    finally:
        stop_server(server)
