"""/users/me/tokens: personal access tokens for scripts, with scopes, shown once, ended at once."""

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core import tokens
from colony.core.clock import utcnow
from colony.core.tenancy import Role
from colony.users import service as user_service
from colony.users.models import PersonalAccessToken
from tests.factories import TEST_PASSWORD, V1, MakeUser, UserHandle, bearer, error_code, expense_body, login

TOKENS = f"{V1}/users/me/tokens"


async def make_token(client: httpx.AsyncClient, owner: UserHandle, scopes: list[str] | None = None,
                     **fields: Any) -> dict[str, Any]:
    response = await client.post(TOKENS, headers=owner.headers,
                                 json={"name": "nightly export", "scopes": scopes or ["read"], **fields})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_a_token_is_shown_once_and_stored_only_as_its_hash(client: httpx.AsyncClient, make_user: MakeUser,
                                                                 session: AsyncSession) -> None:
    owner = await make_user()
    response = await client.post(TOKENS, headers=owner.headers, json={"name": "backup script", "scopes": ["read"]})
    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    created = response.json()
    assert created["token"].startswith("colony_pat_") and len(created["token"]) > 40
    assert {key: created[key] for key in ("name", "scopes", "last_used_at", "expires_at")} == {
        "name": "backup script", "scopes": ["read"], "last_used_at": None, "expires_at": None}

    listed = (await client.get(TOKENS, headers=owner.headers)).json()
    assert listed["total"] == 1
    assert set(listed["items"][0]) == {"id", "name", "scopes", "created_at", "last_used_at", "expires_at"}
    one = (await client.get(f"{TOKENS}/{created['id']}", headers=owner.headers)).json()
    assert one == listed["items"][0] and "token" not in one

    row = (await session.execute(select(PersonalAccessToken).where(
        PersonalAccessToken.id == uuid.UUID(created["id"])))).scalar_one()
    assert row.token_hash == tokens.hash_token(created["token"])
    assert created["token"] not in " ".join(str(value) for value in vars(row).values())


