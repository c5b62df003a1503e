"""The stored portfolio state (investments/state) is right, and stays right: every figure the API reads from it
equals the figure computed from the facts on the spot (portfolio/computed.py), after a first build, after
writes that make it stale from some day on (investment transactions, prices, bookings, the base currency),
through the refresh job, and for one tenant only.

"Today" is fixed at 2024-06-30.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from colony.core import clock
from colony.core.db import Database
from colony.core.tenancy import Role, Tenant
from colony.exchange_rates import service as rate_service
from colony.investments import engine
from colony.investments.portfolio import book as books
from colony.investments.portfolio import computed
from colony.investments.portfolio.refresh import refresh, refresh_stale
from colony.investments.state import service as state_service
from colony.investments.state.models import PortfolioState
from tests.factories import (
    V1,
    MakeUser,
    UserHandle,
    create_account,
    create_holding,
    create_investment_transaction,
    create_security,
    create_transaction,
    create_transfer,
    put_prices,
    read_json,
)

TODAY = dt.date(2024, 6, 30)
RATES = ("twr", "twr_annualized", "mwr")  # floats inside: compared within a tolerance
HISTORY_FROM = "2024-02-01"  # after every first activity: a range both sides start alike
CENT = Decimal("0.01")
TWR_TOLERANCE = Decimal("1e-8")  # the stored index has 12 places
# A state continued from a stored day is the state computed in one go (the engine rounds as it stores).
TWR_AFTER_REFRESH = TWR_TOLERANCE
# Flows and values are stored to 6 decimals; the XIRR, which magnifies them most over short ranges, of those is
# the facts' to 1e-7 (a 45-day range of an account of a few hundred dollars is off by 1.3e-8 here).
MWR_TOLERANCE = Decimal("1e-7")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def database(app: FastAPI, client: httpx.AsyncClient) -> Database:
    """The app's database as the client's requests see it (inside the test's transaction)."""
    db: Database = app.state.database
    return db


def tenant_of(user: UserHandle, base_currency: str = "USD") -> Tenant:
    return Tenant(user_id=user.id, tenant_id=user.tenant_id, role=user.role, base_currency=base_currency)


async def header(database: Database, user: UserHandle) -> PortfolioState | None:
    async with database.reader() as session:
        return await state_service.header(session, user.tenant_id)


async def trade(client: httpx.AsyncClient, owner: UserHandle, account_id: str, type_: str, day: str,
                **body: Any) -> dict[str, Any]:
    return await create_investment_transaction(client, owner, account_id, type=type_, date=day, **body)


# ---- a portfolio with a bit of everything ----

@dataclass(frozen=True)
class Rich:
    main: str
    second: str
    checking: str
    stock: str
    fund: str


@dataclass(frozen=True)
class Quotes:
    """The securities (shared by every tenant) and their closes."""

    stock: str  # USD
    fund: str  # an ETF quoted in EUR


async def quotes(client: httpx.AsyncClient, owner: UserHandle) -> Quotes:
    stock = (await create_security(client, owner, symbol="ST-USD"))["symbol"]
    fund = (await create_security(client, owner, symbol="ST-EUR", currency="EUR", security_type="etf"))["symbol"]
    await put_prices(client, owner, stock, {
        "2024-01-08": "50", "2024-01-31": "52", "2024-02-29": "58", "2024-03-04": "60", "2024-03-28": "63",
        "2024-04-02": "21.5", "2024-04-30": "22", "2024-05-31": "23.4", "2024-06-28": "24.1"})
    await put_prices(client, owner, fund, {
        "2023-12-29": "19.5", "2024-01-15": "20", "2024-02-29": "20.5", "2024-03-28": "21.3", "2024-05-31": "21.9",
        "2024-06-28": "22.37"})
    return Quotes(stock, fund)


async def rich(client: httpx.AsyncClient, owner: UserHandle, market: Quotes | None = None) -> Rich:
    """Two investment accounts (one a retirement account): deposits, money moved in from a checking account,
    buys with fees, a EUR fund bought without EUR cash, a dividend with tax, a sale, a 3:1 split, securities
    moved between the accounts, opening lots with and without a date, a withdrawal and a fee."""
    market = market or await quotes(client, owner)
    stock, fund = market.stock, market.fund
    main = str((await create_account(client, owner, name="Main", type="investment"))["id"])
    second = str((await create_account(client, owner, name="Pension", type="retirement"))["id"])
    checking = str((await create_account(client, owner, name="Current"))["id"])
    await trade(client, owner, main, "deposit", "2024-01-05", amount="5000")
    await trade(client, owner, main, "buy", "2024-01-08", symbol=stock, quantity="20", price="50", fee="1")
    await trade(client, owner, main, "buy", "2024-01-15", symbol=fund, quantity="30", price="20", fee="1.50")
    await create_transfer(client, owner, from_account_id=checking, to_account_id=main, amount="1000",
                          date="2024-02-01")
    await trade(client, owner, main, "dividend", "2024-02-15", symbol=stock, amount="12", tax="1.80")
    await trade(client, owner, main, "sell", "2024-03-04", symbol=stock, quantity="5", price="60", fee="1")
    await trade(client, owner, main, "split", "2024-04-02", symbol=stock, split_ratio="3:1")
    await trade(client, owner, main, "transfer_out", "2024-04-15", symbol=stock, quantity="15",
                counter_account_id=second)
    await create_holding(client, owner, second, symbol=fund, quantity="5", cost_basis="90")
    await create_holding(client, owner, second, symbol=stock, quantity="4", cost_basis="80",
                         acquired_on="2024-03-20")
    await trade(client, owner, main, "withdrawal", "2024-05-02", amount="200")
    await trade(client, owner, second, "sell", "2024-06-03", symbol=stock, quantity="10", price="23")
    await trade(client, owner, main, "fee", "2024-05-31", amount="7.50")
    return Rich(main, second, checking, stock, fund)


# ---- the same figures, stored and computed ----

RANGES: list[tuple[str | None, str | None]] = [
    (None, None), ("2024-01-01", "2024-06-30"), ("2024-02-15", "2024-03-31"), ("2024-04-15", "2024-04-15"),
    ("2023-06-01", "2024-04-02"), ("2024-05-02", "2024-06-29")]


def as_shown(exact: Decimal) -> set[str]:
    """An exact amount rounded once to cents, as it should be shown; and, while the stored state rounds it twice
    (to 4 places, then to cents: test_a_value_is_rounded_once), as it is (5981.554964 shown 5981.56 in EUR)."""
    return {str(exact.quantize(CENT)), str(exact.quantize(Decimal("0.0001")).quantize(CENT))}


def day_of(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text is not None else None


async def assert_as_computed(database: Database, client: httpx.AsyncClient, user: UserHandle,
                             account_ids: list[str | None], base_currency: str = "USD",
                             ranges: list[tuple[str | None, str | None]] | None = None,
                             twr_tolerance: Decimal = TWR_TOLERANCE) -> None:
    """GET /portfolio (both methods) and /portfolio/performance over the ranges, for the whole portfolio and
    each account, as the API answers them (from the stored state) and as computed from the facts."""
    tenant = tenant_of(user, base_currency)
    tolerance = {"twr": twr_tolerance, "twr_annualized": twr_tolerance, "mwr": MWR_TOLERANCE}
    for account_id in account_ids:
        scope = uuid.UUID(account_id) if account_id is not None else None
        for method in engine.CostMethod:
            stored = await read_json(client, user, "/portfolio", cost_method=method.value, account_id=account_id)
            async with database.reader() as session:
                accounts = await books.portfolio_accounts(session, tenant, scope)
                expected = await computed.portfolio(session, tenant, accounts, method=method, day=TODAY)
            assert stored == expected.model_dump(mode="json"), (account_id, method)
        for start, end in ranges or RANGES:
            stored = await read_json(client, user, "/portfolio/performance", account_id=account_id,
                                     start_date=start, end_date=end)
            async with database.reader() as session:
                accounts = await books.portfolio_accounts(session, tenant, scope)
                from_facts = (await computed.performance(session, tenant, accounts, start=day_of(start),
                                                         end=day_of(end) or TODAY)).model_dump(mode="json")
            where = (account_id, start, end)
            for key in RATES:
                assert (stored[key] is None) == (from_facts[key] is None), (where, key, stored, from_facts)
                if stored[key] is not None:
                    assert abs(Decimal(stored[key]) - Decimal(from_facts[key])) < tolerance[key], (where, key)
            assert {k: v for k, v in stored.items() if k not in RATES} == \
                {k: v for k, v in from_facts.items() if k not in RATES}, where
        history = await read_json(client, user, "/portfolio/history", account_id=account_id, start_date=HISTORY_FROM,
                                  interval="week")
        async with database.reader() as session:
            accounts = await books.portfolio_accounts(session, tenant, scope)
            days = {day.date: day for day in await computed.daily(session, tenant, accounts,
                                                                  start=dt.date.fromisoformat(HISTORY_FROM), end=TODAY)}
        first = days[dt.date.fromisoformat(HISTORY_FROM)]
        for point in history["points"]:
            day = days[dt.date.fromisoformat(point["date"])]
            assert point["market_value"] in as_shown(day.market_value), (account_id, point, day.market_value)
            assert abs(Decimal(point["twr_index"]) - Decimal(repr(day.index / first.index))) < twr_tolerance, point
        flows = sum((Decimal(p["net_flows"]) for p in history["points"]), Decimal(0))
        last = days[TODAY]
        # the first point's own flows are before the range, as in performance
        net = (last.cum_inflow - last.cum_outflow) - (first.cum_inflow - first.cum_outflow)
        assert flows == net.quantize(CENT), account_id


async def assert_days_as_computed(database: Database, user: UserHandle, scope_ids: list[uuid.UUID],
                                  base_currency: str = "USD", twr_tolerance: Decimal = TWR_TOLERANCE) -> None:
    """Every stored day of these scopes equals the day computed from scratch (at the columns' scales)."""
    tenant = tenant_of(user, base_currency)
    async with database.reader() as session:
        for scope_id in scope_ids:
            accounts = await books.portfolio_accounts(session, tenant, None if scope_id == user.tenant_id
                                                      else scope_id)
            fresh = await computed.daily(session, tenant, accounts, start=None, end=TODAY)
            rows = await state_service.days_between(session, user.tenant_id, scope_id, fresh[0].date, TODAY)
            assert [row.date for row in rows] == [day.date for day in fresh]
            for row, day in zip(rows, fresh, strict=True):
                expected = state_service.day_row(scope_id, day)
                stored = state_service.day_row(scope_id, state_service.day_state(row))
                assert stored[:-1] == expected[:-1], (scope_id, day.date)
                assert abs(stored[-1] - expected[-1]) < twr_tolerance, (scope_id, day.date)


async def test_every_stored_figure_equals_the_one_computed_from_the_facts(
        client: httpx.AsyncClient, make_user: MakeUser, database: Database) -> None:
    owner = await make_user()
    book = await rich(client, owner)
    assert await header(database, owner) is None  # nothing read yet: no state
    await assert_as_computed(database, client, owner, [None, book.main, book.second])
    state = await header(database, owner)
    assert state is not None
    assert (state.currency, state.first_date, state.computed_through, state.dirty_from) == \
        ("USD", dt.date(2024, 1, 3), TODAY, None)  # the day before the undated lot, itself the day before 01-05
    await assert_days_as_computed(database, owner, [owner.tenant_id, uuid.UUID(book.main),
                                                    uuid.UUID(book.second)])
    body = await read_json(client, owner, "/portfolio")
    assert {(h["symbol"], h["account_id"], h["quantity"]) for h in body["holdings"]} == {
        (book.stock, book.main, "30"), (book.stock, book.second, "17"), (book.fund, book.main, "30"),
        (book.fund, book.second, "5")}  # 15 x 3 = 45 less 15 moved; 15 moved + 12 (the 4 lot after the split) - 10


async def test_a_backdated_write_refreshes_the_state_from_its_day(client: httpx.AsyncClient, make_user: MakeUser,
                                                                  database: Database) -> None:
    owner = await make_user()
    book = await rich(client, owner)
    before = await read_json(client, owner, "/portfolio")
    built = await header(database, owner)
    assert built is not None and built.dirty_from is None
    # before the last activity (06-03), after the state's first day
    await trade(client, owner, book.main, "buy", "2024-03-11", symbol=book.fund, quantity="2", price="21")
    stale = await header(database, owner)
    assert stale is not None
    assert (stale.dirty_from, stale.version) == (dt.date(2024, 3, 11), built.version + 1)
    assert stale.computed_through == TODAY
    # a second write, later: the state stays stale from the earlier day
    await trade(client, owner, book.second, "interest", "2024-05-20", amount="3")
    stale = await header(database, owner)
    assert stale is not None and (stale.dirty_from, stale.version) == (dt.date(2024, 3, 11), built.version + 2)

    after = await read_json(client, owner, "/portfolio")
    refreshed = await header(database, owner)
    assert refreshed is not None and refreshed.dirty_from is None and refreshed.version == built.version + 2
    assert refreshed.first_date == built.first_date  # refreshed from the stale day, not rebuilt
    fund = {(h["symbol"], h["account_id"]): h for h in after["holdings"]}[(book.fund, book.main)]
    assert fund["quantity"] == "32" and after["totals"] != before["totals"]
    await assert_as_computed(database, client, owner, [None, book.main, book.second], twr_tolerance=TWR_AFTER_REFRESH)
    await assert_days_as_computed(database, owner, [owner.tenant_id, uuid.UUID(book.main), uuid.UUID(book.second)],
                                  twr_tolerance=TWR_AFTER_REFRESH)


async def test_a_write_before_the_first_day_rebuilds_the_state(client: httpx.AsyncClient, make_user: MakeUser,
                                                               database: Database) -> None:
    owner = await make_user()
    book = await rich(client, owner)
    await read_json(client, owner, "/portfolio")
    await trade(client, owner, book.main, "deposit", "2023-11-30", amount="100")
    await assert_as_computed(database, client, owner, [None, book.main], ranges=[(None, None),
                                                                                ("2023-12-01", "2024-06-30")])
    state = await header(database, owner)
    assert state is not None and (state.first_date, state.dirty_from) == (dt.date(2023, 11, 28), None)
    await assert_days_as_computed(database, owner, [owner.tenant_id, uuid.UUID(book.main)])


async def test_a_price_upload_makes_the_holders_state_stale_from_its_first_day(
        client: httpx.AsyncClient, make_user: MakeUser, database: Database) -> None:
    owner = await make_user()
    book = await rich(client, owner)
    await read_json(client, owner, "/portfolio")
    built = await header(database, owner)
    assert built is not None
    await put_prices(client, owner, book.stock, {"2024-06-28": "30", "2024-05-15": "22.5"})
    stale = await header(database, owner)
    assert stale is not None and (stale.dirty_from, stale.version) == (dt.date(2024, 5, 15), built.version + 1)
    body = await read_json(client, owner, "/portfolio")
    assert {h["price"] for h in body["holdings"] if h["symbol"] == book.stock} == {"30.00000000"}
    assert {h["market_value"] for h in body["holdings"] if h["symbol"] == book.stock} == {"900.00", "510.00"}
    await assert_as_computed(database, client, owner, [None, book.main, book.second],
                             ranges=[(None, None), ("2024-05-14", "2024-06-30")], twr_tolerance=TWR_AFTER_REFRESH)
    await assert_days_as_computed(database, owner, [owner.tenant_id, uuid.UUID(book.main)],
                                  twr_tolerance=TWR_AFTER_REFRESH)
    # a security this tenant never held: its state is left alone
    unheld = (await create_security(client, owner, symbol="ST-NOT"))["symbol"]
    fresh = await header(database, owner)
    await put_prices(client, owner, unheld, {"2024-02-01": "1"})
    untouched = await header(database, owner)
    assert fresh is not None and untouched is not None
    assert (untouched.dirty_from, untouched.version) == (None, fresh.version)


async def test_new_exchange_rates_make_every_state_that_reaches_them_stale(
        client: httpx.AsyncClient, make_user: MakeUser, database: Database) -> None:
    owner = await make_user()
    book = await rich(client, owner)
    await read_json(client, owner, "/portfolio")
    built = await header(database, owner)
    assert built is not None and built.dirty_from is None
    corrected = {dt.date(2024, 6, 28): {"USD": Decimal("1.2")}}  # USD per EUR, as the ECB quotes it
    async with database.sessionmaker() as session:
        await rate_service.store_updates(session, rate_service.FetchedRates("http://rates.test", corrected))
        await session.commit()
    stale = await header(database, owner)
    assert stale is not None and (stale.dirty_from, stale.version) == (dt.date(2024, 6, 28), built.version + 1)
    body = await read_json(client, owner, "/portfolio")
    fund = {h["account_id"]: h["market_value"] for h in body["holdings"] if h["symbol"] == book.fund}
    assert fund[book.main] == "805.32"  # 30 units at 22.37 EUR, 1.2 USD a euro
    await assert_as_computed(database, client, owner, [None, book.main], ranges=[(None, None)],
                             twr_tolerance=TWR_AFTER_REFRESH)


async def test_money_booked_to_an_investment_account_is_its_cash(client: httpx.AsyncClient, make_user: MakeUser,
                                                                 database: Database) -> None:
    owner = await make_user()
    book = await rich(client, owner)
    cash_before = {c["account_id"]: c["amount"] for c in (await read_json(client, owner, "/portfolio"))["cash"]
                   if c["currency"] == "USD"}
    built = await header(database, owner)
    assert built is not None
    await create_transaction(client, owner, type="income", amount="250", currency="USD", date="2024-04-20",
                             description="Bonus", account_id=book.main)
    stale = await header(database, owner)
    assert stale is not None and (stale.dirty_from, stale.version) == (dt.date(2024, 4, 20), built.version + 1)
    await create_transaction(client, owner, type="expense", amount="40", currency="USD", date="2024-06-10",
                             description="Custody", account_id=book.second)
    body = await read_json(client, owner, "/portfolio")
    cash = {c["account_id"]: c["amount"] for c in body["cash"] if c["currency"] == "USD"}
    assert Decimal(cash[book.main]) - Decimal(cash_before[book.main]) == 250
    assert Decimal(cash[book.second]) - Decimal(cash_before[book.second]) == -40
    performance = await read_json(client, owner, "/portfolio/performance", start_date="2024-04-19",
                                  end_date="2024-06-30")
    assert (performance["deposits"], performance["withdrawals"]) == ("250.00", "240.00")  # 200 withdrawn before
    await assert_as_computed(database, client, owner, [None, book.main, book.second],
                             ranges=[(None, None), ("2024-04-19", "2024-06-30")], twr_tolerance=TWR_AFTER_REFRESH)
    # money booked to the checking account is none of the portfolio's business
    fresh = await header(database, owner)
    await create_transaction(client, owner, type="expense", amount="15", currency="USD", date="2024-03-01",
                             description="Lunch", account_id=book.checking)
    untouched = await header(database, owner)
    assert fresh is not None and untouched is not None
    assert (untouched.dirty_from, untouched.version) == (None, fresh.version)


async def test_a_new_base_currency_rebuilds_the_state_in_it(client: httpx.AsyncClient, make_user: MakeUser,
                                                            database: Database) -> None:
    owner = await make_user()
    book = await rich(client, owner)
    in_usd = await read_json(client, owner, "/portfolio")
    r = await client.patch(f"{V1}/users/me", json={"base_currency": "EUR"}, headers=owner.headers)
    assert r.status_code == 200 and r.json()["base_currency"] == "EUR"
    in_eur = await read_json(client, owner, "/portfolio")
    assert in_eur["currency"] == "EUR" and in_eur["totals"]["total_value"] != in_usd["totals"]["total_value"]
    fund = {(h["symbol"], h["account_id"]): h for h in in_eur["holdings"]}[(book.fund, book.main)]
    assert fund["market_value"] == "671.10"  # 30 x 22.37 EUR, no conversion at all
    state = await header(database, owner)
    assert state is not None and (state.currency, state.dirty_from) == ("EUR", None)
    await assert_as_computed(database, client, owner, [None, book.main, book.second], base_currency="EUR",
                             ranges=[(None, None), ("2024-02-15", "2024-03-31")])
    await assert_days_as_computed(database, owner, [owner.tenant_id], base_currency="EUR")
    performance = await read_json(client, owner, "/portfolio/performance")
    assert performance["currency"] == "EUR"


async def test_the_refresh_job_refreshes_every_stale_state(client: httpx.AsyncClient, make_user: MakeUser,
                                                           database: Database) -> None:
    async with database.reader() as session:
        assert await state_service.stale_tenants(session, TODAY, 100) == []  # nothing stale from elsewhere
    owners = [await make_user(), await make_user(), await make_user()]
    market = await quotes(client, owners[0])
    books_of = [await rich(client, owner, market) for owner in owners]
    for owner in owners:
        await read_json(client, owner, "/portfolio")
    for owner, book in list(zip(owners, books_of, strict=True))[:2]:
        await trade(client, owner, book.main, "deposit", "2024-06-10", amount="1")

    async def dirty_from() -> list[dt.date | None]:
        states = [await header(database, owner) for owner in owners]
        return [state.dirty_from if state is not None else dt.date.max for state in states]

    assert await dirty_from() == [dt.date(2024, 6, 10), dt.date(2024, 6, 10), None]
    assert await refresh_stale(database) == 2
    assert await dirty_from() == [None] * 3
    assert await refresh_stale(database) == 0
    await assert_as_computed(database, client, owners[0], [None], ranges=[(None, None)],
                             twr_tolerance=TWR_AFTER_REFRESH)
    # a state that has not reached a new day is stale too
    assert await refresh_stale(database, TODAY + dt.timedelta(days=1)) == 3


async def test_a_tenant_never_sees_another_tenants_state(client: httpx.AsyncClient, make_user: MakeUser,
                                                         database: Database) -> None:
    owner, other = await make_user(), await make_user()
    market = await quotes(client, owner)
    book = await rich(client, owner, market)
    mine = await read_json(client, owner, "/portfolio")
    assert mine["holdings"] and (await header(database, owner)) is not None
    theirs = await read_json(client, other, "/portfolio")
    assert (theirs["holdings"], theirs["cash"], theirs["totals"]["total_value"]) == ([], [], "0.00")
    performance = await read_json(client, other, "/portfolio/performance", start_date="2024-01-01")
    assert (performance["end_value"], performance["deposits"]) == ("0.00", "0.00")
    history = await read_json(client, other, "/portfolio/history", start_date="2024-06-01", interval="week")
    assert {p["market_value"] for p in history["points"]} == {"0.00"}
    worth = await read_json(client, other, "/reports/net-worth")
    assert (worth["total"], worth["accounts"]) == ("0.00", [])
    r = await client.get(f"{V1}/portfolio", params={"account_id": book.main}, headers=other.headers)
    assert r.status_code == 422 and r.json()["error"]["details"]["errors"][0]["field"] == "query.account_id"
    async with database.reader() as session:
        assert await state_service.days_between(session, other.tenant_id, owner.tenant_id, dt.date.min, TODAY) == []
    # a business's sub-user reads its owner's state, not its own
    business = await make_user(Role.business)
    sub = await make_user(Role.sub_user, business=business)
    await rich(client, business, market)
    assert await read_json(client, sub, "/portfolio") == await read_json(client, business, "/portfolio")


# ---- precision and ranges ----

async def test_the_stored_mwr_is_the_mwr_of_the_facts(client: httpx.AsyncClient, make_user: MakeUser,
                                                             database: Database) -> None:
    owner = await make_user()
    await rich(client, owner)
    tenant = tenant_of(owner)
    for start, end in RANGES:
        stored = await read_json(client, owner, "/portfolio/performance", start_date=start, end_date=end)
        async with database.reader() as session:
            accounts = await books.portfolio_accounts(session, tenant)
            expected = await computed.performance(session, tenant, accounts, start=day_of(start),
                                                  end=day_of(end) or TODAY)
        if stored["mwr"] is not None:
            assert abs(Decimal(stored["mwr"]) - (expected.mwr or 0)) < MWR_TOLERANCE, (start, end)


async def test_extending_the_state_day_by_day_keeps_the_twr_of_the_facts(
        client: httpx.AsyncClient, make_user: MakeUser, database: Database) -> None:
    owner = await make_user()
    account = str((await create_account(client, owner, name="Small", type="investment"))["id"])
    symbol = (await create_security(client, owner, symbol="ST-DRF"))["symbol"]
    start = dt.date(2024, 6, 1)
    # a small position whose close has 8 decimals: each stored value is rounded by up to 0.00005 (5e-6 of it)
    await put_prices(client, owner, symbol, {(start + dt.timedelta(days=n)).isoformat(): str(
        Decimal("10") + Decimal("0.01234567") * n * (-1) ** n) for n in range(30)})
    await trade(client, owner, account, "buy", start.isoformat(), symbol=symbol, quantity="1", price="10")
    tenant = tenant_of(owner)
    for n in range(1, 30):  # what the job does once a day
        assert await refresh(database, tenant, start + dt.timedelta(days=n))
    stored = await read_json(client, owner, "/portfolio/performance")
    async with database.reader() as session:
        accounts = await books.portfolio_accounts(session, tenant)
        expected = await computed.performance(session, tenant, accounts, start=None, end=TODAY)
    assert stored["end_value"] == expected.end_value.to_eng_string()
    # a value of 10 stored to 6 decimals: each day's return is the facts' to 1e-7, the month's to 1e-7 too
    assert abs(Decimal(stored["twr"]) - (expected.twr or 0)) < Decimal("1e-7")


async def test_a_value_is_rounded_once(client: httpx.AsyncClient, make_user: MakeUser, database: Database) -> None:
    owner = await make_user()
    account = str((await create_account(client, owner, type="investment"))["id"])
    symbol = (await create_security(client, owner, symbol="ST-RND", currency="EUR"))["symbol"]
    await put_prices(client, owner, symbol, {"2024-06-03": "24.61"})
    await trade(client, owner, account, "buy", "2024-06-03", symbol=symbol, quantity="1", price="24.61")
    # 24.61 EUR at the fixing of 2024-06-28 (1.0705 USD) is 26.345005 USD: 26.35 in cents
    portfolio = await read_json(client, owner, "/portfolio")
    assert portfolio["totals"]["total_value"] == "26.35"
    tenant = tenant_of(owner)
    async with database.reader() as session:
        accounts = await books.portfolio_accounts(session, tenant)
        expected = await computed.performance(session, tenant, accounts, start=None, end=TODAY)
    assert expected.end_value == Decimal("26.35")
    performance = await read_json(client, owner, "/portfolio/performance")
    history = await read_json(client, owner, "/portfolio/history", start_date="2024-06-30")
    worth = await read_json(client, owner, "/reports/net-worth")
    assert (performance["end_value"], history["points"][-1]["market_value"], worth["total"]) == \
        ("26.35", "26.35", "26.35")


async def test_an_accounts_default_range_starts_at_its_first_activity(
        client: httpx.AsyncClient, make_user: MakeUser, database: Database) -> None:
    owner = await make_user()
    early = str((await create_account(client, owner, name="Early", type="investment"))["id"])
    late = str((await create_account(client, owner, name="Late", type="investment"))["id"])
    await trade(client, owner, early, "deposit", "2024-01-02", amount="100")
    await trade(client, owner, late, "deposit", "2024-03-01", amount="500")
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    from_facts = await read_json(client, owner, "/portfolio/performance", account_id=late, end_date=tomorrow)
    assert (from_facts["start_date"], from_facts["start_value"], from_facts["deposits"]) == \
        ("2024-03-01", "500.00", "0.00")
    stored = await read_json(client, owner, "/portfolio/performance", account_id=late)
    history = await read_json(client, owner, "/portfolio/history", account_id=late)
    assert (stored["start_date"], stored["start_value"], stored["deposits"], history["start_date"]) == \
        ("2024-03-01", "500.00", "0.00", "2024-03-01")
