"""Password reset through the mail backend, and password change."""

import hashlib
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.auth.models import PasswordResetToken
from colony.config import Settings
from colony.core.clock import utcnow
from tests.auth.helpers import mails_to, reset_token_from
from tests.factories import TEST_PASSWORD, V1, bearer, error_code, login, register, unique_email

NEW_PASSWORD = "a brand new passphrase"


async def _request_reset(client: httpx.AsyncClient, settings: Settings, address: str) -> str:
    response = await client.post(f"{V1}/auth/password-reset/request", json={"email": address})
    assert response.status_code == 202
    assert settings.email_dir is not None
    [mail] = mails_to(settings.email_dir, address)
    return reset_token_from(mail)


async def _confirm(client: httpx.AsyncClient, token: str, password: str = NEW_PASSWORD) -> httpx.Response:
    return await client.post(f"{V1}/auth/password-reset/confirm", json={"token": token, "new_password": password})


async def test_reset_sets_a_new_password_and_ends_every_session(client: httpx.AsyncClient,
                                                                settings: Settings) -> None:
    user = await register(client)
    session_before = await login(client, user["email"])
    token = await _request_reset(client, settings, user["email"].upper())

    response = await _confirm(client, token)
    assert response.status_code == 204
    old = await client.post(f"{V1}/auth/login", json={"email": user["email"], "password": TEST_PASSWORD})
    assert old.status_code == 401
    await login(client, user["email"], NEW_PASSWORD)
    refresh = await client.post(f"{V1}/auth/refresh", json={"refresh_token": session_before["refresh_token"]})
    assert refresh.status_code == 401 and error_code(refresh) == "TOKEN_REVOKED"


async def test_a_reset_token_works_once(client: httpx.AsyncClient, settings: Settings) -> None:
    user = await register(client)
    token = await _request_reset(client, settings, user["email"])
    assert (await _confirm(client, token)).status_code == 204
    again = await _confirm(client, token, "yet another passphrase")
    assert again.status_code == 400 and error_code(again) == "INVALID_RESET_TOKEN"
    await login(client, user["email"], NEW_PASSWORD)


async def test_a_reset_token_expires_after_an_hour(client: httpx.AsyncClient, session: AsyncSession,
                                                   settings: Settings) -> None:
    user = await register(client)
    token = await _request_reset(client, settings, user["email"])
    stored = (await session.execute(select(PasswordResetToken).where(
        PasswordResetToken.user_id == uuid.UUID(user["id"])))).scalar_one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()  # only the hash is kept
    assert timedelta(minutes=59) < stored.expires_at - utcnow() <= timedelta(hours=1)

    stored.expires_at = utcnow() - timedelta(seconds=1)
    await session.flush()
    response = await _confirm(client, token)
    assert response.status_code == 400 and error_code(response) == "INVALID_RESET_TOKEN"


async def test_an_unknown_email_gets_the_same_202_and_no_mail(client: httpx.AsyncClient,
                                                              settings: Settings) -> None:
    address = unique_email()
    response = await client.post(f"{V1}/auth/password-reset/request", json={"email": address})
    assert response.status_code == 202 and response.content == b""
    assert settings.email_dir is not None
    assert mails_to(settings.email_dir, address) == []


async def test_reset_refuses_bad_tokens_and_short_passwords(client: httpx.AsyncClient, settings: Settings) -> None:
    bogus = await _confirm(client, "not-a-token")
    assert bogus.status_code == 400 and error_code(bogus) == "INVALID_RESET_TOKEN"
    user = await register(client)
    token = await _request_reset(client, settings, user["email"])
    short = await _confirm(client, token, "short")
    assert short.status_code == 422 and error_code(short) == "VALIDATION_ERROR"
    assert (await _confirm(client, token)).status_code == 204  # the refused attempt did not use it up


async def test_change_password(client: httpx.AsyncClient) -> None:
    user = await register(client)
    pair = await login(client, user["email"])
    response = await client.post(f"{V1}/auth/change-password", headers=bearer(pair["access_token"]),
                                 json={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 204
    assert (await client.post(f"{V1}/auth/login",
                              json={"email": user["email"], "password": TEST_PASSWORD})).status_code == 401
    await login(client, user["email"], NEW_PASSWORD)
    refresh = await client.post(f"{V1}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refresh.status_code == 401 and error_code(refresh) == "TOKEN_REVOKED"


async def test_change_password_checks_the_current_one(client: httpx.AsyncClient) -> None:
    user = await register(client)
    pair = await login(client, user["email"])
    body = {"current_password": "not my password", "new_password": NEW_PASSWORD}
    wrong = await client.post(f"{V1}/auth/change-password", headers=bearer(pair["access_token"]), json=body)
    assert wrong.status_code == 401 and error_code(wrong) == "INVALID_CREDENTIALS"
    anonymous = await client.post(f"{V1}/auth/change-password", json=body)
    assert anonymous.status_code == 401 and error_code(anonymous) == "NOT_AUTHENTICATED"
    await login(client, user["email"])  # unchanged
