"""/business/sub-users: owners manage, sub-users read, everyone else is refused."""

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.tenancy import Role
from colony.users.models import User
from tests.factories import TEST_PASSWORD, V1, MakeUser, UserHandle, bearer, error_code, login, unique_email

SUB_USERS = f"{V1}/business/sub-users"


async def _add_sub_user(client: httpx.AsyncClient, owner: UserHandle, **fields: str) -> dict[str, object]:
    response = await client.post(SUB_USERS, headers=owner.headers,
                                 json={"email": unique_email("member"), "password": TEST_PASSWORD, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_an_owner_creates_a_sub_user_inside_the_business(client: httpx.AsyncClient, make_user: MakeUser,
                                                               session: AsyncSession) -> None:
    owner = await make_user(Role.business, base_currency="EUR")
    sub_user = await _add_sub_user(client, owner, first_name="Sam")

    assert sub_user["role"] == "sub_user" and sub_user["is_active"] is True
    assert (sub_user["first_name"], sub_user["base_currency"]) == ("Sam", "EUR")
    row = await session.get(User, uuid.UUID(str(sub_user["id"])))
    assert row is not None and row.tenant_id == owner.id
    pair = await login(client, str(sub_user["email"]))
    me = await client.get(f"{V1}/users/me", headers=bearer(pair["access_token"]))
    assert me.json()["role"] == "sub_user"


async def test_the_list_is_paginated_and_holds_only_this_business(client: httpx.AsyncClient,
                                                                  make_user: MakeUser) -> None:
    owner, other_owner = await make_user(Role.business), await make_user(Role.business)
    await make_user(Role.sub_user, business=other_owner)
    created = [await make_user(Role.sub_user, business=owner) for _ in range(3)]

    first = (await client.get(SUB_USERS, headers=owner.headers, params={"size": 2})).json()
    assert (first["total"], first["page"], first["size"], first["pages"]) == (3, 1, 2, 2)
    second = (await client.get(SUB_USERS, headers=owner.headers, params={"size": 2, "page": 2})).json()
    listed = {item["id"] for item in first["items"] + second["items"]}
    assert listed == {str(user.id) for user in created}


async def test_sub_users_may_not_manage_sub_users(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(Role.business)
    member = await make_user(Role.sub_user, business=owner)
    colleague = await make_user(Role.sub_user, business=owner)

    listed = await client.get(SUB_USERS, headers=member.headers)
    assert listed.status_code == 403 and error_code(listed) == "FORBIDDEN"  # V1.md: business owners only
    assert (await client.get(SUB_USERS, headers=owner.headers)).json()["total"] == 2
    create = await client.post(SUB_USERS, headers=member.headers,
                               json={"email": unique_email(), "password": TEST_PASSWORD})
    assert create.status_code == 403 and error_code(create) == "FORBIDDEN"
    delete = await client.delete(f"{SUB_USERS}/{colleague.id}", headers=member.headers)
    assert delete.status_code == 403 and error_code(delete) == "FORBIDDEN"


async def test_only_business_accounts_have_sub_users(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    for role in (Role.personal, Role.admin):
        caller = await make_user(role)
        assert (await client.get(SUB_USERS, headers=caller.headers)).status_code == 403
        created = await client.post(SUB_USERS, headers=caller.headers,
                                    json={"email": unique_email(), "password": TEST_PASSWORD})
        assert created.status_code == 403 and error_code(created) == "FORBIDDEN"
        deleted = await client.delete(f"{SUB_USERS}/{uuid.uuid4()}", headers=caller.headers)
        assert deleted.status_code == 403
    assert (await client.get(SUB_USERS)).status_code == 401


async def test_another_business_sub_user_does_not_exist(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner, other_owner = await make_user(Role.business), await make_user(Role.business)
    foreign = await make_user(Role.sub_user, business=other_owner)
    for target in (foreign.id, other_owner.id, owner.id, uuid.uuid4()):
        response = await client.delete(f"{SUB_USERS}/{target}", headers=owner.headers)
        assert response.status_code == 404 and error_code(response) == "SUB_USER_NOT_FOUND"
    assert (await client.get(f"{V1}/users/me", headers=foreign.headers)).status_code == 200


async def test_deactivating_a_sub_user_ends_its_access(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(Role.business)
    member = await make_user(Role.sub_user, business=owner)
    pair = await login(client, member.email)
    assert (await client.get(f"{V1}/users/me", headers=member.headers)).status_code == 200  # cached

    assert (await client.delete(f"{SUB_USERS}/{member.id}", headers=owner.headers)).status_code == 204
    assert (await client.get(f"{V1}/users/me", headers=member.headers)).status_code == 401
    refresh = await client.post(f"{V1}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert refresh.status_code == 401 and error_code(refresh) == "TOKEN_REVOKED"
    listed = (await client.get(SUB_USERS, headers=owner.headers, params={"is_active": "false"})).json()
    assert [item["id"] for item in listed["items"]] == [str(member.id)]


async def test_a_sub_user_email_is_unique_too(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(Role.business)
    taken = await make_user(Role.personal)
    response = await client.post(SUB_USERS, headers=owner.headers,
                                 json={"email": taken.email.upper(), "password": TEST_PASSWORD})
    assert response.status_code == 409 and error_code(response) == "EMAIL_ALREADY_REGISTERED"
    short = await client.post(SUB_USERS, headers=owner.headers, json={"email": unique_email(), "password": "short"})
    assert short.status_code == 422
