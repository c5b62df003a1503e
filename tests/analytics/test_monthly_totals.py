"""The monthly totals that reports read: kept by every write in its transaction, equal to a recount after each
step of a random sequence of writes, and read by the reports exactly as the transactions would be."""

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.analytics import queries
from colony.transactions import service as transaction_service
from colony.transactions.models import MonthlyTotal, Transaction, TransactionType
from colony.transactions.totals import Deltas, TotalKey
from tests.factories import (
    V1,
    MakeUser,
    UserHandle,
    create_account,
    create_category,
    create_transaction,
    create_transfer,
)
from tests.imports.kit import imported

T = Transaction
FIRST_DAY = dt.date(2023, 11, 1)
DAYS = 150  # about five months: rows often share a month, and a category within it


async def _maintained(session: AsyncSession, tenant_id: uuid.UUID) -> dict[TotalKey, tuple[Decimal, int]]:
    rows = (await session.execute(
        select(MonthlyTotal.month, MonthlyTotal.type, MonthlyTotal.base_currency, MonthlyTotal.category_id,
               MonthlyTotal.total, MonthlyTotal.count).where(MonthlyTotal.tenant_id == tenant_id))).all()
    return {TotalKey(month, TransactionType(tx_type), currency, category): (total, count)
            for month, tx_type, currency, category, total, count in rows}


async def _recounted(session: AsyncSession, tenant_id: uuid.UUID) -> dict[TotalKey, tuple[Decimal, int]]:
    """Every transaction of the tenant counted again, in Python."""
    rows = (await session.execute(
        select(T.date, T.type, T.status, T.transfer_id, T.base_currency, T.category_id, T.amount_base)
        .where(T.tenant_id == tenant_id))).all()
    deltas = Deltas()
    for day, tx_type, status, transfer_id, base_currency, category_id, amount_base in rows:
        deltas.add_row(Transaction(date=day, type=tx_type, status=status, transfer_id=transfer_id,
                                   base_currency=base_currency, category_id=category_id, amount_base=amount_base), 1)
    return {change.key: (change.total, change.count) for change in deltas.changes()}


