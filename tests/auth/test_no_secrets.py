"""No response body and no log line ever carries a password, a password hash or a token."""

import json
import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.auth.models import RefreshToken
from colony.config import Settings
from colony.users.models import Credentials
from tests.auth.helpers import mails_to, reset_token_from
from tests.factories import V1, bearer, unique_email

PASSWORD = "first secret passphrase"
NEW_PASSWORD = "second secret passphrase"
RESET_PASSWORD = "third secret passphrase"


async def test_secrets_stay_out_of_responses_and_logs(client: httpx.AsyncClient, session: AsyncSession,
                                                      settings: Settings, capfd: pytest.CaptureFixture[str]) -> None:
    address = unique_email()
    responses: list[httpx.Response] = []

    async def call(method: str, path: str, *, json: dict[str, str] | None = None, data: dict[str, str] | None = None,
                   headers: dict[str, str] | None = None) -> httpx.Response:
        response = await client.request(method, V1 + path, json=json, data=data, headers=headers)
        responses.append(response)
        return response

    user = (await call("POST", "/auth/register", json={"email": address, "password": PASSWORD})).json()
    await call("POST", "/auth/login", json={"email": address, "password": "a wrong passphrase"})
    pair = (await call("POST", "/auth/login", json={"email": address, "password": PASSWORD})).json()
    form_pair = (await call("POST", "/auth/token", data={"username": address, "password": PASSWORD})).json()
    rotated = (await call("POST", "/auth/refresh", json={"refresh_token": pair["refresh_token"]})).json()
    await call("POST", "/auth/refresh", json={"refresh_token": pair["refresh_token"]})  # a replay
    await call("GET", "/users/me", headers=bearer(rotated["access_token"]))
    await call("POST", "/auth/change-password", headers=bearer(rotated["access_token"]),
               json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    await call("POST", "/auth/password-reset/request", json={"email": address})
    assert settings.email_dir is not None
    reset_token = reset_token_from(mails_to(settings.email_dir, address)[-1])
    await call("POST", "/auth/password-reset/confirm", json={"token": reset_token, "new_password": RESET_PASSWORD})
    await call("POST", "/auth/logout", json={"refresh_token": form_pair["refresh_token"]})

    credentials = await session.get(Credentials, uuid.UUID(user["id"]), populate_existing=True)
    assert credentials is not None
    token_hashes = (await session.execute(select(RefreshToken.token_hash).where(
        RefreshToken.user_id == uuid.UUID(user["id"])))).scalars().all()
    out, err = capfd.readouterr()
    logs = out + err
    logged_paths = {json.loads(line).get("path") for line in logs.splitlines() if line.startswith("{")}
    assert "/api/v1/auth/password-reset/confirm" in logged_paths  # the request lines were captured

    secrets = [PASSWORD, NEW_PASSWORD, RESET_PASSWORD, reset_token, credentials.password_hash, *token_hashes,
               pair["refresh_token"], rotated["refresh_token"], form_pair["refresh_token"],
               pair["access_token"], rotated["access_token"], form_pair["access_token"]]
    for response in responses:
        body = response.json() if response.content else {}
        handed_out = {body["access_token"], body["refresh_token"]} if "access_token" in body else set()
        for secret in set(secrets) - handed_out:
            assert secret not in response.text, response.request.url
