"""Every owned endpoint, walked as two tenants: the other's rows don't exist (404), never leak in lists,
and the other's ids in bodies or queries are invalid input (422) or match nothing."""

import httpx
import pytest

from tests.conftest import UserHandle
from tests.transactions.helpers import expense_body, make_category, make_payment_method

CATEGORIES = "/api/v1/categories"
PAYMENT_METHODS = "/api/v1/payment-methods"
TX = "/api/v1/transactions"
EX = "/api/v1/expenses"


@pytest.fixture
async def tenants(client: httpx.AsyncClient, make_user):  # type: ignore[no-untyped-def]
    """Tenant A with one row of everything; tenant B with its own, empty-but-usable, setup."""
    a: UserHandle = await make_user()
    b: UserHandle = await make_user()
    rows = {
        "category": await make_category(client, a, "A-food"),
        "income_category": await make_category(client, a, "A-salary", "income"),
        "payment_method": await make_payment_method(client, a, "A-card"),
    }
    r = await client.post(EX, json=expense_body(category_id=rows["category"],
                                                payment_method_id=rows["payment_method"]), headers=a.headers)
    assert r.status_code == 201, r.text
    rows["expense"] = r.json()["id"]
    return a, b, rows


@pytest.mark.parametrize(("url", "key", "code", "patch"), [
    (CATEGORIES, "category", "CATEGORY_NOT_FOUND", {"name": "Mine"}),
    (PAYMENT_METHODS, "payment_method", "PAYMENT_METHOD_NOT_FOUND", {"name": "Mine"}),
    (TX, "expense", "TRANSACTION_NOT_FOUND", {"description": "Mine"}),
    (EX, "expense", "EXPENSE_NOT_FOUND", {"description": "Mine"}),
])
async def test_foreign_rows_do_not_exist(client: httpx.AsyncClient, tenants, url: str, key: str,  # type: ignore[no-untyped-def]
                                         code: str, patch: dict[str, str]) -> None:
    a, b, rows = tenants
    target = f"{url}/{rows[key]}"
    for method, kwargs in (("get", {}), ("patch", {"json": patch}), ("delete", {})):
        r = await client.request(method, target, headers=b.headers, **kwargs)  # type: ignore[arg-type]
        assert r.status_code == 404, (method, r.text)
        assert r.json()["error"]["code"] == code
        assert rows[key] not in r.text
    # A's row is untouched and still its own
    r = await client.get(target, headers=a.headers)
    assert r.status_code == 200 and "Mine" not in r.text
    # lists don't show it
    r = await client.get(url, headers=b.headers)
    assert r.status_code == 200 and r.json()["total"] == 0 and rows[key] not in r.text
    assert (await client.get(url, headers=a.headers)).json()["total"] >= 1


async def test_foreign_ids_in_bodies_are_invalid(client: httpx.AsyncClient, tenants) -> None:  # type: ignore[no-untyped-def]
    a, b, rows = tenants
    for url in (TX, EX):
        extra = {"type": "expense"} if url == TX else {}
        for field, key in (("category_id", "category"), ("payment_method_id", "payment_method")):
            r = await client.post(url, json=expense_body(**extra, **{field: rows[key]}), headers=b.headers)
            assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_ERROR"
            assert r.json()["error"]["details"]["errors"][0]["field"] == f"body.{field}"
    # on update too
    own = (await client.post(EX, json=expense_body(), headers=b.headers)).json()["id"]
    for field, key in (("category_id", "category"), ("payment_method_id", "payment_method")):
        r = await client.patch(f"{EX}/{own}", json={field: rows[key]}, headers=b.headers)
        assert r.status_code == 422 and r.json()["error"]["details"]["errors"][0]["field"] == f"body.{field}"
    # reassign_to of another tenant's category
    mine = await make_category(client, b, "B-food")
    await client.post(EX, json=expense_body(category_id=mine), headers=b.headers)
    r = await client.delete(f"{CATEGORIES}/{mine}", params={"reassign_to": rows["category"]}, headers=b.headers)
    assert r.status_code == 422 and r.json()["error"]["details"]["errors"][0]["field"] == "query.reassign_to"
    # and the other way round: A can't reassign into B's category, B's category survives
    r = await client.delete(f"{CATEGORIES}/{rows['category']}", params={"reassign_to": mine}, headers=a.headers)
    assert r.status_code == 422
    assert (await client.get(f"{CATEGORIES}/{mine}", headers=b.headers)).status_code == 200


async def test_filters_by_foreign_ids_match_nothing(client: httpx.AsyncClient, tenants) -> None:  # type: ignore[no-untyped-def]
    a, b, rows = tenants
    await client.post(EX, json=expense_body(), headers=b.headers)
    for url in (TX, EX):
        for param, key in (("category_id", "category"), ("payment_method_id", "payment_method")):
            r = await client.get(url, params={param: rows[key]}, headers=b.headers)
            assert r.status_code == 200 and r.json()["total"] == 0 and r.json()["items"] == []
            assert (await client.get(url, params={param: rows[key]}, headers=a.headers)).json()["total"] == 1


async def test_same_names_in_two_tenants(client: httpx.AsyncClient, tenants) -> None:  # type: ignore[no-untyped-def]
    _a, b, _rows = tenants
    assert (await client.post(CATEGORIES, json={"name": "a-FOOD"}, headers=b.headers)).status_code == 201


async def test_sub_user_sees_only_its_business(client: httpx.AsyncClient, tenants, make_user) -> None:  # type: ignore[no-untyped-def]
    from colony.core.tenancy import Role

    _a, _b, rows = tenants
    business = await make_user(Role.business)
    sub = await make_user(Role.sub_user, business=business)
    for url, key in ((CATEGORIES, "category"), (PAYMENT_METHODS, "payment_method"), (TX, "expense"),
                     (EX, "expense")):
        assert (await client.get(f"{url}/{rows[key]}", headers=sub.headers)).status_code == 404
        assert (await client.get(url, headers=sub.headers)).json()["total"] == 0
