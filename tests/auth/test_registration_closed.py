"""COLONY_REGISTRATION=closed: sign-ups answer 403, administrators create the accounts."""

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from colony.categories.models import Category
from colony.core.db import Database
from colony.core.tenancy import Role
from colony.main import create_app
from colony.users.models import User
from tests.conftest import make_settings
from tests.factories import V1, MakeUser, error_code, login, unique_email


@pytest.fixture(scope="module")
async def closed_app(database_url: str, data_dir: Path, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    app = create_app(make_settings(database_url, data_dir, registration="closed"))
    async with LifespanManager(app):
        yield app


@pytest.fixture
async def closed(closed_app: FastAPI, engine: AsyncEngine,
                 connection: AsyncConnection) -> AsyncIterator[httpx.AsyncClient]:
    closed_app.state.database = Database(engine, bind=connection)
    transport = httpx.ASGITransport(app=closed_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_sign_ups_are_refused(closed: httpx.AsyncClient, session: AsyncSession) -> None:
    address = unique_email()
    response = await closed.post(f"{V1}/auth/register", json={"email": address, "password": "long enough password"})
    assert response.status_code == 403 and error_code(response) == "FORBIDDEN"
    assert "administrator" in response.json()["error"]["message"]
    assert (await session.execute(select(User).where(User.email == address))).first() is None


async def test_an_admin_creates_an_account_that_signs_in(closed: httpx.AsyncClient, make_user: MakeUser,
                                                         session: AsyncSession) -> None:
    admin = await make_user(Role.admin)
    address = unique_email()
    created = await closed.post(f"{V1}/admin/users", headers=admin.headers, json={
        "email": address.upper(), "password": "long enough password", "account_type": "business",
        "base_currency": "EUR", "first_name": "Ada"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["email"], body["role"], body["base_currency"], body["first_name"]) == (
        address, "business", "EUR", "Ada")
    assert body["is_active"] is True and body["tenant_id"] == body["id"]
    tenant_id = uuid.UUID(body["tenant_id"])
    categories = (await session.execute(select(Category.name).where(Category.tenant_id == tenant_id))).all()
    assert len(categories) == 9  # the default categories, as registration gives them
    await login(closed, address, "long enough password")

    again = await closed.post(f"{V1}/admin/users", headers=admin.headers,
                              json={"email": address, "password": "long enough password"})
    assert again.status_code == 409 and error_code(again) == "EMAIL_ALREADY_REGISTERED"


@pytest.mark.parametrize("role", [Role.personal, Role.business])
async def test_only_admins_create_accounts(closed: httpx.AsyncClient, make_user: MakeUser, role: Role) -> None:
    caller = await make_user(role)
    response = await closed.post(f"{V1}/admin/users", headers=caller.headers,
                                 json={"email": unique_email(), "password": "long enough password"})
    assert response.status_code == 403 and error_code(response) == "FORBIDDEN"


@pytest.mark.parametrize("account_type", ["admin", "sub_user"])
async def test_admins_create_owners_only(closed: httpx.AsyncClient, make_user: MakeUser, account_type: str) -> None:
    admin = await make_user(Role.admin)
    response = await closed.post(f"{V1}/admin/users", headers=admin.headers, json={
        "email": unique_email(), "password": "long enough password", "account_type": account_type})
    assert response.status_code == 422


def test_the_refusal_is_documented(closed_app: FastAPI) -> None:
    operations = closed_app.openapi()["paths"]
    assert "FORBIDDEN" in operations[f"{V1}/auth/register"]["post"]["responses"]["403"]["description"]
    assert "201" in operations[f"{V1}/admin/users"]["post"]["responses"]
