"""Institutions, accounts, value entries and balances of accounts that hold no investments."""

import httpx

from colony.core.tenancy import Role
from tests.factories import (
    V1,
    MakeUser,
    create_account,
    create_category,
    create_expense,
    create_institution,
    create_transaction,
    error_code,
)


async def test_institution_crud_and_validation(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    bank = await create_institution(client, owner, name="  Sparkasse ", country="de", website="https://bank.example")
    assert (bank["name"], bank["country"], bank["website"]) == ("Sparkasse", "DE", "https://bank.example")
    r = await client.patch(f"{V1}/financial-institutions/{bank['id']}", json={"website": None}, headers=owner.headers)
    assert r.status_code == 200 and r.json()["website"] is None
    for body in ({"name": ""}, {"name": "x", "country": "DEU"}, {"name": "x", "website": "ftp://x"}):
        r = await client.post(f"{V1}/financial-institutions", json=body, headers=owner.headers)
        assert r.status_code == 422 and error_code(r) == "VALIDATION_ERROR", body
    account = await create_account(client, owner, institution_id=bank["id"])
    assert (await client.delete(f"{V1}/financial-institutions/{bank['id']}", headers=owner.headers)).status_code == 204
    r = await client.get(f"{V1}/accounts/{account['id']}", headers=owner.headers)
    assert r.json()["institution_id"] is None  # the account stays, without its institution


async def test_account_crud_filters_and_liabilities(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    checking = await create_account(client, owner, name="Current")
    card = await create_account(client, owner, name="Visa", type="credit_card", currency="EUR")
    assert (checking["is_liability"], card["is_liability"]) == (False, True)
    r = await client.get(f"{V1}/accounts", params={"type": "credit_card"}, headers=owner.headers)
    assert [a["name"] for a in r.json()["items"]] == ["Visa"]
    r = await client.patch(f"{V1}/accounts/{card['id']}", json={"is_active": False}, headers=owner.headers)
    assert r.json()["is_active"] is False
    r = await client.get(f"{V1}/accounts", params={"is_active": "true"}, headers=owner.headers)
    assert [a["name"] for a in r.json()["items"]] == ["Current"]
    r = await client.post(f"{V1}/accounts", json={"name": "x", "type": "shoebox", "currency": "USD"},
                          headers=owner.headers)
    assert r.status_code == 422
    r = await client.post(f"{V1}/accounts", json={"name": "x", "type": "cash", "currency": "USD",
                                                  "institution_id": "00000000-0000-0000-0000-000000000000"},
                          headers=owner.headers)
    assert r.status_code == 422 and r.json()["error"]["details"]["errors"][0]["field"] == "body.institution_id"


async def test_value_entries_replace_per_date_and_start_the_balance(client: httpx.AsyncClient,
                                                                     make_user: MakeUser) -> None:
    owner = await make_user()
    account = await create_account(client, owner)
    url = f"{V1}/accounts/{account['id']}"
    for balance in ("1000", "1000.50"):  # the second replaces the first
        r = await client.post(f"{url}/values", json={"date": "2024-03-01", "balance": balance}, headers=owner.headers)
        assert r.status_code == 201, r.text
    r = await client.post(f"{url}/values", json={"date": "2024-04-01", "balance": "0.001"}, headers=owner.headers)
    assert r.status_code == 422  # USD has two decimals
    values = (await client.get(f"{url}/values", headers=owner.headers)).json()
    assert [(v["date"], v["balance"]) for v in values["items"]] == [("2024-03-01", "1000.50")]
    # transactions booked after the entry move the balance; planned ones and those before it don't
    salary = await create_category(client, owner, "Salary", "income")
    await create_transaction(client, owner, type="income", amount="200", date="2024-03-10", category_id=salary,
                             account_id=account["id"])
    await create_expense(client, owner, amount="50.25", date="2024-03-12", account_id=account["id"])
    await create_expense(client, owner, amount="9", date="2024-03-13", account_id=account["id"], status="planned")
    await create_expense(client, owner, amount="7", date="2024-02-27", account_id=account["id"])
    await create_expense(client, owner, amount="5", date="2024-03-12")  # booked to no account
    balance = (await client.get(f"{url}/balance", params={"date": "2024-03-31"}, headers=owner.headers)).json()
    assert (balance["balance"], balance["currency"], balance["method"], balance["as_of_value_date"]) == \
        ("1150.25", "USD", "values", "2024-03-01")
    before = (await client.get(f"{url}/balance", params={"date": "2024-02-28"}, headers=owner.headers)).json()
    assert before["balance"] == "-7.00" and before["as_of_value_date"] is None


async def test_a_liability_balance_is_what_is_owed(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    card = await create_account(client, owner, name="Card", type="credit_card")
    await client.post(f"{V1}/accounts/{card['id']}/values", json={"date": "2024-03-01", "balance": "300"},
                      headers=owner.headers)
    await create_expense(client, owner, amount="40", date="2024-03-05", account_id=card["id"])  # more owed
    r = await client.get(f"{V1}/accounts/{card['id']}/balance", params={"date": "2024-03-31"}, headers=owner.headers)
    assert r.json()["balance"] == "340.00"


async def test_foreign_currency_transactions_convert_at_their_date(client: httpx.AsyncClient,
                                                                    make_user: MakeUser) -> None:
    owner = await make_user()
    account = await create_account(client, owner, currency="EUR")
    tx = await create_expense(client, owner, amount="10.00", currency="USD", date="2024-03-15",
                              account_id=account["id"])
    assert tx["account_id"] == account["id"]
    r = await client.get(f"{V1}/exchange-rates/convert", headers=owner.headers,
                         params={"amount": "10", "from": "USD", "to": "EUR", "date": "2024-03-15"})
    expected = f"-{r.json()['result']}"
    balance = await client.get(f"{V1}/accounts/{account['id']}/balance", params={"date": "2024-03-31"},
                               headers=owner.headers)
    assert balance.json()["balance"] == expected


async def test_booking_to_accounts_and_deleting_them(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner, other = await make_user(), await make_user()
    account = await create_account(client, owner)
    foreign = await create_account(client, other)
    r = await client.post(f"{V1}/expenses", json={"amount": "1", "currency": "USD", "date": "2024-03-01",
                                                  "description": "x", "account_id": foreign["id"]},
                          headers=owner.headers)
    assert r.status_code == 422 and r.json()["error"]["details"]["errors"][0]["field"] == "body.account_id"
    expense = await create_expense(client, owner, account_id=account["id"])
    r = await client.get(f"{V1}/transactions", params={"account_id": account["id"]}, headers=owner.headers)
    assert [t["id"] for t in r.json()["items"]] == [expense["id"]]
    r = await client.patch(f"{V1}/accounts/{account['id']}", json={"currency": "EUR"}, headers=owner.headers)
    assert r.status_code == 409 and error_code(r) == "ACCOUNT_IN_USE"
    r = await client.delete(f"{V1}/accounts/{account['id']}", headers=owner.headers)
    assert r.status_code == 409 and error_code(r) == "ACCOUNT_IN_USE"
    assert (await client.delete(f"{V1}/expenses/{expense['id']}", headers=owner.headers)).status_code == 204
    assert (await client.delete(f"{V1}/accounts/{account['id']}", headers=owner.headers)).status_code == 204


async def test_sub_users_read_accounts_and_may_not_write_them(client: httpx.AsyncClient,
                                                              make_user: MakeUser) -> None:
    owner = await make_user(Role.business)
    sub = await make_user(Role.sub_user, business=owner)
    account = await create_account(client, owner)
    assert (await client.get(f"{V1}/accounts/{account['id']}", headers=sub.headers)).status_code == 200
    r = await client.post(f"{V1}/accounts", json={"name": "x", "type": "cash", "currency": "USD"}, headers=sub.headers)
    assert r.status_code == 403
    r = await client.post(f"{V1}/accounts/{account['id']}/values", json={"date": "2024-03-01", "balance": "1"},
                          headers=sub.headers)
    assert r.status_code == 403
