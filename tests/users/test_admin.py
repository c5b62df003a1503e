"""/admin/users: for administrators only; the role changes that keep tenancy coherent."""

import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.tenancy import Role
from colony.users.models import Profile
from tests.factories import V1, MakeUser, bearer, error_code, login

USERS = f"{V1}/admin/users"


async def test_only_admins_reach_the_admin_routes(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    business = await make_user(Role.business)
    target = await make_user()
    for caller in (await make_user(Role.personal), business, await make_user(Role.sub_user, business=business)):
        listed = await client.get(USERS, headers=caller.headers)
        assert listed.status_code == 403 and error_code(listed) == "FORBIDDEN"
        patched = await client.patch(f"{USERS}/{target.id}", headers=caller.headers, json={"is_active": False})
        assert patched.status_code == 403
    assert (await client.get(USERS)).status_code == 401
    assert (await client.get(f"{V1}/users/me", headers=target.headers)).status_code == 200


async def test_admins_read_no_tenant_data(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    admin = await make_user(Role.admin)
    assert (await client.get(f"{V1}/users/me", headers=admin.headers)).json()["role"] == "admin"
    response = await client.get(f"{V1}/business/sub-users", headers=admin.headers)
    assert response.status_code == 403


async def test_the_list_filters_and_paginates(client: httpx.AsyncClient, make_user: MakeUser,
                                              session: AsyncSession) -> None:
    admin = await make_user(Role.admin)
    marker = uuid.uuid4().hex[:8]
    ada = await make_user(email=f"ada-{marker}@example.com")
    bob = await make_user(Role.business, email=f"bob-{marker}@example.com")
    profile = await session.get(Profile, ada.id)
    assert profile is not None
    profile.last_name = f"Lovelace{marker}"
    await session.flush()

    def ids(response: httpx.Response) -> set[str]:
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert ids(await client.get(USERS, headers=admin.headers, params={"q": marker.upper()})) == {str(ada.id),
                                                                                                 str(bob.id)}
    assert ids(await client.get(USERS, headers=admin.headers, params={"q": f"LOVELACE{marker}"})) == {str(ada.id)}
    assert ids(await client.get(USERS, headers=admin.headers,
                                params={"q": marker, "role": "business"})) == {str(bob.id)}
    await client.patch(f"{USERS}/{ada.id}", headers=admin.headers, json={"is_active": False})
    assert ids(await client.get(USERS, headers=admin.headers,
                                params={"q": marker, "is_active": "false"})) == {str(ada.id)}
    page = (await client.get(USERS, headers=admin.headers, params={"q": marker, "size": 1})).json()
    assert (page["total"], page["pages"], len(page["items"])) == (2, 2, 1)
    assert {"is_active", "tenant_id", "email", "role"} <= set(page["items"][0])
    assert "%" not in marker and ids(await client.get(USERS, headers=admin.headers, params={"q": "%"})) == set()


async def test_deactivation_ends_access_and_reactivation_restores_it(client: httpx.AsyncClient,
                                                                     make_user: MakeUser) -> None:
    admin = await make_user(Role.admin)
    user = await make_user()
    pair = await login(client, user.email)
    assert (await client.get(f"{V1}/users/me", headers=user.headers)).status_code == 200

    response = await client.patch(f"{USERS}/{user.id}", headers=admin.headers, json={"is_active": False})
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert (await client.get(f"{V1}/users/me", headers=user.headers)).status_code == 401
    refresh = await client.post(f"{V1}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refresh.status_code == 401

    await client.patch(f"{USERS}/{user.id}", headers=admin.headers, json={"is_active": True})
    # Old sessions stay ended, access tokens and refresh chains alike; the user signs in again.
    old_token = await client.get(f"{V1}/users/me", headers=user.headers)
    assert old_token.status_code == 401 and error_code(old_token) == "TOKEN_REVOKED"
    still_revoked = await client.post(f"{V1}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert still_revoked.status_code == 401
    again = await login(client, user.email)
    assert (await client.get(f"{V1}/users/me", headers=bearer(again["access_token"]))).status_code == 200


async def test_an_owner_switches_between_personal_and_business(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    admin = await make_user(Role.admin)
    user = await make_user(Role.personal)
    assert (await client.get(f"{V1}/business/sub-users", headers=user.headers)).status_code == 403  # cached
    response = await client.patch(f"{USERS}/{user.id}", headers=admin.headers, json={"role": "business"})
    assert response.status_code == 200 and response.json()["role"] == "business"
    assert (await client.get(f"{V1}/business/sub-users", headers=user.headers)).status_code == 200


@pytest.mark.parametrize(("start", "target"), [
    (Role.personal, "admin"), (Role.personal, "sub_user"), (Role.sub_user, "personal"), (Role.admin, "personal"),
])
async def test_role_changes_that_would_break_tenancy_are_refused(client: httpx.AsyncClient, make_user: MakeUser,
                                                                 start: Role, target: str) -> None:
    admin = await make_user(Role.admin)
    business = await make_user(Role.business)
    user = await make_user(start, business=business if start is Role.sub_user else None)
    response = await client.patch(f"{USERS}/{user.id}", headers=admin.headers, json={"role": target})
    assert response.status_code == 400 and error_code(response) == "ROLE_CHANGE_NOT_ALLOWED"


async def test_refused_updates(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    admin = await make_user(Role.admin)
    business = await make_user(Role.business)
    await make_user(Role.sub_user, business=business)
    with_members = await client.patch(f"{USERS}/{business.id}", headers=admin.headers, json={"role": "personal"})
    assert with_members.status_code == 400 and error_code(with_members) == "ROLE_CHANGE_NOT_ALLOWED"
    itself = await client.patch(f"{USERS}/{admin.id}", headers=admin.headers, json={"is_active": False})
    assert itself.status_code == 400
    missing = await client.patch(f"{USERS}/{uuid.uuid4()}", headers=admin.headers, json={"is_active": False})
    assert missing.status_code == 404 and error_code(missing) == "USER_NOT_FOUND"
    invalid = await client.patch(f"{USERS}/{business.id}", headers=admin.headers, json={"role": "owner"})
    assert invalid.status_code == 422 and error_code(invalid) == "VALIDATION_ERROR"
