"""Helpers shared by the planning tests (templates, cycles, budgets, goals)."""

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from colony.config import Settings
from colony.core import tokens
from colony.core.db import Database, create_engine
from colony.core.tenancy import Role
from colony.domains import metadata
from colony.main import create_app
from colony.users.models import Credentials, Profile, User
from tests.conftest import UserHandle, make_settings
from tests.databases import fresh_database

V1 = "/api/v1"


def error_code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


async def make_category(client: httpx.AsyncClient, owner: UserHandle, name: str = "Rent",
                        kind: str = "expense") -> str:
    r = await client.post(f"{V1}/categories", json={"name": name, "kind": kind}, headers=owner.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def make_template(client: httpx.AsyncClient, owner: UserHandle, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "Rent", "amount": "1200.00", "currency": "USD", "frequency": "monthly",
                            "start_date": "2024-01-01"}
    if overrides.get("frequency", "monthly") in ("monthly", "quarterly", "yearly"):
        body["day_of_month"] = 1
    body.update(overrides)
    r = await client.post(f"{V1}/expense-templates", json=body, headers=owner.headers)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


async def make_cycle(client: httpx.AsyncClient, owner: UserHandle, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"start_date": "2024-03-01", "income_amount": "5000.00"}
    body.update(overrides)
    r = await client.post(f"{V1}/cycles", json=body, headers=owner.headers)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


async def make_expense(client: httpx.AsyncClient, owner: UserHandle, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"amount": "10.00", "currency": "USD", "date": "2024-03-05", "description": "Lunch"}
    body.update(overrides)
    r = await client.post(f"{V1}/expenses", json=body, headers=owner.headers)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


# --- committed data on a database of its own, for tests that fire concurrent requests ---------------
# The per-test outer transaction can't show concurrency (every request would share one connection), so
# these tests get a fresh database (a new SQLite file, or a new PostgreSQL database), a real app on it,
# and commit their data.

@dataclass
class LiveApp:
    app: FastAPI
    database: Database
    settings: Settings

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://testserver")

    async def user(self, role: Role = Role.personal, *, business: UserHandle | None = None,
                   base_currency: str = "USD") -> UserHandle:
        user_id = uuid.uuid4()
        tenant_id = business.tenant_id if business is not None else user_id
        email = f"user-{user_id.hex[:12]}@example.com"
        async with self.database.sessionmaker() as session:
            session.add(User(id=user_id, email=email, role=role, is_active=True, tenant_id=tenant_id))
            await session.flush()
            session.add_all([Credentials(user_id=user_id, password_hash="unused"),
                             Profile(user_id=user_id, base_currency=base_currency)])
            await session.commit()
        token, _ = tokens.create_access_token(user_id, self.settings.signing_key, self.settings.access_token_minutes)
        return UserHandle(id=user_id, email=email, tenant_id=tenant_id, role=role, token=token)


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
