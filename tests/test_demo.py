"""`colony demo` on a fresh SQLite database: creates the demo tenant once, says so the second time,
recreates it with --reset."""

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from colony import demo
from colony.cli import app
from colony.core import passwords
from colony.core.db import create_engine
from colony.domains import metadata
from colony.transactions.models import Transaction, TransactionStatus
from colony.users.models import Credentials, User


def _create_schema(url: str) -> None:
    async def run() -> None:
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        await engine.dispose()

    asyncio.run(run())


def _facts(url: str) -> dict[str, object]:
    async def run() -> dict[str, object]:
        engine = create_engine(url)
        async with engine.connect() as conn:
            user = (await conn.execute(select(User.id, User.tenant_id).where(User.email == demo.DEMO_EMAIL))).one()
            password_hash = (await conn.execute(select(Credentials.password_hash).where(
                Credentials.user_id == user.id))).scalar_one()
            rows = (await conn.execute(select(Transaction.currency, Transaction.status, func.count()).where(
                Transaction.tenant_id == user.tenant_id).group_by(Transaction.currency, Transaction.status))).all()
            users = (await conn.execute(select(func.count()).select_from(User))).scalar_one()
        await engine.dispose()
        return {"user_id": user.id, "password_ok": await passwords.verify_password(demo.DEMO_PASSWORD, password_hash),
                "by_currency": {(c, s): n for c, s, n in rows}, "users": users}

    return asyncio.run(run())


def test_demo_creates_once_and_resets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    for name in ("COLONY_REDIS_URL", "COLONY_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLONY_DATABASE_URL", url)
    monkeypatch.setenv("COLONY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLONY_ENV", "test")
    _create_schema(url)
    runner = CliRunner()

    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert demo.DEMO_EMAIL in result.output and "transactions" in result.output
    facts = _facts(url)
    assert facts["password_ok"] is True and facts["users"] == 1
    by_currency = facts["by_currency"]
    assert isinstance(by_currency, dict)
    total = sum(by_currency.values())
    assert total > 250  # a year: salaries, rent, weekly groceries, bills, eating out, trips
    assert {c for c, _ in by_currency} == {"USD", "EUR", "GBP", "JPY"}
    assert sum(n for (_, s), n in by_currency.items() if s == TransactionStatus.paid) > 250

    again = runner.invoke(app, ["demo"])
    assert again.exit_code == 0 and "already exists" in again.output
    assert _facts(url)["by_currency"] == by_currency  # nothing added

    reset = runner.invoke(app, ["demo", "--reset"])
    assert reset.exit_code == 0, reset.output
    after = _facts(url)
    assert after["user_id"] != facts["user_id"] and after["users"] == 1
    assert after["by_currency"] == by_currency  # the same year again (fixed seed)
