"""Redis goes away and comes back: the API keeps serving meanwhile (no 500), and uses Redis again, on the same
connections' pool, without a restart.

Runs against a throwaway `redis-server` of its own on a free port (no persistence, so a restart comes back
empty, as a crashed cache would), so stopping it disturbs nothing else.
"""

import asyncio
import os
import signal
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from colony.core import cache as cache_module
from colony.core.cache import STALE, RedisBreaker, RedisCache, connect_redis
from colony.core.db import create_engine
from colony.domains import metadata
from colony.main import create_app
from tests.conftest import make_settings
from tests.databases import fresh_database
from tests.e2e.conftest import free_port
from tests.factories import TEST_PASSWORD, V1, bearer, error_code, expense_body, unique_email

pytestmark = pytest.mark.e2e

REDIS_SERVER = "/usr/bin/redis-server"
STARTUP_TIMEOUT_SECONDS = 10
AUTH_LIMIT = 5  # per client address and minute, in this test's app


class RedisServer:
    def __init__(self, directory: Path, port: int) -> None:
        self.directory, self.port = directory, port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(self.directory)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        with redis.Redis(port=self.port, socket_connect_timeout=1) as probe:
            while True:
                try:
                    probe.ping()
                    return
                except redis.ConnectionError:
                    if time.monotonic() > deadline or self.process.poll() is not None:
                        raise RuntimeError(f"redis-server did not start:\n{self.log()}") from None
                    time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)  # a paused server ends too
            self.process.terminate()
            self.process.wait(timeout=10)

    def pause(self) -> None:
        """Redis keeps its data and its connections, and answers nothing (a hung server, a partition)."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)

    def log(self) -> str:
        return (self.directory / "redis.log").read_text(errors="replace")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if not Path(REDIS_SERVER).exists():
        pytest.skip(f"needs {REDIS_SERVER} to run a throwaway Redis")
    server = RedisServer(tmp_path, free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def retry_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every call tries Redis again (no pause after a failure), so the test sees each attempt's outcome."""
    monkeypatch.setattr(RedisBreaker, "PAUSE_SECONDS", 0.0)


# ---- the cache itself ----

async def test_an_invalidation_redis_missed_is_written_before_anything_is_read(
        redis_server: RedisServer, retry_at_once: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "COMMAND_TIMEOUT_SECONDS", 0.2)
    client = connect_redis(redis_server.url)
    cache = RedisCache(client)
    try:
        await cache.add("principal", b"before the change", 60)
        assert await cache.get("principal") == b"before the change"

        redis_server.pause()
        await cache.invalidate("principal", 10)  # Redis does not answer: the invalidation is kept
        assert await cache.get("principal") is None  # meanwhile a miss: callers read the database

        redis_server.resume()  # Redis still holds the old value...
        assert await cache.get("principal") is None  # ...which is never read again
        assert await client.get("colony:principal") == STALE
        await cache.add("principal", b"before the change", 60)  # a late reader cannot put it back
        assert await cache.get("principal") is None
    finally:
        await client.aclose()


async def test_pooled_connections_survive_a_restart(redis_server: RedisServer) -> None:
    client = connect_redis(redis_server.url)
    try:
        await asyncio.gather(*(client.ping() for _ in range(8)))  # several connections in the pool
        redis_server.stop()
        redis_server.start()
        assert all(await asyncio.gather(*(client.ping() for _ in range(8))))  # each dead one replaced, no error
    finally:
        await client.aclose()


# ---- the API ----

@pytest.fixture
def database_of_its_own(tmp_path: Path) -> Iterator[str]:
    """A database of the engine under test that requests use at once, as in production (the suite's shared
    test transaction would serialise them)."""
    with fresh_database(tmp_path, "redis_outage") as url:
        yield url


@pytest.fixture
async def app(redis_server: RedisServer, database_of_its_own: str, tmp_path: Path) -> AsyncIterator[FastAPI]:
    schema_engine = create_engine(database_of_its_own)
    async with schema_engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await schema_engine.dispose()
    app = create_app(make_settings(database_of_its_own, tmp_path, redis_url=redis_server.url,
                                   auth_rate_limit=f"{AUTH_LIMIT}/minute"))
    async with LifespanManager(app):
        yield app


