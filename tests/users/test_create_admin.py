"""`colony create-admin`: the only way to make an administrator."""

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from colony.cli import app
from colony.core import passwords
from colony.core.db import create_engine
from colony.core.tenancy import Role
from colony.users.models import Credentials, User

runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """Its own SQLite file, migrated by the command itself, whatever database the suite runs on."""
    return {"COLONY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", "COLONY_DATA_DIR": str(tmp_path),
            "COLONY_ENV": "test", "COLONY_SECRET_KEY": "cli-test-secret-key-long-enough-for-hs256"}


def _stored(database_url: str, email: str) -> dict[str, Any] | None:
    async def read() -> dict[str, Any] | None:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                row = (await conn.execute(
                    select(User.id, User.tenant_id, User.role, Credentials.password_hash)
                    .join(Credentials, Credentials.user_id == User.id).where(User.email == email)
                )).mappings().first()
        finally:
            await engine.dispose()
        return dict(row) if row else None

    return asyncio.run(read())


def test_creates_an_admin_from_stdin(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["create-admin", "--email", "Root@Example.com", "--password-stdin"],
                           input="an admin passphrase\n", env=cli_env)
    assert result.exit_code == 0, result.output
    row = _stored(cli_env["COLONY_DATABASE_URL"], "root@example.com")
    assert row is not None
    assert row["role"] is Role.admin and row["tenant_id"] == row["id"]
    assert asyncio.run(passwords.verify_password("an admin passphrase", row["password_hash"]))
    assert "an admin passphrase" not in result.output

    again = runner.invoke(app, ["create-admin", "--email", "root@example.com", "--password-stdin"],
                          input="another passphrase\n", env=cli_env)
    assert again.exit_code == 1 and "already registered" in again.output


def test_prompts_twice_for_the_password(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["create-admin", "--email", "ops@example.com"],
                           input="prompted passphrase\nprompted passphrase\n", env=cli_env)
    assert result.exit_code == 0, result.output
    assert _stored(cli_env["COLONY_DATABASE_URL"], "ops@example.com") is not None


def test_refuses_a_short_password(cli_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["create-admin", "--email", "ops@example.com", "--password-stdin"],
                           input="short\n", env=cli_env)
    assert result.exit_code == 2
