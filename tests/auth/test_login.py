"""POST /auth/login and /auth/token: tokens, identical failures, and the lockout."""

import time
import uuid
from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from colony.config import Settings
from colony.core import tokens
from colony.core.clock import utcnow
from colony.users.models import Credentials, User
from tests.factories import TEST_PASSWORD, V1, bearer, error_code, login, register, unique_email


async def _credentials(session: AsyncSession, user_id: str) -> Credentials:
    credentials = await session.get(Credentials, uuid.UUID(user_id), populate_existing=True)
    assert credentials is not None
    return credentials


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
    user = await register(client)
    await _attempt(client, unique_email(), "warm up the hasher")
    started = time.perf_counter()
    unknown = await _attempt(client, unique_email(), TEST_PASSWORD)
    unknown_seconds = time.perf_counter() - started
    started = time.perf_counter()
    wrong = await _attempt(client, user["email"], "wrong password")
    wrong_seconds = time.perf_counter() - started

    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    assert error_code(unknown) == "INVALID_CREDENTIALS"
    assert unknown.headers["www-authenticate"] == wrong.headers["www-authenticate"] == "Bearer"
    # An unknown email still pays for one Argon2 verification (tens of milliseconds).
    assert unknown_seconds > wrong_seconds / 3


async def test_a_short_wrong_password_is_a_401_not_a_validation_error(client: httpx.AsyncClient) -> None:
    user = await register(client)
    response = await _attempt(client, user["email"], "x")
    assert response.status_code == 401 and error_code(response) == "INVALID_CREDENTIALS"


async def test_five_failures_lock_the_account_even_for_the_right_password(client: httpx.AsyncClient,
                                                                         session: AsyncSession) -> None:
    user = await register(client)
    for _ in range(5):
        response = await _attempt(client, user["email"], "wrong password")
        assert response.status_code == 401 and error_code(response) == "INVALID_CREDENTIALS"

    locked = await _attempt(client, user["email"], TEST_PASSWORD)
    assert locked.status_code == 423
    assert error_code(locked) == "ACCOUNT_LOCKED"
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    credentials = await _credentials(session, user["id"])
    assert credentials.locked_until is not None
    assert timedelta(minutes=14) < credentials.locked_until - utcnow() <= timedelta(minutes=15)

    # Fifteen minutes later (moved back in the database rather than waited for), the right password works.
    credentials.locked_until = utcnow() - timedelta(seconds=1)
    await session.flush()
    assert (await _attempt(client, user["email"], TEST_PASSWORD)).status_code == 200
    credentials = await _credentials(session, user["id"])
    assert (credentials.failed_attempts, credentials.locked_until) == (0, None)


async def test_a_success_resets_the_count(client: httpx.AsyncClient, session: AsyncSession) -> None:
    user = await register(client)
    for _ in range(4):
        await _attempt(client, user["email"], "wrong password")
    assert (await _credentials(session, user["id"])).failed_attempts == 4
    await login(client, user["email"])
    assert (await _credentials(session, user["id"])).failed_attempts == 0
    for _ in range(4):
        await _attempt(client, user["email"], "wrong password")
    assert (await _attempt(client, user["email"], TEST_PASSWORD)).status_code == 200


async def test_a_deactivated_user_cannot_log_in(client: httpx.AsyncClient, session: AsyncSession) -> None:
    user = await register(client)
    row = await session.get(User, uuid.UUID(user["id"]))
    assert row is not None
    row.is_active = False
    await session.flush()
    response = await _attempt(client, user["email"], TEST_PASSWORD)
    assert response.status_code == 401 and error_code(response) == "INVALID_CREDENTIALS"