class Api:
    """Calls from one client address (each phase of the test has its own auth budget); every answer is kept."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.answers: list[tuple[str, int]] = []

    async def call(self, method: str, path: str, *, address: str = "10.0.0.1", **options: Any) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.request(method, path, **options)
        self.answers.append((f"{method} {path}", response.status_code))
        return response

    def server_errors(self) -> list[tuple[str, int]]:
        return [(call, status) for call, status in self.answers if status >= 500 and call != "GET /health/redis"]


async def _everything_works(api: Api, phase: str, existing_token: str) -> str:
    """Register, log in, read with a token issued before, create with an Idempotency-Key (and replay it), spend
    an address's whole auth budget: all as designed. Returns the new session's access token."""
    address = f"10.{hash(phase) % 250}.0.{uuid.uuid4().int % 250 + 1}"
    email = unique_email(phase)
    assert (await api.call("POST", f"{V1}/auth/register", address=address,
                           json={"email": email, "password": TEST_PASSWORD})).status_code == 201
    login = await api.call("POST", f"{V1}/auth/login", address=address,
                           json={"email": email, "password": TEST_PASSWORD})
    assert login.status_code == 200, (phase, login.text)
    token = str(login.json()["access_token"])
    assert (await api.call("GET", f"{V1}/users/me", headers=bearer(existing_token))).status_code == 200

    headers = {**bearer(token), "Idempotency-Key": f"{phase}-{uuid.uuid4()}"}
    created = await api.call("POST", f"{V1}/expenses", json=expense_body(), headers=headers)
    replayed = await api.call("POST", f"{V1}/expenses", json=expense_body(), headers=headers)
    assert created.status_code == replayed.status_code == 201, (phase, created.text)
    assert replayed.json() == created.json() and replayed.headers["idempotent-replayed"] == "true"

    budget = f"192.0.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"
    statuses = [(await api.call("POST", f"{V1}/auth/password-reset/request", address=budget,
                                json={"email": unique_email()})).status_code for _ in range(AUTH_LIMIT + 1)]
    assert statuses == [202] * AUTH_LIMIT + [429], (phase, statuses)
    refused = await api.call("POST", f"{V1}/auth/password-reset/request", address=budget, json={"email": email})
    assert error_code(refused) == "RATE_LIMITED"
    return token


async def test_the_api_keeps_serving_while_redis_is_down_and_uses_it_again_when_it_is_back(
        app: FastAPI, redis_server: RedisServer, retry_at_once: None) -> None:
    api = Api(app)
    redis_client = app.state.redis
    assert (await api.call("GET", "/health/redis")).json()["redis"] == "connected"
    before = await _everything_works(api, "before", existing_token=await _token(api))
    user_id = (await api.call("GET", f"{V1}/users/me", headers=bearer(before))).json()["id"]
    assert await redis_client.exists(f"colony:auth:user:{user_id}")  # the principal is shared through Redis
    assert await redis_client.keys("colony:limits*")  # and so is the auth budget
    await asyncio.gather(*(api.call("GET", f"{V1}/users/me", headers=bearer(before)) for _ in range(8)))

    redis_server.stop()
    down = await api.call("GET", "/health/redis")
    assert down.status_code == 503 and error_code(down) == "SERVICE_UNAVAILABLE"
    assert (await api.call("GET", "/health")).status_code == 200
    during = await _everything_works(api, "during", existing_token=before)
    logout = await api.call("POST", f"{V1}/auth/logout", headers=bearer(during),
                            json={"refresh_token": "not-needed-here"})
    assert logout.status_code == 204
    revoked = await api.call("GET", f"{V1}/users/me", headers=bearer(during))  # decided by the database
    assert revoked.status_code == 401 and error_code(revoked) == "TOKEN_REVOKED"

    redis_server.start()  # the same port, empty: the app is not restarted
    assert (await api.call("GET", "/health/redis")).json() == {"status": "healthy", "redis": "connected"}
    answers = await asyncio.gather(*(api.call("GET", f"{V1}/users/me", headers=bearer(before)) for _ in range(8)))
    assert {response.status_code for response in answers} == {200}
    assert await redis_client.exists(f"colony:auth:user:{user_id}")  # Redis is in use again
    await _everything_works(api, "after", existing_token=before)
    assert await redis_client.keys("colony:limits*")
    still_revoked = await api.call("GET", f"{V1}/users/me", headers=bearer(during))
    assert still_revoked.status_code == 401 and error_code(still_revoked) == "TOKEN_REVOKED"

    assert not api.server_errors(), api.server_errors()


async def _token(api: Api) -> str:
    email = unique_email("first")
    address = "10.255.0.1"
    await api.call("POST", f"{V1}/auth/register", address=address, json={"email": email, "password": TEST_PASSWORD})
    login = await api.call("POST", f"{V1}/auth/login", address=address,
                           json={"email": email, "password": TEST_PASSWORD})
    return str(login.json()["access_token"])