async def test_a_token_acts_as_its_user_and_records_its_use(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    created = await make_token(client, owner)
    me = await client.get(f"{V1}/users/me", headers=bearer(created["token"]))
    assert me.status_code == 200 and me.json()["id"] == str(owner.id)

    used = (await client.get(f"{TOKENS}/{created['id']}", headers=owner.headers)).json()
    assert used["last_used_at"] is not None
    assert utcnow() - timedelta(minutes=1) < datetime.fromisoformat(used["last_used_at"]) <= utcnow()


async def test_a_read_token_may_not_write(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    read_only = bearer((await make_token(client, owner, ["read"]))["token"])
    read_write = bearer((await make_token(client, owner, ["write", "read"]))["token"])

    assert (await client.get(f"{V1}/expenses", headers=read_only)).status_code == 200
    for method, path, body in (("POST", "/expenses", expense_body()), ("PATCH", "/users/me", {"locale": "fr-FR"}),
                               ("DELETE", "/users/me", None)):
        refused = await client.request(method, f"{V1}{path}", json=body, headers=read_only)
        assert refused.status_code == 403 and error_code(refused) == "FORBIDDEN", (method, path)
    assert (await client.get(f"{V1}/expenses", headers=read_only)).json()["total"] == 0  # nothing was written

    created = await client.post(f"{V1}/expenses", json=expense_body(), headers=read_write)
    assert created.status_code == 201
    assert (await client.get(f"{TOKENS}", headers=owner.headers)).json()["items"][0]["scopes"] == ["read", "write"]


async def test_a_token_keeps_to_its_users_role(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    business = await make_user(Role.business)
    member = await make_user(Role.sub_user, business=business)
    token = bearer((await make_token(client, member, ["read", "write"]))["token"])
    assert (await client.post(f"{V1}/expenses", json=expense_body(), headers=token)).status_code == 201
    refused = await client.post(f"{V1}/categories", json={"name": "Mine", "kind": "expense"}, headers=token)
    assert refused.status_code == 403 and error_code(refused) == "FORBIDDEN"  # the owner's, as for its password


async def test_a_deleted_token_stops_working_at_once(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    created = await make_token(client, owner)
    token = bearer(created["token"])
    assert (await client.get(f"{V1}/users/me", headers=token)).status_code == 200  # known, cached where Redis is

    assert (await client.delete(f"{TOKENS}/{created['id']}", headers=owner.headers)).status_code == 204
    after = await client.get(f"{V1}/users/me", headers=token)
    assert after.status_code == 401 and error_code(after) == "NOT_AUTHENTICATED"
    gone = await client.get(f"{TOKENS}/{created['id']}", headers=owner.headers)
    assert gone.status_code == 404 and error_code(gone) == "TOKEN_NOT_FOUND"


async def test_an_expired_token_is_refused(client: httpx.AsyncClient, make_user: MakeUser,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    owner = await make_user()
    expires_at = utcnow() + timedelta(hours=1)
    created = await make_token(client, owner, expires_at=expires_at.isoformat())
    assert datetime.fromisoformat(created["expires_at"]) == expires_at
    assert (await client.get(f"{V1}/users/me", headers=bearer(created["token"]))).status_code == 200

    later = expires_at + timedelta(seconds=1)
    monkeypatch.setattr(user_service, "utcnow", lambda: later)
    expired = await client.get(f"{V1}/users/me", headers=bearer(created["token"]))
    assert expired.status_code == 401 and error_code(expired) == "TOKEN_EXPIRED"


async def test_another_users_token_does_not_exist(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    business = await make_user(Role.business)
    member = await make_user(Role.sub_user, business=business)
    created = await make_token(client, business)
    for caller in (member, await make_user()):
        for method in ("GET", "DELETE"):
            response = await client.request(method, f"{TOKENS}/{created['id']}", headers=caller.headers)
            assert response.status_code == 404 and error_code(response) == "TOKEN_NOT_FOUND", (method, caller.role)
        assert (await client.get(TOKENS, headers=caller.headers)).json()["items"] == []
    assert (await client.get(f"{V1}/users/me", headers=bearer(created["token"]))).status_code == 200  # untouched


@pytest.mark.parametrize("body", [
    {"name": "x", "scopes": ["write"]},
    {"name": "x", "scopes": []},
    {"name": "x", "scopes": ["read", "admin"]},
    {"name": "x"},
    {"name": "", "scopes": ["read"]},
    {"name": "x", "scopes": ["read"], "expires_at": "2020-01-01T00:00:00Z"},
    {"name": "x", "scopes": ["read"], "expires_at": "2999-01-01T00:00:00"},  # no time zone
])
async def test_invalid_requests_are_refused(client: httpx.AsyncClient, make_user: MakeUser,
                                            body: dict[str, Any]) -> None:
    owner = await make_user()
    response = await client.post(TOKENS, headers=owner.headers, json=body)
    assert response.status_code == 422 and error_code(response) == "VALIDATION_ERROR", response.text


async def test_tokens_are_managed_with_a_password_session_only(client: httpx.AsyncClient,
                                                               make_user: MakeUser) -> None:
    """A token cannot make or list tokens (a leaked one could not outlive its own deletion), and administrators
    have none."""
    owner = await make_user()
    token = bearer((await make_token(client, owner, ["read", "write"]))["token"])
    for method, body in (("POST", {"name": "more", "scopes": ["read"]}), ("GET", None)):
        refused = await client.request(method, TOKENS, json=body, headers=token)
        assert refused.status_code == 403 and error_code(refused) == "FORBIDDEN", method
    admin = await make_user(Role.admin)
    refused = await client.post(TOKENS, json={"name": "ops", "scopes": ["read"]}, headers=admin.headers)
    assert refused.status_code == 403 and error_code(refused) == "FORBIDDEN"


async def test_a_token_is_no_refresh_token(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    token = (await make_token(client, owner, ["read", "write"]))["token"]
    for response in (await client.post(f"{V1}/auth/refresh", json={"refresh_token": token}),
                     await client.post(f"{V1}/auth/refresh", headers=bearer(token))):
        assert response.status_code == 401 and error_code(response) == "NOT_AUTHENTICATED"


async def test_a_password_change_and_a_deactivation_end_every_token(client: httpx.AsyncClient,
                                                                    make_user: MakeUser) -> None:
    owner = await make_user()
    token = bearer((await make_token(client, owner))["token"])
    assert (await client.get(f"{V1}/users/me", headers=token)).status_code == 200
    changed = await client.post(f"{V1}/auth/change-password", headers=owner.headers,
                                json={"current_password": TEST_PASSWORD, "new_password": "a new passphrase"})
    assert changed.status_code == 204
    assert (await client.get(f"{V1}/users/me", headers=token)).status_code == 401
    session = await login(client, owner.email, "a new passphrase")
    assert (await client.get(TOKENS, headers=bearer(session["access_token"]))).json()["items"] == []

    second = bearer((await make_token(client, UserHandle(
        owner.id, owner.email, owner.tenant_id, owner.role, session["access_token"])))["token"])
    assert (await client.get(f"{V1}/users/me", headers=second)).status_code == 200
    assert (await client.delete(f"{V1}/users/me", headers=bearer(session["access_token"]))).status_code == 204
    assert (await client.get(f"{V1}/users/me", headers=second)).status_code == 401


def test_the_schema_says_what_authenticating_may_answer(app: FastAPI) -> None:
    """Every route behind the bearer token documents the 401 codes of a token that ended, and every write the
    403 of a read-only token; the routes that authenticate nobody document neither."""
    operations = app.openapi()["paths"]
    for path, method in (("/api/v1/expenses", "get"), ("/api/v1/expenses", "post"), ("/api/v1/users/me", "get"),
                         ("/api/v1/users/me/tokens/{token_id}", "delete"), ("/api/v1/admin/users", "get")):
        responses = operations[path][method]["responses"]
        assert "TOKEN_REVOKED" in responses["401"]["description"], (method, path)
        assert "TOKEN_EXPIRED" in responses["401"]["description"], (method, path)
        if method != "get":
            assert "FORBIDDEN" in responses["403"]["description"], (method, path)
    assert "401" not in operations["/api/v1/auth/logout"]["post"]["responses"]
    assert "401" not in operations["/health"]["get"]["responses"]
