import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.clock import utcnow
from colony.core.idempotency import IdempotencyKey, canonical_body
from colony.transactions.models import Transaction
from tests.factories import V1, MakeUser, expense_body

TX = f"{V1}/transactions"
EX = f"{V1}/expenses"


async def count(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    return int((await session.execute(select(func.count()).select_from(Transaction)
                                      .where(Transaction.tenant_id == tenant_id))).scalar_one())


async def test_same_key_same_body_replays(client: httpx.AsyncClient, session: AsyncSession,
                                          make_user: MakeUser) -> None:
    owner = await make_user()
    headers = {**owner.headers, "Idempotency-Key": "k-1"}
    first = await client.post(EX, json=expense_body(), headers=headers)
    assert first.status_code == 201
    again = await client.post(EX, content=b'{"description": "Lunch", "date": "2024-03-15", "currency": "USD", '
                                          b'"amount": "12.50"}',
                              headers={**headers, "Content-Type": "application/json"})
    assert again.status_code == 201 and again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await count(session, owner.tenant_id) == 1
    # without a key, every POST creates
    assert (await client.post(EX, json=expense_body(), headers=owner.headers)).status_code == 201
    assert await count(session, owner.tenant_id) == 2


async def test_same_key_other_body_or_path(client: httpx.AsyncClient, session: AsyncSession,
                                           make_user: MakeUser) -> None:
    owner = await make_user()
    headers = {**owner.headers, "Idempotency-Key": "k-2"}
    assert (await client.post(EX, json=expense_body(), headers=headers)).status_code == 201
    r = await client.post(EX, json=expense_body(amount="12.51"), headers=headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    r = await client.post(TX, json=expense_body(type="expense"), headers=headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await count(session, owner.tenant_id) == 1


async def test_keys_are_per_user(client: httpx.AsyncClient, session: AsyncSession, make_user: MakeUser) -> None:
    a, b = await make_user(), await make_user()
    for user in (a, b):
        r = await client.post(TX, json=expense_body(type="expense"),
                              headers={**user.headers, "Idempotency-Key": "same"})
        assert r.status_code == 201
        assert await count(session, user.tenant_id) == 1


async def test_failed_request_stores_nothing(client: httpx.AsyncClient, session: AsyncSession,
                                             make_user: MakeUser) -> None:
    owner = await make_user()
    headers = {**owner.headers, "Idempotency-Key": "k-3"}
    r = await client.post(EX, json=expense_body(currency="EUR", date="1990-01-01"), headers=headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "RATE_NOT_AVAILABLE"
    assert (await client.post(EX, json=expense_body(), headers=headers)).status_code == 201


async def test_expired_key_is_reused(client: httpx.AsyncClient, session: AsyncSession, make_user: MakeUser) -> None:
    owner = await make_user()
    headers = {**owner.headers, "Idempotency-Key": "k-4"}
    first = await client.post(EX, json=expense_body(), headers=headers)
    await session.execute(update(IdempotencyKey).where(IdempotencyKey.user_id == owner.id)
                          .values(created_at=utcnow() - timedelta(hours=25)))
    second = await client.post(EX, json=expense_body(amount="1"), headers=headers)
    assert second.status_code == 201 and second.json()["id"] != first.json()["id"]
    assert await count(session, owner.tenant_id) == 2


async def test_concurrent_claim_replays_the_winner(client: httpx.AsyncClient, session: AsyncSession,
                                                   make_user: MakeUser, monkeypatch: pytest.MonkeyPatch) -> None:
    """The loser of a race misses the row on its first read, then hits the unique index, re-reads, replays."""
    owner = await make_user()
    headers = {**owner.headers, "Idempotency-Key": "k-5"}
    first = await client.post(EX, json=expense_body(), headers=headers)
    from colony.core import idempotency

    calls = {"n": 0}

    def blind_first_select(*args: Any) -> Select[Any]:
        calls["n"] += 1
        statement = select(*args)
        return statement.where(IdempotencyKey.key == "never") if calls["n"] == 1 else statement

    monkeypatch.setattr(idempotency, "select", blind_first_select)
    again = await client.post(EX, json=expense_body(), headers=headers)
    assert calls["n"] == 2
    assert again.status_code == 201 and again.content == first.content
    assert await count(session, owner.tenant_id) == 1


async def test_bad_key_header(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    r = await client.post(EX, json=expense_body(), headers={**owner.headers, "Idempotency-Key": "x" * 256})
    assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_ERROR"


def test_canonical_body_is_order_and_space_insensitive_and_exact() -> None:
    assert canonical_body(b'{"b": 1, "a": 0.1}') == canonical_body(b'{"a":0.1,"b":1}')
    assert canonical_body(b'{"a": 0.1}') != canonical_body(b'{"a": 0.10000000000000001}')
    assert canonical_body(b"not json") == b"not json"
