"""Alembic owns the schema: upgrade to head, no drift from the models, a clean downgrade; both engines."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from colony import migrate
from colony.models import Base
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


def test_upgrade_matches_models_and_downgrades_cleanly(fresh_database_url: str) -> None:
    config = migrate.alembic_config(fresh_database_url)
    command.upgrade(config, "head")
    assert set(Base.metadata.tables) <= _tables(fresh_database_url)
    command.check(config)  # raises when the models and the migrations disagree

    command.downgrade(config, "base")
    assert _tables(fresh_database_url) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert set(Base.metadata.tables) <= _tables(fresh_database_url)
