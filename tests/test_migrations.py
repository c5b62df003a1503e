"""Alembic owns the schema: upgrade to head, no drift from the models, a clean downgrade; both engines."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from colony import migrate
from colony.domains import metadata
from tests.databases import fresh_database


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    with fresh_database(tmp_path, "migrations") as url:
        yield url


def _tables(url: str) -> set[str]:
    async def run() -> set[str]:
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        await engine.dispose()
        return names

    return asyncio.run(run())


def _partial_indexes(url: str) -> set[str | None]:
    """The indexes with a WHERE clause, as the database reports them."""
    async def run() -> set[str | None]:
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda sync: {
                index["name"] for table in metadata.tables for index in inspect(sync).get_indexes(table)
                if any(key.endswith("_where") for key in index.get("dialect_options", {}))})
        await engine.dispose()
        return names

    return asyncio.run(run())


def test_upgrade_matches_models_and_downgrades_cleanly(fresh_database_url: str) -> None:
    config = migrate.alembic_config(fresh_database_url)
    command.upgrade(config, "head")
    assert set(metadata.tables) <= _tables(fresh_database_url)
    command.check(config)  # raises when the models and the migrations disagree
    # ... except on an index's WHERE, which autogenerate does not compare
    dialect = "sqlite" if fresh_database_url.startswith("sqlite") else "postgresql"
    assert _partial_indexes(fresh_database_url) == {
        index.name for table in metadata.tables.values() for index in table.indexes
        if index.dialect_options[dialect].get("where") is not None}

    command.downgrade(config, "base")
    assert _tables(fresh_database_url) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert set(metadata.tables) <= _tables(fresh_database_url)


def test_instances_starting_together_migrate_once(fresh_database_url: str) -> None:
    """Several `colony serve` processes upgrading at once: one migrates, the others wait and find it done."""
    if not fresh_database_url.startswith("postgresql"):
        pytest.skip("the migration lock is a PostgreSQL advisory lock; SQLite is one machine's file")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLONY_")}
    env["COLONY_DATABASE_URL"] = fresh_database_url
    upgrades = [subprocess.Popen([sys.executable, "-m", "colony", "db", "upgrade"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(3)]
    for process in upgrades:  # without the lock, the losers fail with "relation already exists"
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 0, output.decode(errors="replace")
    command.check(migrate.alembic_config(fresh_database_url))
