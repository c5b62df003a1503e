"""Reports: exact sums in the base currency, percentages, empty months, ranges, paid only, tenancy."""

from decimal import Decimal

import httpx
import pytest

from colony.core import clock
from colony.core.tenancy import Role
from tests.factories import V1, MakeUser, create_category, create_transaction

URL = f"{V1}/analytics"


async def test_monthly_exact_sums_percentages_and_uncategorized(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    food = await create_category(client, owner, "Food")
    salary = await create_category(client, owner, "Salary", "income")
    # 0.1 as a JSON number: exact all the same
    await create_transaction(client, owner, amount=0.1, date="2024-03-01", category_id=food)
    await create_transaction(client, owner, amount="0.2", date="2024-03-31", category_id=food)
    await create_transaction(client, owner, amount="0.30", date="2024-03-15")  # no category
    await create_transaction(client, owner, amount="1000.10", date="2024-03-05", type="income", category_id=salary)
    # not counted: planned, another month (both edges), another tenant
    await create_transaction(client, owner, amount="50", date="2024-03-20", category_id=food, status="planned")
    await create_transaction(client, owner, amount="7", date="2024-02-29", category_id=food)
    await create_transaction(client, owner, amount="7", date="2024-04-01", category_id=food)
    other = await make_user()
    await create_transaction(client, other, amount="99", date="2024-03-10")

    r = await client.get(f"{URL}/monthly/2024/3", headers=owner.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body == {
        "year": 2024, "month": 3, "currency": "USD", "total_expenses": "0.60", "total_income": "1000.10",
        "net": "999.50", "expense_count": 3,
        "category_breakdown": [
            {"category_id": food, "category_name": "Food", "total": "0.30", "count": 2, "percentage": "50.00"},
            {"category_id": None, "category_name": "Uncategorized", "total": "0.30", "count": 1,
             "percentage": "50.00"},
        ],
    }


async def test_monthly_percentages_round_half_even_to_two_decimals(client: httpx.AsyncClient,
                                                                   make_user: MakeUser) -> None:
    owner = await make_user()
    ids = [await create_category(client, owner, name) for name in ("A", "B", "C")]
    await create_transaction(client, owner, amount="2", date="2024-05-02", category_id=ids[0])
    await create_transaction(client, owner, amount="1", date="2024-05-03", category_id=ids[1])
    await create_transaction(client, owner, amount="5", date="2024-05-04", category_id=ids[2])
    body = (await client.get(f"{URL}/monthly/2024/5", headers=owner.headers)).json()
    assert body["total_expenses"] == "8.00" and body["total_income"] == "0.00" and body["net"] == "-8.00"
    # 5/8 = 62.5, 2/8 = 25, 1/8 = 12.5; largest first
    assert [(c["category_name"], c["total"], c["percentage"]) for c in body["category_breakdown"]] == [
        ("C", "5.00", "62.50"), ("A", "2.00", "25.00"), ("B", "1.00", "12.50")]
    ids2 = [await create_category(client, owner, name) for name in ("X", "Y", "Z")]
    for cid in ids2:
        await create_transaction(client, owner, amount="1", date="2024-06-10", category_id=cid)
    body = (await client.get(f"{URL}/monthly/2024/6", headers=owner.headers)).json()
    assert [c["percentage"] for c in body["category_breakdown"]] == ["33.33", "33.33", "33.33"]


async def test_monthly_uses_amount_base_in_base_currency(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(base_currency="EUR")
    usd = await create_transaction(client, owner, amount="10.00", date="2024-03-15")
    jpy = await create_transaction(client, owner, amount="1000", date="2024-03-18", currency="JPY")
    eur = await create_transaction(client, owner, amount="1.05", date="2024-03-19", currency="EUR")
    body = (await client.get(f"{URL}/monthly/2024/3", headers=owner.headers)).json()
    expected = sum(Decimal(str(t["amount_base"])) for t in (usd, jpy, eur))
    assert body["currency"] == "EUR"
    assert Decimal(body["total_expenses"]) == expected and body["total_expenses"] == f"{expected:.2f}"
    assert Decimal(str(usd["amount_base"])) != Decimal("10.00")  # really converted


async def test_rows_booked_in_a_former_base_currency_are_converted(client: httpx.AsyncClient,
                                                                   make_user: MakeUser) -> None:
    owner = await make_user()  # base USD
    food = await create_category(client, owner, "Food")
    # booked in USD, amount_base in USD; the same day's two are summed, then converted once
    await create_transaction(client, owner, amount="10.00", date="2024-03-05", category_id=food)
    await create_transaction(client, owner, amount="2.50", date="2024-03-05", category_id=food)
    yen = await create_transaction(client, owner, amount="1000", date="2024-03-07", currency="JPY", category_id=food)
    await create_transaction(client, owner, amount="40", date="2024-03-06", type="income")
    r = await client.patch(f"{V1}/users/me", json={"base_currency": "EUR"}, headers=owner.headers)
    assert r.status_code == 200, r.text
    new = await create_transaction(client, owner, amount="1.00", date="2024-03-07", currency="EUR",
                                   category_id=food)  # booked in EUR

    async def in_eur(amount: str, currency: str, date: str) -> Decimal:
        r = await client.get(f"{V1}/exchange-rates/convert", headers=owner.headers,
                             params={"amount": amount, "from": currency, "to": "EUR", "date": date})
        assert r.status_code == 200, r.text
        return Decimal(r.json()["result"])

    food_total = (await in_eur("12.50", "USD", "2024-03-05") + await in_eur("1000", "JPY", "2024-03-07")
                  + Decimal(str(new["amount_base"])))
    income = await in_eur("40", "USD", "2024-03-06")
    assert yen["base_currency"] == "USD" and new["base_currency"] == "EUR"
    body = (await client.get(f"{URL}/monthly/2024/3", headers=owner.headers)).json()
    assert (body["currency"], body["expense_count"]) == ("EUR", 4)
    assert (body["total_expenses"], body["total_income"]) == (f"{food_total:.2f}", f"{income:.2f}")
    assert [(c["category_id"], c["total"], c["count"]) for c in body["category_breakdown"]] == [
        (food, f"{food_total:.2f}", 4)]
    r = await client.get(f"{URL}/trends", params={"start": "2024-03", "end": "2024-03"}, headers=owner.headers)
    assert [(m["total_expenses"], m["total_income"]) for m in r.json()] == [(f"{food_total:.2f}", f"{income:.2f}")]
    r = await client.get(f"{URL}/categories", params={"start_date": "2024-03-01", "end_date": "2024-03-31"},
                         headers=owner.headers)
    assert [(c["total"], c["count"], c["currency"]) for c in r.json()] == [(f"{food_total:.2f}", 4, "EUR")]


async def test_monthly_empty_and_path_validation(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    body = (await client.get(f"{URL}/monthly/2023/12", headers=owner.headers)).json()
    assert body["total_expenses"] == body["total_income"] == body["net"] == "0.00"
    assert body["expense_count"] == 0 and body["category_breakdown"] == []
    for path in ("2024/13", "2024/0", "abcd/1"):
        r = await client.get(f"{URL}/monthly/{path}", headers=owner.headers)
        assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert (await client.get(f"{URL}/monthly/2024/1")).status_code == 401


async def test_trends_months_in_order_with_zeros(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    await create_transaction(client, owner, amount="0.1", date="2023-11-30")
    await create_transaction(client, owner, amount="0.2", date="2023-11-01")
    await create_transaction(client, owner, amount="100", date="2023-11-15", type="income")
    await create_transaction(client, owner, amount="5", date="2024-01-31")
    await create_transaction(client, owner, amount="9", date="2024-02-01")  # after the range
    await create_transaction(client, owner, amount="3", date="2023-12-10", status="planned")  # not paid
    other = await make_user()
    await create_transaction(client, other, amount="77", date="2023-12-10")
    r = await client.get(f"{URL}/trends", params={"start": "2023-11", "end": "2024-01"}, headers=owner.headers)
    assert r.status_code == 200, r.text
    assert r.json() == [
        {"month": "2023-11", "currency": "USD", "total_income": "100.00", "total_expenses": "0.30", "net": "99.70"},
        {"month": "2023-12", "currency": "USD", "total_income": "0.00", "total_expenses": "0.00", "net": "0.00"},
        {"month": "2024-01", "currency": "USD", "total_income": "0.00", "total_expenses": "5.00", "net": "-5.00"},
    ]
    single = (await client.get(f"{URL}/trends", params={"start": "2024-01", "end": "2024-01"},
                               headers=owner.headers)).json()
    assert [row["month"] for row in single] == ["2024-01"]


async def test_trends_range_validation(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()

    async def get(start: str, end: str) -> httpx.Response:
        return await client.get(f"{URL}/trends", params={"start": start, "end": end}, headers=owner.headers)

    r = await get("2024-03", "2024-02")
    assert r.status_code == 422 and r.json()["error"]["code"] == "INVALID_REPORT_RANGE"
    r = await get("2014-01", "2024-01")  # 121 months
    assert r.status_code == 422 and r.json()["error"]["code"] == "INVALID_REPORT_RANGE"
    assert len((await get("2014-02", "2024-01")).json()) == 120
    for start in ("2024-13", "2024-1", "24-01", "2024/01", "0000-01", "1899-12"):
        r = await get(start, "2024-12")
        assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_ERROR", start


async def test_trends_take_a_date_range_like_every_other_report(client: httpx.AsyncClient,
                                                                make_user: MakeUser) -> None:
    owner = await make_user()
    await create_transaction(client, owner, amount="1", date="2024-01-09")  # before the range
    await create_transaction(client, owner, amount="2", date="2024-01-10")  # its first day
    await create_transaction(client, owner, amount="4", date="2024-02-20")
    await create_transaction(client, owner, amount="8", date="2024-03-05")  # its last day
    await create_transaction(client, owner, amount="16", date="2024-03-06")  # after it
    r = await client.get(f"{URL}/trends", params={"start_date": "2024-01-10", "end_date": "2024-03-05"},
                         headers=owner.headers)
    assert r.status_code == 200, r.text
    assert [(row["month"], row["total_expenses"]) for row in r.json()] == [
        ("2024-01", "2.00"), ("2024-02", "4.00"), ("2024-03", "8.00")]
    # the months form: whole months
    r = await client.get(f"{URL}/trends", params={"start": "2024-01", "end": "2024-03"}, headers=owner.headers)
    assert [row["total_expenses"] for row in r.json()] == ["3.00", "4.00", "24.00"]
    # the forms mix per end; one end twice is refused
    r = await client.get(f"{URL}/trends", params={"start": "2024-02", "end_date": "2024-03-05"},
                         headers=owner.headers)
    assert [(row["month"], row["total_expenses"]) for row in r.json()] == [("2024-02", "4.00"), ("2024-03", "8.00")]
    r = await client.get(f"{URL}/trends", params={"start": "2024-02", "start_date": "2024-02-01"},
                         headers=owner.headers)
    assert r.status_code == 422 and r.json()["error"]["details"]["errors"][0]["field"] == "query.start"


async def test_trends_default_to_the_last_12_months(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    today = clock.today()
    await create_transaction(client, owner, amount="5", date=today.isoformat())
    r = await client.get(f"{URL}/trends", headers=owner.headers)
    assert r.status_code == 200, r.text
    months = [row["month"] for row in r.json()]
    assert len(months) == 12 and months[-1] == today.strftime("%Y-%m") and months == sorted(months)
    assert r.json()[-1]["total_expenses"] == "5.00"
    # one end given: 12 months back from it, or from it to today
    months = [row["month"] for row in (await client.get(f"{URL}/trends", params={"end_date": "2024-03-31"},
                                                         headers=owner.headers)).json()]
    assert (months[0], months[-1], len(months)) == ("2023-04", "2024-03", 12)
    start = today.replace(day=1).isoformat()
    months = [row["month"] for row in (await client.get(f"{URL}/trends", params={"start_date": start},
                                                         headers=owner.headers)).json()]
    assert months == [today.strftime("%Y-%m")]


@pytest.mark.parametrize(("params", "status", "code", "field"), [
    ({"start_date": "2024-03-02", "end_date": "2024-03-01"}, 422, "INVALID_REPORT_RANGE", "query.start_date"),
    ({"start_date": "2014-01-01", "end_date": "2024-01-01"}, 422, "INVALID_REPORT_RANGE", "query.end_date"),
    ({"start_date": "2024-02-30"}, 422, "VALIDATION_ERROR", "query.start_date"),
    ({"end_date": "2024-3-1"}, 422, "VALIDATION_ERROR", "query.end_date"),
    ({"end_date": "2024-03-01", "end": "2024-03"}, 422, "VALIDATION_ERROR", "query.end"),
    ({"start": "2999-12"}, 422, "INVALID_REPORT_RANGE", "query.start"),  # after today's end
])
async def test_trends_range_errors(client: httpx.AsyncClient, make_user: MakeUser, params: dict[str, str],
                                   status: int, code: str, field: str) -> None:
    owner = await make_user()
    r = await client.get(f"{URL}/trends", params=params, headers=owner.headers)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    assert [e["field"] for e in r.json()["error"]["details"]["errors"]] == [field]


async def test_trends_at_the_edges_of_the_calendar(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    for params in ({"end_date": "0001-02-01"}, {"start_date": "9999-12-01", "end_date": "9999-12-31"}):
        r = await client.get(f"{URL}/trends", params=params, headers=owner.headers)
        assert r.status_code == 200, r.text
    assert [row["month"] for row in r.json()] == ["9999-12"]


async def test_categories_over_a_range(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    food = await create_category(client, owner, "Food")
    rent = await create_category(client, owner, "Rent")
    salary = await create_category(client, owner, "Salary", "income")
    await create_transaction(client, owner, amount="0.1", date="2024-01-01", category_id=food)
    await create_transaction(client, owner, amount="0.2", date="2024-02-10", category_id=food)
    await create_transaction(client, owner, amount="0.7", date="2024-03-31", category_id=rent)
    await create_transaction(client, owner, amount="900", date="2024-03-31", category_id=rent, status="planned")
    await create_transaction(client, owner, amount="5", date="2024-04-01", category_id=rent)  # after the range
    await create_transaction(client, owner, amount="2000", date="2024-02-01", type="income", category_id=salary)
    await create_transaction(client, owner, amount="10", date="2024-02-02", type="income")
    params = {"start_date": "2024-01-01", "end_date": "2024-03-31"}
    r = await client.get(f"{URL}/categories", params=params, headers=owner.headers)
    assert r.status_code == 200, r.text
    assert r.json() == [
        {"category_id": rent, "category_name": "Rent", "total": "0.70", "count": 1, "percentage": "70.00",
         "currency": "USD"},
        {"category_id": food, "category_name": "Food", "total": "0.30", "count": 2, "percentage": "30.00",
         "currency": "USD"},
    ]
    r = await client.get(f"{URL}/categories", params={**params, "type": "income"}, headers=owner.headers)
    assert [(c["category_name"], c["total"], c["percentage"]) for c in r.json()] == [
        ("Salary", "2000.00", "99.50"), ("Uncategorized", "10.00", "0.50")]
    r = await client.get(f"{URL}/categories", headers=owner.headers)  # open range
    assert [(c["category_name"], c["total"]) for c in r.json()] == [("Rent", "5.70"), ("Food", "0.30")]
    r = await client.get(f"{URL}/categories", params={"start_date": "2024-02-01", "end_date": "2024-01-01"},
                         headers=owner.headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "INVALID_REPORT_RANGE"
    assert (await client.get(f"{URL}/categories", params={"type": "both"}, headers=owner.headers)).status_code == 422


async def test_tenancy_other_tenants_rows_never_count(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    business = await make_user(Role.business)
    sub = await make_user(Role.sub_user, business=business)
    stranger = await make_user()
    food = await create_category(client, business, "Food")
    # the sub-user writes into the business
    await create_transaction(client, sub, amount="4.00", date="2024-03-03", category_id=food)
    await create_transaction(client, stranger, amount="1000", date="2024-03-03")
    for user in (business, sub):
        body = (await client.get(f"{URL}/monthly/2024/3", headers=user.headers)).json()
        assert body["total_expenses"] == "4.00" and body["expense_count"] == 1
        rows = (await client.get(f"{URL}/trends", params={"start": "2024-03", "end": "2024-03"},
                                 headers=user.headers)).json()
        assert rows[0]["total_expenses"] == "4.00"
        cats = (await client.get(f"{URL}/categories", headers=user.headers)).json()
        assert [(c["category_id"], c["total"]) for c in cats] == [(food, "4.00")]
    body = (await client.get(f"{URL}/monthly/2024/3", headers=stranger.headers)).json()
    assert body["total_expenses"] == "1000.00" and body["category_breakdown"][0]["category_id"] is None
