"""Benchmark data: a fresh database with many tenants and a year of transactions, loaded fast.

PostgreSQL is loaded with asyncpg's binary COPY straight into Colony's tables (secondary indexes of
`transactions` are dropped during the load and rebuilt after, foreign-key triggers are skipped with
`session_replication_role = replica`, then ANALYZE). The SQLite file for the embedded-default run is
loaded with SQLAlchemy Core bulk inserts, so Colony's own column types encode the values.

The schema comes from `colony db upgrade`; tables that no migration creates yet are added with
`Base.metadata.create_all` (checkfirst), so the benchmark runs while the migrations catch up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import asyncpg

PASSWORD = "bench-password-1"
BASE_CURRENCY = "USD"
FOREIGN = ("EUR", "GBP", "JPY")
MINOR_UNITS = {"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0}
EXPENSE_CATEGORIES = ("Food", "Bills", "Groceries", "Transportation", "Housing", "Health", "Entertainment", "Other")
INCOME_CATEGORY = "Salary"
PAYMENT_METHODS = (("Cash", "cash", None), ("Visa", "credit_card", "4242"), ("Checking", "bank_transfer", None))
MERCHANTS = ("Coffee shop", "Supermarket", "Electricity bill", "Bus ticket", "Rent", "Pharmacy", "Cinema",
             "Restaurant", "Bakery", "Fuel", "Phone plan", "Internet", "Gym", "Bookshop", "Taxi", "Lunch",
             "Hardware store", "Streaming service", "Insurance", "Dentist")
RATE_QUANTUM = Decimal(1).scaleb(-10)

# Column order of the COPY into transactions (a subset: the rest are nullable and left NULL).
TX_COLUMNS = ("id", "tenant_id", "created_by_id", "type", "status", "amount", "currency", "date", "description",
              "notes", "category_id", "payment_method_id", "amount_base", "base_currency", "exchange_rate",
              "created_at", "updated_at")


@dataclass
class Tenant:
    index: int
    id: uuid.UUID
    email: str
    rows: int
    expense_categories: list[uuid.UUID] = field(default_factory=list)
    income_category: uuid.UUID | None = None
    payment_methods: list[uuid.UUID] = field(default_factory=list)


@dataclass
class Dataset:
    """What was loaded: the tenants the benchmark logs in as, and the date range of the data."""

    tenants: list[Tenant]  # the normal tenants
    big: Tenant  # the one large tenant (analytics, export, list on a big tenant)
    importer: Tenant  # an empty tenant that receives the CSV import
    start: dt.date
    end: dt.date
    rows: int

    def all_tenants(self) -> list[Tenant]:
        return [*self.tenants, self.big, self.importer]


def make_dataset(tenants: int, rows_per_tenant: int, big_rows: int, end: dt.date, seed: int = 7) -> Dataset:
    rng = random.Random(seed)

    def tenant(index: int, name: str, rows: int) -> Tenant:
        t = Tenant(index, uuid.UUID(int=rng.getrandbits(128), version=4), f"{name}@colony.bench", rows)
        t.expense_categories = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in EXPENSE_CATEGORIES]
        t.income_category = uuid.UUID(int=rng.getrandbits(128), version=4)
        t.payment_methods = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in PAYMENT_METHODS]
        return t

    normal = [tenant(i, f"tenant{i:04d}", rows_per_tenant) for i in range(tenants)]
    big = tenant(tenants, "big", big_rows)
    importer = tenant(tenants + 1, "importer", 0)
    start = end - dt.timedelta(days=364)
    return Dataset(normal, big, importer, start, end, tenants * rows_per_tenant + big_rows)


# ---- rates: the bundled ECB history, so foreign rows get a real amount_base ----

class Rates:
    def __init__(self, fixings: list[tuple[dt.date, str, Decimal]]) -> None:
        self.fixings = fixings
        by_day: dict[dt.date, dict[str, Decimal]] = {}
        for day, code, rate in fixings:
            by_day.setdefault(day, {})[code] = rate
        self.days = sorted(by_day)
        self.by_day = by_day
        self._cache: dict[tuple[str, dt.date], Decimal] = {}

    @classmethod
    def bundled(cls, since: dt.date) -> Rates:
        from colony.exchange_rates import bundled

        return cls(bundled.read_history(since=since))

    def rate(self, code: str, day: dt.date) -> Decimal:
        """Units of the base currency per unit of `code`, at the last fixing on or before `day`."""
        key = (code, day)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        import bisect

        index = bisect.bisect_right(self.days, day) - 1
        fixing = self.by_day[self.days[max(index, 0)]]
        base_per_eur = fixing[BASE_CURRENCY]
        code_per_eur = Decimal(1) if code == "EUR" else fixing[code]
        rate = (base_per_eur / code_per_eur).quantize(RATE_QUANTUM, rounding=ROUND_HALF_EVEN)
        self._cache[key] = rate
        return rate


# ---- row generators (plain Python values; each loader encodes them its own way) ----

def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def user_rows(dataset: Dataset, password_hash: str) -> tuple[list[tuple], list[tuple], list[tuple]]:
    now = _now()
    users, credentials, profiles = [], [], []
    for t in dataset.all_tenants():
        users.append((t.id, t.email, "personal", True, t.id, now, now))
        credentials.append((t.id, password_hash, "argon2id"))
        profiles.append((t.id, "Bench", f"Tenant {t.index}", BASE_CURRENCY, "UTC", "en-US"))
    return users, credentials, profiles


USER_COLUMNS = ("id", "email", "role", "is_active", "tenant_id", "created_at", "updated_at")
CREDENTIAL_COLUMNS = ("user_id", "password_hash", "algorithm")
PROFILE_COLUMNS = ("user_id", "first_name", "last_name", "base_currency", "timezone", "locale")
CATEGORY_COLUMNS = ("id", "tenant_id", "created_by_id", "name", "kind", "created_at", "updated_at")
PAYMENT_METHOD_COLUMNS = ("id", "tenant_id", "created_by_id", "name", "type", "currency", "last4", "is_active",
                          "created_at", "updated_at")


def category_rows(dataset: Dataset) -> list[tuple]:
    now = _now()
    rows = []
    for t in dataset.all_tenants():
        for cid, name in zip(t.expense_categories, EXPENSE_CATEGORIES, strict=True):
            rows.append((cid, t.id, t.id, name, "expense", now, now))
        rows.append((t.income_category, t.id, t.id, INCOME_CATEGORY, "income", now, now))
    return rows


def payment_method_rows(dataset: Dataset) -> list[tuple]:
    now = _now()
    rows = []
    for t in dataset.all_tenants():
        for pid, (name, kind, last4) in zip(t.payment_methods, PAYMENT_METHODS, strict=True):
            rows.append((pid, t.id, t.id, name, kind, None, last4, True, now, now))
    return rows


def transaction_rows(dataset: Dataset, tenant: Tenant, rates: Rates, rng: random.Random) -> Iterator[tuple]:
    """`tenant.rows` transactions over the year: ~92% expenses, ~5% in a foreign currency."""
    days = (dataset.end - dataset.start).days + 1
    start = dataset.start
    cents_pool = [int(rng.lognormvariate(3.2, 1.1) * 100) + 50 for _ in range(4096)]
    expense_amounts = [Decimal(c).scaleb(-2) for c in cents_pool]
    yen_amounts = [Decimal(max(1, c // 1)) for c in cents_pool]  # yen: no decimals, ~100x
    income_amounts = [Decimal(rng.randint(150_000, 600_000)).scaleb(-2) for _ in range(512)]
    one = Decimal(1)
    rand = rng.random
    randrange = rng.randrange
    for _ in range(tenant.rows):
        day = start + dt.timedelta(days=randrange(days))
        created = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(
            seconds=randrange(86_400), microseconds=randrange(1_000_000))
        if rand() < 0.08:
            kind, category, amount, currency = "income", tenant.income_category, \
                income_amounts[randrange(512)], BASE_CURRENCY
            description = "Salary"
        else:
            kind = "expense"
            category = tenant.expense_categories[randrange(8)]
            description = MERCHANTS[randrange(len(MERCHANTS))]
            if rand() < 0.05:
                currency = FOREIGN[randrange(3)]
                amount = yen_amounts[randrange(4096)] if currency == "JPY" else expense_amounts[randrange(4096)]
            else:
                currency, amount = BASE_CURRENCY, expense_amounts[randrange(4096)]
        if currency == BASE_CURRENCY:
            rate, amount_base = one, amount
        else:
            rate = rates.rate(currency, day)
            amount_base = (amount * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
        notes = "split with a friend" if rand() < 0.1 else None
        payment = tenant.payment_methods[randrange(3)] if rand() < 0.9 else None
        status = "planned" if rand() < 0.03 else "paid"
        yield (uuid.UUID(int=rng.getrandbits(128), version=4), tenant.id, tenant.id, kind, status, amount, currency,
               day, description, notes, category, payment, amount_base, BASE_CURRENCY, rate, created, created)


def password_hash() -> str:
    """One Argon2id hash (about 85 ms), reused by every bench user."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    return PasswordHash((Argon2Hasher(),)).hash(PASSWORD)


