"""`colony demo` on a fresh SQLite database, on a fixed day: creates the demo tenant once, says so the second
time, recreates it with --reset (twice in a row); its brokerage shows positions, a split, a sale at a gain
and prices up to the last weekday, through the API. The investment plan holds on other days too."""

import asyncio
import datetime as dt
import itertools
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from typer.testing import CliRunner

from colony import demo, migrate
from colony.cli import app
from colony.config import Settings
from colony.core import clock, passwords, tokens
from colony.core.db import Database, create_engine
from colony.demo import brokerage as demo_brokerage
from colony.exchange_rates import service as rate_service
from colony.investments.accounts.models import Account
from colony.investments.activities.models import ActivityType, Holding, InvestmentTransaction
from colony.investments.securities.models import Security, SecurityPrice
from colony.main import create_app
from colony.transactions.models import Transaction, TransactionStatus
from colony.users.models import Credentials, User
from tests.conftest import TEST_RATES_SINCE, make_settings
from tests.factories import V1, bearer

TODAY = dt.date(2025, 6, 15)  # a Sunday: the newest prices are Friday's
LAST_WEEKDAY = dt.date(2025, 6, 13)
START = dt.date(2022, 6, 15)  # three years before
SYMBOLS = sorted(security.symbol for security in demo_brokerage.DEMO_SECURITIES)


def _create_schema(url: str) -> None:
    """The migrated tables (as `colony demo` would make them), and the ECB rates from 2020 as the test
    database has them (the demo's own load of the bundled rates then has nothing to add: 0.3 s, not 1.5 s)."""
    migrate.upgrade(Settings(database_url=url))

    async def run() -> None:
        engine = create_engine(url)
        async with Database(engine).sessionmaker() as session:
            await rate_service.load_bundled(session, since=TEST_RATES_SINCE)
            await session.commit()
        await engine.dispose()

    asyncio.run(run())


async def _investment_facts(conn: AsyncConnection, tenant_id: object) -> dict[str, object]:
    """Accounts, lots and investment transactions by type of the tenant, and the demo securities with their
    number of prices (shared reference data, never duplicated)."""
    accounts = (await conn.execute(select(Account.name, Account.type).where(Account.tenant_id == tenant_id)
                                   .order_by(Account.name))).all()
    holdings = (await conn.execute(select(func.count()).select_from(Holding).where(
        Holding.tenant_id == tenant_id))).scalar_one()
    by_type = (await conn.execute(select(InvestmentTransaction.type, func.count()).where(
        InvestmentTransaction.tenant_id == tenant_id).group_by(InvestmentTransaction.type))).all()
    prices = (await conn.execute(select(Security.symbol, func.count()).join(
        SecurityPrice, SecurityPrice.security_id == Security.id).group_by(Security.symbol))).all()
    return {"accounts": [(name, type_.value) for name, type_ in accounts], "holdings": holdings,
            "by_type": {type_.value: n for type_, n in by_type}, "prices": dict(prices)}


def _printed_password(output: str) -> str:
    """The password `colony demo` printed: `demo user demo@colony.local (password X, shown this once): ...`."""
    match = re.search(r"\(password (\S+), shown this once\)", output)
    assert match is not None, output
    return match.group(1)


def _facts(url: str, password: str) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        engine = create_engine(url)
        async with engine.connect() as conn:
            user = (await conn.execute(select(User.id, User.tenant_id).where(User.email == demo.DEMO_EMAIL))).one()
            password_hash = (await conn.execute(select(Credentials.password_hash).where(
                Credentials.user_id == user.id))).scalar_one()
            rows = (await conn.execute(select(Transaction.currency, Transaction.status, func.count()).where(
                Transaction.tenant_id == user.tenant_id).group_by(Transaction.currency, Transaction.status))).all()
            users = (await conn.execute(select(func.count()).select_from(User))).scalar_one()
            investments = await _investment_facts(conn, user.tenant_id)
        await engine.dispose()
        return {"user_id": user.id, "password_ok": await passwords.verify_password(password, password_hash),
                "by_currency": {(c, s): n for c, s, n in rows}, "users": users, "investments": investments}

    return asyncio.run(run())


