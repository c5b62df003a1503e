import uuid

import httpx

from colony.core.tenancy import Role
from tests.factories import V1, MakeUser, create_expense, create_payment_method

URL = f"{V1}/payment-methods"


async def test_crud(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    r = await client.post(URL, json={"name": "Visa", "type": "credit_card", "currency": "EUR", "last4": "4242"},
                          headers=owner.headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["name"], body["type"], body["currency"], body["last4"], body["is_active"]) == \
        ("Visa", "credit_card", "EUR", "4242", True)
    pid = body["id"]
    r = await client.patch(f"{URL}/{pid}", json={"is_active": False, "last4": None}, headers=owner.headers)
    assert r.status_code == 200 and r.json()["is_active"] is False and r.json()["last4"] is None
    assert (await client.get(f"{URL}/{pid}", headers=owner.headers)).json()["is_active"] is False
    r = await client.get(URL, params={"is_active": "false"}, headers=owner.headers)
    assert [m["id"] for m in r.json()["items"]] == [pid]
    assert (await client.get(URL, params={"is_active": "true"}, headers=owner.headers)).json()["total"] == 0
    assert (await client.delete(f"{URL}/{pid}", headers=owner.headers)).status_code == 204
    for method in ("get", "patch", "delete"):
        r = await client.request(method, f"{URL}/{pid}", headers=owner.headers,
                                 json={"name": "x"} if method == "patch" else None)
        assert r.status_code == 404 and r.json()["error"]["code"] == "PAYMENT_METHOD_NOT_FOUND"


async def test_list_paginated(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    for name in ("Cash", "Bank", "Wallet"):
        assert (await client.post(URL, json={"name": name, "type": "cash"}, headers=owner.headers)).status_code == 201
    body = (await client.get(URL, params={"size": 2, "page": 2}, headers=owner.headers)).json()
    assert (body["total"], body["pages"], [m["name"] for m in body["items"]]) == (3, 2, ["Wallet"])


async def test_validation_and_no_card_numbers(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    bad_bodies = [
        {"name": "x", "type": "cheque"},
        {"name": "x", "type": "cash", "currency": "XXX"},
        {"name": "x", "type": "cash", "currency": "usd"},
        {"name": "x", "type": "credit_card", "last4": "123"},
        {"name": "x", "type": "credit_card", "last4": "12345"},
        {"name": "x", "type": "credit_card", "last4": "12a4"},
        {"name": "x", "type": "credit_card", "last4": "4111111111111111"},
        {"name": "Visa 4111 1111 1111 1111", "type": "credit_card"},
        {"name": "", "type": "cash"},
    ]
    for body in bad_bodies:
        r = await client.post(URL, json=body, headers=owner.headers)
        assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_ERROR", body
        assert "4111111111111111" not in r.text and "4111 1111" not in r.text  # never echoed back
    r = await client.post(URL, json={"name": "x", "type": "cash", "currency": "XXX"}, headers=owner.headers)
    assert r.json()["error"]["details"]["errors"][0]["field"] == "body.currency"


async def test_in_use_can_not_be_deleted(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    pid = await create_payment_method(client, owner, "Cash")
    await create_expense(client, owner, payment_method_id=pid)
    r = await client.delete(f"{URL}/{pid}", headers=owner.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "PAYMENT_METHOD_IN_USE"
    assert (await client.get(f"{URL}/{pid}", headers=owner.headers)).status_code == 200


async def test_sub_user_reads_but_may_not_write(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(Role.business)
    sub = await make_user(Role.sub_user, business=owner)
    pid = await create_payment_method(client, owner, "Cash")
    assert (await client.get(URL, headers=sub.headers)).json()["total"] == 1
    assert (await client.get(f"{URL}/{pid}", headers=sub.headers)).status_code == 200
    for r in (await client.post(URL, json={"name": "Mine", "type": "cash"}, headers=sub.headers),
              await client.patch(f"{URL}/{pid}", json={"name": "y"}, headers=sub.headers),
              await client.delete(f"{URL}/{pid}", headers=sub.headers),
              await client.delete(f"{URL}/{uuid.uuid4()}", headers=sub.headers)):
        assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN"