# ---- schema ----

def import_all_models() -> Any:
    """Colony's Base with every domain's models imported (colony.domains declares them all)."""
    import colony.domains
    from colony.core.models import Base

    assert colony.domains.models()
    return Base


def upgrade_schema(database_url: str) -> str:
    """`colony db upgrade`, then create whatever no migration creates yet. Returns a note for the report."""
    env = {**os.environ, "COLONY_DATABASE_URL": database_url, "COLONY_ENV": "development"}
    colony = Path(sys.executable).with_name("colony")
    result = subprocess.run([str(colony), "db", "upgrade"], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"colony db upgrade failed:\n{result.stdout}\n{result.stderr}")
    return asyncio.run(_create_missing(database_url))


async def _create_missing(database_url: str) -> str:
    from sqlalchemy import inspect
    from sqlalchemy.ext.asyncio import create_async_engine

    Base = import_all_models()
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            existing = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
            missing = sorted(set(Base.metadata.tables) - existing)
            if missing:
                await conn.run_sync(Base.metadata.create_all)
    finally:
        await engine.dispose()
    return f"created by create_all (no migration yet): {', '.join(missing)}" if missing else ""


# ---- PostgreSQL ----

async def recreate_pg_database(admin_dsn: str, name: str) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_pg_database(admin_dsn: str, name: str) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _chunks(rows: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def load_pg(dsn: str, dataset: Dataset, log: Any = print) -> dict[str, float]:
    """COPY everything into the (migrated, empty) database at `dsn`. Returns timings in seconds."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    hashed = password_hash()
    rates = Rates.bundled(dataset.start - dt.timedelta(days=60))
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SET session_replication_role = replica")  # no FK triggers during the load
        await conn.execute("SET maintenance_work_mem = '256MB'")
        users, credentials, profiles = user_rows(dataset, hashed)
        await conn.copy_records_to_table("users", records=users, columns=USER_COLUMNS)
        await conn.copy_records_to_table("credentials", records=credentials, columns=CREDENTIAL_COLUMNS)
        await conn.copy_records_to_table("profiles", records=profiles, columns=PROFILE_COLUMNS)
        await conn.copy_records_to_table("categories", records=category_rows(dataset), columns=CATEGORY_COLUMNS)
        await conn.copy_records_to_table("payment_methods", records=payment_method_rows(dataset),
                                         columns=PAYMENT_METHOD_COLUMNS)
        await conn.execute("DELETE FROM exchange_rates")
        await conn.copy_records_to_table("exchange_rates", records=rates.fixings, columns=("date", "currency", "rate"))
        timings["users, categories, rates"] = time.perf_counter() - t0

        t1 = time.perf_counter()
        indexes = await conn.fetch(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'transactions' "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)")
        for index in indexes:
            await conn.execute(f'DROP INDEX "{index["indexname"]}"')
        rng = random.Random(11)
        done = 0
        tenants = [*dataset.tenants, dataset.big]

        def all_rows() -> Iterator[tuple]:
            for t in tenants:
                yield from transaction_rows(dataset, t, rates, rng)

        for chunk in _chunks(all_rows(), 50_000):
            await conn.copy_records_to_table("transactions", records=chunk, columns=TX_COLUMNS)
            done += len(chunk)
            if done % 200_000 == 0:
                log(f"  {done:,} transactions copied ({time.perf_counter() - t1:.1f} s)")
        timings["transactions COPY"] = time.perf_counter() - t1

        t2 = time.perf_counter()
        for index in indexes:
            await conn.execute(index["indexdef"])
        timings["indexes rebuilt"] = time.perf_counter() - t2
        t3 = time.perf_counter()
        # VACUUM too, not only ANALYZE: a COPY leaves the visibility map unset, so index-only scans (the
        # list's count) would visit the heap until autovacuum ran, as it would have on a live database.
        await conn.execute("VACUUM (ANALYZE) transactions")
        await conn.execute("ANALYZE")
        timings["VACUUM, ANALYZE"] = time.perf_counter() - t3
    finally:
        await conn.close()
    timings["total"] = time.perf_counter() - t0
    return timings


# ---- SQLite (the embedded default) ----

def load_sqlite(path: Path, dataset: Dataset) -> float:
    """Bulk-insert the dataset through SQLAlchemy Core, so Colony's types encode every value."""
    from sqlalchemy import create_engine

    Base = import_all_models()
    t0 = time.perf_counter()
    tables = Base.metadata.tables
    engine = create_engine(f"sqlite:///{path}")
    hashed = password_hash()
    rates = Rates.bundled(dataset.start - dt.timedelta(days=60))
    users, credentials, profiles = user_rows(dataset, hashed)
    rng = random.Random(11)
    with engine.begin() as conn:
        for name, columns, rows in (
            ("users", USER_COLUMNS, users), ("credentials", CREDENTIAL_COLUMNS, credentials),
            ("profiles", PROFILE_COLUMNS, profiles), ("categories", CATEGORY_COLUMNS, category_rows(dataset)),
            ("payment_methods", PAYMENT_METHOD_COLUMNS, payment_method_rows(dataset)),
            ("exchange_rates", ("date", "currency", "rate"), rates.fixings),
        ):
            conn.execute(tables[name].insert(), [dict(zip(columns, row, strict=True)) for row in rows])
        for t in [*dataset.tenants, dataset.big]:
            for chunk in _chunks(transaction_rows(dataset, t, rates, rng), 20_000):
                conn.execute(tables["transactions"].insert(),
                             [dict(zip(TX_COLUMNS, row, strict=True)) for row in chunk])
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return time.perf_counter() - t0


def csv_import_file(dataset: Dataset, rows: int, seed: int = 5) -> bytes:
    """A CSV upload in the import format: `date,amount,currency,description,category,type`."""
    rng = random.Random(seed)
    days = (dataset.end - dataset.start).days + 1
    lines = ["date,amount,currency,description,category,type"]
    for i in range(rows):
        day = dataset.start + dt.timedelta(days=rng.randrange(days))
        if rng.random() < 0.08:
            lines.append(f"{day.isoformat()},{rng.randint(150_000, 600_000) / 100:.2f},USD,Salary {i},Salary,income")
            continue
        currency = FOREIGN[rng.randrange(3)] if rng.random() < 0.05 else BASE_CURRENCY
        cents = int(rng.lognormvariate(3.2, 1.1) * 100) + 50
        amount = str(cents) if currency == "JPY" else f"{cents / 100:.2f}"
        category = EXPENSE_CATEGORIES[rng.randrange(8)]
        lines.append(f"{day.isoformat()},{amount},{currency},{MERCHANTS[rng.randrange(len(MERCHANTS))]} #{i},"
                     f"{category},expense")
    return ("\n".join(lines) + "\n").encode()
