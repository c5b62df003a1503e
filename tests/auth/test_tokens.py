"""Access tokens on protected routes; refresh rotation, replay detection, expiry and logout; access tokens that
end at once on logout, on a password change and on a reset."""

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
from tests.auth.helpers import mails_to, reset_token_from
from tests.factories import TEST_PASSWORD, V1, bearer, error_code, login, register

NEW_PASSWORD = "another long passphrase"


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


async def _me(client: httpx.AsyncClient, access_token: str) -> httpx.Response:
    return await client.get(f"{V1}/users/me", headers=bearer(access_token))


def _revoked(response: httpx.Response) -> bool:
    return response.status_code == 401 and error_code(response) == "TOKEN_REVOKED"


async def test_logout_revokes_the_access_token_that_made_the_call(client: httpx.AsyncClient,
                                                                  settings: Settings) -> None:
    user = await register(client)
    pair, other_device = await login(client, user["email"]), await login(client, user["email"])
    assert (await _me(client, pair["access_token"])).status_code == 200  # known, and cached where Redis is

    response = await client.post(f"{V1}/auth/logout", json={"refresh_token": pair["refresh_token"]},
                                 headers=bearer(pair["access_token"]))
    assert response.status_code == 204
    assert _revoked(await _me(client, pair["access_token"]))
    assert (await _me(client, other_device["access_token"])).status_code == 200  # another session lives on
    # Logging out again, or with an access token that is expired or not one, still ends the chain quietly.
    expired, _ = tokens.create_access_token(uuid.UUID(user["id"]), settings.signing_key, -1)
    for access_token in (pair["access_token"], expired, "not-a-jwt"):
        again = await client.post(f"{V1}/auth/logout", json={"refresh_token": other_device["refresh_token"]},
                                  headers=bearer(access_token))
        assert again.status_code == 204


async def test_a_revocation_is_kept_until_the_token_expires(client: httpx.AsyncClient, session: AsyncSession,
                                                        settings: Settings) -> None:
    """The revocation is kept until the token would have expired, and no longer (an hourly job purges it)."""
    from colony.users import service as user_service
    from colony.users.models import RevokedAccessToken

    user = await register(client)
    pair = await login(client, user["email"])
    await client.post(f"{V1}/auth/logout", json={"refresh_token": pair["refresh_token"]},
                      headers=bearer(pair["access_token"]))
    claims = tokens.decode_access_token(pair["access_token"], settings.signing_key)
    stored = await session.get(RevokedAccessToken, claims.jti)
    assert stored is not None and stored.expires_at == claims.expires_at
    assert await user_service.purge_expired_revocations(session) == 0
    stored.expires_at = utcnow() - timedelta(seconds=1)
    await session.flush()
    assert await user_service.purge_expired_revocations(session) == 1


async def test_a_password_change_ends_every_access_token_issued_before(client: httpx.AsyncClient) -> None:
    user = await register(client)
    this_device, other_device = await login(client, user["email"]), await login(client, user["email"])
    for pair in (this_device, other_device):
        assert (await _me(client, pair["access_token"])).status_code == 200

    response = await client.post(f"{V1}/auth/change-password", headers=bearer(this_device["access_token"]),
                                 json={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 204
    assert _revoked(await _me(client, this_device["access_token"]))
    assert _revoked(await _me(client, other_device["access_token"]))
    # A token issued right after the change (within the same second) works.
    fresh = await login(client, user["email"], NEW_PASSWORD)
    assert (await _me(client, fresh["access_token"])).status_code == 200


async def test_a_password_reset_ends_every_access_token_issued_before(client: httpx.AsyncClient,
                                                                      settings: Settings) -> None:
    user = await register(client)
    pair = await login(client, user["email"])
    assert (await _me(client, pair["access_token"])).status_code == 200
    assert (await client.post(f"{V1}/auth/password-reset/request", json={"email": user["email"]})).status_code == 202
    assert settings.email_dir is not None
    [mail] = mails_to(settings.email_dir, user["email"])

    response = await client.post(f"{V1}/auth/password-reset/confirm",
                                 json={"token": reset_token_from(mail), "new_password": NEW_PASSWORD})
    assert response.status_code == 204
    assert _revoked(await _me(client, pair["access_token"]))
    fresh = await login(client, user["email"], NEW_PASSWORD)
    assert (await _me(client, fresh["access_token"])).status_code == 200


def test_the_issue_time_keeps_its_microseconds(monkeypatch: pytest.MonkeyPatch) -> None:
    """So that a token issued just after a password change, within the same second, outlives the change."""
    key, moment = "k" * 48, utcnow().replace(microsecond=123456)
    monkeypatch.setattr(tokens, "utcnow", lambda: moment)
    token, _ = tokens.create_access_token(uuid.uuid4(), key, 5)
    assert tokens.decode_access_token(token, key).issued_at == moment
