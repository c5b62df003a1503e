"""Exact money and UTC datetimes on the engine under test (SQLite by default, PostgreSQL when configured)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from colony.core.types import Money, Quantity, Rate, UTCDateTime

metadata = MetaData()
ledger = Table(
    "type_probe", metadata,
    Column("id", Integer, primary_key=True),
    Column("amount", Money()),
    Column("rate", Rate()),
    Column("quantity", Quantity()),
    Column("at", UTCDateTime()),
)


@pytest.fixture
async def probe(connection: AsyncConnection) -> AsyncIterator[AsyncConnection]:
    await connection.run_sync(metadata.create_all)  # inside the test's transaction: rolled back after
    yield connection


async def amounts(conn: AsyncConnection) -> list[Decimal]:
    return list((await conn.execute(select(ledger.c.amount).order_by(ledger.c.id))).scalars())


async def test_tenths_sum_exactly(probe: AsyncConnection) -> None:
    await probe.execute(insert(ledger), [{"amount": Decimal("0.1")} for _ in range(10)]
                        + [{"amount": Decimal("0.2")}])
    total = (await probe.execute(select(func.sum(ledger.c.amount)))).scalar_one()
    assert total == Decimal("1.2")
    assert isinstance(total, Decimal)


async def test_extreme_amounts_round_trip_and_sum(probe: AsyncConnection) -> None:
    extremes = [Decimal("999999999.99"), Decimal("0.01"), Decimal("0.001"), Decimal("-999999999.99")]
    await probe.execute(insert(ledger), [{"amount": a} for a in extremes])
    assert await amounts(probe) == extremes
    # A hundred thousand maximal amounts still sum exactly (no float, no 64-bit overflow).
    await probe.execute(insert(ledger), [{"amount": Decimal("999999999.99")}] * 1000)
    total = (await probe.execute(select(func.sum(ledger.c.amount)))).scalar_one()
    assert total == Decimal("999999999.99") * 1000 + Decimal("0.011")


async def test_values_are_quantized_half_even_to_the_column_scale(probe: AsyncConnection) -> None:
    await probe.execute(insert(ledger), [{"amount": Decimal("1.00005")}, {"amount": Decimal("1.00015")},
                                         {"amount": Decimal("2.5")}])
    assert await amounts(probe) == [Decimal("1.0000"), Decimal("1.0002"), Decimal("2.5000")]


async def test_comparisons_and_ordering_are_exact(probe: AsyncConnection) -> None:
    await probe.execute(insert(ledger), [{"amount": Decimal(v)} for v in ("10.01", "9.99", "10.00", "100")])
    matched = (await probe.execute(
        select(ledger.c.amount).where(ledger.c.amount >= Decimal("10.00")).order_by(ledger.c.amount)
    )).scalars().all()
    assert matched == [Decimal("10.00"), Decimal("10.01"), Decimal("100")]


async def test_rates_and_quantities_keep_their_precision(probe: AsyncConnection) -> None:
    await probe.execute(insert(ledger), [
        {"rate": Decimal("0.9123456789"), "quantity": Decimal("0.00000001")},
        {"rate": Decimal("16789.1234567891"), "quantity": Decimal("12345678.12345678")},
    ])
    rows = (await probe.execute(select(ledger.c.rate, ledger.c.quantity).order_by(ledger.c.id))).all()
    assert rows[0] == (Decimal("0.9123456789"), Decimal("0.00000001"))
    assert rows[1] == (Decimal("16789.1234567891"), Decimal("12345678.12345678"))


async def test_floats_are_refused(probe: AsyncConnection) -> None:
    with pytest.raises(Exception, match="float"):
        await probe.execute(insert(ledger).values(amount=0.1))


async def test_datetimes_come_back_aware_in_utc(probe: AsyncConnection) -> None:
    moment = datetime(2024, 2, 29, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    await probe.execute(insert(ledger).values(at=moment))
    stored = (await probe.execute(select(ledger.c.at))).scalar_one()
    assert stored == moment
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == datetime(2024, 3, 1, 4, 30, tzinfo=UTC)


async def test_naive_datetimes_are_refused(probe: AsyncConnection) -> None:
    with pytest.raises(Exception, match="naive"):
        await probe.execute(insert(ledger).values(at=datetime(2024, 1, 1)))