class Writer:
    """Random writes of one tenant over HTTP, as its clients make them."""

    def __init__(self, client: httpx.AsyncClient, owner: UserHandle, rng: random.Random) -> None:
        self.client, self.owner, self.rng = client, owner, rng
        self.categories: dict[str, list[str | None]] = {"expense": [None], "income": [None]}
        self.ids: list[str] = []
        self.imports: list[str] = []
        self.accounts: list[str] = []

    async def setup(self) -> None:
        for kind, names in (("expense", ("Food", "Rent", "Fun")), ("income", ("Salary", "Gifts"))):
            self.categories[kind] += [await create_category(self.client, self.owner, name, kind) for name in names]
        self.accounts = [(await create_account(self.client, self.owner, name=name))["id"] for name in ("A", "B")]

    def day(self) -> str:
        return (FIRST_DAY + dt.timedelta(days=self.rng.randrange(DAYS))).isoformat()

    def amount(self) -> str:
        return f"{self.rng.randrange(1, 100_000) / 100:.2f}"

    async def request(self, method: str, path: str, expected: int, **kwargs: Any) -> httpx.Response:
        response = await self.client.request(method, f"{V1}{path}", headers=self.owner.headers, **kwargs)
        assert response.status_code == expected, response.text
        return response

    async def create(self) -> str:
        tx_type = self.rng.choice(("expense", "income"))
        body = {"type": tx_type, "amount": self.amount(), "date": self.day(),
                "currency": self.rng.choice(("USD", "USD", "EUR", "JPY")),
                "status": self.rng.choice(("paid", "paid", "paid", "planned")),
                "category_id": self.rng.choice(self.categories[tx_type])}
        if body["currency"] == "JPY":
            body["amount"] = str(self.rng.randrange(1, 100_000))
        self.ids.append((await create_transaction(self.client, self.owner, **body))["id"])
        return f"create {body}"

    async def update(self) -> str:
        tx_id = self.rng.choice(self.ids)
        current = (await self.request("GET", f"/transactions/{tx_id}", 200)).json()
        field = self.rng.choice(("amount", "date", "category_id", "type", "status", "currency", "description"))
        options: dict[str, Callable[[], dict[str, Any]]] = {
            "amount": lambda: {"amount": "7" if current["currency"] == "JPY" else self.amount()},
            "date": lambda: {"date": self.day()},
            "category_id": lambda: {"category_id": self.rng.choice(self.categories[current["type"]])},
            "type": lambda: {"type": "income" if current["type"] == "expense" else "expense", "category_id": None},
            "status": lambda: {"status": "planned" if current["status"] == "paid" else "paid"},
            "currency": lambda: {"currency": "EUR" if current["currency"] == "USD" else "USD", "amount": "3.10"},
            "description": lambda: {"description": "edited"},
        }
        changes = options[field]()
        await self.request("PATCH", f"/transactions/{tx_id}", 200, json=changes)
        return f"update {tx_id} {changes}"

    async def delete(self) -> str:
        tx_id = self.ids.pop(self.rng.randrange(len(self.ids)))
        await self.request("DELETE", f"/transactions/{tx_id}", 204)
        return f"delete {tx_id}"

    async def bank_import(self) -> str:
        lines = ["!Type:Bank"]
        for n in range(self.rng.randrange(1, 6)):
            day = dt.date.fromisoformat(self.day())
            sign = self.rng.choice(("-", ""))
            lines += [f"D{day:%m/%d/%Y}", f"T{sign}{self.amount()}", f"PShop {self.rng.random()} {n}", "^"]
        report = await imported(self.client, self.owner, "\n".join(lines) + "\n", "bank.qif",
                                currency=self.rng.choice(("USD", "EUR")))
        self.imports.append(report["id"])
        return f"import {report['created']} rows"

    async def undo_import(self) -> str:
        import_id = self.imports.pop(self.rng.randrange(len(self.imports)))
        await self.request("DELETE", f"/imports/{import_id}", 204)
        return f"undo import {import_id}"

    async def transfer(self) -> str:
        await create_transfer(self.client, self.owner, from_account_id=self.accounts[0],
                              to_account_id=self.accounts[1], amount=self.amount(), date=self.day())
        return "transfer"

    async def move_category(self) -> str:
        """A category deleted, its transactions moved to another of its kind (then a new one in its place)."""
        kind = self.rng.choice(("expense", "income"))
        gone, kept = self.rng.sample([c for c in self.categories[kind] if c is not None], 2)
        await self.request("DELETE", f"/categories/{gone}", 204, params={"reassign_to": kept})
        self.categories[kind].remove(gone)
        self.categories[kind].append(await create_category(self.client, self.owner, f"New {self.rng.random()}", kind))
        return f"move category {gone} to {kept}"

    async def change_base_currency(self) -> str:
        currency = self.rng.choice(("EUR", "GBP", "USD"))
        await self.request("PATCH", "/users/me", 200, json={"base_currency": currency})
        return f"base currency {currency}"

    async def step(self) -> str:
        if len(self.ids) < 5:
            return await self.create()
        choices = [self.create] * 5 + [self.update] * 6 + [self.delete] * 2 + [self.bank_import, self.transfer,
                                                                               self.move_category]
        if self.imports:
            choices.append(self.undo_import)
        if self.rng.random() < 0.04:
            return await self.change_base_currency()
        return await self.rng.choice(choices)()


async def test_the_totals_equal_a_recount_after_every_write(client: httpx.AsyncClient, make_user: MakeUser,
                                                            session: AsyncSession) -> None:
    owner = await make_user()
    bystander = await make_user()  # another tenant's rows: never in the owner's totals
    await create_transaction(client, bystander, amount="5.00", date="2024-01-10")
    writer = Writer(client, owner, random.Random(18))
    await writer.setup()
    for number in range(120):
        done = await writer.step()
        maintained = await _maintained(session, owner.tenant_id)
        assert maintained == await _recounted(session, owner.tenant_id), f"step {number}: {done}"
    assert len(maintained) > 10  # the sequence reached many keys, not a trivial few
    assert await _maintained(session, bystander.tenant_id) == await _recounted(session, bystander.tenant_id)

    for _ in range(2):  # the rebuild recounts to the same rows, and running it again changes nothing
        assert await transaction_service.rebuild_totals(session, owner.tenant_id) == len(maintained)
        assert await _maintained(session, owner.tenant_id) == maintained


