import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.categories import service as category_service
from colony.categories.models import Category
from colony.core.tenancy import Role, Tenant
from tests.factories import V1, MakeUser, create_expense

URL = f"{V1}/categories"


async def create(client: httpx.AsyncClient, headers: dict[str, str], name: str = "Food",
                 kind: str = "expense", **extra: object) -> httpx.Response:
    return await client.post(URL, json={"name": name, "kind": kind, **extra}, headers=headers)


async def test_crud(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    r = await create(client, owner.headers, "Coffee", color="#AA00FF", icon="cup")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["name"] == "Coffee" and body["kind"] == "expense" and body["color"] == "#AA00FF"
    assert body["created_at"].endswith("Z")
    cid = body["id"]
    assert (await client.get(f"{URL}/{cid}", headers=owner.headers)).json()["name"] == "Coffee"
    r = await client.patch(f"{URL}/{cid}", json={"name": "Café", "icon": None}, headers=owner.headers)
    assert r.status_code == 200 and r.json()["name"] == "Café" and r.json()["icon"] is None
    assert (await client.delete(f"{URL}/{cid}", headers=owner.headers)).status_code == 204
    r = await client.get(f"{URL}/{cid}", headers=owner.headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "CATEGORY_NOT_FOUND"
    for method in ("patch", "delete"):
        r = await client.request(method, f"{URL}/{uuid.uuid4()}", headers=owner.headers,
                                 json={"name": "x"} if method == "patch" else None)
        assert r.status_code == 404 and r.json()["error"]["code"] == "CATEGORY_NOT_FOUND"


async def test_list_paginated_and_kind_filter(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    for name in ("b", "A", "c"):
        await create(client, owner.headers, name)
    await create(client, owner.headers, "Salary", "income")
    r = await client.get(URL, params={"size": 2}, headers=owner.headers)
    body = r.json()
    assert (body["total"], body["pages"], body["page"], body["size"]) == (4, 2, 1, 2)
    assert [c["name"] for c in body["items"]] == ["A", "b"]
    r = await client.get(URL, params={"kind": "income"}, headers=owner.headers)
    assert [c["name"] for c in r.json()["items"]] == ["Salary"]
    assert (await client.get(URL, params={"kind": "nope"}, headers=owner.headers)).status_code == 422


async def test_name_unique_per_kind_case_insensitive(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    assert (await create(client, owner.headers, "Food")).status_code == 201
    r = await create(client, owner.headers, "  fOOD ")
    assert r.status_code == 409 and r.json()["error"]["code"] == "CATEGORY_NAME_EXISTS"
    assert (await create(client, owner.headers, "food", "income")).status_code == 201  # other kind
    other = (await create(client, owner.headers, "Drinks")).json()
    r = await client.patch(f"{URL}/{other['id']}", json={"name": "FOOD"}, headers=owner.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "CATEGORY_NAME_EXISTS"
    # renaming to a case variant of its own name is fine
    assert (await client.patch(f"{URL}/{other['id']}", json={"name": "DRINKS"}, headers=owner.headers)
            ).status_code == 200
    # another tenant may use the same name
    stranger = await make_user()
    assert (await create(client, stranger.headers, "Food")).status_code == 201


async def test_name_case_folds_beyond_ascii(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    """SQLite's own lower() folds only ASCII: the two spellings below would both have been created there."""
    owner = await make_user()
    assert (await create(client, owner.headers, "ÉPICERIE")).status_code == 201
    r = await create(client, owner.headers, "épicerie")
    assert r.status_code == 409 and r.json()["error"]["code"] == "CATEGORY_NAME_EXISTS"
    assert (await create(client, owner.headers, "Über")).status_code == 201
    r = await create(client, owner.headers, "ÜBER")
    assert r.status_code == 409 and r.json()["error"]["code"] == "CATEGORY_NAME_EXISTS"


async def test_unique_index_holds_without_the_precheck(session: AsyncSession, make_user: MakeUser) -> None:
    """A race past the service's check ends in the database's unique index (then a 409)."""
    from sqlalchemy.exc import IntegrityError

    owner = await make_user()
    session.add(Category(tenant_id=owner.tenant_id, name="Rent", kind="expense"))
    await session.flush()
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            session.add(Category(tenant_id=owner.tenant_id, name="RENT", kind="expense"))


async def test_race_integrity_error_becomes_409(client: httpx.AsyncClient, make_user: MakeUser,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    owner = await make_user()
    assert (await create(client, owner.headers, "Rent")).status_code == 201

    async def nobody(*_args: object, **_kwargs: object) -> None:  # the other request's check ran first
        return None

    monkeypatch.setattr("colony.categories.repository.CategoryRepository.find_by_name", nobody)
    r = await create(client, owner.headers, "rent")
    assert r.status_code == 409 and r.json()["error"]["code"] == "CATEGORY_NAME_EXISTS"


async def test_validation(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    for body in ({"name": "", "kind": "expense"}, {"name": "x", "kind": "other"}, {"name": "x", "color": "red"},
                 {"name": "x", "unknown": 1}, {"name": "x" * 101}):
        r = await client.post(URL, json=body, headers=owner.headers)
        assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_ERROR", body
    cid = (await create(client, owner.headers, "x")).json()["id"]
    r = await client.patch(f"{URL}/{cid}", json={"name": None}, headers=owner.headers)
    assert r.status_code == 422


async def test_create_defaults(session: AsyncSession, make_user: MakeUser) -> None:
    owner = await make_user()
    await category_service.create_defaults(session, Tenant(owner.id, owner.tenant_id, owner.role, "USD"))
    rows = (await session.execute(select(Category.name, Category.kind, Category.created_by_id)
                                  .where(Category.tenant_id == owner.tenant_id))).all()
    assert {(name, kind.value) for name, kind, _ in rows} == {
        ("Food", "expense"), ("Bills", "expense"), ("Groceries", "expense"), ("Transportation", "expense"),
        ("Housing", "expense"), ("Health", "expense"), ("Entertainment", "expense"), ("Other", "expense"),
        ("Salary", "income")}
    assert {created_by for *_, created_by in rows} == {owner.id}


async def test_delete_in_use_and_reassign(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    food = (await create(client, owner.headers, "Food")).json()["id"]
    bills = (await create(client, owner.headers, "Bills")).json()["id"]
    salary = (await create(client, owner.headers, "Salary", "income")).json()["id"]
    tx1 = (await create_expense(client, owner, category_id=food))["id"]
    tx2 = (await create_expense(client, owner, category_id=food))["id"]
    r = await client.delete(f"{URL}/{food}", headers=owner.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "CATEGORY_IN_USE"
    # the kind of a category in use can't change either
    r = await client.patch(f"{URL}/{food}", json={"kind": "income"}, headers=owner.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "CATEGORY_IN_USE"
    for bad in (salary, str(uuid.uuid4()), food):  # other kind, missing, itself
        r = await client.delete(f"{URL}/{food}", params={"reassign_to": bad}, headers=owner.headers)
        assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_ERROR"
        assert r.json()["error"]["details"]["errors"][0]["field"] == "query.reassign_to"
    r = await client.delete(f"{URL}/{food}", params={"reassign_to": bills}, headers=owner.headers)
    assert r.status_code == 204
    for tx in (tx1, tx2):
        assert (await client.get(f"{V1}/transactions/{tx}", headers=owner.headers)).json()["category_id"] == bills
    assert (await client.get(f"{URL}/{food}", headers=owner.headers)).status_code == 404
    # an unused category is simply deleted; reassign_to is then harmless
    empty = (await create(client, owner.headers, "Empty")).json()["id"]
    assert (await client.delete(f"{URL}/{empty}", params={"reassign_to": bills}, headers=owner.headers)
            ).status_code == 204


async def test_kind_change_when_unused(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    cid = (await create(client, owner.headers, "Bonus")).json()["id"]
    r = await client.patch(f"{URL}/{cid}", json={"kind": "income"}, headers=owner.headers)
    assert r.status_code == 200 and r.json()["kind"] == "income"


async def test_sub_user_reads_but_may_not_write(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(Role.business)
    sub = await make_user(Role.sub_user, business=owner)
    cid = (await create(client, owner.headers, "Food")).json()["id"]
    assert (await client.get(URL, headers=sub.headers)).json()["total"] == 1
    assert (await client.get(f"{URL}/{cid}", headers=sub.headers)).status_code == 200
    for r in (await create(client, sub.headers, "Mine"),
              await client.patch(f"{URL}/{cid}", json={"name": "y"}, headers=sub.headers),
              await client.delete(f"{URL}/{cid}", headers=sub.headers)):
        assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN"
    assert (await client.get(URL)).status_code == 401
