"""Access tokens on protected routes; refresh rotation, replay detection, expiry and logout."""

import hashlib
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.auth.models import RefreshToken
from colony.config import Settings
from colony.core import tokens
from colony.core.clock import utcnow
from tests.factories import V1, bearer, error_code, login, register


async def _refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post(f"{V1}/auth/refresh", json={"refresh_token": refresh_token})


async def test_protected_routes_need_a_valid_access_token(client: httpx.AsyncClient, settings: Settings) -> None:
    user = await register(client)
    pair = await login(client, user["email"])

    missing = await client.get(f"{V1}/users/me")
    assert missing.status_code == 401 and error_code(missing) == "NOT_AUTHENTICATED"
    garbage = await client.get(f"{V1}/users/me", headers=bearer("not-a-jwt"))
    assert garbage.status_code == 401 and error_code(garbage) == "NOT_AUTHENTICATED"
    as_refresh = await client.get(f"{V1}/users/me", headers=bearer(pair["refresh_token"]))
    assert as_refresh.status_code == 401 and error_code(as_refresh) == "NOT_AUTHENTICATED"
    forged, _ = tokens.create_access_token(uuid.UUID(user["id"]), "another-key-that-is-long-enough-for-hs256", 30)
    assert (await client.get(f"{V1}/users/me", headers=bearer(forged))).status_code == 401
    expired, _ = tokens.create_access_token(uuid.UUID(user["id"]), settings.signing_key, -1)
    response = await client.get(f"{V1}/users/me", headers=bearer(expired))
    assert response.status_code == 401 and error_code(response) == "TOKEN_EXPIRED"


async def test_refresh_rotates_the_pair(client: httpx.AsyncClient) -> None:
    user = await register(client)
    first = await login(client, user["email"])
    response = await _refresh(client, first["refresh_token"])
    assert response.status_code == 200
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["token_type"] == "bearer"
    me = await client.get(f"{V1}/users/me", headers=bearer(second["access_token"]))
    assert me.json()["id"] == user["id"]


async def test_refresh_accepts_the_token_as_a_bearer_header(client: httpx.AsyncClient) -> None:
    user = await register(client)
    pair = await login(client, user["email"])
    response = await client.post(f"{V1}/auth/refresh", headers=bearer(pair["refresh_token"]))
    assert response.status_code == 200
    none_given = await client.post(f"{V1}/auth/refresh")
    assert none_given.status_code == 401 and error_code(none_given) == "NOT_AUTHENTICATED"


async def test_a_replayed_refresh_token_revokes_its_whole_chain(client: httpx.AsyncClient) -> None:
    user = await register(client)
    stolen = await login(client, user["email"])
    other_device = await login(client, user["email"])
    rotated = (await _refresh(client, stolen["refresh_token"])).json()

    replay = await _refresh(client, stolen["refresh_token"])
    assert replay.status_code == 401 and error_code(replay) == "TOKEN_REVOKED"
    # The legitimate successor dies with the chain...
    successor = await _refresh(client, rotated["refresh_token"])
    assert successor.status_code == 401 and error_code(successor) == "TOKEN_REVOKED"
    # ...while another chain of the same user lives on.
    assert (await _refresh(client, other_device["refresh_token"])).status_code == 200


async def test_unknown_and_expired_refresh_tokens(client: httpx.AsyncClient, session: AsyncSession) -> None:
    unknown = await _refresh(client, "never-issued")
    assert unknown.status_code == 401 and error_code(unknown) == "NOT_AUTHENTICATED"

    user = await register(client)
    pair = await login(client, user["email"])
    stored = (await session.execute(select(RefreshToken).where(
        RefreshToken.user_id == uuid.UUID(user["id"])))).scalar_one()
    stored.expires_at = utcnow() - timedelta(seconds=1)
    await session.flush()
    expired = await _refresh(client, pair["refresh_token"])
    assert expired.status_code == 401 and error_code(expired) == "TOKEN_EXPIRED"


async def test_refresh_tokens_are_stored_hashed_and_live_seven_days(client: httpx.AsyncClient,
                                                                     session: AsyncSession) -> None:
    user = await register(client)
    pair = await login(client, user["email"])
    stored = (await session.execute(select(RefreshToken).where(
        RefreshToken.user_id == uuid.UUID(user["id"])))).scalar_one()
    assert stored.token_hash == hashlib.sha256(pair["refresh_token"].encode()).hexdigest()
    assert pair["refresh_token"] not in stored.token_hash
    assert timedelta(days=7) - timedelta(minutes=1) < stored.expires_at - utcnow() <= timedelta(days=7)


async def test_logout_revokes_the_chain(client: httpx.AsyncClient) -> None:
    user = await register(client)
    pair = await login(client, user["email"])
    rotated = (await _refresh(client, pair["refresh_token"])).json()

    response = await client.post(f"{V1}/auth/logout", json={"refresh_token": pair["refresh_token"]})
    assert response.status_code == 204 and response.content == b""
    after = await _refresh(client, rotated["refresh_token"])
    assert after.status_code == 401 and error_code(after) == "TOKEN_REVOKED"
    # Logging out of a session that does not exist is already done.
    assert (await client.post(f"{V1}/auth/logout", json={"refresh_token": "unknown"})).status_code == 204


def test_a_remembered_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    key = "k" * 48
    token, _ = tokens.create_access_token(uuid.uuid4(), key, 1)
    assert tokens.decode_access_token(token, key).expires_at > utcnow()  # verified, and remembered
    later = utcnow() + timedelta(minutes=2)
    monkeypatch.setattr(tokens, "utcnow", lambda: later)
    with pytest.raises(tokens.TokenExpired):
        tokens.decode_access_token(token, key)
    with pytest.raises(tokens.TokenInvalid):  # a remembered token is only good with the key that signed it
        tokens.decode_access_token(token, "another key " + "x" * 40)
