"""Transfers between two accounts: a linked pair of transactions that no report counts."""

import httpx

from tests.factories import V1, MakeUser, create_account, create_cycle, create_expense, create_transfer, error_code


async def test_a_transfer_moves_money_between_two_accounts(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    checking = await create_account(client, owner, name="Current")
    savings = await create_account(client, owner, name="Savings", type="savings")
    transfer = await create_transfer(client, owner, from_account_id=checking["id"], to_account_id=savings["id"],
                                     amount="250", date="2024-03-10")
    assert (transfer["amount"], transfer["currency"], transfer["description"]) == ("250.00", "USD", "Transfer")
    out, into = transfer["transactions"]
    assert (out["type"], out["account_id"], into["type"], into["account_id"]) == \
        ("expense", checking["id"], "income", savings["id"])
    assert out["transfer_id"] == into["transfer_id"] == transfer["id"]
    assert (await client.get(f"{V1}/transfers/{transfer['id']}", headers=owner.headers)).json() == transfer

    def balance(account: dict[str, str]) -> str:
        return f"{V1}/accounts/{account['id']}/balance"

    assert (await client.get(balance(checking), params={"date": "2024-03-31"}, headers=owner.headers)
            ).json()["balance"] == "-250.00"
    assert (await client.get(balance(savings), params={"date": "2024-03-31"}, headers=owner.headers)
            ).json()["balance"] == "250.00"
    # its legs change only through the transfer
    r = await client.patch(f"{V1}/transactions/{out['id']}", json={"amount": "1"}, headers=owner.headers)
    assert r.status_code == 409 and error_code(r) == "TRANSACTION_IS_TRANSFER_LEG"
    r = await client.patch(f"{V1}/transactions/{out['id']}", json={"notes": "rent pot"}, headers=owner.headers)
    assert r.status_code == 200 and r.json()["notes"] == "rent pot"
    r = await client.delete(f"{V1}/transactions/{into['id']}", headers=owner.headers)
    assert r.status_code == 409
    assert (await client.delete(f"{V1}/transfers/{transfer['id']}", headers=owner.headers)).status_code == 204
    assert (await client.get(f"{V1}/transactions/{out['id']}", headers=owner.headers)).status_code == 404
    r = await client.get(f"{V1}/transfers/{transfer['id']}", headers=owner.headers)
    assert r.status_code == 404 and error_code(r) == "TRANSFER_NOT_FOUND"


async def test_no_report_counts_a_transfer(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    checking = await create_account(client, owner)
    savings = await create_account(client, owner, name="Savings", type="savings")
    cycle = await create_cycle(client, owner, start_date="2024-03-01", generate_from_templates=False)
    await create_expense(client, owner, amount="10", date="2024-03-05", cycle_id=cycle["id"])
    await create_transfer(client, owner, from_account_id=checking["id"], to_account_id=savings["id"],
                          amount="500", date="2024-03-06")
    monthly = (await client.get(f"{V1}/analytics/monthly/2024/3", headers=owner.headers)).json()
    assert (monthly["total_expenses"], monthly["total_income"], monthly["expense_count"]) == ("10.00", "0.00", 1)
    trends = (await client.get(f"{V1}/analytics/trends", params={"start": "2024-03", "end": "2024-03"},
                               headers=owner.headers)).json()
    assert (trends[0]["total_expenses"], trends[0]["total_income"]) == ("10.00", "0.00")
    summary = (await client.get(f"{V1}/cycles/{cycle['id']}/summary", headers=owner.headers)).json()
    assert summary["spent_total"] == "10.00"


async def test_transfers_check_their_accounts_and_amount(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner, other = await make_user(), await make_user()
    mine = await create_account(client, owner)
    yen = await create_account(client, owner, name="Yen", currency="JPY")
    theirs = await create_account(client, other)
    cases = [
        ({"from_account_id": mine["id"], "to_account_id": theirs["id"]}, "body.to_account_id"),
        ({"from_account_id": theirs["id"], "to_account_id": mine["id"]}, "body.from_account_id"),
        ({"from_account_id": mine["id"], "to_account_id": mine["id"]}, "body"),
        ({"from_account_id": yen["id"], "to_account_id": mine["id"], "amount": "1.5"}, "body.amount"),
        ({"from_account_id": mine["id"], "to_account_id": yen["id"], "amount": "-3"}, "body.amount"),
    ]
    for body, field in cases:
        r = await client.post(f"{V1}/transfers", json={"amount": "1", "date": "2024-03-01"} | body,
                              headers=owner.headers)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["error"]["details"]["errors"][0]["field"] == field, (body, r.text)
