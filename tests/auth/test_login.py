"""POST /auth/login and /auth/token: tokens and identical failures (the lockout: test_lockout.py)."""

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from colony.config import Settings
from colony.core import tokens
from colony.users.models import User
from tests.factories import TEST_PASSWORD, V1, bearer, error_code, login, register, unique_email


async def _attempt(client: httpx.AsyncClient, address: str, password: str) -> httpx.Response:
    return await client.post(f"{V1}/auth/login", json={"email": address, "password": password})


async def test_login_returns_a_working_token_pair(client: httpx.AsyncClient, settings: Settings) -> None:
    user = await register(client)
    pair = await login(client, user["email"].upper())  # the email is case-insensitive

    assert set(pair) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert pair["token_type"] == "bearer"
    assert pair["expires_in"] == settings.access_token_minutes * 60
    claims = tokens.decode_access_token(pair["access_token"], settings.signing_key)
    assert str(claims.user_id) == user["id"]
    me = await client.get(f"{V1}/users/me", headers=bearer(pair["access_token"]))
    assert me.status_code == 200 and me.json()["id"] == user["id"]


async def test_the_oauth2_form_logs_in_too(client: httpx.AsyncClient) -> None:
    user = await register(client)
    response = await client.post(f"{V1}/auth/token", data={"username": user["email"], "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"
    wrong = await client.post(f"{V1}/auth/token", data={"username": user["email"], "password": "nope-nope"})
    assert wrong.status_code == 401 and error_code(wrong) == "INVALID_CREDENTIALS"


async def test_wrong_email_and_wrong_password_look_the_same(client: httpx.AsyncClient) -> None:
    """Alike in body and headers; alike in time too, which test_lockout.py checks by counting hash verifications
    (the time is the Argon2 work) rather than with a stopwatch."""
    user = await register(client)
    unknown = await _attempt(client, unique_email(), TEST_PASSWORD)
    wrong = await _attempt(client, user["email"], "wrong password")

    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    assert error_code(unknown) == "INVALID_CREDENTIALS"
    assert unknown.headers["www-authenticate"] == wrong.headers["www-authenticate"] == "Bearer"


async def test_a_short_wrong_password_is_a_401_not_a_validation_error(client: httpx.AsyncClient) -> None:
    user = await register(client)
    response = await _attempt(client, user["email"], "x")
    assert response.status_code == 401 and error_code(response) == "INVALID_CREDENTIALS"


async def test_a_deactivated_user_cannot_log_in(client: httpx.AsyncClient, session: AsyncSession) -> None:
    user = await register(client)
    row = await session.get(User, uuid.UUID(user["id"]))
    assert row is not None
    row.is_active = False
    await session.flush()
    response = await _attempt(client, user["email"], TEST_PASSWORD)
    assert response.status_code == 401 and error_code(response) == "INVALID_CREDENTIALS"
