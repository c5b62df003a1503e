"""GET /reports/net-worth and GET /accounts/{id}/balance: every kind of account on a date, in base currency
at that date's ECB rate, with a monthly history; prices carried forward, never taken from a later day.

"Today" is fixed at 2024-06-30.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from colony.core import clock
from tests.factories import (
    V1,
    MakeUser,
    UserHandle,
    create_account,
    create_investment_transaction,
    create_security,
    create_transaction,
    exchange_rate,
    put_prices,
    read_json,
)

TODAY = dt.date(2024, 6, 30)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


async def put_value(client: httpx.AsyncClient, owner: UserHandle, account_id: str, day: str, balance: str) -> None:
    r = await client.post(f"{V1}/accounts/{account_id}/values", json={"date": day, "balance": balance},
                          headers=owner.headers)
    assert r.status_code == 201, r.text


async def book(client: httpx.AsyncClient, owner: UserHandle, account_id: str, type_: str, amount: str, day: str,
               currency: str = "USD") -> None:
    await create_transaction(client, owner, type=type_, amount=amount, currency=currency, date=day,
                             description=f"{type_} {amount}", account_id=account_id)


async def trade(client: httpx.AsyncClient, owner: UserHandle, account_id: str, type_: str, day: str,
                **body: Any) -> dict[str, Any]:
    return await create_investment_transaction(client, owner, account_id, type=type_, date=day, **body)


@dataclass(frozen=True)
class Household:
    checking: str
    card: str
    savings: str  # EUR
    brokerage: str
    euro_brokerage: str  # an investment account in EUR


async def household(client: httpx.AsyncClient, owner: UserHandle) -> Household:
    checking = str((await create_account(client, owner, name="Current"))["id"])
    card = str((await create_account(client, owner, name="Card", type="credit_card"))["id"])
    savings = str((await create_account(client, owner, name="Savings", type="savings", currency="EUR"))["id"])
    brokerage = str((await create_account(client, owner, name="Brokerage", type="investment"))["id"])
    euro = str((await create_account(client, owner, name="Depot", type="investment", currency="EUR"))["id"])
    # checking: 2000 on 01-01, +500 on 02-10, -120.40 on 04-05 (an expense before the value entry is in it)
    await put_value(client, owner, checking, "2024-01-01", "2000")
    await book(client, owner, checking, "expense", "50", "2023-12-20")
    await book(client, owner, checking, "income", "500", "2024-02-10")
    await book(client, owner, checking, "expense", "120.40", "2024-04-05")
    # the card: 300 owed on 03-01, 45.50 more spent on 05-10
    await put_value(client, owner, card, "2024-03-01", "300")
    await book(client, owner, card, "expense", "45.50", "2024-05-10")
    # savings: 1000 EUR on 02-01, +250 EUR on 05-02
    await put_value(client, owner, savings, "2024-02-01", "1000")
    await book(client, owner, savings, "income", "250", "2024-05-02", currency="EUR")
    # the brokerage: 1000 deposited, 5 bought at 100 (closes 100, 110 on 04-30, and a later 120)
    symbol = (await create_security(client, owner, symbol="NW-STK"))["symbol"]
    await put_prices(client, owner, symbol, {"2024-01-15": "100", "2024-04-30": "110", "2024-06-03": "120"})
    await trade(client, owner, brokerage, "deposit", "2024-01-15", amount="1000")
    await trade(client, owner, brokerage, "buy", "2024-01-15", symbol=symbol, quantity="5", price="100")
    await trade(client, owner, euro, "deposit", "2024-03-04", amount="1234.56")
    return Household(checking, card, savings, brokerage, euro)


async def test_net_worth_on_a_date(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    home = await household(client, owner)
    assert await exchange_rate(client, owner, "EUR", "USD", "2024-05-31") == "1.0852"
    worth = await read_json(client, owner, "/reports/net-worth", date="2024-05-31")
    assert (worth["date"], worth["currency"], worth["missing_rates"]) == ("2024-05-31", "USD", [])
    accounts = {a["account_id"]: a for a in worth["accounts"]}
    assert {k: (v["type"], v["is_liability"], v["balance"], v["currency"], v["value"])
            for k, v in accounts.items()} == {
        home.checking: ("checking", False, "2379.60", "USD", "2379.60"),
        home.card: ("credit_card", True, "345.50", "USD", "-345.50"),  # owed: counts negative
        home.savings: ("savings", False, "1250.00", "EUR", "1356.50"),  # 1250 x 1.0852
        home.brokerage: ("investment", False, "1050.00", "USD", "1050.00"),  # 5 x 110 + 500 cash
        home.euro_brokerage: ("investment", False, "1234.56", "EUR", "1339.74"),  # 1234.56 x 1.0852 = 1339.744512
    }
    assert (worth["assets"], worth["liabilities"], worth["total"]) == ("6125.84", "345.50", "5780.34")
    # each account's balance alone, in its own currency
    for account_id, expected in ((home.checking, "2379.60"), (home.card, "345.50"), (home.savings, "1250.00"),
                                 (home.brokerage, "1050.00"), (home.euro_brokerage, "1234.56")):
        balance = await read_json(client, owner, f"/accounts/{account_id}/balance", date="2024-05-31")
        assert (balance["date"], balance["balance"]) == ("2024-05-31", expected), account_id
    balance = await read_json(client, owner, f"/accounts/{home.brokerage}/balance", date="2024-05-31")
    assert balance["method"] == "holdings"
    # another date: another rate, another close (a EUR holiday, 05-01: the fixing of 04-30)
    assert await exchange_rate(client, owner, "EUR", "USD", "2024-05-01") == "1.0718"
    worth = await read_json(client, owner, "/reports/net-worth", date="2024-05-01")
    accounts = {a["account_id"]: a for a in worth["accounts"]}
    assert (accounts[home.savings]["value"], accounts[home.brokerage]["value"], accounts[home.card]["value"]) == \
        ("1071.80", "1050.00", "-300.00")
    # before anything: every account is worth nothing (the expense before the checking's entry aside)
    worth = await read_json(client, owner, "/reports/net-worth", date="2023-12-31")
    assert worth["total"] == "-50.00"


async def test_the_monthly_history(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    await household(client, owner)
    worth = await read_json(client, owner, "/reports/net-worth", date="2024-05-31")
    history = worth["history"]
    # the 12 month ends before May 2024
    assert [p["date"] for p in history] == [
        "2023-05-31", "2023-06-30", "2023-07-31", "2023-08-31", "2023-09-30", "2023-10-31", "2023-11-30",
        "2023-12-31", "2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"]
    assert {p["total"] for p in history[:7]} == {"0.00"}
    for point in history[7:]:  # each point is the net worth of its day
        alone = await read_json(client, owner, "/reports/net-worth", date=point["date"])
        assert alone["total"] == point["total"], point
    # by hand on 02-29: checking 2500, savings 1000 EUR, brokerage 5 x 100 + 500, card (no entry yet) 0
    assert await exchange_rate(client, owner, "EUR", "USD", "2024-02-29") == "1.0826"
    assert history[9] == {"date": "2024-02-29", "total": "4582.60"}
    longer = await read_json(client, owner, "/reports/net-worth", date="2024-05-31", history_start_date="2023-01-15")
    assert [p["date"] for p in longer["history"]][:4] == ["2023-01-31", "2023-02-28", "2023-03-31", "2023-04-30"]
    assert longer["history"][4:] == history and len(longer["history"]) == 16
    assert longer["total"] == worth["total"]
    r = await client.get(f"{V1}/reports/net-worth", params={"date": "2024-05-31", "history_start_date": "2024-06-01"},
                         headers=owner.headers)
    assert r.status_code == 422


async def test_a_missing_close_is_carried_forward_never_back(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    account = str((await create_account(client, owner, name="Brokerage", type="investment"))["id"])
    symbol = (await create_security(client, owner, symbol="NW-GAP"))["symbol"]
    await put_prices(client, owner, symbol, {"2024-03-01": "10", "2024-03-11": "12"})
    # bought before its first close, funded by the buy's own (implicit) deposit: no cash left
    await trade(client, owner, account, "buy", "2024-02-15", symbol=symbol, quantity="10", price="9")

    async def balance(day: str) -> str:
        body = await read_json(client, owner, f"/accounts/{account}/balance", date=day)
        value: str = body["balance"]
        return value

    # before the first close: worth nothing (not the later 10); between closes: the last earlier one
    assert [await balance(day) for day in ("2024-02-20", "2024-03-01", "2024-03-10", "2024-03-11", "2024-06-30")] == \
        ["0.00", "100.00", "100.00", "120.00", "120.00"]
    worth = await read_json(client, owner, "/reports/net-worth", date="2024-04-15", history_start_date="2024-01-01")
    assert worth["history"] == [{"date": "2024-01-31", "total": "0.00"}, {"date": "2024-02-29", "total": "0.00"},
                                {"date": "2024-03-31", "total": "120.00"}]
    assert worth["total"] == "120.00"
    # a correction of a close is seen from its day on, and only from it
    await put_prices(client, owner, symbol, {"2024-03-05": "11"})
    assert [await balance(day) for day in ("2024-03-04", "2024-03-05", "2024-03-10")] == \
        ["100.00", "110.00", "110.00"]
    portfolio = await read_json(client, owner, "/portfolio")
    assert (portfolio["missing_prices"], portfolio["holdings"][0]["price_date"]) == ([], "2024-03-11")
