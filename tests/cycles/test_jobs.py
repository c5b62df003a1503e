"""The job that books templates created after a cycle into the active cycle as their dates arrive."""

import asyncio
from datetime import date

import pytest
from sqlalchemy import select

from colony.core import clock
from colony.core.jobs import JobContext, run_job
from colony.cycles import jobs as cycle_jobs
from colony.transactions.models import Transaction
from tests.factories import V1
from tests.planning import LiveApp


async def test_materialise_books_new_templates_up_to_today(live: LiveApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: date(2024, 3, 20))
    owner = await live.user()
    async with live.client() as client:
        early = (await client.post(f"{V1}/expense-templates", json={
            "name": "Early", "amount": "5", "currency": "USD", "frequency": "weekly", "start_date": "2024-03-01"},
            headers=owner.headers)).json()
        r = await client.post(f"{V1}/cycles", json={"start_date": "2024-03-01", "end_date": "2024-03-31",
                                                    "income_amount": "100"}, headers=owner.headers)
        cid = r.json()["id"]
        draft = (await client.post(f"{V1}/cycles", json={"start_date": "2024-04-01", "income_amount": "1"},
                                   headers=owner.headers)).json()
        late = (await client.post(f"{V1}/expense-templates", json={
            "name": "Late", "amount": "7", "currency": "USD", "frequency": "weekly", "start_date": "2024-03-02"},
            headers=owner.headers)).json()
        inactive = await live.user()  # a tenant with no active cycle: nothing happens there
        assert inactive
        result = await cycle_jobs.materialise_in(live.database)
        assert (result.cycles, result.created) == (0, 0)  # no active cycle yet
        assert (await client.post(f"{V1}/cycles/{cid}/activate", headers=owner.headers)).status_code == 200
        context = JobContext(database=live.database, http=live.app.state.http, cache=live.app.state.cache,
                             settings=live.settings)
        runs = await asyncio.gather(*(run_job(cycle_jobs.MATERIALISE_TEMPLATES, context) for _ in range(3)))
        assert sum(run.created for run in runs if run is not None) == 3  # 2, 9 and 16 March; not 23 and 30
        again = await cycle_jobs.materialise_in(live.database)
        assert again.created == 0
    async with live.database.sessionmaker() as session:
        rows = (await session.execute(select(Transaction.template_id, Transaction.date, Transaction.cycle_id)
                                      .where(Transaction.tenant_id == owner.tenant_id))).all()
    late_rows = sorted((d, str(c)) for t, d, c in rows if str(t) == late["id"])
    assert late_rows == [(date(2024, 3, 2), cid), (date(2024, 3, 9), cid), (date(2024, 3, 16), cid)]
    # booked at creation: 1..29 March in the March cycle, and the draft April cycle's weeks (untouched by the job)
    assert len([1 for t, _, c in rows if str(t) == early["id"] and str(c) == cid]) == 5
    assert len([1 for t, _, c in rows if str(c) == draft["id"]]) == 6
