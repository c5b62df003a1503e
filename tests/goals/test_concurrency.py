"""Forty concurrent contributions are forty contributions, and the goal ends achieved."""

import asyncio

from sqlalchemy import func, select

from colony.goals.models import GoalContribution
from tests.factories import V1
from tests.planning import LiveApp

N = 40


async def test_concurrent_contributions_are_never_lost(live: LiveApp) -> None:
    owner = await live.user()
    async with live.client() as client:
        r = await client.post(f"{V1}/goals", json={"name": "Car", "currency": "USD", "target_amount": "40"},
                              headers=owner.headers)
        gid = r.json()["id"]
        responses = await asyncio.gather(*(
            client.post(f"{V1}/goals/{gid}/contributions", json={"amount": "1.00", "date": "2024-01-01"},
                        headers=owner.headers) for _ in range(N)))
        assert [r.status_code for r in responses] == [201] * N, [r.text for r in responses if r.status_code != 201]
        goal = (await client.get(f"{V1}/goals/{gid}", headers=owner.headers)).json()
    assert goal["current_amount"] == "40.00" and goal["status"] == "achieved" and goal["remaining"] == "0.00"
    async with live.database.sessionmaker() as session:
        count = (await session.execute(select(func.count()).select_from(GoalContribution).where(
            GoalContribution.tenant_id == owner.tenant_id))).scalar_one()
    assert count == N
