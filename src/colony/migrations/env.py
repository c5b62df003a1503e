"""Alembic environment: runs migrations through the async engine, in batch mode on SQLite."""

import asyncio
import warnings

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SAWarning

from colony.config import load_settings
from colony.core.db import create_engine
from colony.core.repository import ALL_TENANTS
from colony.domains import metadata

config = context.config
# Batch mode reflects the tables a changed table refers to; SQLite can't reflect expression indexes (lower(name)),
# which the batch leaves alone: nothing for an operator to act on.
warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index",
                        category=SAWarning)
MIGRATION_LOCK_KEY = 0x636F6C6F6E79  # "colony"
target_metadata = metadata


def _run(connection: Connection) -> None:
    # Migrations work on whole tables (batch mode on SQLite copies them): across tenants, on purpose.
    connection = connection.execution_options(**{ALL_TENANTS: True})
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Several instances starting at once: one migrates, the others wait, then find nothing to do.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or load_settings().sqlalchemy_url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # handed in by a caller that already holds a connection
        _run(connection)
    else:
        asyncio.run(_run_online())


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
