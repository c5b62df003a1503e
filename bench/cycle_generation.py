"""Cycle creation with template generation: a tenant with 200 templates (100 monthly, 100 weekly), then
POST /api/v1/cycles timed (target < 1 s). Runs on a fresh SQLite file by default, or on the database
of COLONY_DATABASE_URL (PostgreSQL: an empty database; the tables are created with create_all).

    python bench/cycle_generation.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from colony.config import Environment, Settings
from colony.core import tokens
from colony.core.db import create_engine
from colony.core.tenancy import Role
from colony.domains import metadata
from colony.main import create_app
from colony.users.models import Credentials, Profile, User

TARGET_SECONDS = 1.0
TEMPLATES = 200


async def main(runs: int) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="colony-bench-cycles-"))
    url = os.environ.get("COLONY_DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'bench.db'}"
    settings = Settings(env=Environment.test, database_url=url, data_dir=data_dir,  # type: ignore[call-arg]
                        secret_key="bench-secret-key-that-is-long-enough-for-hs256")
    engine = create_engine(settings.sqlalchemy_url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await engine.dispose()
    app = create_app(settings)
    async with LifespanManager(app):
        database = app.state.database
        user_id = uuid.uuid4()
        async with database.sessionmaker() as session:
            session.add(User(id=user_id, email=f"bench-{user_id.hex[:8]}@example.com", role=Role.personal,
                             is_active=True, tenant_id=user_id))
            await session.flush()
            session.add_all([Credentials(user_id=user_id, password_hash="unused"),
                             Profile(user_id=user_id, base_currency="USD")])
            await session.commit()
        token, _ = tokens.create_access_token(user_id, settings.signing_key, 30)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            for i in range(TEMPLATES):
                weekly = i % 2 == 1
                body = {"name": f"Template {i}", "amount": f"{10 + i}.50", "currency": "USD",
                        "frequency": "weekly" if weekly else "monthly", "start_date": "2024-01-01"}
                if not weekly:
                    body["day_of_month"] = 1 + i % 31
                r = await client.post("/api/v1/expense-templates", json=body, headers=headers)
                r.raise_for_status()
            timings, created = [], 0
            for run in range(runs):
                start = f"{2025 + run // 6}-{1 + 2 * (run % 6):02d}-01"  # cycles 2 months apart never overlap
                began = time.perf_counter()
                r = await client.post("/api/v1/cycles", json={"start_date": start, "income_amount": "5000"},
                                      headers=headers)
                timings.append(time.perf_counter() - began)
                r.raise_for_status()
                listed = await client.get("/api/v1/expenses", headers=headers,
                                          params={"cycle_id": r.json()["id"], "size": 1})
                created = listed.json()["total"]
    engine_name = url.split(":", 1)[0]
    median = statistics.median(timings)
    verdict = "OK" if median < TARGET_SECONDS else "SLOW"
    print(f"cycle creation with {TEMPLATES} templates on {engine_name}: {created} planned expenses per cycle; "
          f"median {median * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms over {runs} runs "
          f"(target < {TARGET_SECONDS * 1000:.0f} ms): {verdict}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(main(parser.parse_args().runs))
