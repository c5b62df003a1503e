import uuid
from datetime import date
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.tenancy import Role
from colony.exchange_rates import service as rate_service
from tests.factories import V1, MakeUser, create_category, create_payment_method, expense_body

TX = f"{V1}/transactions"
EX = f"{V1}/expenses"


def error(r: httpx.Response, status: int, code: str, field: str | None = None) -> None:
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    if field is not None:
        assert [e["field"] for e in r.json()["error"]["details"]["errors"]] == [field]


async def test_create_read_update_delete(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    food = await create_category(client, owner)
    cash = await create_payment_method(client, owner)
    r = await client.post(TX, json=expense_body(type="expense", category_id=food, payment_method_id=cash,
                                                 notes="with Bob"), headers=owner.headers)
    assert r.status_code == 201, r.text
    tx = r.json()
    assert tx["amount"] == "12.50" and tx["amount_base"] == "12.50" and tx["exchange_rate"] == "1"
    assert (tx["base_currency"], tx["status"], tx["type"], tx["template_id"]) == ("USD", "paid", "expense", None)
    assert tx["created_at"].endswith("Z") and tx["date"] == "2024-03-15"
    got = (await client.get(f"{TX}/{tx['id']}", headers=owner.headers)).json()
    assert got == tx
    assert (await client.get(f"{EX}/{tx['id']}", headers=owner.headers)).json() == tx
    r = await client.patch(f"{TX}/{tx['id']}", json={"description": "Dinner", "status": "planned",
                                                      "notes": None}, headers=owner.headers)
    assert r.status_code == 200 and (r.json()["description"], r.json()["status"], r.json()["notes"]) == \
        ("Dinner", "planned", None)
    assert (await client.delete(f"{TX}/{tx['id']}", headers=owner.headers)).status_code == 204
    error(await client.get(f"{TX}/{tx['id']}", headers=owner.headers), 404, "TRANSACTION_NOT_FOUND")
    error(await client.patch(f"{TX}/{tx['id']}", json={"description": "x"}, headers=owner.headers),
          404, "TRANSACTION_NOT_FOUND")
    error(await client.delete(f"{TX}/{tx['id']}", headers=owner.headers), 404, "TRANSACTION_NOT_FOUND")
    error(await client.get(f"{EX}/{tx['id']}", headers=owner.headers), 404, "EXPENSE_NOT_FOUND")


async def test_expenses_view(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    salary = await create_category(client, owner, "Salary", "income")
    r = await client.post(EX, json=expense_body(), headers=owner.headers)
    assert r.status_code == 201 and r.json()["type"] == "expense"
    expense_id = r.json()["id"]
    error(await client.post(EX, json=expense_body(type="income"), headers=owner.headers), 422,
          "VALIDATION_ERROR", "body.type")
    income = (await client.post(TX, json=expense_body(type="income", category_id=salary, amount="3000"),
                                headers=owner.headers)).json()
    assert income["amount"] == "3000.00"
    for method in ("get", "patch", "delete"):
        r = await client.request(method, f"{EX}/{income['id']}", headers=owner.headers,
                                 json={"description": "x"} if method == "patch" else None)
        error(r, 404, "EXPENSE_NOT_FOUND")
    assert [t["id"] for t in (await client.get(EX, headers=owner.headers)).json()["items"]] == [expense_id]
    assert (await client.get(TX, headers=owner.headers)).json()["total"] == 2
    # `type` is no filter of /expenses: like any unknown query parameter it changes nothing
    r = await client.get(EX, params={"type": "income"}, headers=owner.headers)
    assert [t["id"] for t in r.json()["items"]] == [expense_id]
    error(await client.patch(f"{EX}/{expense_id}", json={"type": "income"}, headers=owner.headers),
          422, "VALIDATION_ERROR", "body.type")
    r = await client.patch(f"{EX}/{expense_id}", json={"amount": 20}, headers=owner.headers)
    assert r.status_code == 200 and r.json()["amount"] == "20.00"
    assert (await client.delete(f"{EX}/{expense_id}", headers=owner.headers)).status_code == 204


@pytest.mark.parametrize(("body", "field"), [
    ({"amount": "0"}, "body.amount"),
    ({"amount": "-1.00"}, "body.amount"),
    ({"amount": 0}, "body.amount"),
    ({"amount": "1000000000.00"}, "body.amount"),
    ({"amount": "12.345"}, "body.amount"),
    ({"amount": 12.345}, "body.amount"),
    ({"amount": "12.5", "currency": "JPY"}, "body.amount"),
    ({"amount": "abc"}, "body.amount"),
    ({"amount": "NaN"}, "body.amount"),
    ({"amount": True}, "body.amount"),
    ({"currency": "XYZ"}, "body.currency"),
    ({"currency": "usd"}, "body.currency"),
    ({"date": "2024-02-30"}, "body.date"),
    ({"description": ""}, "body.description"),
    ({"status": "done"}, "body.status"),
    ({"template_id": str(uuid.uuid4())}, "body.template_id"),
    ({"amount_base": "1"}, "body.amount_base"),
    ({"account_id": str(uuid.uuid4())}, "body.account_id"),
    ({"cycle_id": str(uuid.uuid4())}, "body.cycle_id"),
    ({"category_id": str(uuid.uuid4())}, "body.category_id"),
    ({"payment_method_id": str(uuid.uuid4())}, "body.payment_method_id"),
])
async def test_create_validation(client: httpx.AsyncClient, make_user: MakeUser, body: dict[str, object],
                                 field: str) -> None:
    owner = await make_user()
    error(await client.post(EX, json=expense_body(**body), headers=owner.headers), 422, "VALIDATION_ERROR", field)


async def test_amount_limits_accepted(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    for amount, currency, shown in (("999999999.99", "USD", "999999999.99"), ("0.01", "USD", "0.01"),
                                    ("1500", "JPY", "1500"), (12, "USD", "12.00"), ("7.10", "EUR", "7.10")):
        r = await client.post(EX, json=expense_body(amount=amount, currency=currency), headers=owner.headers)
        assert r.status_code == 201, r.text
        assert r.json()["amount"] == shown


async def test_missing_type_on_transactions(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    error(await client.post(TX, json=expense_body(), headers=owner.headers), 422, "VALIDATION_ERROR", "body.type")


async def test_references(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    food = await create_category(client, owner)
    salary = await create_category(client, owner, "Salary", "income")
    inactive = await create_payment_method(client, owner, "Old card", is_active=False)
    error(await client.post(EX, json=expense_body(category_id=salary), headers=owner.headers),
          422, "VALIDATION_ERROR", "body.category_id")
    error(await client.post(TX, json=expense_body(type="income", category_id=food), headers=owner.headers),
          422, "VALIDATION_ERROR", "body.category_id")
    error(await client.post(EX, json=expense_body(payment_method_id=inactive), headers=owner.headers),
          422, "VALIDATION_ERROR", "body.payment_method_id")
    tx = (await client.post(TX, json=expense_body(type="expense", category_id=food), headers=owner.headers)).json()
    # changing the type must fit the kept category; changing both together works
    error(await client.patch(f"{TX}/{tx['id']}", json={"type": "income"}, headers=owner.headers),
          422, "VALIDATION_ERROR", "body.category_id")
    r = await client.patch(f"{TX}/{tx['id']}", json={"type": "income", "category_id": salary}, headers=owner.headers)
    assert r.status_code == 200 and r.json()["type"] == "income"
    error(await client.patch(f"{TX}/{tx['id']}", json={"category_id": str(uuid.uuid4())}, headers=owner.headers),
          422, "VALIDATION_ERROR", "body.category_id")
    error(await client.patch(f"{TX}/{tx['id']}", json={"cycle_id": str(uuid.uuid4())}, headers=owner.headers),
          422, "VALIDATION_ERROR", "body.cycle_id")
    r = await client.patch(f"{TX}/{tx['id']}", json={"category_id": None}, headers=owner.headers)
    assert r.status_code == 200 and r.json()["category_id"] is None


async def test_update_validation(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    tx = (await client.post(EX, json=expense_body(), headers=owner.headers)).json()
    url = f"{TX}/{tx['id']}"
    for body, field in (({"amount": None}, "body.amount"), ({"currency": None}, "body.currency"),
                        ({"date": None}, "body.date"), ({"description": None}, "body.description"),
                        ({"amount": "1.234"}, "body.amount"), ({"amount": "0"}, "body.amount"),
                        ({"currency": "JPY"}, "body.amount"),  # 12.50 has decimals JPY doesn't have
                        ({"currency": "JPY", "amount": "1.5"}, "body.amount"),
                        ({"template_id": None}, "body.template_id")):
        error(await client.patch(url, json=body, headers=owner.headers), 422, "VALIDATION_ERROR", field)
    r = await client.patch(url, json={"currency": "JPY", "amount": 1500}, headers=owner.headers)
    assert r.status_code == 200 and r.json()["amount"] == "1500" and r.json()["currency"] == "JPY"


async def test_conversion_at_the_rate_of_the_date(client: httpx.AsyncClient, session: AsyncSession,
                                                  make_user: MakeUser) -> None:
    owner = await make_user(base_currency="USD")
    r = await client.post(EX, json=expense_body(amount="100.00", currency="EUR", date="2024-03-15"),
                          headers=owner.headers)
    assert r.status_code == 201, r.text
    tx = r.json()
    conv = await rate_service.rate_on(session, "EUR", "USD", date(2024, 3, 15), tenant_id=None)
    assert Decimal(tx["exchange_rate"]) == conv.rate and conv.rate != 1
    assert tx["amount_base"] == str(conv.apply(Decimal("100.00"), "USD")) and tx["base_currency"] == "USD"
    # a description change keeps the conversion; a date, amount or currency change redoes it
    same = (await client.patch(f"{EX}/{tx['id']}", json={"description": "y"}, headers=owner.headers)).json()
    assert same["exchange_rate"] == tx["exchange_rate"]
    moved = (await client.patch(f"{EX}/{tx['id']}", json={"date": "2022-06-01"}, headers=owner.headers)).json()
    conv2 = await rate_service.rate_on(session, "EUR", "USD", date(2022, 6, 1), tenant_id=None)
    assert Decimal(moved["exchange_rate"]) == conv2.rate != conv.rate
    assert moved["amount_base"] == str(conv2.apply(Decimal(100), "USD"))
    doubled = (await client.patch(f"{EX}/{tx['id']}", json={"amount": "200"}, headers=owner.headers)).json()
    assert doubled["amount_base"] == str(conv2.apply(Decimal(200), "USD"))
    yen = (await client.patch(f"{EX}/{tx['id']}", json={"currency": "JPY", "amount": "5000"},
                              headers=owner.headers)).json()
    conv3 = await rate_service.rate_on(session, "JPY", "USD", date(2022, 6, 1), tenant_id=None)
    assert yen["amount_base"] == str(conv3.apply(Decimal(5000), "USD"))


async def test_rate_not_available(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    error(await client.post(EX, json=expense_body(currency="EUR", date="1990-01-01"), headers=owner.headers),
          422, "RATE_NOT_AVAILABLE")
    tx = (await client.post(EX, json=expense_body(currency="EUR"), headers=owner.headers)).json()
    error(await client.patch(f"{EX}/{tx['id']}", json={"date": "1990-01-01"}, headers=owner.headers),
          422, "RATE_NOT_AVAILABLE")


async def test_exact_sums(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    for amount in (0.1, 0.2, "0.1", "0.2", 0.7, "0.30"):
        r = await client.post(EX, json=expense_body(amount=amount), headers=owner.headers)
        assert r.status_code == 201, r.text
    items = (await client.get(EX, headers=owner.headers)).json()["items"]
    amounts = sorted(item["amount"] for item in items)
    assert amounts == ["0.10", "0.10", "0.20", "0.20", "0.30", "0.70"]
    assert sum(Decimal(a) for a in amounts) == Decimal("1.60")
    assert sum(Decimal(item["amount_base"]) for item in items) == Decimal("1.60")
    # range filters on exact values: 0.1 + 0.2 is exactly 0.3
    r = await client.get(EX, params={"min_amount": "0.3", "max_amount": 0.3}, headers=owner.headers)
    assert [i["amount"] for i in r.json()["items"]] == ["0.30"]


async def test_sub_user_writes_transactions(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(Role.business)
    sub = await make_user(Role.sub_user, business=owner)
    food = await create_category(client, owner)
    for url in (TX, EX):
        body = expense_body(category_id=food, **({"type": "expense"} if url == TX else {}))
        r = await client.post(url, json=body, headers=sub.headers)
        assert r.status_code == 201, r.text
        tid = r.json()["id"]
        # the owner sees what the sub-user made, and the other way round
        assert (await client.get(f"{url}/{tid}", headers=owner.headers)).status_code == 200
        assert (await client.patch(f"{url}/{tid}", json={"amount": "3"}, headers=sub.headers)).status_code == 200
        assert (await client.delete(f"{url}/{tid}", headers=sub.headers)).status_code == 204
    mine = (await client.post(EX, json=expense_body(), headers=owner.headers)).json()["id"]
    assert (await client.patch(f"{EX}/{mine}", json={"amount": "4"}, headers=sub.headers)).status_code == 200
    assert (await client.delete(f"{EX}/{mine}", headers=sub.headers)).status_code == 204


async def test_requires_auth(client: httpx.AsyncClient) -> None:
    for url in (TX, EX):
        error(await client.get(url), 401, "NOT_AUTHENTICATED")
        error(await client.post(url, json=expense_body()), 401, "NOT_AUTHENTICATED")
