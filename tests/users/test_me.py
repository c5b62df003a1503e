"""GET / PATCH / DELETE /users/me."""

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.tenancy import Role
from colony.users.models import User
from tests.factories import TEST_PASSWORD, V1, bearer, error_code, login, register


async def _signed_in(client: httpx.AsyncClient, **fields: str) -> tuple[dict[str, str], dict[str, str]]:
    user = await register(client, **fields)
    return user, await login(client, user["email"])


async def test_patch_changes_only_the_fields_sent(client: httpx.AsyncClient) -> None:
    user, pair = await _signed_in(client, first_name="Grace")
    changes = {"last_name": "Hopper", "phone": "+1 555 0100", "timezone": "Europe/Paris", "locale": "fr-FR"}
    response = await client.patch(f"{V1}/users/me", headers=bearer(pair["access_token"]), json=changes)
    assert response.status_code == 200
    assert response.json() == {**user, **changes}
    me = await client.get(f"{V1}/users/me", headers=bearer(pair["access_token"]))
    assert me.json() == response.json()

    cleared = await client.patch(f"{V1}/users/me", headers=bearer(pair["access_token"]), json={"phone": None})
    assert cleared.json()["phone"] is None and cleared.json()["first_name"] == "Grace"


async def test_patch_refuses_invalid_values_and_identity_fields(client: httpx.AsyncClient,
                                                                session: AsyncSession) -> None:
    user, pair = await _signed_in(client)
    for body in ({"timezone": "Mars/Olympus"}, {"base_currency": "XXX"}, {"base_currency": None},
                 {"locale": "not a locale"}, {"role": "admin"}, {"email": "other@example.com"},
                 {"is_active": False}):
        response = await client.patch(f"{V1}/users/me", headers=bearer(pair["access_token"]), json=body)
        assert response.status_code == 422, body
        assert error_code(response) == "VALIDATION_ERROR"
    row = await session.get(User, uuid.UUID(user["id"]), populate_existing=True)
    assert row is not None and row.role is Role.personal


async def _report_currency(client: httpx.AsyncClient, access_token: str) -> str:
    """The currency of a report, which comes from the caller's principal (cached where Redis is)."""
    response = await client.get(f"{V1}/analytics/monthly/2024/3", headers=bearer(access_token))
    assert response.status_code == 200, response.text
    currency: str = response.json()["currency"]
    return currency


async def test_a_new_base_currency_reaches_the_cached_principal(client: httpx.AsyncClient) -> None:
    _user, pair = await _signed_in(client)
    assert await _report_currency(client, pair["access_token"]) == "USD"  # caches the principal
    response = await client.patch(f"{V1}/users/me", headers=bearer(pair["access_token"]),
                                  json={"base_currency": "JPY"})
    assert response.json()["base_currency"] == "JPY"
    assert await _report_currency(client, pair["access_token"]) == "JPY"


async def test_a_business_base_currency_is_its_sub_users_too(client: httpx.AsyncClient) -> None:
    _owner, owner_pair = await _signed_in(client, account_type="business")
    created = await client.post(f"{V1}/business/sub-users", headers=bearer(owner_pair["access_token"]),
                                json={"email": "member-" + uuid.uuid4().hex[:8] + "@example.com",
                                      "password": TEST_PASSWORD})
    sub_user = created.json()
    sub_pair = await login(client, sub_user["email"])
    assert await _report_currency(client, sub_pair["access_token"]) == "USD"  # caches its principal

    await client.patch(f"{V1}/users/me", headers=bearer(owner_pair["access_token"]), json={"base_currency": "EUR"})
    me = await client.get(f"{V1}/users/me", headers=bearer(sub_pair["access_token"]))
    assert me.json()["base_currency"] == "EUR"
    assert await _report_currency(client, sub_pair["access_token"]) == "EUR"

    refused = await client.patch(f"{V1}/users/me", headers=bearer(sub_pair["access_token"]),
                                 json={"base_currency": "GBP"})
    assert refused.status_code == 400 and error_code(refused) == "BASE_CURRENCY_SET_BY_BUSINESS"


async def test_deactivating_oneself_ends_every_token_at_once(client: httpx.AsyncClient) -> None:
    user, pair = await _signed_in(client)
    headers = bearer(pair["access_token"])
    assert (await client.get(f"{V1}/users/me", headers=headers)).status_code == 200  # principal now cached

    response = await client.delete(f"{V1}/users/me", headers=headers)
    assert response.status_code == 204 and response.content == b""
    after = await client.get(f"{V1}/users/me", headers=headers)
    assert after.status_code == 401 and error_code(after) == "NOT_AUTHENTICATED"
    refresh = await client.post(f"{V1}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refresh.status_code == 401 and error_code(refresh) == "TOKEN_REVOKED"
    again = await client.post(f"{V1}/auth/login", json={"email": user["email"], "password": TEST_PASSWORD})
    assert again.status_code == 401 and error_code(again) == "INVALID_CREDENTIALS"


async def test_a_business_that_closes_takes_its_sub_users_along(client: httpx.AsyncClient) -> None:
    _owner, owner_pair = await _signed_in(client, account_type="business")
    created = await client.post(f"{V1}/business/sub-users", headers=bearer(owner_pair["access_token"]),
                                json={"email": "member-" + uuid.uuid4().hex[:8] + "@example.com",
                                      "password": TEST_PASSWORD})
    sub_pair = await login(client, created.json()["email"])
    sub_headers = bearer(sub_pair["access_token"])
    assert (await client.get(f"{V1}/users/me", headers=sub_headers)).status_code == 200

    assert (await client.delete(f"{V1}/users/me", headers=bearer(owner_pair["access_token"]))).status_code == 204
    assert (await client.get(f"{V1}/users/me", headers=sub_headers)).status_code == 401
    refresh = await client.post(f"{V1}/auth/refresh", json={"refresh_token": sub_pair["refresh_token"]})
    assert refresh.status_code == 401