def test_demo_creates_once_and_resets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    for name in ("COLONY_REDIS_URL", "COLONY_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLONY_DATABASE_URL", url)
    monkeypatch.setenv("COLONY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLONY_ENV", "test")
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    _create_schema(url)
    runner = CliRunner()

    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert demo.DEMO_EMAIL in result.output and "transactions" in result.output
    assert f"investment transactions since {START}" in result.output
    password = first_password = _printed_password(result.output)
    assert len(password) >= 16
    facts = _facts(url, password)
    assert facts["password_ok"] is True and facts["users"] == 1
    by_currency = facts["by_currency"]
    total = sum(by_currency.values())
    assert total > 250  # a year: salaries, rent, weekly groceries, bills, eating out, trips
    assert {c for c, _ in by_currency} == {"USD", "EUR", "GBP", "JPY"}
    assert sum(n for (_, s), n in by_currency.items() if s == TransactionStatus.paid) > 250
    investments = facts["investments"]
    assert investments["accounts"] == [("Brokerage", "investment"), ("Everyday checking", "checking")]
    assert investments["holdings"] == 1  # the opening lot
    assert set(investments["by_type"]) == {"deposit", "buy", "sell", "dividend", "fee", "split"}
    assert 50 <= sum(investments["by_type"].values()) <= 300
    assert investments["prices"] == dict.fromkeys(SYMBOLS, len(demo_brokerage.weekdays(START, LAST_WEEKDAY)))
    asyncio.run(_check_brokerage(url, tmp_path, facts["user_id"]))

    again = runner.invoke(app, ["demo"])
    assert again.exit_code == 0 and "already exists" in again.output
    assert _facts(url, password)["by_currency"] == by_currency  # nothing added

    for given in (None, "a demo password of my own"):  # --reset, twice in a row; the second with a password
        if given is None:
            reset = runner.invoke(app, ["demo", "--reset"])
            assert reset.exit_code == 0, reset.output
            new_password = _printed_password(reset.output)
            assert new_password != password  # a new one each time, printed once
            assert reset.output == result.output.replace(first_password, new_password)
        else:
            reset = runner.invoke(app, ["demo", "--reset", "--password-stdin"], input=f"{given}\n")
            assert reset.exit_code == 0, reset.output
            assert reset.output == result.output.replace(f"{first_password}, shown this once", "the one given")
            new_password = given
        password = new_password
        after = _facts(url, password)
        assert after["user_id"] != facts["user_id"] and after["users"] == 1
        assert after["by_currency"] == by_currency  # the same year again (fixed seed)
        assert after["investments"] == investments  # the same brokerage, on the securities and prices there
        facts = after


