"""Request sessions: handed out in arrival order, and a bounded wait for one."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout

from colony.core import db
from colony.core.db import Database


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'sessions.db'}")  # one session at a time
    yield database
    await database.dispose()


async def test_a_waiting_request_is_not_overtaken_by_a_later_one(database: Database) -> None:
    order: list[str] = []

    async def use_a_session(name: str) -> None:
        async with database.request_session(read_only=True):
            order.append(name)

    async with database.request_session(read_only=True):
        waiting = [asyncio.create_task(use_a_session(f"waiter {n}")) for n in range(3)]
        await asyncio.sleep(0)  # one turn of the loop: each task runs until it queues behind the holder
    # The slot has just been handed back: a newcomer arriving now must queue behind the waiters (a bare
    # connection pool would give it the connection at once).
    await use_a_session("newcomer")
    await asyncio.gather(*waiting)
    assert order == ["waiter 0", "waiter 1", "waiter 2", "newcomer"]


async def test_the_wait_for_a_session_is_bounded(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "SESSION_WAIT_SECONDS", 0.05)
    async with database.request_session(read_only=False):
        with pytest.raises(PoolTimeout):  # answered 503 SERVICE_UNAVAILABLE by the error handlers
            async with database.request_session(read_only=False):
                pass
    async with database.request_session(read_only=False):  # the slot came back
        pass
