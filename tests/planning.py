"""A live app on a database of its own, for the planning tests that fire concurrent requests.

The per-test outer transaction can't show concurrency (every request would share one connection), so
these tests get a fresh database (a new SQLite file, or a new PostgreSQL database), a real app on it,
and commit their data.
"""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from colony.config import Settings
from colony.core.db import Database, create_engine
from colony.core.tenancy import Role
from colony.domains import metadata
from colony.main import create_app
from tests.conftest import make_settings
from tests.databases import fresh_database
from tests.factories import UserHandle, add_user


@dataclass
class LiveApp:
    app: FastAPI
    database: Database
    settings: Settings

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://testserver")

    async def user(self, role: Role = Role.personal, *, business: UserHandle | None = None,
                   base_currency: str = "USD") -> UserHandle:
        """A user committed to the live database (nobody logs in with its password)."""
        async with self.database.sessionmaker() as session:
            user = await add_user(session, self.settings, "unused", role, base_currency=base_currency,
                                  business=business)
            await session.commit()
        return user


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    with fresh_database(tmp_path, "planning") as url:
        yield url


@pytest.fixture
async def live(fresh_url: str, tmp_path: Path) -> AsyncIterator[LiveApp]:
    settings = make_settings(fresh_url, tmp_path, db_pool_size=10, db_max_overflow=10)
    engine = create_engine(settings.sqlalchemy_url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await engine.dispose()
    app = create_app(settings)
    async with LifespanManager(app):
        yield LiveApp(app, app.state.database, settings)
