"""Every test gets an isolated database: an outer transaction on one connection, rolled back after.

The suite runs on a temporary SQLite file by default; set COLONY_TEST_DATABASE_URL (PostgreSQL) and
COLONY_TEST_REDIS_URL to run the same tests against those servers.
"""

import os
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from colony.config import Environment, Settings
from colony.core import passwords
from colony.core.db import Database, create_engine
from colony.core.tenancy import Role
from colony.domains import metadata
from colony.main import create_app
from tests.factories import TEST_PASSWORD, MakeUser, UserHandle, add_user

TEST_DATABASE_URL = os.environ.get("COLONY_TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("COLONY_TEST_REDIS_URL")
# Cheap Argon2 parameters for every hash the tests make (tests/core/test_passwords.py checks the real ones).
passwords.configure(fast=True)

@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("colony-data")


@pytest.fixture(scope="session")
def database_url(data_dir: Path) -> str:
    return TEST_DATABASE_URL or f"sqlite+aiosqlite:///{data_dir / 'test.db'}"


def make_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "env": Environment.test, "database_url": database_url, "redis_url": TEST_REDIS_URL,
        "secret_key": "test-secret-key-that-is-long-enough-for-hs256", "data_dir": data_dir,
        "auth_rate_limit": "10000/minute", "email_backend": "file", "email_dir": data_dir / "mail",
        "fast_password_hashing": True,
        "market_data": "none",  # never the internet: a test that syncs puts a fake on app.state.market_data
        "rates_url": None,  # never the internet: a test that refreshes rates points this at a fake on loopback
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # a developer's .env does not reach the tests


@pytest.fixture(scope="session")
def settings(database_url: str, data_dir: Path) -> Settings:
    return make_settings(database_url, data_dir)


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings.sqlalchemy_url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.drop_all)
        await conn.run_sync(metadata.create_all)
    if TEST_REDIS_URL:
        redis = Redis.from_url(TEST_REDIS_URL)
        await redis.flushdb()
        await redis.aclose()
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def app(settings: Settings, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    app = create_app(settings)
    async with LifespanManager(app):
        yield app


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        transaction = await conn.begin()
        yield conn
        await transaction.rollback()


@pytest.fixture
async def session(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    """A session inside the test's outer transaction, for factories and for asserting on rows."""
    async with Database(connection.engine, bind=connection).sessionmaker() as session:
        yield session


@pytest.fixture
async def client(app: FastAPI, engine: AsyncEngine, connection: AsyncConnection) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app, whose requests all run inside the test's outer transaction."""
    real_database = app.state.database
    app.state.database = Database(engine, bind=connection)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    app.state.database = real_database


@pytest.fixture(scope="session")
async def password_hash() -> str:
    return await passwords.hash_password(TEST_PASSWORD)


@pytest.fixture
def make_user(session: AsyncSession, settings: Settings, password_hash: str) -> MakeUser:
    """Users in the test's own transaction (see tests/factories.py)."""
    async def factory(role: Role = Role.personal, *, base_currency: str = "USD",
                      business: UserHandle | None = None, email: str | None = None) -> UserHandle:
        return await add_user(session, settings, password_hash, role, base_currency=base_currency,
                              business=business, email=email)

    return factory


# --- exchange rates ---------------------------------------------------------------------------------
# The bundled ECB history from this date on (production loads all of it, from 1999): enough for tests
# of any recent date, and about 0.5 s instead of 2 s per session.
TEST_RATES_SINCE = date(2020, 1, 1)


@pytest.fixture(scope="session", autouse=True)
async def exchange_rates(engine: AsyncEngine) -> None:
    """ECB rates in the test database, committed once per session, as a fresh install has them."""
    from colony.exchange_rates import service as rate_service

    async with Database(engine).sessionmaker() as session:
        await rate_service.load_bundled(session, since=TEST_RATES_SINCE)
        await session.commit()


# --- tenancy: every statement on a tenant-owned table filters by tenant ----------------------------
@pytest.fixture(autouse=True)
def tenant_filter_check() -> Iterator[None]:
    """Fails the test during which a statement on a tenant-owned table did not filter by tenant, naming
    the statement (the check and its exemptions: tests/tenant_filter.py)."""
    from tests.tenant_filter import recording, report

    with recording() as violations:
        yield
    if violations:
        pytest.fail(report(violations), pytrace=False)
