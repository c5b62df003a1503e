"""Large files are imported in the background: queued, run after the answer (or by the job when the instance
that queued one stopped), with progress, and failures recorded instead of answered."""

import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.config import Settings
from colony.core.cache import MemoryCache
from colony.imports.bank import runner
from colony.imports.bank import service as import_service
from colony.imports.bank.models import QueuedFile
from colony.imports.bank.repository import QueuedFileRepository
from tests.factories import MakeUser
from tests.imports.kit import URL, booked, fixture, upload


@pytest.fixture
def background_from_one_byte(app: FastAPI, settings: Settings) -> Iterator[None]:
    app.state.settings = settings.model_copy(update={"import_background_kb": 0})
    try:
        yield
    finally:
        app.state.settings = settings


@pytest.mark.usefixtures("background_from_one_byte")
async def test_a_large_file_is_queued_then_imported_after_the_answer(client: httpx.AsyncClient,
                                                                     make_user: MakeUser,
                                                                     session: AsyncSession) -> None:
    owner = await make_user(base_currency="EUR")
    response = await upload(client, owner, fixture("statement.camt053.xml"), "april.xml")
    assert response.status_code == 201, response.text
    queued = response.json()
    assert (queued["status"], queued["created"], queued["rows_done"]) == ("queued", 0, 0)
    # the runner ran once the answer was sent (the test client waits for it)
    record = (await client.get(f"{URL}/{queued['id']}", headers=owner.headers)).json()
    assert (record["status"], record["rows"], record["rows_done"], record["created"]) == ("done", 5, 5, 5), record
    assert record["finished_at"] is not None
    assert len(await booked(client, owner)) == 5
    assert (await session.execute(select(QueuedFile.import_id).where(
        QueuedFile.tenant_id == owner.tenant_id))).all() == []  # the stored file is gone


@pytest.mark.usefixtures("background_from_one_byte")
async def test_a_background_import_with_bad_rows_is_recorded_as_failed(client: httpx.AsyncClient,
                                                                       make_user: MakeUser) -> None:
    owner = await make_user()
    bad = fixture("us_chase.csv").replace(b"-96.40", b"-96.4O")
    queued = (await upload(client, owner, bad, "chase.csv")).json()
    record = (await client.get(f"{URL}/{queued['id']}", headers=owner.headers)).json()
    assert record["status"] == "failed" and record["created"] == 0
    assert [(error["row"], error["message"].split(":")[0]) for error in record["errors"]] == [(3, "amount")]
    assert await booked(client, owner) == []
    response = await client.delete(f"{URL}/{queued['id']}", headers=owner.headers)  # nothing to undo
    assert response.status_code == 204


async def test_the_job_runs_what_a_stopped_instance_left_queued(client: httpx.AsyncClient, make_user: MakeUser,
                                                                app: FastAPI, settings: Settings,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    owner = await make_user()
    started: list[object] = []
    # the instance that queued it stops before running it
    monkeypatch.setattr(runner, "run_queued", lambda *args, **kwargs: started.append(args))
    app.state.settings = settings.model_copy(update={"import_background_kb": 0})
    try:
        queued = (await upload(client, owner, fixture("checking_v1.ofx"), "march.ofx")).json()
    finally:
        app.state.settings = settings
    monkeypatch.undo()
    assert started and queued["status"] == "queued"
    response = await client.delete(f"{URL}/{queued['id']}", headers=owner.headers)
    assert response.status_code == 409 and response.json()["error"]["code"] == "IMPORT_NOT_FINISHED"

    progress = MemoryCache()
    published: list[bytes] = []
    real_set = progress.set

    async def remember(key: str, value: bytes, ttl_seconds: int) -> None:
        published.append(value)
        await real_set(key, value, ttl_seconds)

    monkeypatch.setattr(progress, "set", remember)
    assert await runner.run_waiting(app.state.database, progress) == 1
    assert published == [b"4"]  # rows_done, published while the import's transaction was open
    record = (await client.get(f"{URL}/{queued['id']}", headers=owner.headers)).json()
    assert (record["status"], record["created"]) == ("done", 4)
    assert await runner.run_waiting(app.state.database, progress) == 0  # nothing left to run
    assert len(await booked(client, owner)) == 4


@pytest.mark.usefixtures("background_from_one_byte")
async def test_a_queued_file_is_kept_in_parts_and_read_back_whole(client: httpx.AsyncClient, make_user: MakeUser,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_service, "PART_BYTES", 100)  # the statement is about 4 KB: some forty parts
    stored: list[int] = []
    original = QueuedFileRepository.add_part

    async def add_part(self: QueuedFileRepository, import_id: uuid.UUID, part: int, content: bytes) -> None:
        stored.append(len(content))
        await original(self, import_id, part, content)

    monkeypatch.setattr(QueuedFileRepository, "add_part", add_part)
    owner = await make_user(base_currency="EUR")
    content = fixture("statement.camt053.xml")
    queued = (await upload(client, owner, content, "april.xml")).json()
    record = (await client.get(f"{URL}/{queued['id']}", headers=owner.headers)).json()
    assert (record["status"], record["created"]) == ("done", 5), record
    assert sum(stored) == len(content) and len(stored) > 10 and max(stored) == 100
