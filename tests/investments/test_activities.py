"""Holdings (opening lots) and investment transactions: what each write does to an account's positions,
and the writes that are refused."""

import httpx

from tests.factories import (
    V1,
    MakeUser,
    create_account,
    create_holding,
    create_investment_transaction,
    create_security,
    error_code,
)


async def positions(client: httpx.AsyncClient, headers: dict[str, str], account_id: str) -> dict[str, tuple[str, str]]:
    """symbol → (quantity, cost basis in the security's currency)."""
    items = (await client.get(f"{V1}/accounts/{account_id}/holdings", headers=headers)).json()["items"]
    return {p["symbol"]: (p["quantity"], p["cost_basis"]) for p in items}


async def test_a_split_recorded_in_one_account_splits_every_account_of_the_tenant(
        client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    await create_security(client, owner, symbol="SPLT")
    first = await create_account(client, owner, type="investment", name="First")
    second = await create_account(client, owner, type="retirement", name="Second")
    for account in (first, second):
        await create_investment_transaction(client, owner, account["id"], type="buy", date="2024-01-10",
                                            symbol="SPLT", quantity="10", price="30", fee="2")
    await create_investment_transaction(client, owner, first["id"], type="split", date="2024-02-01", symbol="SPLT",
                                        split_ratio="3:1")
    assert await positions(client, owner.headers, first["id"]) == {"SPLT": ("30", "302.00")}
    assert await positions(client, owner.headers, second["id"]) == {"SPLT": ("30", "302.00")}
    # so the second account may sell what the split gave it
    sold = await client.post(f"{V1}/accounts/{second['id']}/investment-transactions", headers=owner.headers,
                             json={"type": "sell", "date": "2024-02-02", "symbol": "SPLT", "quantity": "25",
                                   "price": "11"})
    assert sold.status_code == 201, sold.text
    assert await positions(client, owner.headers, second["id"]) == {"SPLT": ("5", "50.33")}


async def test_writes_that_would_leave_less_than_nothing_are_refused_and_change_nothing(
        client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    await create_security(client, owner, symbol="HOLD")
    account = await create_account(client, owner, type="investment")
    url = f"{V1}/accounts/{account['id']}/investment-transactions"
    buy = await create_investment_transaction(client, owner, account["id"], type="buy", date="2024-03-01",
                                              symbol="HOLD", quantity="5", price="10")
    await create_investment_transaction(client, owner, account["id"], type="sell", date="2024-03-10", symbol="HOLD",
                                        quantity="5", price="12")
    r = await client.post(url, headers=owner.headers, json={"type": "sell", "date": "2024-03-11", "symbol": "HOLD",
                                                            "quantity": "0.00000001", "price": "12"})
    assert r.status_code == 422 and error_code(r) == "INSUFFICIENT_QUANTITY"
    r = await client.patch(f"{url}/{buy['id']}", headers=owner.headers, json={"date": "2024-03-20"})
    assert r.status_code == 422 and error_code(r) == "INSUFFICIENT_QUANTITY"  # the sale would come first
    r = await client.delete(f"{url}/{buy['id']}", headers=owner.headers)
    assert r.status_code == 422 and error_code(r) == "INSUFFICIENT_QUANTITY"  # the sale needs it
    listed = (await client.get(url, headers=owner.headers)).json()["items"]
    assert [(t["type"], t["date"]) for t in listed] == [("sell", "2024-03-10"), ("buy", "2024-03-01")]


async def test_an_opening_lot_and_transactions_agree(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    await create_security(client, owner, symbol="LOTS")
    account = await create_account(client, owner, type="investment")
    lot = await create_holding(client, owner, account["id"], symbol="LOTS", quantity="4", cost_basis="100.00")
    await create_investment_transaction(client, owner, account["id"], type="buy", date="2024-05-02", symbol="LOTS",
                                        quantity="6", price="30", fee="1")
    await create_investment_transaction(client, owner, account["id"], type="sell", date="2024-05-03", symbol="LOTS",
                                        quantity="9", price="31")
    # FIFO: the undated opening lot (held since before anything else) goes first, then five of the six bought
    assert await positions(client, owner.headers, account["id"]) == {"LOTS": ("1", "30.17")}
    lot_url = f"{V1}/accounts/{account['id']}/holdings/{lot['id']}"
    r = await client.patch(lot_url, headers=owner.headers, json={"quantity": "2"})
    assert r.status_code == 422 and error_code(r) == "INSUFFICIENT_QUANTITY"  # 2 + 6 cannot cover the 9 sold
    r = await client.delete(lot_url, headers=owner.headers)
    assert r.status_code == 422 and error_code(r) == "INSUFFICIENT_QUANTITY"
    r = await client.patch(lot_url, headers=owner.headers, json={"quantity": "3", "cost_basis": "90.00"})
    assert r.status_code == 200 and r.json()["quantity"] == "3"
    assert await positions(client, owner.headers, account["id"]) == {}  # sold out exactly


async def test_investment_activity_needs_an_investment_account(client: httpx.AsyncClient,
                                                               make_user: MakeUser) -> None:
    owner = await make_user()
    await create_security(client, owner, symbol="CHK")
    checking = await create_account(client, owner, type="checking")
    r = await client.post(f"{V1}/accounts/{checking['id']}/investment-transactions", headers=owner.headers,
                          json={"type": "deposit", "date": "2024-01-02", "amount": "10.00"})
    assert r.status_code == 422 and error_code(r) == "NOT_AN_INVESTMENT_ACCOUNT"
    r = await client.post(f"{V1}/accounts/{checking['id']}/holdings", headers=owner.headers,
                          json={"symbol": "CHK", "quantity": "1", "cost_basis": "1.00"})
    assert r.status_code == 422 and error_code(r) == "NOT_AN_INVESTMENT_ACCOUNT"


async def test_a_transfer_of_shares_is_a_pair_that_goes_together(client: httpx.AsyncClient,
                                                                 make_user: MakeUser) -> None:
    owner = await make_user()
    await create_security(client, owner, symbol="MOVE")
    source = await create_account(client, owner, type="investment", name="Source")
    target = await create_account(client, owner, type="investment", name="Target")
    await create_investment_transaction(client, owner, source["id"], type="buy", date="2024-01-05", symbol="MOVE",
                                        quantity="8", price="25", fee="4")
    moved = await create_investment_transaction(client, owner, source["id"], type="transfer_out",
                                                date="2024-02-01", symbol="MOVE", quantity="2",
                                                counter_account_id=target["id"])
    assert await positions(client, owner.headers, source["id"]) == {"MOVE": ("6", "153.00")}
    assert await positions(client, owner.headers, target["id"]) == {"MOVE": ("2", "51.00")}  # lots keep their cost
    incoming = (await client.get(f"{V1}/accounts/{target['id']}/investment-transactions",
                                 headers=owner.headers)).json()["items"]
    assert [(t["type"], t["transfer_id"], t["counter_account_id"]) for t in incoming] == [
        ("transfer_in", moved["transfer_id"], source["id"])]
    r = await client.delete(f"{V1}/accounts/{source['id']}/investment-transactions/{moved['id']}",
                            headers=owner.headers)
    assert r.status_code == 204
    assert await positions(client, owner.headers, target["id"]) == {}
    assert await positions(client, owner.headers, source["id"]) == {"MOVE": ("8", "204.00")}


async def test_creating_a_transaction_twice_with_one_key_books_it_once(client: httpx.AsyncClient,
                                                                      make_user: MakeUser) -> None:
    owner = await make_user()
    account = await create_account(client, owner, type="investment")
    url = f"{V1}/accounts/{account['id']}/investment-transactions"
    body = {"type": "deposit", "date": "2024-01-02", "amount": "250.00"}
    headers = {**owner.headers, "Idempotency-Key": "deposit-once"}
    first, again = (await client.post(url, json=body, headers=headers)), (await client.post(url, json=body,
                                                                                            headers=headers))
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert (await client.get(url, headers=owner.headers)).json()["total"] == 1
    r = await client.post(url, json={**body, "amount": "1.00"}, headers=headers)
    assert r.status_code == 422 and error_code(r) == "IDEMPOTENCY_KEY_REUSED"


async def test_a_reverse_split_another_account_records_may_not_leave_a_sale_uncovered(
        client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    await create_security(client, owner, symbol="RVRS")
    first = await create_account(client, owner, type="investment", name="First")
    second = await create_account(client, owner, type="investment", name="Second")
    for account in (first, second):
        await create_investment_transaction(client, owner, account["id"], type="buy", date="2024-01-10",
                                            symbol="RVRS", quantity="10", price="5")
    await create_investment_transaction(client, owner, second["id"], type="sell", date="2024-03-01",
                                        symbol="RVRS", quantity="8", price="6")
    # 1 new for 2 old on 2024-02-01 would leave the second account 5 shares to sell 8 from
    r = await client.post(f"{V1}/accounts/{first['id']}/investment-transactions", headers=owner.headers,
                          json={"type": "split", "date": "2024-02-01", "symbol": "RVRS", "split_ratio": "1:2"})
    assert r.status_code == 422 and error_code(r) == "INSUFFICIENT_QUANTITY"
    assert await positions(client, owner.headers, first["id"]) == {"RVRS": ("10", "50.00")}
