import uuid
from decimal import Decimal

import httpx

from colony.core.tenancy import Role
from tests.factories import V1, MakeUser, create_category, create_expense, error_code

URL = f"{V1}/budgets"


def budget_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {"name": "March", "currency": "USD", "period_start": "2024-03-01",
                               "period_end": "2024-03-31", "total_amount": "1000"}
    body.update(overrides)
    return body


async def test_crud(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    food, rent = await create_category(client, owner, "Food2"), await create_category(client, owner, "Rent2")
    r = await client.post(URL, json=budget_body(entries=[{"category_id": food, "amount": 300},
                                                         {"category_id": rent, "amount": "700.00"}]),
                          headers=owner.headers)
    assert r.status_code == 201, r.text
    b = r.json()
    assert b["total_amount"] == "1000.00"
    assert b["entries"] == [{"category_id": food, "amount": "300.00"}, {"category_id": rent, "amount": "700.00"}]
    r = await client.patch(f"{URL}/{b['id']}", json={"entries": [{"category_id": rent, "amount": "100"}],
                                                      "name": "M"}, headers=owner.headers)
    assert r.status_code == 200, r.text
    assert r.json()["entries"] == [{"category_id": rent, "amount": "100.00"}] and r.json()["name"] == "M"
    r = await client.get(f"{URL}/{b['id']}", headers=owner.headers)
    assert r.json()["entries"] == [{"category_id": rent, "amount": "100.00"}]
    assert (await client.get(URL, headers=owner.headers)).json()["total"] == 1
    assert (await client.delete(f"{URL}/{b['id']}", headers=owner.headers)).status_code == 204
    for method, path in (("get", ""), ("patch", ""), ("delete", ""), ("get", "/report")):
        r = await client.request(method, f"{URL}/{b['id']}{path}", headers=owner.headers,
                                 json={"name": "x"} if method == "patch" else None)
        assert r.status_code == 404 and error_code(r) == "BUDGET_NOT_FOUND"


async def test_rules(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner, stranger = await make_user(), await make_user()
    food, rent = await create_category(client, owner, "Food2"), await create_category(client, owner, "Rent2")
    salary = await create_category(client, owner, "Pay", kind="income")
    theirs = await create_category(client, stranger, "Theirs")
    r = await client.post(URL, json=budget_body(entries=[{"category_id": food, "amount": "600"},
                                                         {"category_id": rent, "amount": "400.01"}]),
                          headers=owner.headers)
    assert r.status_code == 422 and error_code(r) == "BUDGET_ENTRIES_EXCEED_TOTAL"
    for entries in ([{"category_id": theirs, "amount": "1"}], [{"category_id": str(uuid.uuid4()), "amount": "1"}],
                    [{"category_id": salary, "amount": "1"}], [{"category_id": food, "amount": "0"}],
                    [{"category_id": food, "amount": "1.001"}],
                    [{"category_id": food, "amount": "1"}, {"category_id": food, "amount": "2"}]):
        r = await client.post(URL, json=budget_body(entries=entries), headers=owner.headers)
        assert r.status_code == 422 and error_code(r) == "VALIDATION_ERROR", entries
    for bad in ({"total_amount": "0"}, {"currency": "JPY", "total_amount": "10.5"}, {"period_end": "2024-02-01"},
                {"currency": "usd"}):
        r = await client.post(URL, json=budget_body(**bad), headers=owner.headers)
        assert r.status_code == 422 and error_code(r) == "VALIDATION_ERROR", bad
    r = await client.post(URL, json=budget_body(entries=[{"category_id": food, "amount": "1000"}]),
                          headers=owner.headers)
    assert r.status_code == 201
    r = await client.patch(f"{URL}/{r.json()['id']}", json={"total_amount": "999.99"}, headers=owner.headers)
    assert r.status_code == 422 and error_code(r) == "BUDGET_ENTRIES_EXCEED_TOTAL"
    r = await client.delete(f"{V1}/categories/{food}", headers=owner.headers)
    assert r.status_code == 409 and error_code(r) == "CATEGORY_IN_USE"


async def test_deleting_a_category_moves_budget_entries_to_reassign_to(client: httpx.AsyncClient,
                                                                       make_user: MakeUser) -> None:
    owner = await make_user()
    food, snacks = await create_category(client, owner, "Food3"), await create_category(client, owner, "Snacks3")
    rent = await create_category(client, owner, "Rent3")
    both = (await client.post(URL, json=budget_body(entries=[{"category_id": food, "amount": "10"},
                                                             {"category_id": snacks, "amount": "20"}]),
                              headers=owner.headers)).json()
    only_snacks = (await client.post(URL, json=budget_body(entries=[{"category_id": snacks, "amount": "5"},
                                                                    {"category_id": rent, "amount": "7"}]),
                                     headers=owner.headers)).json()
    r = await client.delete(f"{V1}/categories/{snacks}", params={"reassign_to": food}, headers=owner.headers)
    assert r.status_code == 204, r.text

    async def entries(budget: dict[str, object]) -> set[tuple[str, str]]:
        body = (await client.get(f"{URL}/{budget['id']}", headers=owner.headers)).json()
        return {(e["category_id"], e["amount"]) for e in body["entries"]}

    assert await entries(both) == {(food, "30.00")}  # one entry per category: the two merge
    assert await entries(only_snacks) == {(food, "5.00"), (rent, "7.00")}


async def test_report(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(base_currency="USD")
    food, rent = await create_category(client, owner, "Food2"), await create_category(client, owner, "Rent2")
    other = await create_category(client, owner, "Other2")
    r = await client.post(URL, json=budget_body(currency="EUR", total_amount="1000",
                                                entries=[{"category_id": food, "amount": "200"},
                                                         {"category_id": rent, "amount": "600"}]),
                          headers=owner.headers)
    budget = r.json()
    await create_expense(client, owner, category_id=food, amount="50.00", currency="EUR", date="2024-03-01")
    usd = await create_expense(client, owner, category_id=food, amount="100.00", currency="USD", date="2024-03-15")
    await create_expense(client, owner, category_id=other, amount="10.00", currency="EUR", date="2024-03-31",
                       status="planned")
    await create_expense(client, owner, category_id=food, amount="500.00", currency="EUR", date="2024-04-01")
    r = await client.post(f"{V1}/transactions", json={"type": "income", "amount": "999", "currency": "EUR",
                                                      "date": "2024-03-10", "description": "pay"},
                          headers=owner.headers)
    assert r.status_code == 201
    r = await client.get(f"{V1}/exchange-rates/convert", headers=owner.headers,
                         params={"amount": "100.00", "from": "USD", "to": "EUR", "date": usd["date"]})
    usd_in_eur = Decimal(r.json()["result"])
    r = await client.get(f"{URL}/{budget['id']}/report", headers=owner.headers)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["currency"] == "EUR"
    by_category = {e["category_id"]: e for e in report["entries"]}
    food_spent = Decimal("50.00") + usd_in_eur
    assert Decimal(by_category[food]["spent"]) == food_spent and by_category[food]["budgeted"] == "200.00"
    assert Decimal(by_category[food]["remaining"]) == Decimal(200) - food_spent
    assert Decimal(by_category[food]["percent_used"]) == (food_spent / 2).quantize(Decimal("0.01"))
    assert by_category[rent] == {"category_id": rent, "name": "Rent2", "budgeted": "600.00", "spent": "0.00",
                                 "remaining": "600.00", "percent_used": "0.00"}
    overall = report["overall"]
    assert Decimal(overall["spent"]) == food_spent + Decimal("10.00") and overall["budgeted"] == "1000.00"
    assert Decimal(overall["remaining"]) == Decimal(1000) - food_spent - 10


async def test_over_budget(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    food = await create_category(client, owner, "Food2")
    r = await client.post(URL, json=budget_body(total_amount="100", entries=[{"category_id": food, "amount": "40"}]),
                          headers=owner.headers)
    await create_expense(client, owner, category_id=food, amount="50.00", date="2024-03-02")
    report = (await client.get(f"{URL}/{r.json()['id']}/report", headers=owner.headers)).json()
    assert report["entries"][0]["remaining"] == "-10.00" and report["entries"][0]["percent_used"] == "125.00"
    assert report["overall"]["percent_used"] == "50.00"


async def test_sub_user_and_idempotency(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(Role.business)
    sub = await make_user(Role.sub_user, business=owner)
    headers = {**owner.headers, "Idempotency-Key": "budget-1"}
    first = await client.post(URL, json=budget_body(), headers=headers)
    again = await client.post(URL, json=budget_body(), headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    bid = first.json()["id"]
    assert (await client.get(URL, headers=sub.headers)).json()["total"] == 1
    for path in (f"/{bid}", f"/{bid}/report"):
        assert (await client.get(f"{URL}{path}", headers=sub.headers)).status_code == 200
    for method, path, payload in (("post", "", budget_body()), ("patch", f"/{bid}", {"name": "y"}),
                                  ("delete", f"/{bid}", None)):
        r = await client.request(method, f"{URL}{path}", headers=sub.headers, json=payload)
        assert r.status_code == 403 and error_code(r) == "FORBIDDEN"
