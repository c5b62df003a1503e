import uuid
from decimal import Decimal

import httpx

from colony.core.tenancy import Role
from tests.factories import V1, MakeUser, create_category, create_cycle, create_expense, create_template, error_code

URL = f"{V1}/cycles"


async def test_defaults_and_crud(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(base_currency="EUR")
    cycle = await create_cycle(client, owner, start_date="2024-03-15", income_amount=2500)
    assert cycle["name"] == "March 2024 Cycle" and cycle["end_date"] == "2024-04-26"
    assert cycle["status"] == "draft" and cycle["currency"] == "EUR" and cycle["income_amount"] == "2500.00"
    cid = cycle["id"]
    assert (await client.get(f"{URL}/{cid}", headers=owner.headers)).json()["name"] == "March 2024 Cycle"
    r = await client.patch(f"{URL}/{cid}", json={"name": "Spring", "income_amount": "3000.5"}, headers=owner.headers)
    assert r.status_code == 200 and r.json()["name"] == "Spring" and r.json()["income_amount"] == "3000.50"
    r = await client.get(URL, headers=owner.headers)
    assert r.json()["total"] == 1 and r.json()["items"][0]["id"] == cid
    assert (await client.delete(f"{URL}/{cid}", headers=owner.headers)).status_code == 204
    for method, path in (("get", ""), ("patch", ""), ("delete", ""), ("post", "/activate"), ("post", "/complete"),
                         ("post", "/generate"), ("get", "/summary")):
        r = await client.request(method, f"{URL}/{cid}{path}", headers=owner.headers,
                                 json={"name": "x"} if method == "patch" else None)
        assert r.status_code == 404 and error_code(r) == "CYCLE_NOT_FOUND", (method, path)


async def test_dates_rules(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    for start, end in (("2024-01-01", "2024-01-01"), ("2024-01-10", "2024-01-01"), ("2024-01-01", "2024-02-16")):
        r = await client.post(URL, json={"start_date": start, "end_date": end, "income_amount": "1"},
                              headers=owner.headers)
        assert r.status_code == 422 and error_code(r) == "INVALID_CYCLE_DATES", (start, end)
    assert (await create_cycle(client, owner, start_date="2024-01-01", end_date="2024-01-02"))["name"]
    assert (await create_cycle(client, owner, start_date="2024-02-01", end_date="2024-03-17"))  # 45 days
    c = await create_cycle(client, owner, start_date="2024-05-01", end_date="2024-05-20")
    r = await client.patch(f"{URL}/{c['id']}", json={"end_date": "2024-07-01"}, headers=owner.headers)
    assert r.status_code == 422 and error_code(r) == "INVALID_CYCLE_DATES"
    for bad in ({"income_amount": "0"}, {"income_amount": "1.001"}, {"currency": "JPY", "income_amount": "1.5"},
                {"currency": "ABC"}, {"status": "active"}):
        r = await client.post(URL, json={"start_date": "2025-01-01", "income_amount": "10", **bad},
                              headers=owner.headers)
        assert r.status_code == 422 and error_code(r) == "VALIDATION_ERROR", bad


async def test_overlap_and_names(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner, other = await make_user(), await make_user()
    a = await create_cycle(client, owner, start_date="2024-01-01", end_date="2024-01-31", name="January")
    for start, end in (("2024-01-31", "2024-02-10"), ("2023-12-20", "2024-01-01"), ("2024-01-05", "2024-01-06")):
        r = await client.post(URL, json={"start_date": start, "end_date": end, "income_amount": "1"},
                              headers=owner.headers)
        assert r.status_code == 409 and error_code(r) == "CYCLE_OVERLAP", (start, end)
    b = await create_cycle(client, owner, start_date="2024-02-01", end_date="2024-02-28", name="February")
    r = await client.post(URL, json={"start_date": "2024-04-01", "income_amount": "1", "name": "JANUARY"},
                          headers=owner.headers)
    assert r.status_code == 409 and error_code(r) == "CYCLE_NAME_EXISTS"
    r = await client.patch(f"{URL}/{b['id']}", json={"name": "january"}, headers=owner.headers)
    assert r.status_code == 409 and error_code(r) == "CYCLE_NAME_EXISTS"
    r = await client.patch(f"{URL}/{b['id']}", json={"start_date": "2024-01-30"}, headers=owner.headers)
    assert r.status_code == 409 and error_code(r) == "CYCLE_OVERLAP"
    r = await client.patch(f"{URL}/{a['id']}", json={"name": "january", "end_date": "2024-01-30"},
                           headers=owner.headers)  # itself: neither a name clash nor an overlap
    assert r.status_code == 200, r.text
    # another tenant: same name and dates are fine
    await create_cycle(client, other, start_date="2024-01-01", end_date="2024-01-31", name="January")


async def test_lifecycle(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    a = await create_cycle(client, owner, start_date="2024-01-01")
    b = await create_cycle(client, owner, start_date="2024-03-01")
    r = await client.post(f"{URL}/{a['id']}/complete", headers=owner.headers)
    assert r.status_code == 409 and error_code(r) == "INVALID_CYCLE_TRANSITION"
    r = await client.post(f"{URL}/{a['id']}/activate", headers=owner.headers)
    assert r.status_code == 200 and r.json()["status"] == "active"
    r = await client.post(f"{URL}/{a['id']}/activate", headers=owner.headers)
    assert r.status_code == 409 and error_code(r) == "INVALID_CYCLE_TRANSITION"
    r = await client.post(f"{URL}/{b['id']}/activate", headers=owner.headers)
    assert r.status_code == 409 and error_code(r) == "ACTIVE_CYCLE_EXISTS"
    r = await client.get(URL, headers=owner.headers, params={"status": "active"})
    assert [c["id"] for c in r.json()["items"]] == [a["id"]]
    r = await client.post(f"{URL}/{a['id']}/complete", headers=owner.headers)
    assert r.status_code == 200 and r.json()["status"] == "completed"
    for path in ("/activate", "/complete"):
        r = await client.post(f"{URL}/{a['id']}{path}", headers=owner.headers)
        assert r.status_code == 409 and error_code(r) == "INVALID_CYCLE_TRANSITION"
    r = await client.patch(f"{URL}/{a['id']}", json={"name": "x"}, headers=owner.headers)
    assert r.status_code == 409 and error_code(r) == "CYCLE_ALREADY_COMPLETED"
    for method, path in (("delete", ""), ("post", "/generate")):
        r = await client.request(method, f"{URL}/{a['id']}{path}", headers=owner.headers)
        assert r.status_code == 409 and error_code(r) == "CYCLE_ALREADY_COMPLETED"
    assert (await client.post(f"{URL}/{b['id']}/activate", headers=owner.headers)).status_code == 200


async def test_completed_cycle_freezes_its_transactions(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner, stranger = await make_user(), await make_user()
    cycle = await create_cycle(client, owner, start_date="2024-03-01")
    open_cycle = await create_cycle(client, owner, start_date="2024-05-01")
    tx = await create_expense(client, owner, cycle_id=cycle["id"], amount="10.00", date="2024-03-05")
    loose = await create_expense(client, owner)
    assert tx["cycle_id"] == cycle["id"]
    r = await client.post(f"{V1}/expenses", json={"amount": "1", "currency": "USD", "date": "2024-03-02",
                                                  "description": "x", "cycle_id": str(uuid.uuid4())},
                          headers=owner.headers)
    assert r.status_code == 422
    foreign = await create_cycle(client, stranger, start_date="2024-03-01")
    r = await client.post(f"{V1}/transactions", json={"type": "expense", "amount": "1", "currency": "USD",
                                                      "date": "2024-03-02", "description": "x",
                                                      "cycle_id": foreign["id"]}, headers=owner.headers)
    assert r.status_code == 422
    await client.post(f"{URL}/{cycle['id']}/activate", headers=owner.headers)
    await client.post(f"{URL}/{cycle['id']}/complete", headers=owner.headers)
    r = await client.post(f"{V1}/expenses", json={"amount": "1", "currency": "USD", "date": "2024-03-02",
                                                  "description": "x", "cycle_id": cycle["id"]}, headers=owner.headers)
    assert r.status_code == 409 and error_code(r) == "CYCLE_ALREADY_COMPLETED"
    for prefix in ("expenses", "transactions"):
        r = await client.patch(f"{V1}/{prefix}/{tx['id']}", json={"amount": "2"}, headers=owner.headers)
        assert r.status_code == 409 and error_code(r) == "CYCLE_ALREADY_COMPLETED"
        r = await client.patch(f"{V1}/{prefix}/{tx['id']}", json={"cycle_id": open_cycle["id"]},
                               headers=owner.headers)
        assert r.status_code == 409 and error_code(r) == "CYCLE_ALREADY_COMPLETED"
        r = await client.delete(f"{V1}/{prefix}/{tx['id']}", headers=owner.headers)
        assert r.status_code == 409 and error_code(r) == "CYCLE_ALREADY_COMPLETED"
    r = await client.patch(f"{V1}/expenses/{loose['id']}", json={"cycle_id": cycle["id"]}, headers=owner.headers)
    assert r.status_code == 409 and error_code(r) == "CYCLE_ALREADY_COMPLETED"
    r = await client.patch(f"{V1}/expenses/{loose['id']}", json={"cycle_id": open_cycle["id"]}, headers=owner.headers)
    assert r.status_code == 200 and r.json()["cycle_id"] == open_cycle["id"]
    assert (await client.get(f"{V1}/expenses/{tx['id']}", headers=owner.headers)).json()["amount"] == "10.00"


async def test_generation(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    category = await create_category(client, owner, "Rent")
    rent = await create_template(client, owner, category_id=category, day_of_month=31, start_date="2024-01-01")
    gym = await create_template(client, owner, name="Gym", amount="20", frequency="weekly", start_date="2024-02-26")
    await create_template(client, owner, name="Old", frequency="weekly", start_date="2023-01-02", end_date="2024-02-01")
    await create_template(client, owner, name="Paused", frequency="weekly", start_date="2024-01-01", is_active=False)
    once = await create_template(client, owner, name="Once", frequency="once", start_date="2024-03-10", amount="5")
    cycle = await create_cycle(client, owner, start_date="2024-03-01", end_date="2024-03-31")
    r = await client.get(f"{V1}/expenses", headers=owner.headers, params={"cycle_id": cycle["id"], "sort": "date"})
    items = r.json()["items"]
    got = sorted((i["template_id"], i["date"]) for i in items)
    assert got == sorted([(rent["id"], "2024-03-31"), *((gym["id"], f"2024-03-{d:02d}") for d in (4, 11, 18, 25)),
                          (once["id"], "2024-03-10")])
    assert all(i["status"] == "planned" and i["cycle_id"] == cycle["id"] for i in items)
    rent_tx = next(i for i in items if i["template_id"] == rent["id"])
    assert rent_tx["category_id"] == category and rent_tx["amount"] == "1200.00" and rent_tx["description"] == "Rent"
    r = await client.post(f"{URL}/{cycle['id']}/generate", headers=owner.headers)
    assert r.status_code == 200 and r.json() == {"cycle_id": cycle["id"], "created": 0}
    await create_template(client, owner, name="New", frequency="biweekly", start_date="2024-03-01")
    r = await client.post(f"{URL}/{cycle['id']}/generate", headers=owner.headers)
    assert r.json()["created"] == 3  # 1, 15 and 29 March
    r = await client.get(f"{V1}/expenses", headers=owner.headers, params={"cycle_id": cycle["id"]})
    assert r.json()["total"] == 9
    bare = await create_cycle(client, owner, start_date="2024-04-01", generate_from_templates=False)
    r = await client.get(f"{V1}/expenses", headers=owner.headers, params={"cycle_id": bare["id"]})
    assert r.json()["total"] == 0
    # deleting the cycle takes its planned expenses; paid ones stay, unlinked
    paid = await create_expense(client, owner, cycle_id=cycle["id"], date="2024-03-03")
    assert (await client.delete(f"{URL}/{cycle['id']}", headers=owner.headers)).status_code == 204
    r = await client.get(f"{V1}/expenses", headers=owner.headers)
    assert [i["id"] for i in r.json()["items"]] == [paid["id"]] and r.json()["items"][0]["cycle_id"] is None


async def test_summary(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(base_currency="USD")
    food = await create_category(client, owner, "Food2")
    rent = await create_category(client, owner, "Rent2")
    await create_template(client, owner, category_id=rent, day_of_month=5, amount="1000")
    cycle = await create_cycle(client, owner, start_date="2024-03-01", end_date="2024-03-31", income_amount="3000")
    await create_expense(client, owner, cycle_id=cycle["id"], category_id=food, amount="12.50")
    await create_expense(client, owner, cycle_id=cycle["id"], category_id=food, amount="7.25", status="planned")
    eur = await create_expense(client, owner, cycle_id=cycle["id"], amount="100.00", currency="EUR", date="2024-03-04")
    await create_expense(client, owner, category_id=food, amount="999")  # not in the cycle
    r = await client.post(f"{V1}/transactions", json={"type": "income", "amount": "50", "currency": "USD",
                                                      "date": "2024-03-02", "description": "x",
                                                      "cycle_id": cycle["id"]}, headers=owner.headers)
    assert r.status_code == 201, r.text
    r = await client.get(f"{URL}/{cycle['id']}/summary", headers=owner.headers)
    assert r.status_code == 200, r.text
    s = r.json()
    eur_usd = Decimal(eur["amount_base"])
    assert s["currency"] == "USD" and s["income"] == "3000.00"
    assert s["planned_total"] == "1007.25"
    assert Decimal(s["paid_total"]) == Decimal("12.50") + eur_usd
    assert Decimal(s["spent_total"]) == Decimal("1019.75") + eur_usd
    assert Decimal(s["remaining"]) == Decimal("3000") - Decimal(s["spent_total"])
    rows = {row["category_id"]: row for row in s["by_category"]}
    assert rows[rent] == {"category_id": rent, "name": "Rent2", "planned": "1000.00", "paid": "0.00",
                          "total": "1000.00"}
    assert rows[food] == {"category_id": food, "name": "Food2", "planned": "7.25", "paid": "12.50", "total": "19.75"}
    assert rows[None]["paid"] == eur["amount_base"] and rows[None]["name"] is None


async def test_summary_in_a_foreign_cycle_currency(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(base_currency="USD")
    cycle = await create_cycle(client, owner, start_date="2024-03-01", currency="EUR", income_amount="1000")
    await create_expense(client, owner, cycle_id=cycle["id"], amount="10.00", currency="EUR")
    usd = await create_expense(client, owner, cycle_id=cycle["id"], amount="100.00", currency="USD", date="2024-03-04")
    jpy = await create_expense(client, owner, cycle_id=cycle["id"], amount="1000", currency="JPY", date="2024-03-05")
    rates = {}
    for tx in (usd, jpy):
        r = await client.get(f"{V1}/exchange-rates/convert", headers=owner.headers,
                             params={"amount": tx["amount"], "from": tx["currency"], "to": "EUR", "date": tx["date"]})
        assert r.status_code == 200, r.text
        rates[tx["currency"]] = Decimal(r.json()["result"])
    s = (await client.get(f"{URL}/{cycle['id']}/summary", headers=owner.headers)).json()
    assert s["currency"] == "EUR" and s["income"] == "1000.00"
    assert Decimal(s["paid_total"]) == Decimal("10.00") + rates["USD"] + rates["JPY"]
    assert rates["USD"] != Decimal("100.00")


async def test_sub_user_reads_but_may_not_write(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(Role.business)
    sub = await make_user(Role.sub_user, business=owner)
    cycle = await create_cycle(client, owner)
    for path in ("", f"/{cycle['id']}", f"/{cycle['id']}/summary"):
        assert (await client.get(f"{URL}{path}", headers=sub.headers)).status_code == 200
    for method, path, payload in (("post", "", {"start_date": "2025-01-01", "income_amount": "1"}),
                                  ("patch", f"/{cycle['id']}", {"name": "y"}),
                                  ("delete", f"/{cycle['id']}", None), ("post", f"/{cycle['id']}/activate", None),
                                  ("post", f"/{cycle['id']}/complete", None),
                                  ("post", f"/{cycle['id']}/generate", None)):
        r = await client.request(method, f"{URL}{path}", headers=sub.headers, json=payload)
        assert r.status_code == 403 and error_code(r) == "FORBIDDEN", (method, path)
    # sub-users book expenses into their business's cycle
    tx = await create_expense(client, sub, cycle_id=cycle["id"])
    assert tx["cycle_id"] == cycle["id"]


async def test_idempotent_creation_generates_once(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    template = await create_template(client, owner, day_of_month=10)
    headers = {**owner.headers, "Idempotency-Key": "cycle-1"}
    body = {"start_date": "2024-03-01", "income_amount": "100"}
    first = await client.post(URL, json=body, headers=headers)
    again = await client.post(URL, json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert (await client.get(URL, headers=owner.headers)).json()["total"] == 1
    r = await client.get(f"{V1}/expenses", headers=owner.headers, params={"cycle_id": first.json()["id"]})
    assert r.json()["total"] == 2  # 10 March and 10 April
    r = await client.post(URL, json={**body, "income_amount": "200"}, headers=headers)
    assert r.status_code == 422 and error_code(r) == "IDEMPOTENCY_KEY_REUSED"
    # deleting the template keeps its booked expenses, unlinked from it
    assert (await client.delete(f"{V1}/expense-templates/{template['id']}", headers=owner.headers)).status_code == 204
    r = await client.get(f"{V1}/expenses", headers=owner.headers, params={"cycle_id": first.json()["id"]})
    assert r.json()["total"] == 2 and {i["template_id"] for i in r.json()["items"]} == {None}