def test_a_given_password_is_checked_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLONY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("COLONY_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["demo", "--password-stdin"], input="short\n")
    assert result.exit_code == 2
    assert "at least 8 characters" in result.output
    assert not (tmp_path / "demo.db").exists()  # refused before anything was made


async def _check_brokerage(url: str, data_dir: Path, user_id: Any) -> None:
    """What the portfolio pages show, through the API."""
    settings = make_settings(url, data_dir)
    token, _ = tokens.create_access_token(user_id, settings.signing_key, settings.access_token_minutes)
    headers = bearer(token)
    api = create_app(settings)
    async with LifespanManager(api), httpx.AsyncClient(transport=httpx.ASGITransport(app=api),
                                                       base_url="http://testserver") as client:
        async def get(path: str, **params: Any) -> Any:
            response = await client.get(f"{V1}{path}", params=params, headers=headers)
            assert response.status_code == 200, response.text
            return response.json()

        async def every(path: str) -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = []
            while len(items) < (body := await get(path, page=len(items) // 100 + 1, size=100))["total"]:
                items += body["items"]
            return items

        accounts = {a["name"]: a for a in (await get("/accounts"))["items"]}
        assert {(a["type"], a["currency"]) for a in accounts.values()} == {("checking", "USD"), ("investment", "USD")}
        brokerage = accounts["Brokerage"]["id"]

        # a close on every weekday up to the last one; the split stock's quotes halve on its day, and only then
        weekdays = demo_brokerage.weekdays(START, LAST_WEEKDAY)
        split_day = None
        for symbol in SYMBOLS:
            series = (await get(f"/securities/{symbol}/prices"))["prices"]
            assert [dt.date.fromisoformat(bar["date"]) for bar in series] == weekdays, symbol
            if symbol == demo_brokerage.SPLIT_SYMBOL:
                drops = sorted((Decimal(before["close"]) / Decimal(bar["close"]), bar["date"])
                               for before, bar in itertools.pairwise(series))
                assert Decimal("1.7") < drops[-1][0] < Decimal("2.3") and drops[-2][0] < Decimal("1.15")
                split_day = drops[-1][1]

        activity = await every(f"/accounts/{brokerage}/investment-transactions")
        assert [(r["symbol"], r["date"], r["split_ratio"]) for r in activity if r["type"] == "split"] == [
            (demo_brokerage.SPLIT_SYMBOL, split_day, "2:1")]
        trades = [r for r in activity if r["symbol"] == demo_brokerage.SPLIT_SYMBOL and r["type"] in {"buy", "sell"}]
        before = sum(Decimal(r["quantity"]) for r in trades if r["type"] == "buy" and r["date"] < split_day)
        after = sum(Decimal(r["quantity"]) for r in trades if r["type"] == "buy" and r["date"] > split_day)
        sold = [r for r in trades if r["type"] == "sell"]
        assert before > 0 and len(sold) == 1 and sold[0]["date"] > split_day

        positions = {p["symbol"]: p for p in await every(f"/accounts/{brokerage}/holdings")}
        assert sorted(positions) == SYMBOLS
        split = positions[demo_brokerage.SPLIT_SYMBOL]
        assert Decimal(split["quantity"]) == 2 * before + after - Decimal(sold[0]["quantity"])
        assert [(Decimal(lot["quantity"]), lot["acquired_on"], lot["currency"])
                for lot in positions[demo_brokerage.EUROPE]["lots"]] == [(Decimal(150), START.isoformat(), "EUR")]

        portfolio = await get("/portfolio", account_id=brokerage)
        assert portfolio["missing_prices"] == []
        holdings = {h["symbol"]: h for h in portfolio["holdings"]}
        assert all(h["price_date"] == LAST_WEEKDAY.isoformat() for h in holdings.values())
        assert Decimal(holdings[demo_brokerage.SPLIT_SYMBOL]["realized_gain"]) > 0  # the sale was at a gain
        assert all(Decimal(holdings[symbol]["income"]) > 0 for symbol in (demo_brokerage.WORLD, demo_brokerage.EUROPE))
        assert {c["currency"]: Decimal(c["amount"]) > 0 for c in portfolio["cash"]} == {"USD": True, "EUR": True}
        assert {a["key"] for a in portfolio["allocation"]["by_currency"]} == {"USD", "EUR"}
        checking = await get(f"/accounts/{accounts['Everyday checking']['id']}/balance", date=TODAY.isoformat())
        assert Decimal(checking["balance"]) > 0


# ---- the plan alone, on other days ----

def test_prices_are_deterministic_and_halve_on_the_split_day() -> None:
    days = demo_brokerage.weekdays(dt.date(2024, 1, 1), dt.date(2024, 3, 1))
    security = next(s for s in demo_brokerage.DEMO_SECURITIES if s.symbol == demo_brokerage.SPLIT_SYMBOL)
    plain, split = demo_brokerage.price_bars(security, days), demo_brokerage.price_bars(security, days, split_index=20)
    assert plain == demo_brokerage.price_bars(security, days)
    assert plain[0].close == Decimal("180.00") and [bar.date for bar in plain] == days
    assert split[:20] == plain[:20]
    assert all(abs(s.close * 2 - p.close) <= Decimal("0.01") for s, p in zip(split[20:], plain[20:], strict=True))
    assert all(bar.low is not None and bar.high is not None and bar.open is not None
               and bar.low <= min(bar.open, bar.close) and max(bar.open, bar.close) <= bar.high for bar in plain)


@pytest.mark.parametrize("today", [dt.date(2024, 2, 29), dt.date(2025, 1, 1), dt.date(2025, 12, 31),
                                   dt.date(2026, 3, 7), dt.date(2027, 8, 16)])
def test_the_plan_holds_on_any_day(today: dt.date) -> None:
    """Every sale and every buy is covered (no implicit deposit, nothing sold that is not held), all on
    weekdays with a close, none after today; the sale is at a gain (FIFO)."""
    days = demo_brokerage.weekdays(today - dt.timedelta(days=3 * 366), today)  # from a little before the plan's start
    closes = {s.symbol: {bar.date: bar.close for bar in demo_brokerage.price_bars(
        s, days, demo_brokerage.SPLIT_AFTER if s.symbol == demo_brokerage.SPLIT_SYMBOL else None)}
        for s in demo_brokerage.DEMO_SECURITIES}
    plan = demo_brokerage.plan_investments(today, closes, days[demo_brokerage.SPLIT_AFTER])
    start = plan.start
    assert (today - start).days in {365 * 3, 365 * 3 + 1}
    assert plan.opening.acquired_on == min(day for day in days if day >= start)
    T = ActivityType
    cash: dict[str, Decimal] = defaultdict(Decimal)
    lots: dict[str, list[list[Decimal]]] = defaultdict(list)  # per symbol: [quantity, cost per unit], oldest first
    lots[demo_brokerage.EUROPE].append([plan.opening.quantity, plan.opening.cost_basis / plan.opening.quantity])
    gains = []
    for item in plan.items:
        assert item.date.weekday() < 5 and start <= item.date <= today
        if isinstance(item, demo_brokerage.Transfer):
            cash["USD"] += item.amount
            continue
        currency = "EUR" if item.symbol == demo_brokerage.EUROPE else "USD"
        if item.type in {T.buy, T.sell}:
            assert item.symbol is not None and item.quantity is not None and item.price is not None
            assert item.price == closes[item.symbol][item.date]
        if item.type is T.deposit and item.amount is not None:
            cash[currency] += item.amount
        elif item.type is T.fee and item.amount is not None:
            cash[currency] -= item.amount
        elif item.type is T.dividend and item.amount is not None:
            cash[currency] += item.amount - item.tax
        elif item.type is T.buy and item.symbol and item.quantity and item.price:
            cash[currency] -= item.quantity * item.price + item.fee
            assert cash[currency] >= 0, item
            lots[item.symbol].append([item.quantity, (item.quantity * item.price + item.fee) / item.quantity])
        elif item.type is T.split and item.symbol:
            lots[item.symbol] = [[quantity * 2, cost / 2] for quantity, cost in lots[item.symbol]]
        elif item.type is T.sell and item.symbol and item.quantity and item.price:
            left, cost = item.quantity, Decimal(0)
            for lot in lots[item.symbol]:
                taken = min(left, lot[0])
                lot[0], left, cost = lot[0] - taken, left - taken, cost + taken * lot[1]
            assert left == 0, item
            gains.append(item.quantity * item.price - item.fee - cost)
            cash[currency] += item.quantity * item.price - item.fee
    assert len(gains) == 1 and gains[0] > 0
    assert 50 <= len(plan.items) <= 300
