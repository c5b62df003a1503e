"""The portfolio through HTTP: holdings, cash, totals and allocation by hand; opening lots; sales that would
leave less than nothing; transfers of securities; performance (TWR, MWR) and history; who may write.

"Today" is fixed at 2024-06-30 (a Sunday: the latest close and the latest ECB fixing are those of Friday
2024-06-28), so every figure below can be worked out by hand from the real ECB rates.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pyxirr

from colony.core import clock
from colony.core.tenancy import Role
from tests.factories import (
    V1,
    MakeUser,
    UserHandle,
    create_account,
    create_holding,
    create_investment_transaction,
    create_security,
    error_code,
    exchange_rate,
    put_prices,
    read_json,
)

TODAY = dt.date(2024, 6, 30)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def money(value: Decimal) -> str:
    """An amount in USD as the API writes it."""
    return str(value.quantize(Decimal("0.01")))


async def trade(client: httpx.AsyncClient, owner: UserHandle, account_id: str, type_: str, day: str,
                **body: Any) -> dict[str, Any]:
    return await create_investment_transaction(client, owner, account_id, type=type_, date=day, **body)


async def brokerage(client: httpx.AsyncClient, owner: UserHandle, name: str = "Brokerage") -> str:
    return str((await create_account(client, owner, name=name, type="investment"))["id"])


# ---- the hand-checked portfolio ----

@dataclass(frozen=True)
class Book:
    account: str
    stock: str  # USD, split 2:1
    fund: str  # an ETF quoted in EUR
    unpriced: str  # held, never priced


async def hand_checked(client: httpx.AsyncClient, owner: UserHandle) -> Book:
    """Cash in USD: +10000 deposit, -1005 and -1205 buys (fees 5), +745 sell (5 at 150, fee 5), +25.50 dividend
    (30 less 4.50 tax), -10 fee, -10 buy of the unpriced one = 8540.50. The EUR buy (10 at 50 + 2 fee) has no
    EUR cash to pay it: an implicit deposit of 502 EUR, leaving 0 EUR."""
    account = await brokerage(client, owner)
    stock = (await create_security(client, owner, symbol="PF-STK", currency="USD"))["symbol"]
    fund = (await create_security(client, owner, symbol="PF-EUR", currency="EUR", security_type="etf"))["symbol"]
    unpriced = (await create_security(client, owner, symbol="PF-NOP", currency="USD"))["symbol"]
    await put_prices(client, owner, stock, {"2024-01-03": "100", "2024-02-01": "120", "2024-03-01": "150",
                                            "2024-04-30": "160", "2024-05-01": "81", "2024-06-28": "85"})
    await put_prices(client, owner, fund, {"2024-02-01": "50", "2024-06-28": "55"})
    await trade(client, owner, account, "deposit", "2024-01-02", amount="10000")
    await trade(client, owner, account, "buy", "2024-01-03", symbol=stock, quantity="10", price="100", fee="5")
    await trade(client, owner, account, "buy", "2024-02-01", symbol=stock, quantity="10", price="120", fee="5")
    await trade(client, owner, account, "buy", "2024-02-01", symbol=fund, quantity="10", price="50", fee="2")
    await trade(client, owner, account, "sell", "2024-03-01", symbol=stock, quantity="5", price="150", fee="5")
    await trade(client, owner, account, "dividend", "2024-03-15", symbol=stock, amount="30", tax="4.50")
    await trade(client, owner, account, "fee", "2024-04-01", amount="10")
    await trade(client, owner, account, "split", "2024-05-01", symbol=stock, split_ratio="2:1")
    await trade(client, owner, account, "buy", "2024-06-03", symbol=unpriced, quantity="1", price="10")
    return Book(account, stock, fund, unpriced)


def weights_sum_to_one(allocation: list[dict[str, str]]) -> None:
    assert sum(Decimal(item["weight"]) for item in allocation) == 1, allocation


async def test_a_hand_checked_portfolio_fifo(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    book = await hand_checked(client, owner)
    eur_now = Decimal(await exchange_rate(client, owner, "EUR", "USD", TODAY.isoformat()))
    eur_bought = Decimal(await exchange_rate(client, owner, "EUR", "USD", "2024-02-01"))
    assert (eur_now, eur_bought) == (Decimal("1.0705"), Decimal("1.0814"))  # the ECB fixings of 06-28 and 02-01

    body = await read_json(client, owner, "/portfolio")
    assert (body["date"], body["currency"], body["cost_method"]) == ("2024-06-30", "USD", "fifo")
    holdings = {h["symbol"]: h for h in body["holdings"]}
    assert list(holdings) == [book.fund, book.unpriced, book.stock]  # by symbol
    stock = holdings[book.stock]
    # 2:1 split: 15 held become 30; FIFO keeps 5 of the first lot (502.50) and the second (1205.00)
    assert {k: stock[k] for k in ("account_id", "quantity", "price", "price_date", "market_value", "cost_basis",
                                  "unrealized_gain", "unrealized_gain_percent", "realized_gain", "income")} == {
        "account_id": book.account, "quantity": "30", "price": "85.00000000", "price_date": "2024-06-28",
        "market_value": "2550.00", "cost_basis": "1707.50", "unrealized_gain": "842.50",
        "unrealized_gain_percent": "49.34", "realized_gain": "242.50", "income": "30.00"}
    fund = holdings[book.fund]
    cost = money(Decimal(502) * eur_bought)  # 542.8628: cost at the trade date's rate
    value = money(10 * Decimal(55) * eur_now)  # 588.775, half-even to 588.78: value at the latest rate
    assert (cost, value) == ("542.86", "588.78")
    assert (fund["quantity"], fund["price"], fund["security_currency"], fund["market_value"], fund["cost_basis"],
            fund["unrealized_gain"], fund["realized_gain"]) == \
        ("10", "55.00000000", "EUR", value, cost, "45.92", "0.00")
    unpriced = holdings[book.unpriced]
    assert (unpriced["price"], unpriced["market_value"], unpriced["cost_basis"], unpriced["unrealized_gain"]) == \
        (None, None, "10.00", None)
    assert body["missing_prices"] == [book.unpriced]
    # the EUR balance is 0 (the buy's implicit deposit paid it exactly): only USD cash is listed
    assert body["cash"] == [{"account_id": book.account, "currency": "USD", "amount": "8540.50"}]
    assert body["totals"] == {
        "market_value": "3138.78", "cash": "8540.50", "total_value": "11679.28", "cost_basis": "2260.36",
        # the percentage is of the cost of the holdings whose gain is known: 888.42 / (2260.36 - 10.00)
        "unrealized_gain": "888.42", "unrealized_gain_percent": "39.48", "realized_gain": "242.50",
        "income": "30.00"}
    allocation = body["allocation"]
    assert [(a["key"], a["market_value"], a["weight"]) for a in allocation["by_security_type"]] == [
        ("cash", "8540.50", "0.7312522690"), ("stock", "2550.00", "0.2183353768"),
        ("etf", "588.78", "0.0504123542")]
    assert [(a["key"], a["market_value"], a["weight"]) for a in allocation["by_currency"]] == [
        ("USD", "11090.50", "0.9495876458"), ("EUR", "588.78", "0.0504123542")]
    assert [(a["key"], a["market_value"], a["weight"]) for a in allocation["by_account"]] == [
        (book.account, "11679.28", "1.0000000000")]
    for breakdown in allocation.values():
        weights_sum_to_one(breakdown)


async def test_the_hand_checked_portfolios_flows_income_fees_and_taxes(client: httpx.AsyncClient,
                                                                       make_user: MakeUser) -> None:
    owner = await make_user()
    await hand_checked(client, owner)
    body = await read_json(client, owner, "/portfolio/performance", start_date="2024-01-01")
    # deposits: 10000 and the implicit 502 EUR at 1.0814 (542.8628); fees: 5 + 5 + 2 EUR (2.1628) + 5 + 10;
    # the dividend's tax; the FIFO gain of the sale; the value of 2024-06-30 (11679.275, rounded once)
    assert {k: body[k] for k in ("start_date", "end_date", "start_value", "end_value", "deposits", "withdrawals",
                                 "income", "fees", "taxes", "realized_gain", "unrealized_gain")} == {
        "start_date": "2024-01-01", "end_date": "2024-06-30", "start_value": "0.00", "end_value": "11679.28",
        "deposits": "10542.86", "withdrawals": "0.00", "income": "30.00", "fees": "27.16", "taxes": "4.50",
        "realized_gain": "242.50",
        # 842.50 + 45.9122 rounded once; /portfolio's total adds the holdings' rounded gains: 888.42
        "unrealized_gain": "888.41"}
    assert body["twr_annualized"] is None and body["mwr"] is not None


async def test_the_average_cost_method_realises_and_keeps_another_cost(client: httpx.AsyncClient,
                                                                       make_user: MakeUser) -> None:
    owner = await make_user()
    book = await hand_checked(client, owner)
    body = await read_json(client, owner, "/portfolio", cost_method="average")
    assert body["cost_method"] == "average"
    stock = next(h for h in body["holdings"] if h["symbol"] == book.stock)
    # average cost 2210 / 20 = 110.50 a unit: the 5 sold cost 552.50 (745 - 552.50 = 192.50 realised)
    assert (stock["quantity"], stock["cost_basis"], stock["unrealized_gain"], stock["realized_gain"]) == \
        ("30", "1657.50", "892.50", "192.50")
    assert (body["totals"]["cost_basis"], body["totals"]["unrealized_gain"], body["totals"]["realized_gain"]) == \
        ("2210.36", "938.42", "192.50")
    # what does not depend on the method is the same
    fifo = await read_json(client, owner, "/portfolio", cost_method="fifo")
    assert (body["cash"], body["totals"]["market_value"], body["allocation"]) == \
        (fifo["cash"], fifo["totals"]["market_value"], fifo["allocation"])
    r = await client.get(f"{V1}/portfolio", params={"cost_method": "lifo"}, headers=owner.headers)
    assert r.status_code == 422


async def test_a_split_doubles_the_quantity_from_its_date_and_leaves_earlier_values(
        client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    account = await brokerage(client, owner)
    symbol = (await create_security(client, owner, symbol="PF-SPL"))["symbol"]
    await put_prices(client, owner, symbol, {"2024-03-01": "100", "2024-03-04": "50"})
    await trade(client, owner, account, "buy", "2024-03-01", symbol=symbol, quantity="10", price="100")
    await trade(client, owner, account, "split", "2024-03-04", symbol=symbol, split_ratio="2:1")
    history = await read_json(client, owner, "/portfolio/history", start_date="2024-03-01",
                              end_date="2024-03-05", interval="day")
    # before the split: 10 at the quoted 100 (never adjusted); from it on: 20 at 50
    assert [(p["date"], p["market_value"], p["twr_index"]) for p in history["points"]] == [
        ("2024-03-01", "1000.00", "1.0000000000"), ("2024-03-02", "1000.00", "1.0000000000"),
        ("2024-03-03", "1000.00", "1.0000000000"), ("2024-03-04", "1000.00", "1.0000000000"),
        ("2024-03-05", "1000.00", "1.0000000000")]
    held = (await read_json(client, owner, f"/accounts/{account}/holdings"))["items"]
    assert [(h["symbol"], h["quantity"], h["cost_basis"]) for h in held] == [(symbol, "20", "1000.00")]
    body = await read_json(client, owner, "/portfolio")
    assert [(h["quantity"], h["price"], h["cost_basis"], h["market_value"]) for h in body["holdings"]] == \
        [("20", "50.00000000", "1000.00", "1000.00")]
    balance = await read_json(client, owner, f"/accounts/{account}/balance", date="2024-03-03")
    assert balance["balance"] == "1000.00"
    prices = (await read_json(client, owner, f"/securities/{symbol}/prices"))["prices"]
    assert [p["close"] for p in prices] == ["100.00000000", "50.00000000"]  # stored as quoted


# ---- opening lots ----

async def test_an_opening_lot_with_a_date_is_a_buy_at_that_cost_that_day(client: httpx.AsyncClient,
                                                                          make_user: MakeUser) -> None:
    owner = await make_user()
    entered, bought = await brokerage(client, owner, "Entered"), await brokerage(client, owner, "Bought")
    symbol = (await create_security(client, owner, symbol="PF-OPN"))["symbol"]
    await put_prices(client, owner, symbol, {"2024-01-10": "100", "2024-03-01": "130"})
    await create_holding(client, owner, entered, symbol=symbol, quantity="10", cost_basis="1000",
                         acquired_on="2024-01-10")
    await trade(client, owner, bought, "buy", "2024-01-10", symbol=symbol, quantity="10", price="100")
    for account in (entered, bought):
        await trade(client, owner, account, "sell", "2024-03-01", symbol=symbol, quantity="4", price="130")
    seen = []
    for account in (entered, bought):
        body = await read_json(client, owner, "/portfolio", account_id=account)
        (holding,) = body["holdings"]
        seen.append((holding["quantity"], holding["cost_basis"], holding["market_value"],
                     holding["unrealized_gain"], holding["realized_gain"]))
        performance = await read_json(client, owner, "/portfolio/performance", account_id=account,
                                      start_date="2024-01-09", end_date="2024-06-30")
        # the lot arrives from outside valued at the close of its day, as the buy's implicit deposit
        assert (performance["start_value"], performance["deposits"], performance["end_value"],
                performance["twr"]) == ("0.00", "1000.00", "1300.00", "0.3000000000")
        before = await read_json(client, owner, f"/accounts/{account}/balance", date="2024-01-09")
        assert before["balance"] == "0.00"  # not held before it was acquired
    # 600 of 6 left at 100 each; 4 sold at 130 realise 120
    assert seen == [("6", "600.00", "780.00", "180.00", "120.00")] * 2


async def test_an_opening_lot_without_a_date_is_held_since_before_anything(client: httpx.AsyncClient,
                                                                          make_user: MakeUser) -> None:
    owner = await make_user()
    account = await brokerage(client, owner)
    old_symbol, new_symbol, traded_symbol = [(await create_security(client, owner, symbol=f"PF-{name}"))["symbol"]
                                             for name in ("OLD", "NEW", "TRD")]
    await put_prices(client, owner, old_symbol, {"2022-06-01": "40", "2024-06-28": "50"})
    await put_prices(client, owner, new_symbol, {"2022-06-01": "7"})
    await put_prices(client, owner, traded_symbol, {"2024-03-01": "20"})
    await create_holding(client, owner, account, symbol=old_symbol, quantity="10", cost_basis="300")
    await create_holding(client, owner, account, symbol=new_symbol, quantity="100", cost_basis="700",
                         acquired_on="2024-02-01")
    await trade(client, owner, account, "buy", "2024-03-01", symbol=traded_symbol, quantity="5", price="20")
    # long before the account's first activity, the undated lot is held (10 at 40); the dated one is not
    worth = await read_json(client, owner, "/reports/net-worth", date="2023-01-31")
    assert worth["total"] == "400.00"
    assert [(a["account_id"], a["value"]) for a in worth["accounts"]] == [(account, "400.00")]
    worth = await read_json(client, owner, "/reports/net-worth", date="2024-02-15")
    assert worth["total"] == "1100.00"  # 400 + 100 at 7
    assert (await read_json(client, owner, f"/accounts/{account}/balance", date="2021-01-01"))["balance"] == \
        "0.00"  # before its first price, a holding is worth nothing
    body = await read_json(client, owner, "/portfolio")
    assert [(h["symbol"], h["cost_basis"], h["market_value"]) for h in body["holdings"]] == [
        (new_symbol, "700.00", "700.00"), (old_symbol, "300.00", "500.00"), (traded_symbol, "100.00", "100.00")]


# ---- what may not be written ----

async def test_selling_more_than_is_held_is_refused_and_writes_nothing(client: httpx.AsyncClient,
                                                                        make_user: MakeUser) -> None:
    owner = await make_user()
    account = await brokerage(client, owner)
    symbol = (await create_security(client, owner, symbol="PF-QTY"))["symbol"]
    await trade(client, owner, account, "buy", "2024-03-01", symbol=symbol, quantity="10", price="10")
    url = f"{V1}/accounts/{account}/investment-transactions"
    before = (await client.get(url, headers=owner.headers)).json()
    for day, quantity in (("2024-03-05", "10.00000001"), ("2024-02-29", "1")):  # too many; before the buy
        r = await client.post(url, json={"type": "sell", "date": day, "symbol": symbol, "quantity": quantity,
                                         "price": "10"}, headers=owner.headers)
        assert r.status_code == 422 and error_code(r) == "INSUFFICIENT_QUANTITY", r.text
        assert Decimal(r.json()["error"]["details"]["wanted"]) == Decimal(quantity)
    r = await client.post(url, json={"type": "transfer_out", "date": "2024-03-05", "symbol": symbol,
                                     "quantity": "11", "counter_account_id": await brokerage(client, owner, "Other")},
                          headers=owner.headers)
    assert r.status_code == 422 and error_code(r) == "INSUFFICIENT_QUANTITY"
    assert (await client.get(url, headers=owner.headers)).json() == before
    body = await read_json(client, owner, "/portfolio")
    assert [(h["quantity"], h["realized_gain"]) for h in body["holdings"]] == [("10", "0.00")]
    # a backdated buy covers the backdated sale, and deleting that buy again is refused
    buy = await trade(client, owner, account, "buy", "2024-02-01", symbol=symbol, quantity="1", price="8")
    await trade(client, owner, account, "sell", "2024-02-29", symbol=symbol, quantity="1", price="9")
    r = await client.delete(f"{url}/{buy['id']}", headers=owner.headers)
    assert r.status_code == 422 and error_code(r) == "INSUFFICIENT_QUANTITY"
    assert len((await client.get(url, headers=owner.headers)).json()["items"]) == 3


# ---- transfers of securities ----

async def test_a_transfer_of_securities_keeps_lots_and_is_a_flow_only_of_each_account(
        client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    source, target = await brokerage(client, owner, "Source"), await brokerage(client, owner, "Target")
    symbol = (await create_security(client, owner, symbol="PF-TRF"))["symbol"]
    await put_prices(client, owner, symbol, {"2024-01-02": "10", "2024-02-01": "20", "2024-04-01": "40"})
    await trade(client, owner, source, "deposit", "2024-01-02", amount="300")
    await trade(client, owner, source, "buy", "2024-01-02", symbol=symbol, quantity="10", price="10")
    await trade(client, owner, source, "buy", "2024-02-01", symbol=symbol, quantity="10", price="20")
    out = await trade(client, owner, source, "transfer_out", "2024-03-01", symbol=symbol, quantity="15",
                      counter_account_id=target)
    assert (out["counter_account_id"], out["transfer_id"] is not None) == (target, True)
    received = (await client.get(f"{V1}/accounts/{target}/investment-transactions", headers=owner.headers)).json()
    assert [(t["type"], t["quantity"], t["transfer_id"]) for t in received["items"]] == \
        [("transfer_in", "15", out["transfer_id"])]
    # FIFO lots move with their costs: 10 at 10 and 5 of the 20s; the source keeps 5 at 20
    positions = {}
    for account in (source, target):
        body = await read_json(client, owner, "/portfolio", account_id=account)
        (holding,) = body["holdings"]
        positions[account] = (holding["quantity"], holding["cost_basis"])
    assert positions == {source: ("5", "100.00"), target: ("15", "200.00")}
    # by the average method the 15 take the average cost with them: 300 / 20 = 15 a unit
    for account, expected in ((source, ("5", "75.00")), (target, ("15", "225.00"))):
        (holding,) = (await read_json(client, owner, "/portfolio", account_id=account, cost_method="average"))[
            "holdings"]
        assert (holding["quantity"], holding["cost_basis"]) == expected
    # the target's sale consumes the oldest lot (bought at 10), not a lot dated the day of the transfer
    await trade(client, owner, target, "sell", "2024-04-01", symbol=symbol, quantity="10", price="40")
    (holding,) = (await read_json(client, owner, "/portfolio", account_id=target))["holdings"]
    assert (holding["quantity"], holding["cost_basis"], holding["realized_gain"]) == ("5", "100.00", "300.00")
    (holding,) = (await read_json(client, owner, "/portfolio", account_id=target, cost_method="average"))["holdings"]
    assert (holding["quantity"], holding["cost_basis"], holding["realized_gain"]) == ("5", "75.00", "250.00")

    def flows(p: dict[str, str]) -> tuple[str, str]:
        return p["deposits"], p["withdrawals"]

    whole = await read_json(client, owner, "/portfolio/performance", start_date="2024-01-01", end_date="2024-06-30")
    assert flows(whole) == ("300.00", "0.00")  # the transfer stays inside the portfolio
    at_source = await read_json(client, owner, "/portfolio/performance", account_id=source,
                                start_date="2024-01-01", end_date="2024-06-30")
    at_target = await read_json(client, owner, "/portfolio/performance", account_id=target,
                                start_date="2024-01-01", end_date="2024-06-30")
    # 15 leave the source and reach the target valued at the close of 2024-03-01 (20 carried from 02-01)
    assert flows(at_source) == ("300.00", "300.00") and flows(at_target) == ("300.00", "0.00")
    assert Decimal(whole["end_value"]) == Decimal(at_source["end_value"]) + Decimal(at_target["end_value"])


# ---- performance ----

async def twice_ten_percent(client: httpx.AsyncClient, owner: UserHandle) -> tuple[str, str]:
    """Deposit 1000 and buy 10 at 100 (2023-01-02); the price reaches 110 (value 1100); deposit 1100 and buy 10
    at 110 (2023-07-03); the price reaches 121 on 2024-01-02 (value 2420). TWR = 1.1 x 1.1 - 1 = 0.21."""
    account = await brokerage(client, owner)
    symbol = (await create_security(client, owner, symbol="PF-TWR"))["symbol"]
    await put_prices(client, owner, symbol, {"2023-01-02": "100", "2023-06-30": "110", "2024-01-02": "121"})
    await trade(client, owner, account, "deposit", "2023-01-02", amount="1000")
    await trade(client, owner, account, "buy", "2023-01-02", symbol=symbol, quantity="10", price="100")
    await trade(client, owner, account, "deposit", "2023-07-03", amount="1100")
    await trade(client, owner, account, "buy", "2023-07-03", symbol=symbol, quantity="10", price="110")
    return account, symbol


async def test_a_hand_checked_time_weighted_return(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    account, _ = await twice_ten_percent(client, owner)
    year = await read_json(client, owner, "/portfolio/performance", start_date="2023-01-02", end_date="2024-01-02")
    # values at the close of the start day: its deposit is before the period
    assert {k: year[k] for k in ("start_date", "end_date", "currency", "start_value", "end_value", "deposits",
                                 "withdrawals", "income", "fees", "taxes", "realized_gain", "unrealized_gain",
                                 "twr", "twr_annualized")} == {
        "start_date": "2023-01-02", "end_date": "2024-01-02", "currency": "USD", "start_value": "1000.00",
        "end_value": "2420.00", "deposits": "1100.00", "withdrawals": "0.00", "income": "0.00", "fees": "0.00",
        "taxes": "0.00", "realized_gain": "0.00", "unrealized_gain": "320.00", "twr": "0.2100000000",
        "twr_annualized": "0.2100000000"}  # 365 days: annualised, and over exactly a year the same
    expected = pyxirr.xirr([dt.date(2023, 1, 2), dt.date(2023, 7, 3), dt.date(2024, 1, 2)], [-1000, -1100, 2420],
                           day_count=pyxirr.DayCount.ACT_365F)
    assert year["mwr"] is not None and year["mwr_note"] is None
    assert abs(Decimal(year["mwr"]) - Decimal(repr(expected))) < Decimal("1e-9")
    assert Decimal("0.2") < Decimal(year["mwr"]) < Decimal("0.21")  # more money worked in the slower half
    # one day short of a year: no annualised figure
    short = await read_json(client, owner, "/portfolio/performance", start_date="2023-01-02", end_date="2024-01-01")
    assert (short["twr"], short["twr_annualized"]) == ("0.1000000000", None)
    # from the day before anything: the first deposit is a flow of the period; the index is the same
    whole = await read_json(client, owner, "/portfolio/performance", start_date="2023-01-01", end_date="2024-01-02")
    assert (whole["start_value"], whole["deposits"], whole["twr"]) == ("0.00", "2100.00", "0.2100000000")
    # the account alone is the portfolio here; the default range starts at the first activity
    alone = await read_json(client, owner, "/portfolio/performance", account_id=account, end_date="2024-01-02")
    assert {k: alone[k] for k in ("start_date", "start_value", "deposits", "twr")} == \
        {"start_date": "2023-01-02", "start_value": "1000.00", "deposits": "1100.00", "twr": "0.2100000000"}
    # a range that starts and ends on the same day has no length: no mwr, and says why
    same = await read_json(client, owner, "/portfolio/performance", start_date="2023-07-03", end_date="2023-07-03")
    assert (same["twr"], same["mwr"]) == ("0.0000000000", None) and same["mwr_note"]


async def test_the_performance_of_one_security(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    account = await brokerage(client, owner)
    symbol, other = (await create_security(client, owner, symbol="PF-ONE"))["symbol"], \
        (await create_security(client, owner, symbol="PF-TWO"))["symbol"]
    await put_prices(client, owner, symbol, {"2024-03-01": "100", "2024-03-03": "110"})
    await put_prices(client, owner, other, {"2024-03-01": "10", "2024-03-03": "5"})
    await trade(client, owner, account, "deposit", "2024-03-01", amount="5000")
    await trade(client, owner, account, "buy", "2024-03-01", symbol=symbol, quantity="10", price="100", fee="1")
    await trade(client, owner, account, "buy", "2024-03-01", symbol=other, quantity="100", price="10")
    await trade(client, owner, account, "dividend", "2024-03-02", symbol=symbol, amount="20", tax="3")
    await trade(client, owner, account, "sell", "2024-03-03", symbol=symbol, quantity="5", price="110", fee="2")
    body = await read_json(client, owner, "/portfolio/performance", symbol=symbol.lower(), start_date="2024-02-29",
                           end_date="2024-03-04")
    # in: the buy (1000 + 1 fee); out: the dividend gross (20) and the sale net (550 - 2)
    assert {k: body[k] for k in ("start_value", "end_value", "deposits", "withdrawals", "income", "fees", "taxes",
                                 "realized_gain", "unrealized_gain")} == {
        "start_value": "0.00", "end_value": "550.00", "deposits": "1001.00", "withdrawals": "568.00",
        "income": "20.00", "fees": "3.00", "taxes": "3.00", "realized_gain": "47.50", "unrealized_gain": "49.50"}
    # 03-02: (1000 + 20) / 1000; 03-03: (550 + 548) / 1000 (the buy's fee is lost on 03-01: 1000 / 1001)
    assert body["twr"] == "0.1188411588"  # 1000 / 1001 x 1.02 x 1.098 - 1
    # the whole portfolio: the deposit only; the other security's loss is in it
    whole = await read_json(client, owner, "/portfolio/performance", start_date="2024-02-29", end_date="2024-03-04")
    assert (whole["deposits"], whole["withdrawals"], whole["end_value"]) == ("5000.00", "0.00", "4614.00")


async def test_performance_refuses_a_bad_range_symbol_or_account(client: httpx.AsyncClient,
                                                                 make_user: MakeUser) -> None:
    owner = await make_user()
    await twice_ten_percent(client, owner)
    checking = await create_account(client, owner)
    cases = [({"start_date": "2024-02-01", "end_date": "2024-01-31"}, "query.start_date"),
             ({"symbol": "PF-NOSUCH"}, "query.symbol"),
             ({"account_id": checking["id"]}, "query.account_id")]
    for params, field in cases:
        r = await client.get(f"{V1}/portfolio/performance", params=params, headers=owner.headers)
        assert r.status_code == 422, (params, r.text)
        assert r.json()["error"]["details"]["errors"][0]["field"] == field, r.text
    r = await client.get(f"{V1}/portfolio/history", params={"account_id": checking["id"]}, headers=owner.headers)
    assert r.status_code == 422


# ---- history ----

async def test_history_points_flows_and_index(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    await twice_ten_percent(client, owner)
    weekly = await read_json(client, owner, "/portfolio/history", start_date="2023-06-25", end_date="2023-07-12",
                             interval="week")
    assert (weekly["start_date"], weekly["end_date"], weekly["interval"]) == ("2023-06-25", "2023-07-12", "week")
    # Sundays, and the range's last day; the deposit of 07-03 in the week to 07-09
    assert [(p["date"], p["market_value"], p["net_flows"], p["twr_index"]) for p in weekly["points"]] == [
        ("2023-06-25", "1000.00", "0.00", "1.0000000000"), ("2023-07-02", "1100.00", "0.00", "1.1000000000"),
        ("2023-07-09", "2200.00", "1100.00", "1.1000000000"), ("2023-07-12", "2200.00", "0.00", "1.1000000000")]

    monthly = await read_json(client, owner, "/portfolio/history", start_date="2023-01-01", end_date="2024-01-02",
                              interval="month")
    points = monthly["points"]
    assert [p["date"] for p in points] == [
        *(d.isoformat() for d in month_ends(dt.date(2023, 1, 1), dt.date(2023, 12, 31))), "2024-01-02"]
    assert sum(Decimal(p["net_flows"]) for p in points) == Decimal("2100.00")
    assert [p["net_flows"] for p in points if p["net_flows"] != "0.00"] == ["1000.00", "1100.00"]
    assert (points[-1]["market_value"], points[-1]["twr_index"]) == ("2420.00", "1.2100000000")
    performance = await read_json(client, owner, "/portfolio/performance", start_date="2023-01-01",
                                  end_date="2024-01-02")
    assert Decimal(points[-1]["twr_index"]) - 1 == Decimal(performance["twr"])
    assert Decimal(performance["deposits"]) - Decimal(performance["withdrawals"]) == Decimal("2100.00")

    daily = await read_json(client, owner, "/portfolio/history", start_date="2023-07-01", end_date="2023-07-04")
    assert daily["interval"] == "day"  # the default
    assert [(p["date"], p["net_flows"], p["twr_index"]) for p in daily["points"]] == [
        ("2023-07-01", "0.00", "1.0000000000"), ("2023-07-02", "0.00", "1.0000000000"),
        ("2023-07-03", "1100.00", "1.0000000000"), ("2023-07-04", "0.00", "1.0000000000")]
    # an index that starts at 1 on any day matches performance over the same range
    for start, end in (("2023-03-15", "2023-12-31"), ("2023-06-29", "2023-07-03")):
        history = await read_json(client, owner, "/portfolio/history", start_date=start, end_date=end)
        performance = await read_json(client, owner, "/portfolio/performance", start_date=start, end_date=end)
        assert history["points"][0]["twr_index"] == "1.0000000000"
        assert Decimal(history["points"][-1]["twr_index"]) - 1 == Decimal(performance["twr"])


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    return [day for day in days if (day + dt.timedelta(days=1)).day == 1]


# ---- who may write ----

async def test_sub_users_read_the_portfolio_and_may_not_trade(client: httpx.AsyncClient,
                                                              make_user: MakeUser) -> None:
    owner = await make_user(Role.business)
    sub = await make_user(Role.sub_user, business=owner)
    book = await hand_checked(client, owner)
    seen_by_sub = await read_json(client, sub, "/portfolio")
    assert seen_by_sub == await read_json(client, owner, "/portfolio")
    assert seen_by_sub["totals"]["total_value"] == "11679.28"
    url = f"{V1}/accounts/{book.account}/investment-transactions"
    listed = (await client.get(url, headers=sub.headers)).json()
    assert listed["total"] == 9
    r = await client.post(url, json={"type": "deposit", "date": "2024-06-03", "amount": "1"}, headers=sub.headers)
    assert r.status_code == 403 and error_code(r) == "FORBIDDEN"
    r = await client.post(f"{V1}/accounts/{book.account}/holdings",
                          json={"symbol": book.stock, "quantity": "1", "cost_basis": "1"}, headers=sub.headers)
    assert r.status_code == 403
    r = await client.delete(f"{url}/{listed['items'][0]['id']}", headers=sub.headers)
    assert r.status_code == 403
    assert (await client.get(url, headers=sub.headers)).json() == listed
    stranger = await make_user()
    assert (await read_json(client, stranger, "/portfolio"))["holdings"] == []
