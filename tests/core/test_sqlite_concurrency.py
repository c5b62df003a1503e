"""Concurrent writers on the embedded SQLite default queue for the lock instead of failing."""

import asyncio
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, update

from colony.core.db import Database

metadata = MetaData()
counters = Table("counters", metadata, Column("id", Integer, primary_key=True), Column("value", Integer))
notes = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("text", String(50)))


async def test_concurrent_read_then_write_transactions_all_succeed(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'concurrency.db'}"
    # Two databases on one file: two instances (or two workers) of Colony sharing the embedded default.
    first, second = Database.from_url(url), Database.from_url(url)
    async with first.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(insert(counters).values(id=1, value=0))

    async def increment(database: Database, n: int) -> None:
        async with database.sessionmaker() as session:
            # A read followed by a write: with a deferred BEGIN this is what fails with "database is locked".
            current = (await session.execute(select(counters.c.value).where(counters.c.id == 1))).scalar_one()
            await session.execute(update(counters).where(counters.c.id == 1).values(value=current + 1))
            await session.execute(insert(notes).values(text=f"writer {n}"))
            await session.commit()

    async def read(database: Database) -> int:
        async with database.reader() as session:
            return int((await session.execute(select(func.count()).select_from(notes))).scalar_one())

    writers = [increment(first if n % 2 else second, n) for n in range(60)]
    readers = [read(first) for _ in range(20)]
    await asyncio.gather(*writers, *readers)

    async with first.reader() as session:
        assert (await session.execute(select(counters.c.value))).scalar_one() == 60  # no lost update
        assert (await session.execute(select(func.count()).select_from(notes))).scalar_one() == 60
    await first.dispose()
    await second.dispose()


async def test_savepoints_work_on_sqlite(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'savepoint.db'}")
    async with database.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    async with database.sessionmaker() as session:
        await session.execute(insert(notes).values(text="kept"))
        nested = await session.begin_nested()
        await session.execute(insert(notes).values(text="rolled back"))
        await nested.rollback()
        await session.commit()
    async with database.reader() as session:
        assert (await session.execute(select(notes.c.text))).scalars().all() == ["kept"]
    await database.dispose()