async def test_the_reports_read_the_totals_as_they_would_read_the_transactions(
        client: httpx.AsyncClient, make_user: MakeUser, session: AsyncSession) -> None:
    """Over random ranges (whole months, cut months, open ends), the totals-and-days reading gives the sums a
    scan of the transactions gives, for every key (former base currencies included)."""
    owner = await make_user()
    writer = Writer(client, owner, random.Random(7))
    await writer.setup()
    for _ in range(60):
        await writer.step()
    rng = random.Random(3)
    connection = await session.connection()
    for _ in range(40):
        days = sorted(FIRST_DAY + dt.timedelta(days=rng.randrange(-20, DAYS + 20)) for _ in range(2))
        start, end = rng.choice((days[0], None)), rng.choice((days[1], None))
        tx_type = rng.choice((TransactionType.expense, None))
        read = await queries.category_totals(session, owner.tenant_id, "nothing", start=start, end=end, type_=tx_type)
        by_category: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [Decimal(0), 0])
        for total in read:  # base currency "nothing": every row is a former one, summed per day from the rows
            by_category[total.type, total.category_id, total.foreign_currency, total.date][0] += total.total
            by_category[total.type, total.category_id, total.foreign_currency, total.date][1] += total.count
        scan = queries._category_totals_statement(has_start=start is not None, has_end=end is not None,
                                                  has_type=tx_type is not None, former=True)
        params = queries._params(owner.tenant_id, "nothing", start=start, end=end, type=tx_type)
        scanned = {(TransactionType(row[0]), row[1], row[5], row[6]): [row[3], int(row[4])]
                   for row in (await connection.execute(scan, params)).all()}
        assert by_category == scanned

        # in the base currency the rows were booked in: the parts read add up to a scan of the whole range
        base = "USD"
        read = await queries.category_totals(session, owner.tenant_id, base, start=start, end=end, type_=tx_type)
        current: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [Decimal(0), 0])
        for total in read:
            if total.foreign_currency is None:
                current[total.type, total.category_id][0] += total.total
                current[total.type, total.category_id][1] += total.count
        scan = queries._category_totals_statement(has_start=start is not None, has_end=end is not None,
                                                  has_type=tx_type is not None, former=False)
        in_base = {(TransactionType(row[0]), row[1]): [row[3], int(row[4])]
                   for row in (await connection.execute(scan, params)).all() if row[5] == base}
        assert dict(current) == in_base, (start, end, tx_type)

        if start is not None and end is not None:
            periods = await queries.period_totals(session, owner.tenant_id, base, start=start, end=end)
            months: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
            for period in periods:
                if period.foreign_currency is None:
                    months[period.date.replace(day=1), period.type] += period.total
            day_rows = (await connection.execute(queries._DAY_TOTALS, {**params, "start": start, "end": end})).all()
            by_month: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
            for day, day_type, currency, day_total in day_rows:
                if currency == base:
                    by_month[day.replace(day=1), TransactionType(day_type)] += day_total
            assert dict(months) == dict(by_month), (start, end)


@pytest.mark.parametrize(("start", "end", "months", "days"), [
    ("2024-03-01", "2024-03-31", ("2024-03-01", "2024-03-01"), []),
    ("2024-03-02", "2024-03-30", None, [("2024-03-02", "2024-03-30")]),
    ("2024-03-01", "2024-03-30", None, [("2024-03-01", "2024-03-30")]),
    ("2024-03-02", "2024-03-31", None, [("2024-03-02", "2024-03-31")]),
    ("2024-01-15", "2024-04-10", ("2024-02-01", "2024-03-01"), [("2024-01-15", "2024-01-31"),
                                                                ("2024-04-01", "2024-04-10")]),
    ("2024-01-15", "2024-02-10", None, [("2024-01-15", "2024-01-31"), ("2024-02-01", "2024-02-10")]),
    (None, "2024-02-29", (None, "2024-02-01"), []),
    ("2024-02-29", None, ("2024-03-01", None), [("2024-02-29", "2024-02-29")]),
    (None, None, (None, None), []),
    ("9999-12-02", None, None, [("9999-12-02", "9999-12-31")]),
    (None, "0001-01-30", None, [("0001-01-01", "0001-01-30")]),
])
def test_a_range_is_whole_months_and_the_days_of_the_months_it_cuts(
        start: str | None, end: str | None, months: tuple[str | None, str | None] | None,
        days: list[tuple[str, str]]) -> None:
    def day(text: str | None) -> dt.date | None:
        return None if text is None else dt.date.fromisoformat(text)

    parts = queries.split(day(start), day(end))
    assert parts.months == (None if months is None else (day(months[0]), day(months[1])))
    assert parts.days == tuple((day(a), day(b)) for a, b in days)


async def test_a_restore_rebuilds_the_totals(client: httpx.AsyncClient, make_user: MakeUser,
                                             session: AsyncSession) -> None:
    source = await make_user()
    food = await create_category(client, source, "Food")
    await create_transaction(client, source, amount="12.30", date="2024-03-15", category_id=food)
    await create_transaction(client, source, amount="100", date="2024-03-20", type="income")
    exported = (await client.get(f"{V1}/users/me/export", headers=source.headers)).content
    target = await make_user()
    response = await client.post(f"{V1}/users/me/import", files={"file": ("export.json", exported)},
                                 headers=target.headers)
    assert response.status_code in (200, 201), response.text
    restored = await _maintained(session, target.tenant_id)
    assert restored == await _recounted(session, target.tenant_id) and len(restored) == 2
    report = (await client.get(f"{V1}/analytics/monthly/2024/3", headers=target.headers)).json()
    assert (report["total_expenses"], report["total_income"]) == ("12.30", "100.00")
