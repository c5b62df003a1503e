"""Portfolio reads from the stored daily state against recomputing them from the facts.

A tenant with 2,000 investment transactions over 10 years on 50 securities (weekday closes), loaded
straight into the tables (seeded, as the API would have written them), then:

- the full rebuild of its daily state (portfolio/refresh.py), and an incremental refresh after a write
  backdated 30 days;
- GET /api/v1/portfolio and GET /api/v1/portfolio/performance (random ranges and the default full range)
  through HTTP, one request at a time (httpx ASGITransport, in-process);
- the same two figures in-process from the stored state (portfolio/service.py) and recomputed from the
  facts (portfolio/computed.py), each call with a fresh reader session: the ratio recompute / stored;
- GET /api/v1/reports/net-worth with 10 years of monthly history;
- whether the stored state's performance over the full range equals the recomputed one (exit 1 if not).

Runs on a fresh SQLite file by default, or on the database of COLONY_DATABASE_URL (PostgreSQL: an empty
database; the tables are created with create_all). Each metric is one line, for bench/run.py to parse.

    python bench/portfolio.py [--requests 200] [--recompute 20] [--runs 5] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import gc
import math
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import delete, text

from colony.config import Environment, Settings
from colony.core import clock, tokens
from colony.core.db import Database, create_engine
from colony.core.tenancy import Role, Tenant
from colony.domains import metadata
from colony.exchange_rates import service as rate_service
from colony.investments import engine
from colony.investments.accounts.models import Account, AccountType, AccountValue
from colony.investments.activities.models import ActivityType
from colony.investments.activities.repository import InvestmentTransactionRepository
from colony.investments.portfolio import book as books
from colony.investments.portfolio import computed, refresh
from colony.investments.portfolio import service as portfolio_service
from colony.investments.portfolio.schemas import PerformanceRead
from colony.investments.securities.models import Security, SecurityType
from colony.investments.securities.repository import PriceRepository
from colony.investments.state import service as state_service
from colony.investments.state.models import (
    PortfolioCash,
    PortfolioDay,
    PortfolioPosition,
    PortfolioSecurity,
    PortfolioState,
)
from colony.main import create_app, tune_garbage_collector
from colony.users.models import Credentials, Profile, User

T = ActivityType
YEARS = 10
TRANSACTIONS = 2_000
SECURITIES = 50
EUR_SECURITIES = 10
CENT = Decimal("0.01")
PRICE_QUANTUM = Decimal("0.0001")
QUANTITY_QUANTUM = Decimal("0.0001")
SPLIT_RATIOS = ("2:1", "3:1", "3:2", "4:1")
# How many rows of each kind (transfers count both legs); buys take the rest.
COUNTS = {T.deposit: 160, T.sell: 300, T.dividend: 240, T.fee: 40, T.split: len(SPLIT_RATIOS), T.transfer_out: 2}
MONEY_FIELDS = ("start_value", "end_value", "deposits", "withdrawals", "income", "fees", "taxes", "realized_gain",
                "unrealized_gain")
TWR_TOLERANCE = Decimal("1e-8")
STATE_TABLES = (PortfolioDay, PortfolioPosition, PortfolioCash, PortfolioSecurity, PortfolioState)


# ---- the data ----

@dataclass
class Data:
    """What the script loads: ids and the rows, built in memory first (seeded), then inserted."""

    today: dt.date
    start: dt.date
    user_id: uuid.UUID
    investment: list[uuid.UUID]  # two investment accounts, then the retirement account
    checking: uuid.UUID
    card: uuid.UUID
    securities: list[tuple[uuid.UUID, str, str]]  # id, symbol, currency
    weekdays: list[dt.date]
    closes: list[list[Decimal]]  # per security, per weekday
    transactions: list[tuple[Any, ...]] = field(default_factory=list)  # rows of TRANSACTION_COLUMNS
    values: list[tuple[uuid.UUID, dt.date, Decimal]] = field(default_factory=list)  # account, date, balance


TRANSACTION_COLUMNS = ("id", "account_id", "type", "date", "security_id", "currency", "quantity", "price", "amount",
                       "fee", "tax", "split_ratio", "note", "counter_account_id", "transfer_id", "created_by_id",
                       "created_at", "updated_at")


def make_data(seed: int, today: dt.date) -> Data:
    rng = random.Random(seed)

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    start = today.replace(year=today.year - YEARS)
    weekdays = [start + dt.timedelta(days=n) for n in range((today - start).days + 1)
                if (start + dt.timedelta(days=n)).weekday() < 5]
    securities = [(new_id(), f"BNCH{i:02d}", "EUR" if i >= SECURITIES - EUR_SECURITIES else "USD")
                  for i in range(SECURITIES)]
    # splits: (security index, weekday index, ratio); the quoted price drops by the ratio that day
    split_days = sorted(rng.sample(range(len(weekdays) // 5, len(weekdays) * 9 // 10), len(SPLIT_RATIOS)))
    splits = {(index, day): ratio for index, day, ratio in
              zip(rng.sample(range(SECURITIES), len(SPLIT_RATIOS)), split_days, SPLIT_RATIOS, strict=True)}
    closes: list[list[Decimal]] = []
    for index in range(SECURITIES):
        price = rng.uniform(20, 300)
        drift, sigma = rng.uniform(-0.0001, 0.0006), rng.uniform(0.008, 0.025)
        series = []
        for day in range(len(weekdays)):
            price *= math.exp(rng.gauss(drift, sigma))
            if (index, day) in splits:
                new, old = splits[(index, day)].split(":")
                price = price * int(old) / int(new)
            price = max(price, 0.5)
            series.append(Decimal(f"{price:.4f}"))
        closes.append(series)
    data = Data(today, start, new_id(), [new_id(), new_id(), new_id()], new_id(), new_id(), securities, weekdays,
                closes)
    _transactions(data, rng, new_id, splits)
    # the checking account and the credit card: a few stated balances over the years
    for account, count, low, high in ((data.checking, 8, 2_000, 15_000), (data.card, 5, 200, 3_000)):
        for day in sorted(rng.sample(range(len(weekdays)), count)):
            data.values.append((account, weekdays[day], Decimal(f"{rng.uniform(low, high):.2f}")))
    return data


def _transactions(data: Data, rng: random.Random, new_id: Callable[[], uuid.UUID],
                  splits: dict[tuple[int, int], str]) -> None:
    """2,000 rows in date order; sells, dividends and transfers only of what is held at the time."""
    n = len(data.weekdays)
    kinds: list[tuple[int, ActivityType | None]] = [(0, T.deposit) for _ in data.investment]  # open each account
    later = n // 40  # about 3 months: sells, dividends and transfers come after the first buys
    for planned, count in COUNTS.items():
        if planned is T.split:
            continue
        if planned is T.deposit:
            count -= len(data.investment)
        low = {T.deposit: 0, T.fee: 0}.get(planned, later) if planned is not T.transfer_out else n // 3
        kinds += [(rng.randrange(low, n), planned) for _ in range(count)]
    buys = TRANSACTIONS - sum(COUNTS.values()) - COUNTS[T.transfer_out]  # a transfer is two rows
    kinds += [(rng.randrange(0, n), T.buy) for _ in range(buys)]
    kinds += [(day, None) for (_index, day) in splits]  # None: the split of that day
    kinds.sort(key=lambda item: item[0])
    split_of_day = {day: (index, ratio) for (index, day), ratio in splits.items()}
    held: dict[tuple[uuid.UUID, int], Decimal] = {}  # (account, security index) → quantity
    created = clock.utcnow()
    accounts = data.investment
    weights = (0.45, 0.35, 0.2)

    def add(account: uuid.UUID, kind: ActivityType, day: dt.date, security: int | None = None, *,
            currency: str = "USD", quantity: Decimal | None = None, price: Decimal | None = None,
            amount: Decimal | None = None, fee: Decimal = Decimal(0), tax: Decimal = Decimal(0),
            split_ratio: str | None = None, counter: uuid.UUID | None = None,
            transfer_id: uuid.UUID | None = None) -> None:
        stamp = created + dt.timedelta(milliseconds=len(data.transactions))
        security_id = data.securities[security][0] if security is not None else None
        data.transactions.append((new_id(), account, kind, day, security_id, currency, quantity, price, amount, fee,
                                  tax, split_ratio, None, counter, transfer_id, data.user_id, stamp, stamp))

    def fee() -> Decimal:
        return Decimal(f"{rng.uniform(0.99, 9.99):.2f}") if rng.random() < 0.6 else Decimal(0)

    for day_index, kind in kinds:
        day = data.weekdays[day_index]
        positions = [key for key, quantity in held.items() if quantity > 0]
        if kind in (T.sell, T.dividend, T.transfer_out) and not positions:
            kind = T.buy
        if kind is None:  # a split: recorded in an account that holds the security (every holding splits)
            index, ratio = split_of_day[day_index]
            holders = [account for (account, i) in positions if i == index]
            new, old = ratio.split(":")
            for key in [key for key in held if key[1] == index]:
                held[key] = held[key] * Decimal(new) / Decimal(old)
            add(holders[0] if holders else accounts[0], T.split, day, index, currency=data.securities[index][2],
                split_ratio=ratio)
        elif kind is T.deposit:
            add(rng.choices(accounts, weights)[0], T.deposit, day, amount=Decimal(f"{rng.uniform(5e3, 4e4):.2f}"))
        elif kind is T.fee:
            add(rng.choices(accounts, weights)[0], T.fee, day, amount=Decimal(f"{rng.uniform(1, 50):.2f}"))
        elif kind is T.buy:
            account, index = rng.choices(accounts, weights)[0], rng.randrange(SECURITIES)
            price = data.closes[index][day_index]
            quantity = Decimal(max(1, round(rng.uniform(500, 5_000) / float(price))))
            if rng.random() < 0.2:  # a fractional buy
                quantity = (Decimal(rng.uniform(500, 5_000)) / price).quantize(QUANTITY_QUANTUM, ROUND_DOWN)
            held[(account, index)] = held.get((account, index), Decimal(0)) + quantity
            add(account, T.buy, day, index, currency=data.securities[index][2], quantity=quantity, price=price,
                fee=fee())
        elif kind is T.sell:
            account, index = rng.choice(positions)
            quantity = held[(account, index)]
            if rng.random() > 0.25:  # else all of it
                part = (quantity * Decimal(f"{rng.uniform(0.1, 0.6):.3f}")).quantize(QUANTITY_QUANTUM, ROUND_DOWN)
                quantity = part if part > 0 else quantity
            held[(account, index)] -= quantity
            add(account, T.sell, day, index, currency=data.securities[index][2], quantity=quantity,
                price=data.closes[index][day_index], fee=fee())
        elif kind is T.dividend:
            account, index = rng.choice(positions)
            currency = data.securities[index][2]
            gross = max(CENT, (held[(account, index)] * data.closes[index][day_index]
                               * Decimal(f"{rng.uniform(0.002, 0.01):.4f}")).quantize(CENT))
            tax = (gross * Decimal("0.15")).quantize(CENT) if currency == "EUR" else Decimal(0)
            add(account, T.dividend, day, index, currency=currency, amount=gross, tax=tax)
        elif kind is T.transfer_out:  # between the two investment accounts: both legs, one transfer id
            movable = [key for key in positions if key[0] in accounts[:2]]
            if not movable:
                continue
            source, index = rng.choice(movable)
            target = accounts[1] if source == accounts[0] else accounts[0]
            quantity = (held[(source, index)] / 2).quantize(QUANTITY_QUANTUM, ROUND_DOWN) or held[(source, index)]
            held[(source, index)] -= quantity
            held[(target, index)] = held.get((target, index), Decimal(0)) + quantity
            transfer_id = new_id()
            currency = data.securities[index][2]
            # as create_transaction books it: the counterpart first, then the leg asked for
            add(target, T.transfer_in, day, index, currency=currency, quantity=quantity, counter=source,
                transfer_id=transfer_id)
            add(source, T.transfer_out, day, index, currency=currency, quantity=quantity, counter=target,
                transfer_id=transfer_id)


async def load(database: Database, data: Data) -> dict[str, int]:
    """The user, its accounts and value entries, the securities and prices, the rates and the transactions."""
    counts: dict[str, int] = {}
    async with database.sessionmaker() as session:
        user_id = data.user_id
        session.add(User(id=user_id, email=f"bench-portfolio-{user_id.hex[:8]}@example.com", role=Role.personal,
                         is_active=True, tenant_id=user_id))
        await session.flush()
        session.add_all([Credentials(user_id=user_id, password_hash="unused"),
                         Profile(user_id=user_id, base_currency="USD")])
        names = ("Brokerage", "Brokerage 2", "Retirement")
        types = (AccountType.investment, AccountType.investment, AccountType.retirement)
        accounts = [Account(id=account_id, tenant_id=user_id, created_by_id=user_id, name=name, type=type_,
                            currency="USD", is_active=True)
                    for account_id, name, type_ in zip(data.investment, names, types, strict=True)]
        accounts += [Account(id=data.checking, tenant_id=user_id, created_by_id=user_id, name="Checking",
                             type=AccountType.checking, currency="USD", is_active=True),
                     Account(id=data.card, tenant_id=user_id, created_by_id=user_id, name="Credit card",
                             type=AccountType.credit_card, currency="USD", is_active=True)]
        session.add_all(accounts)
        session.add_all([AccountValue(tenant_id=user_id, created_by_id=user_id, account_id=account_id, date=day,
                                      balance=balance) for account_id, day, balance in data.values])
        session.add_all([Security(id=security_id, symbol=symbol, name=f"Bench security {symbol[-2:]}",
                                  security_type=SecurityType.stock if i % 5 else SecurityType.etf,
                                  exchange="XETRA" if currency == "EUR" else "NYSE", currency=currency)
                         for i, (security_id, symbol, currency) in enumerate(data.securities)])
        await session.flush()
        counts["accounts"] = len(accounts)
        counts["account values"] = len(data.values)
        counts["securities"] = len(data.securities)
        counts["prices"] = await PriceRepository(session).insert_many(
            ("security_id", "date", "close"),
            ((security_id, day, close) for (security_id, _, _), series in zip(data.securities, data.closes,
                                                                              strict=True)
             for day, close in zip(data.weekdays, series, strict=True)))
        rates = await rate_service.load_bundled(session, since=data.start - dt.timedelta(days=10))
        counts["exchange rates"] = rates.rows
        counts["investment transactions"] = await InvestmentTransactionRepository(session, user_id).insert_many(
            TRANSACTION_COLUMNS, data.transactions)
        await session.commit()
    return counts


# ---- timing ----

def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest rank."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    began = time.perf_counter()
    await call()
    return (time.perf_counter() - began) * 1000


def ms(value: float) -> str:
    return f"{value:.1f} ms"


async def delete_state(database: Database, tenant_id: uuid.UUID) -> None:
    async with database.sessionmaker() as session:
        for model in STATE_TABLES:
            await session.execute(delete(model).where(model.tenant_id == tenant_id))
        await session.commit()


def random_ranges(rng: random.Random, count: int, start: dt.date, today: dt.date
                  ) -> list[tuple[dt.date | None, dt.date | None]]:
    """Every tenth the default range (the first activity through today), else random days in the 10 years."""
    span = (today - start).days
    ranges: list[tuple[dt.date | None, dt.date | None]] = []
    for i in range(count):
        if i % 10 == 0:
            ranges.append((None, None))
            continue
        first, second = sorted(rng.sample(range(span + 1), 2))
        ranges.append((start + dt.timedelta(days=first), start + dt.timedelta(days=second)))
    return ranges


def disagreements(stored: PerformanceRead, recomputed: PerformanceRead) -> list[str]:
    """What differs: the dates and money exactly, the time-weighted returns within 1e-8."""
    found = [f"{name}: stored {getattr(stored, name)} vs recomputed {getattr(recomputed, name)}"
             for name in ("start_date", "end_date", *MONEY_FIELDS)
             if getattr(stored, name) != getattr(recomputed, name)]
    for name in ("twr", "twr_annualized"):
        a, b = getattr(stored, name), getattr(recomputed, name)
        if (a is None) != (b is None) or (a is not None and abs(a - b) > TWR_TOLERANCE):
            found.append(f"{name}: stored {a} vs recomputed {b}")
    return found


# ---- the run ----

async def main(data_dir: Path, requests: int, recompute: int, runs: int, seed: int) -> int:
    url = os.environ.get("COLONY_DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'bench.db'}"
    settings = Settings(env=Environment.test, database_url=url, data_dir=data_dir,
                        secret_key="bench-secret-key-that-is-long-enough-for-hs256",
                        log_level="WARNING")  # not a line per request
    engine_name = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"machine: {os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}, "
          f"load average {'/'.join(f'{v:.1f}' for v in os.getloadavg())}", flush=True)
    print(f"engine: {engine_name} ({url.split('://', 1)[0]})", flush=True)
    schema_engine = create_engine(settings.sqlalchemy_url)
    async with schema_engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await schema_engine.dispose()

    today = clock.today()
    began = time.perf_counter()
    data = make_data(seed, today)
    app = create_app(settings)
    async with LifespanManager(app):
        database: Database = app.state.database
        counts = await load(database, data)
        if engine_name == "PostgreSQL":  # what autovacuum would have done after a bulk load
            async with database.engine.begin() as conn:
                await conn.execute(text("ANALYZE"))
        kinds = Counter(str(row[2].value) for row in data.transactions)
        print(f"loaded in {time.perf_counter() - began:.1f} s: 1 user, "
              + ", ".join(f"{count:,} {name}" for name, count in counts.items())
              + f" ({', '.join(f'{kind} {n}' for kind, n in kinds.most_common())}), "
              f"{data.start} to {data.today} ({len(data.weekdays):,} weekdays)", flush=True)
        tenant = Tenant(user_id=data.user_id, tenant_id=data.user_id, role=Role.personal, base_currency="USD")
        # A server holds none of this: let it not lengthen the process's full garbage collections (~70 ms here).
        data.closes.clear()
        data.transactions.clear()
        gc.collect()
        tune_garbage_collector()  # as `colony serve` does once started (the test environment leaves it out)

        # 1. the full rebuild (one untimed build first: imports, caches, and on PostgreSQL ANALYZE of the
        #    state tables, as autovacuum would have after the first build)
        await refresh.refresh(database, tenant)
        if engine_name == "PostgreSQL":
            async with database.engine.begin() as conn:
                await conn.execute(text("ANALYZE"))
        async with database.reader() as reader:
            day_rows = len(await state_service.days_between(reader, tenant.tenant_id, tenant.tenant_id,
                                                            dt.date.min, dt.date.max))
        rebuilds = []
        for _ in range(runs):
            await delete_state(database, tenant.tenant_id)
            rebuilds.append(await timed(lambda: refresh.refresh(database, tenant)))
        print(f"rebuild: median {ms(statistics.median(rebuilds))}, max {ms(max(rebuilds))} ({runs} runs; "
              f"{day_rows:,} days in each of {len(data.investment) + 1} scopes)", flush=True)

        # 2. incremental, after a write backdated 30 days
        incremental = []
        for _ in range(runs):
            async with database.sessionmaker() as session:
                await state_service.touch(session, tenant.tenant_id, today - dt.timedelta(days=30))
                await session.commit()
            incremental.append(await timed(lambda: refresh.refresh(database, tenant)))
        print(f"incremental: median {ms(statistics.median(incremental))}, max {ms(max(incremental))} "
              f"({runs} runs, a write dated 30 days ago)", flush=True)
        async with database.reader() as reader:
            assert refresh.is_fresh(await state_service.header(reader, tenant.tenant_id), "USD", today)

        # 3. through HTTP, the state fresh, one request at a time
        token, _ = tokens.create_access_token(data.user_id, settings.signing_key, 60)
        headers = {"Authorization": f"Bearer {token}"}
        rng = random.Random(seed + 1)
        ranges = random_ranges(rng, requests, data.start, today)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench",
                                     headers=headers) as client:
            async def get(path: str, params: dict[str, str] | None = None) -> float:
                began = time.perf_counter()
                response = await client.get(path, params=params)
                elapsed = (time.perf_counter() - began) * 1000
                response.raise_for_status()
                return elapsed

            def range_params(start: dt.date | None, end: dt.date | None) -> dict[str, str]:
                return {key: day.isoformat() for key, day in (("start_date", start), ("end_date", end))
                        if day is not None}

            # the history holds as the API checks it on a write (a replay per account: 422 if a sale, split or
            # transfer ever took more than was held)
            statuses = [(await client.get(f"/api/v1/accounts/{account_id}/holdings", params={"size": 1})).status_code
                        for account_id in data.investment]
            print(f"history: {'valid' if statuses == [200] * len(statuses) else 'INVALID'} "
                  f"(GET /accounts/{{id}}/holdings of the {len(statuses)} accounts: {statuses})", flush=True)
            net_worth_params = {"date": today.isoformat(), "history_start_date": data.start.isoformat()}
            for _ in range(5):  # warm-up
                await get("/api/v1/portfolio")
                await get("/api/v1/portfolio/performance")
                await get("/api/v1/reports/net-worth", net_worth_params)
            http_portfolio = [await get("/api/v1/portfolio") for _ in range(requests)]
            http_performance = [await get("/api/v1/portfolio/performance", range_params(*r)) for r in ranges]
            http_net_worth = [await get("/api/v1/reports/net-worth", net_worth_params) for _ in range(requests)]
            worth = (await client.get("/api/v1/reports/net-worth", params=net_worth_params)).json()
            holdings = len((await client.get("/api/v1/portfolio")).json()["holdings"])
        full = sum(1 for start, _ in ranges if start is None)
        print(f"GET /portfolio: p50 {ms(percentile(http_portfolio, 0.5))}, p99 {ms(percentile(http_portfolio, 0.99))}"
              f" ({requests} requests; {holdings} holdings)", flush=True)
        print(f"GET /portfolio/performance: p50 {ms(percentile(http_performance, 0.5))}, "
              f"p99 {ms(percentile(http_performance, 0.99))} ({requests} requests: {full} the full range, "
              f"{requests - full} random ranges)", flush=True)

        # 4. in-process: the stored state against recomputing from the facts, a fresh reader session each
        async def recomputed_portfolio() -> Any:
            async with database.reader() as session:
                accounts = await books.portfolio_accounts(session, tenant)
                return await computed.portfolio(session, tenant, accounts, method=engine.CostMethod.fifo,
                                                day=clock.today())

        async def recomputed_performance(start: dt.date | None, end: dt.date | None) -> PerformanceRead:
            async with database.reader() as session:
                accounts = await books.portfolio_accounts(session, tenant)
                return await computed.performance(session, tenant, accounts, start=start, end=end or clock.today())

        async def stored_performance(start: dt.date | None, end: dt.date | None) -> PerformanceRead:
            return await portfolio_service.performance(database, tenant, start=start, end=end)

        stored_p = [await timed(lambda: portfolio_service.portfolio(database, tenant,
                                                                    method=engine.CostMethod.fifo))
                    for _ in range(requests)]
        recomputed_p = [await timed(recomputed_portfolio) for _ in range(recompute)]
        stored_f = [await timed(functools.partial(stored_performance, *r)) for r in ranges]
        recomputed_f = [await timed(functools.partial(recomputed_performance, *r)) for r in ranges[:recompute]]
        for label, stored, again in (("portfolio", stored_p, recomputed_p), ("performance", stored_f, recomputed_f)):
            ratio = percentile(again, 0.5) / percentile(stored, 0.5)
            print(f"{label} in-process: stored p50 {ms(percentile(stored, 0.5))} ({len(stored)} calls), "
                  f"recompute p50 {ms(percentile(again, 0.5))} ({len(again)} calls): ratio {ratio:.1f}x", flush=True)

        print(f"GET /reports/net-worth: p50 {ms(percentile(http_net_worth, 0.5))}, "
              f"p99 {ms(percentile(http_net_worth, 0.99))} ({requests} requests; {len(worth['history'])} monthly "
              f"points, {len(worth['accounts'])} accounts)", flush=True)

        # 5. the stored figures against the recomputed ones: the full range, and a few random ranges
        problems = disagreements(await stored_performance(None, None), await recomputed_performance(None, None))
        others = []
        for start, end in ranges[1:6]:
            others += [f"[{start}, {end}] {line}" for line in
                       disagreements(await stored_performance(start, end), await recomputed_performance(start, end))]
        for line in problems + others:
            print(f"  differs: {line}", flush=True)
        print(f"agree: {'no' if problems else 'yes'} (full range: money exact, twr within {TWR_TOLERANCE}); "
              f"5 random ranges: {'differ' if others else 'agree'}", flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="requests per HTTP figure (default 200)")
    parser.add_argument("--recompute", type=int, default=20, help="calls recomputing from the facts (default 20)")
    parser.add_argument("--runs", type=int, default=5, help="timed rebuilds and incremental refreshes")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="colony-bench-portfolio-"))
    try:
        sys.exit(asyncio.run(main(work, args.requests, args.recompute, args.runs, args.seed)))
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the SQLite file
