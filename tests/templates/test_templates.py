import uuid

import httpx

from colony.core.tenancy import Role
from tests.factories import V1, MakeUser, create_category, create_template, error_code

URL = f"{V1}/expense-templates"


async def test_crud(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    category = await create_category(client, owner, "Rent")
    body = await create_template(client, owner, amount=1200.5, category_id=category, end_date="2024-12-31")
    assert body["amount"] == "1200.50" and body["currency"] == "USD" and body["frequency"] == "monthly"
    assert body["category_id"] == category and body["is_active"] is True and body["day_of_month"] == 1
    tid = body["id"]
    r = await client.get(f"{URL}/{tid}", headers=owner.headers)
    assert r.status_code == 200 and r.json()["name"] == "Rent"
    r = await client.patch(f"{URL}/{tid}", json={"amount": "99.99", "is_active": False}, headers=owner.headers)
    assert r.status_code == 200 and r.json()["amount"] == "99.99" and r.json()["is_active"] is False
    r = await client.get(URL, headers=owner.headers, params={"is_active": "false"})
    assert r.json()["total"] == 1 and r.json()["items"][0]["id"] == tid
    assert (await client.get(URL, headers=owner.headers, params={"is_active": "true"})).json()["total"] == 0
    assert (await client.delete(f"{URL}/{tid}", headers=owner.headers)).status_code == 204
    for method in ("get", "patch", "delete"):
        r = await client.request(method, f"{URL}/{tid}", headers=owner.headers,
                                 json={"name": "x"} if method == "patch" else None)
        assert r.status_code == 404 and error_code(r) == "EXPENSE_TEMPLATE_NOT_FOUND"


async def test_list_is_paginated(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    for i in range(3):
        await create_template(client, owner, name=f"T{i}")
    r = await client.get(URL, headers=owner.headers, params={"size": 2, "page": 2})
    assert r.json()["total"] == 3 and r.json()["pages"] == 2 and len(r.json()["items"]) == 1


async def test_validation(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    base = {"name": "x", "amount": "10", "currency": "USD", "frequency": "monthly", "start_date": "2024-01-01"}
    bad: list[dict[str, object]] = [
        {"amount": "0"}, {"amount": "-1"}, {"amount": "1000000000.00"}, {"amount": "1.001"},
        {"currency": "JPY", "amount": "1.5"}, {"currency": "XXX"}, {"frequency": "daily"},
        {"day_of_month": 0}, {"day_of_month": 32}, {"end_date": "2023-12-31"},
        {"frequency": "weekly", "day_of_month": 3}, {"category_id": str(uuid.uuid4())},
        {"payment_method_id": str(uuid.uuid4())},
    ]
    for override in bad:
        r = await client.post(URL, json={**base, **override}, headers=owner.headers)
        assert r.status_code == 422, (override, r.text)
        assert error_code(r) == "VALIDATION_ERROR"
    income = await create_category(client, owner, "Salary2", kind="income")
    r = await client.post(URL, json={**base, "category_id": income}, headers=owner.headers)
    assert r.status_code == 422
    for frequency in ("weekly", "biweekly", "monthly", "quarterly", "yearly", "once"):
        r = await client.post(URL, json={**base, "frequency": frequency}, headers=owner.headers)
        assert r.status_code == 201, r.text
    tid = r.json()["id"]
    r = await client.patch(f"{URL}/{tid}", json={"currency": "JPY"}, headers=owner.headers)  # 10.00 JPY is fine
    assert r.status_code == 200 and r.json()["amount"] == "10"
    r = await client.patch(f"{URL}/{tid}", json={"end_date": "2023-01-01"}, headers=owner.headers)
    assert r.status_code == 422
    r = await client.patch(f"{URL}/{tid}", json={"name": None}, headers=owner.headers)
    assert r.status_code == 422


async def test_occurrences(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    t = await create_template(client, owner, start_date="2024-01-31", day_of_month=31, end_date="2024-04-30")
    r = await client.get(f"{URL}/{t['id']}/occurrences", headers=owner.headers,
                         params={"start_date": "2024-01-01", "end_date": "2024-12-31"})
    assert r.status_code == 200, r.text
    assert r.json()["dates"] == ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"]
    r = await client.get(f"{URL}/{t['id']}/occurrences", headers=owner.headers,
                         params={"start_date": "2024-03-01", "end_date": "2024-01-01"})
    assert r.status_code == 422
    r = await client.get(f"{URL}/{t['id']}/occurrences", headers=owner.headers, params={"start_date": "2024-03-01"})
    assert r.status_code == 422
    await client.patch(f"{URL}/{t['id']}", json={"is_active": False}, headers=owner.headers)
    r = await client.get(f"{URL}/{t['id']}/occurrences", headers=owner.headers,
                         params={"start_date": "2024-01-01", "end_date": "2024-12-31"})
    assert r.json()["dates"] == []
    r = await client.get(f"{URL}/{uuid.uuid4()}/occurrences", headers=owner.headers,
                         params={"start_date": "2024-01-01", "end_date": "2024-12-31"})
    assert r.status_code == 404 and error_code(r) == "EXPENSE_TEMPLATE_NOT_FOUND"


async def test_sub_user_reads_but_may_not_write(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(Role.business)
    sub = await make_user(Role.sub_user, business=owner)
    t = await create_template(client, owner)
    assert (await client.get(f"{URL}/{t['id']}", headers=sub.headers)).status_code == 200
    assert (await client.get(URL, headers=sub.headers)).json()["total"] == 1
    body = {"name": "x", "amount": "1", "currency": "USD", "frequency": "once", "start_date": "2024-01-01"}
    for method, url, payload in (("post", URL, body), ("patch", f"{URL}/{t['id']}", {"name": "y"}),
                                 ("delete", f"{URL}/{t['id']}", None)):
        r = await client.request(method, url, headers=sub.headers, json=payload)
        assert r.status_code == 403 and error_code(r) == "FORBIDDEN"


async def test_category_in_use_by_template(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    category = await create_category(client, owner, "Rent")
    other = await create_category(client, owner, "Housing2")
    t = await create_template(client, owner, category_id=category)
    r = await client.delete(f"{V1}/categories/{category}", headers=owner.headers)
    assert r.status_code == 409 and error_code(r) == "CATEGORY_IN_USE"
    r = await client.delete(f"{V1}/categories/{category}", headers=owner.headers, params={"reassign_to": other})
    assert r.status_code == 204
    assert (await client.get(f"{URL}/{t['id']}", headers=owner.headers)).json()["category_id"] == other


async def test_idempotency_key(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    body = {"name": "x", "amount": "1", "currency": "USD", "frequency": "once", "start_date": "2024-01-01"}
    headers = {**owner.headers, "Idempotency-Key": "tpl-1"}
    first = await client.post(URL, json=body, headers=headers)
    second = await client.post(URL, json=body, headers=headers)
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert (await client.get(URL, headers=owner.headers)).json()["total"] == 1
    r = await client.post(URL, json={**body, "amount": "2"}, headers=headers)
    assert r.status_code == 422 and error_code(r) == "IDEMPOTENCY_KEY_REUSED"
