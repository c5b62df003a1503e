"""The per-address budget of the /auth endpoints that take a password or an email."""

import random
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from colony.core.db import Database
from colony.main import create_app
from tests.conftest import TEST_REDIS_URL, make_settings
from tests.factories import V1, error_code, unique_email


def _random_address() -> str:
    # A fresh address per test: with Redis, budgets outlive a test run by up to a minute.
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


@pytest.fixture(scope="module")
async def limited_app(database_url: str, data_dir: Path, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    app = create_app(make_settings(database_url, data_dir, auth_rate_limit="3/minute"))
    async with LifespanManager(app):
        yield app


def _client(app: FastAPI, engine: AsyncEngine, connection: AsyncConnection, address: str) -> httpx.AsyncClient:
    app.state.database = Database(engine, bind=connection)
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_the_fourth_request_in_a_minute_is_refused(limited_app: FastAPI, engine: AsyncEngine,
                                                         connection: AsyncConnection) -> None:
    address = _random_address()
    async with _client(limited_app, engine, connection, address) as client:
        bodies = [
            ("/auth/login", {"email": unique_email(), "password": "whatever-password"}),
            ("/auth/password-reset/request", {"email": unique_email()}),
            ("/auth/register", {"email": unique_email(), "password": "long enough password"}),
        ]
        statuses = [(await client.post(V1 + path, json=body)).status_code for path, body in bodies]
        assert statuses == [401, 202, 201]  # one budget across the endpoints

        refused = await client.post(f"{V1}/auth/login", json={"email": unique_email(), "password": "whatever"})
        assert refused.status_code == 429
        assert error_code(refused) == "RATE_LIMITED"
        assert 0 < int(refused.headers["retry-after"]) <= 60
        form = await client.post(f"{V1}/auth/token", data={"username": "a@example.com", "password": "whatever"})
        assert form.status_code == 429
        # Endpoints that take neither a password nor an email keep working.
        assert (await client.post(f"{V1}/auth/refresh", json={"refresh_token": "x"})).status_code == 401

    async with _client(limited_app, engine, connection, _random_address()) as other:
        response = await other.post(f"{V1}/auth/login", json={"email": unique_email(), "password": "whatever"})
        assert response.status_code == 401  # another address has its own budget


@pytest.mark.skipif(not TEST_REDIS_URL, reason="needs COLONY_TEST_REDIS_URL")
async def test_instances_share_one_budget_through_redis(database_url: str, data_dir: Path, engine: AsyncEngine,
                                                        connection: AsyncConnection) -> None:
    address = _random_address()
    settings = make_settings(database_url, data_dir, auth_rate_limit="3/minute")
    first, second = create_app(settings), create_app(settings)
    async with (LifespanManager(first), LifespanManager(second),
                _client(first, engine, connection, address) as one,
                _client(second, engine, connection, address) as two):
        body = {"email": unique_email(), "password": "whatever-password"}
        statuses = [(await http.post(f"{V1}/auth/login", json=body)).status_code for http in (one, two, one, two)]
    assert statuses == [401, 401, 401, 429]
