"""Response headers: nosniff on every response; no caching of a response that carries tokens."""

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import TEST_PASSWORD, V1, MakeUser, login, register

NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}


def _caching(response: httpx.Response) -> dict[str, str | None]:
    return {name: response.headers.get(name) for name in NO_STORE}


async def test_every_response_says_nosniff(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    responses = [
        await client.get("/health"),
        await client.get("/openapi.json"),
        await client.get(f"{V1}/users/me", headers=user.headers),
        await client.get(f"{V1}/users/me"),  # 401
        await client.get(f"{V1}/nothing-here"),  # 404
        await client.post(f"{V1}/auth/login", json={}),  # 422
    ]
    assert [r.headers.get("x-content-type-options") for r in responses] == ["nosniff"] * len(responses)


async def test_token_responses_are_never_cached(client: httpx.AsyncClient) -> None:
    email = (await register(client))["email"]
    pair = await login(client, email)
    logged_in = await client.post(f"{V1}/auth/login", json={"email": email, "password": TEST_PASSWORD})
    form = await client.post(f"{V1}/auth/token", data={"username": email, "password": TEST_PASSWORD})
    refreshed = await client.post(f"{V1}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    for response in (logged_in, form, refreshed):
        assert response.status_code == 200, response.text
        assert _caching(response) == NO_STORE


async def test_a_new_personal_access_token_is_never_cached(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    created = await client.post(f"{V1}/users/me/tokens", headers=user.headers,
                                json={"name": "backup script", "scopes": ["read"]})
    assert created.status_code == 201, created.text
    assert _caching(created) == NO_STORE


async def test_responses_without_tokens_keep_their_caching(client: httpx.AsyncClient) -> None:
    assert _caching(await client.get("/health")) == {"cache-control": None, "pragma": None}


@pytest.mark.parametrize(("path", "status"), [("/auth/login", "200"), ("/auth/token", "200"),
                                              ("/auth/refresh", "200"), ("/users/me/tokens", "201")])
def test_the_headers_are_documented(app: FastAPI, path: str, status: str) -> None:
    headers = app.openapi()["paths"][f"{V1}{path}"]["post"]["responses"][status]["headers"]
    assert set(headers) == {"Cache-Control", "Pragma"}
