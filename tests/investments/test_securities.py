"""Securities and prices: shared reference data, symbols unique in any case, prices upserted per date."""

import httpx

from colony.core.tenancy import Role
from tests.factories import V1, MakeUser, create_security, error_code, put_prices


async def test_symbols_are_unique_in_any_case_and_shared(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner, other = await make_user(), await make_user()
    security = await create_security(client, owner, symbol="VWRL.AS", name="Vanguard FTSE All-World",
                                     security_type="etf", exchange="AMS", currency="EUR")
    r = await client.post(f"{V1}/securities", json={"symbol": "vwrl.as", "name": "x", "currency": "EUR"},
                          headers=other.headers)
    assert r.status_code == 409 and error_code(r) == "SECURITY_EXISTS"
    r = await client.get(f"{V1}/securities/vwrl.AS", headers=other.headers)  # another tenant reads it too
    assert r.status_code == 200 and r.json()["id"] == security["id"]
    r = await client.get(f"{V1}/securities/NOPE", headers=owner.headers)
    assert r.status_code == 404 and error_code(r) == "SECURITY_NOT_FOUND"
    r = await client.post(f"{V1}/securities", json={"symbol": "A B", "name": "x", "currency": "EUR"},
                          headers=owner.headers)
    assert r.status_code == 422
    sub = await make_user(Role.sub_user, business=await make_user(Role.business))
    r = await client.post(f"{V1}/securities", json={"symbol": "SUB", "name": "x", "currency": "EUR"},
                          headers=sub.headers)
    assert r.status_code == 403


async def test_search_by_symbol_or_name(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    await create_security(client, owner, symbol="QQQX", name="Nasdaq Trak Fund")
    await create_security(client, owner, symbol="TRAK", name="Tracking Systems")
    r = await client.get(f"{V1}/securities/search", params={"query": "trak"}, headers=owner.headers)
    # both match (a name, a symbol); the exact symbol first, though QQQX sorts before it
    assert [s["symbol"] for s in r.json()["items"]] == ["TRAK", "QQQX"]
    r = await client.get(f"{V1}/securities/search", params={"query": "NASDAQ"}, headers=owner.headers)
    assert [s["symbol"] for s in r.json()["items"]] == ["QQQX"]
    r = await client.get(f"{V1}/securities/search", params={"query": "100%_"}, headers=owner.headers)
    assert r.json()["items"] == []  # wildcards typed match themselves


async def test_prices_upsert_per_date_and_build_intervals(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    symbol = (await create_security(client, owner))["symbol"]
    url = f"{V1}/securities/{symbol}/prices"
    rows = [{"date": "2024-03-04", "open": "10", "high": "12", "low": "9.5", "close": "11", "volume": 100},
            {"date": "2024-03-05", "open": "11", "high": "13", "low": "10", "close": "12.5", "volume": 50},
            {"date": "2024-03-11", "close": "14"},
            {"date": "2024-04-02", "close": "15.12345678"}]
    r = await client.post(url, json=rows, headers=owner.headers)
    assert r.status_code == 200 and r.json() == {"symbol": symbol, "stored": 4, "first_date": "2024-03-04",
                                                 "last_date": "2024-04-02"}
    await put_prices(client, owner, symbol, {"2024-03-11": "13.5"})  # a date again: replaced
    daily = (await client.get(url, headers=owner.headers)).json()
    assert [(p["date"], p["close"]) for p in daily["prices"]] == [
        ("2024-03-04", "11.00000000"), ("2024-03-05", "12.50000000"), ("2024-03-11", "13.50000000"),
        ("2024-04-02", "15.12345678")]
    weekly = (await client.get(url, params={"interval": "1wk"}, headers=owner.headers)).json()["prices"]
    first = weekly[0]
    assert (first["date"], first["open"], first["high"], first["low"], first["close"], first["volume"]) == \
        ("2024-03-04", "10.00000000", "13.00000000", "9.50000000", "12.50000000", 150)
    monthly = (await client.get(url, params={"interval": "1mo", "start_date": "2024-03-05"},
                                headers=owner.headers)).json()["prices"]
    assert [(p["date"], p["close"]) for p in monthly] == [("2024-03-01", "13.50000000"),
                                                          ("2024-04-01", "15.12345678")]
    for bad in ([{"date": "2024-03-04", "close": "-1"}], [{"date": "2024-03-04", "close": "1.123456789"}],
                [{"date": "2024-03-04", "close": "1", "high": "1", "low": "2"}]):
        assert (await client.post(url, json=bad, headers=owner.headers)).status_code == 422, bad
    r = await client.get(url, params={"start_date": "2024-04-01", "end_date": "2024-03-01"}, headers=owner.headers)
    assert r.status_code == 422


async def test_posting_to_a_symbol_creates_it_then_replaces_its_metadata(client: httpx.AsyncClient,
                                                                         make_user: MakeUser) -> None:
    owner = await make_user()
    url = f"{V1}/securities/bndx"
    r = await client.post(url, json={"name": "Bond Index", "security_type": "etf", "currency": "USD"},
                          headers=owner.headers)
    assert r.status_code == 201 and (r.json()["symbol"], r.json()["security_type"]) == ("bndx", "etf")
    r = await client.post(f"{V1}/securities/BNDX", json={"name": "Total Bond Index", "security_type": "bond",
                                                         "exchange": "NASDAQ", "currency": "USD"},
                          headers=owner.headers)
    assert r.status_code == 200
    assert (r.json()["name"], r.json()["security_type"], r.json()["exchange"]) == ("Total Bond Index", "bond", "NASDAQ")
    r = await client.post(url, json={"name": "x", "currency": "EUR"}, headers=owner.headers)
    assert r.status_code == 409 and error_code(r) == "SECURITY_CURRENCY_MISMATCH"
    r = await client.post(url, json={"symbol": "OTHER", "name": "x", "currency": "USD"}, headers=owner.headers)
    assert r.status_code == 422
    r = await client.post(f"{V1}/securities/a%20b", json={"name": "x", "currency": "USD"}, headers=owner.headers)
    assert r.status_code == 422
    assert (await client.get(url, headers=owner.headers)).json()["name"] == "Total Bond Index"
