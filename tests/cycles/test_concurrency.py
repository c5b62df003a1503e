"""Concurrent requests against committed data: the database holds the invariants on both engines."""

import asyncio
from datetime import date, timedelta

from sqlalchemy import func, select

from colony.cycles.models import Cycle, CycleStatus
from colony.transactions.models import Transaction
from tests.factories import V1, error_code
from tests.planning import LiveApp

N = 8


async def test_concurrent_activations_leave_one_active(live: LiveApp) -> None:
    owner = await live.user()
    async with live.client() as client:
        ids = []
        for i in range(N):
            start = date(2024, 1, 1) + timedelta(days=50 * i)
            r = await client.post(f"{V1}/cycles", json={"start_date": start.isoformat(), "income_amount": "100"},
                                  headers=owner.headers)
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        responses = await asyncio.gather(*(client.post(f"{V1}/cycles/{cid}/activate", headers=owner.headers)
                                           for cid in ids))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [409] * (N - 1), [r.text for r in responses]
    assert {error_code(r) for r in responses if r.status_code == 409} == {"ACTIVE_CYCLE_EXISTS"}
    async with live.database.sessionmaker() as session:
        active = (await session.execute(select(func.count()).select_from(Cycle).where(
            Cycle.tenant_id == owner.tenant_id, Cycle.status == CycleStatus.active))).scalar_one()
    assert active == 1


async def test_concurrent_activations_of_one_cycle(live: LiveApp) -> None:
    owner = await live.user()
    async with live.client() as client:
        r = await client.post(f"{V1}/cycles", json={"start_date": "2024-01-01", "income_amount": "100"},
                              headers=owner.headers)
        cid = r.json()["id"]
        responses = await asyncio.gather(*(client.post(f"{V1}/cycles/{cid}/activate", headers=owner.headers)
                                           for _ in range(N)))
    assert sorted(r.status_code for r in responses) == [200] + [409] * (N - 1)
    assert {error_code(r) for r in responses if r.status_code == 409} == {"INVALID_CYCLE_TRANSITION"}


async def test_concurrent_creations_never_overlap(live: LiveApp) -> None:
    owner = await live.user()
    async with live.client() as client:
        responses = await asyncio.gather(*(
            client.post(f"{V1}/cycles", json={"start_date": f"2024-03-{1 + i:02d}", "income_amount": "1",
                                              "name": f"C{i}"}, headers=owner.headers) for i in range(N)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * (N - 1), [r.text for r in responses]
    assert {error_code(r) for r in responses if r.status_code == 409} == {"CYCLE_OVERLAP"}


async def test_concurrent_generation_never_duplicates(live: LiveApp) -> None:
    owner = await live.user()
    async with live.client() as client:
        r = await client.post(f"{V1}/cycles", json={"start_date": "2024-03-01", "end_date": "2024-03-31",
                                                    "income_amount": "100", "generate_from_templates": False},
                              headers=owner.headers)
        cid = r.json()["id"]
        for i in range(5):  # weekly from 4 March: 4, 11, 18 and 25 March each
            r = await client.post(f"{V1}/expense-templates", json={
                "name": f"T{i}", "amount": "10", "currency": "USD", "frequency": "weekly",
                "start_date": "2024-03-04"}, headers=owner.headers)
            assert r.status_code == 201, r.text
        responses = await asyncio.gather(*(client.post(f"{V1}/cycles/{cid}/generate", headers=owner.headers)
                                           for _ in range(N)))
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    assert sum(r.json()["created"] for r in responses) == 20
    async with live.database.sessionmaker() as session:
        count = (await session.execute(select(func.count()).select_from(Transaction).where(
            Transaction.tenant_id == owner.tenant_id))).scalar_one()
    assert count == 20
