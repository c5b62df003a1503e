"""The tenant's own rates: CRUD, roles and tenancy, and every conversion of the tenant using them first."""

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.tenancy import Role
from colony.exchange_rates import service
from tests.factories import V1, MakeUser, UserHandle, create_account, create_budget, error_code, expense_body

URL = f"{V1}/exchange-rates/custom"


async def add_rate(client: httpx.AsyncClient, owner: UserHandle, day: str, from_: str, to: str,
                   rate: str) -> dict[str, Any]:
    response = await client.post(URL, json={"date": day, "from": from_, "to": to, "rate": rate},
                                 headers=owner.headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def convert(client: httpx.AsyncClient, user: UserHandle, amount: str, from_: str, to: str,
                  day: str) -> httpx.Response:
    return await client.get(f"{V1}/exchange-rates/convert", headers=user.headers,
                            params={"amount": amount, "from": from_, "to": to, "date": day})


def product(*rates: str | Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 60
        result = Decimal(1)
        for rate in rates:
            result *= Decimal(rate)
        return result.quantize(Decimal("1e-10"), rounding=ROUND_HALF_EVEN)


# --- the resource -----------------------------------------------------------------------------------

async def test_crud(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    created = await add_rate(client, owner, "2024-03-01", "ARS", "USD", "0.00105")
    assert {k: v for k, v in created.items() if k not in ("id", "created_at", "updated_at")} == {
        "date": "2024-03-01", "from": "ARS", "to": "USD", "rate": "0.00105"}
    rate_url = f"{URL}/{created['id']}"
    assert (await client.get(rate_url, headers=owner.headers)).json() == created

    # one per pair and date
    again = await client.post(URL, json={"date": "2024-03-01", "from": "ARS", "to": "USD", "rate": "0.002"},
                              headers=owner.headers)
    assert (again.status_code, error_code(again)) == (409, "CUSTOM_RATE_EXISTS")
    later = await add_rate(client, owner, "2024-04-01", "ARS", "USD", "0.001")
    other = await add_rate(client, owner, "2024-02-01", "VES", "EUR", "0.025")

    page = (await client.get(URL, params={"size": 2}, headers=owner.headers)).json()
    assert (page["total"], page["pages"], [r["id"] for r in page["items"]]) == (3, 2, [later["id"], created["id"]])
    filtered = (await client.get(URL, params={"currency": "EUR"}, headers=owner.headers)).json()
    assert [r["id"] for r in filtered["items"]] == [other["id"]]

    changed = await client.patch(rate_url, json={"rate": 0.0011}, headers=owner.headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["rate"] == "0.0011" and changed.json()["date"] == "2024-03-01"
    clash = await client.patch(rate_url, json={"date": "2024-04-01"}, headers=owner.headers)
    assert (clash.status_code, error_code(clash)) == (409, "CUSTOM_RATE_EXISTS")
    same = await client.patch(rate_url, json={"to": "ARS"}, headers=owner.headers)
    assert (same.status_code, same.json()["error"]["details"]["errors"][0]["field"]) == (422, "body.to")

    assert (await client.delete(rate_url, headers=owner.headers)).status_code == 204
    gone = await client.get(rate_url, headers=owner.headers)
    assert (gone.status_code, error_code(gone)) == (404, "CUSTOM_RATE_NOT_FOUND")


@pytest.mark.parametrize(("body", "field"), [
    ({"from": "ARS", "to": "ARS"}, "body"),
    ({"rate": "0"}, "body.rate"),
    ({"rate": "-1"}, "body.rate"),
    ({"rate": "0.00000000001"}, "body.rate"),  # 11 decimals
    ({"rate": "100000001"}, "body.rate"),
    ({"rate": "abc"}, "body.rate"),
    ({"from": "XYZ"}, "body.from"),
    ({"to": "usd"}, "body.to"),
    ({"date": "2024-02-30"}, "body.date"),
    ({"rate": None}, "body.rate"),
])
async def test_invalid_input(client: httpx.AsyncClient, make_user: MakeUser, body: dict[str, Any],
                             field: str) -> None:
    owner = await make_user()
    response = await client.post(URL, json={"date": "2024-03-01", "from": "ARS", "to": "USD", "rate": "1"} | body,
                                 headers=owner.headers)
    assert (response.status_code, error_code(response)) == (422, "VALIDATION_ERROR"), response.text
    assert [e["field"] for e in response.json()["error"]["details"]["errors"]] == [field]


async def test_sub_users_read_owners_write_and_tenants_stay_apart(client: httpx.AsyncClient,
                                                                  make_user: MakeUser) -> None:
    business = await make_user(Role.business)
    sub = await make_user(Role.sub_user, business=business)
    stranger = await make_user()
    admin = await make_user(Role.admin)
    rate = await add_rate(client, business, "2024-03-01", "ARS", "USD", "0.001")
    rate_url = f"{URL}/{rate['id']}"

    assert (await client.get(rate_url, headers=sub.headers)).json() == rate
    assert [r["id"] for r in (await client.get(URL, headers=sub.headers)).json()["items"]] == [rate["id"]]
    for response in (await client.post(URL, json={"date": "2024-03-02", "from": "ARS", "to": "USD", "rate": "1"},
                                       headers=sub.headers),
                     await client.patch(rate_url, json={"rate": "2"}, headers=sub.headers),
                     await client.delete(rate_url, headers=sub.headers),
                     await client.get(URL, headers=admin.headers)):
        assert (response.status_code, error_code(response)) == (403, "FORBIDDEN")

    assert (await client.get(URL, headers=stranger.headers)).json()["total"] == 0
    for response in (await client.get(rate_url, headers=stranger.headers),
                     await client.patch(rate_url, json={"rate": "2"}, headers=stranger.headers),
                     await client.delete(rate_url, headers=stranger.headers)):
        assert (response.status_code, error_code(response)) == (404, "CUSTOM_RATE_NOT_FOUND")
    # the stranger may keep a rate for the same pair and day: tenants don't share the key
    await add_rate(client, stranger, "2024-03-01", "ARS", "USD", "0.002")
    assert (await client.get(rate_url, headers=business.headers)).json()["rate"] == "0.001"
    assert (await client.get(URL, headers=admin.headers)).status_code == 403
    assert (await client.get(URL)).status_code == 401


# --- conversions ------------------------------------------------------------------------------------

async def test_a_currency_the_ecb_does_not_fix_converts_with_the_tenants_rate(client: httpx.AsyncClient,
                                                                              make_user: MakeUser) -> None:
    owner = await make_user()  # base USD
    no_rate = await client.post(f"{V1}/expenses", json=expense_body(amount="10000", currency="ARS"),
                                headers=owner.headers)
    assert (no_rate.status_code, error_code(no_rate)) == (422, "RATE_NOT_AVAILABLE")

    await add_rate(client, owner, "2024-03-01", "ARS", "USD", "0.00105")
    await add_rate(client, owner, "2024-03-20", "ARS", "USD", "0.001")
    for day, amount_base, rate in (("2024-03-01", "10.50", "0.00105"), ("2024-03-19", "10.50", "0.00105"),
                                   ("2024-03-20", "10.00", "0.001"), ("2026-01-01", "10.00", "0.001")):
        response = await client.post(f"{V1}/expenses", headers=owner.headers,
                                     json=expense_body(amount="10000", currency="ARS", date=day))
        assert response.status_code == 201, response.text
        assert (response.json()["amount_base"], response.json()["exchange_rate"]) == (amount_base, rate), day
    before = await client.post(f"{V1}/expenses", json=expense_body(amount="1", currency="ARS", date="2024-02-29"),
                               headers=owner.headers)
    assert (before.status_code, error_code(before)) == (422, "RATE_NOT_AVAILABLE")

    # the other way round, and chained with the ECB's rates for a third currency
    back = (await convert(client, owner, "10.50", "USD", "ARS", "2024-03-05")).json()
    assert (back["rate"], back["result"], back["date"]) == ("952.380952381", "10000.00", "2024-03-01")
    usd_eur = (await convert(client, owner, "1", "USD", "EUR", "2024-03-05")).json()
    chained = (await convert(client, owner, "10000", "ARS", "EUR", "2024-03-05")).json()
    assert Decimal(chained["rate"]) == product("0.00105", usd_eur["rate"])
    assert chained["date"] == "2024-03-01"  # the oldest rate of the chain
    # another tenant has no such rate
    stranger = await make_user()
    assert error_code(await convert(client, stranger, "1", "ARS", "USD", "2024-03-05")) == "RATE_NOT_AVAILABLE"


async def test_the_tenants_rate_overrides_the_ecbs_for_its_pair(client: httpx.AsyncClient,
                                                                make_user: MakeUser) -> None:
    owner = await make_user()
    stranger = await make_user()
    ecb = (await convert(client, owner, "100", "EUR", "USD", "2024-03-15")).json()
    ecb_before = (await convert(client, owner, "100", "EUR", "USD", "2024-03-08")).json()
    await add_rate(client, owner, "2024-03-10", "EUR", "USD", "1.5")
    mine = (await convert(client, owner, "100", "EUR", "USD", "2024-03-15")).json()
    assert (mine["rate"], mine["result"], mine["date"]) == ("1.5", "150.00", "2024-03-10")
    assert (await convert(client, owner, "1.5", "USD", "EUR", "2024-03-15")).json()["result"] == "1.00"
    assert (await convert(client, stranger, "100", "EUR", "USD", "2024-03-15")).json() == ecb
    # before its date: the ECB's
    assert (await convert(client, owner, "100", "EUR", "USD", "2024-03-08")).json() == ecb_before
    expense = await client.post(f"{V1}/expenses", json=expense_body(amount="10.00", currency="EUR"),
                                headers=owner.headers)
    assert expense.json()["amount_base"] == "15.00"
    # the same date in both directions: the direction asked wins
    await add_rate(client, owner, "2024-03-10", "USD", "EUR", "0.5")
    assert (await convert(client, owner, "1", "EUR", "USD", "2024-03-15")).json()["rate"] == "1.5"
    assert (await convert(client, owner, "1", "USD", "EUR", "2024-03-15")).json()["rate"] == "0.5"


async def test_reports_budgets_and_net_worth_use_the_tenants_rates(client: httpx.AsyncClient,
                                                                   make_user: MakeUser) -> None:
    owner = await make_user()  # base USD
    await add_rate(client, owner, "2024-01-01", "ARS", "USD", "0.001")
    expense = await client.post(f"{V1}/expenses", headers=owner.headers,
                                json=expense_body(amount="50000", currency="ARS", date="2024-03-15"))
    assert expense.json()["amount_base"] == "50.00"
    in_euros = await client.post(f"{V1}/expenses", headers=owner.headers,
                                 json=expense_body(amount="10.00", currency="EUR", date="2024-03-15"))
    assert in_euros.status_code == 201, in_euros.text

    # a budget in EUR: the ARS expense goes ARS -> USD (the tenant's) -> EUR (the ECB's)
    budget = await create_budget(client, owner, currency="EUR")
    report = (await client.get(f"{V1}/budgets/{budget['id']}/report", headers=owner.headers)).json()
    usd_eur = (await convert(client, owner, "1", "USD", "EUR", "2024-03-15")).json()["rate"]
    expected = (Decimal("50000") * product("0.001", usd_eur)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    assert report["overall"]["spent"] == str(expected + Decimal("10.00"))

    # an account kept in ARS counts in net worth at the tenant's rate
    account = await create_account(client, owner, name="Pesos", currency="ARS")
    value = await client.post(f"{V1}/accounts/{account['id']}/values", headers=owner.headers,
                              json={"date": "2024-03-01", "balance": "250000.00"})
    assert value.status_code == 201, value.text
    worth = (await client.get(f"{V1}/reports/net-worth", params={"date": "2024-03-31"},
                              headers=owner.headers)).json()
    assert (worth["total"], worth["missing_rates"]) == ("250.00", [])

    # the reports convert rows booked in a former base currency with them too: EUR -> USD -> ARS
    patched = await client.patch(f"{V1}/users/me", json={"base_currency": "ARS"}, headers=owner.headers)
    assert patched.status_code == 200, patched.text
    euros_in_pesos = Decimal((await convert(client, owner, "10.00", "EUR", "ARS", "2024-03-15")).json()["result"])
    monthly = (await client.get(f"{V1}/analytics/monthly/2024/3", headers=owner.headers)).json()
    assert (monthly["currency"], monthly["total_expenses"]) == ("ARS", str(Decimal("50000.00") + euros_in_pesos))
    trends = (await client.get(f"{V1}/analytics/trends", headers=owner.headers,
                               params={"start_date": "2024-03-01", "end_date": "2024-03-31"})).json()
    assert trends[0]["total_expenses"] == monthly["total_expenses"]


async def test_csv_import_uses_the_tenants_rates(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    await add_rate(client, owner, "2024-01-01", "USD", "ARS", "1000")
    csv = b"date,amount,currency,description,category,type\n2024-03-15,1500.00,ARS,Taxi,,expense\n"
    response = await client.post(f"{V1}/transactions/import", headers=owner.headers,
                                 files={"file": ("rows.csv", csv, "text/csv")})
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1, response.text
    rows = (await client.get(f"{V1}/transactions", headers=owner.headers)).json()["items"]
    assert [(r["amount_base"], r["exchange_rate"]) for r in rows] == [("1.50", "0.001")]


async def test_a_lookup_for_a_tenant_is_three_queries(session: AsyncSession, make_user: MakeUser) -> None:
    owner = await make_user()
    statements: list[str] = []
    sync_engine = session.get_bind()

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(sync_engine, "before_cursor_execute", count)
    try:
        await service.rate_on(session, "USD", "GBP", date(2024, 5, 5), tenant_id=owner.tenant_id)
        table = await service.rate_table(session, {"USD", "GBP", "JPY"}, date(2024, 1, 1), date(2024, 6, 30),
                                          tenant_id=owner.tenant_id)
    finally:
        event.remove(sync_engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 6
    for day in (date(2024, 1, 1), date(2024, 3, 31), date(2024, 6, 30)):  # and none per row
        table.rate_on("USD", "GBP", day)
    assert len(statements) == 6
