"""Every call accounted for: logs redacted, content gone with its conversation, usage and quotas per user
and day, administrators' counts without content, retention."""

import datetime as dt

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from colony.assistant import jobs
from colony.assistant.models import LlmLog
from colony.config import Settings
from colony.core import clock
from colony.core.jobs import JobContext
from colony.core.tenancy import Role
from tests.assistant.conftest import configure
from tests.assistant.fake_model import FakeModel, calls, text
from tests.assistant.test_chat import ask, conversation, logs
from tests.factories import V1, MakeUser, create_expense, error_code

IBAN = "DE89370400440532013000"
CARD = "4111 1111 1111 1111"
EMAIL = "jane.doe@example.org"
PHONE = "+44 20 7946 0958"


async def test_logs_mask_ibans_cards_emails_and_phones(client: httpx.AsyncClient, make_user: MakeUser,
                                                       assistant: FakeModel) -> None:
    user = await make_user()
    await create_expense(client, user, description=f"Transfer to {IBAN}", notes=f"card {CARD}")
    assistant.script = [calls(("get_transactions", {})), text(f"Write to {EMAIL} or call {PHONE}.")]

    reply = await ask(client, user, await conversation(client, user), f"My IBAN is {IBAN}, is that right?")

    assert reply.status_code == 200
    assert EMAIL in reply.json()["message"]["content"]  # the user sees the answer as it was
    stored = await logs(client, user)
    dump = str(stored)
    for secret in (IBAN, CARD, EMAIL, PHONE, "4111111111111111"):
        assert secret not in dump
    assert "******************3000" in dump and "**** **** **** 1111" in dump and "0958" in dump
    assert "2024-03-15" in dump  # dates are not phone numbers
    newest = stored[0]
    assert newest["response"].startswith("Write to ") and newest["model"] == "fake-model"
    assert set(newest) >= {"id", "conversation_id", "model", "prompt_tokens", "completion_tokens", "latency_ms",
                           "status", "error_code", "tool_calls", "created_at", "request", "response"}


async def test_deleting_a_conversation_deletes_its_content_from_the_logs(
        client: httpx.AsyncClient, make_user: MakeUser, assistant: FakeModel) -> None:
    user = await make_user()
    chat = await conversation(client, user)
    assistant.script = [calls(("get_goals", {})), text("No goals.")]
    await ask(client, user, chat, "Secret plans for my savings")
    other = await conversation(client, user)
    await ask(client, user, other, "Something else")
    usage_before = (await client.get(f"{V1}/assistant/usage", headers=user.headers)).json()

    deleted = await client.delete(f"{V1}/assistant/conversations/{chat}", headers=user.headers)

    assert deleted.status_code == 204
    assert (await client.get(f"{V1}/assistant/conversations/{chat}", headers=user.headers)).status_code == 404
    remaining = await logs(client, user)
    assert len(remaining) == 3
    gone = [row for row in remaining if row["conversation_id"] is None]
    assert len(gone) == 2 and all(row["request"] is None and row["response"] is None and row["tool_calls"] is None
                                  for row in gone)
    assert "Secret plans" not in str(remaining)
    kept = [row for row in remaining if row["conversation_id"] == other]
    assert "Something else" in kept[0]["request"]
    assert (await client.get(f"{V1}/assistant/usage", headers=user.headers)).json() == usage_before
    again = await client.delete(f"{V1}/assistant/conversations/{chat}", headers=user.headers)
    assert again.status_code == 404 and error_code(again) == "CONVERSATION_NOT_FOUND"


async def test_conversations_keep_their_messages_and_belong_to_their_user(
        client: httpx.AsyncClient, make_user: MakeUser, assistant: FakeModel) -> None:
    owner = await make_user(Role.business)
    colleague = await make_user(Role.sub_user, business=owner)
    titled = await client.post(f"{V1}/assistant/conversations", json={"title": "November"}, headers=owner.headers)
    assert titled.status_code == 201 and titled.json()["title"] == "November"
    chat = await conversation(client, owner)
    assistant.script = [text("Hi!"), text("Still here.")]
    await ask(client, owner, chat, "Hello there\nsecond line")
    await ask(client, owner, chat, "Are you there?")

    detail = (await client.get(f"{V1}/assistant/conversations/{chat}", headers=owner.headers)).json()

    assert detail["title"] == "Hello there"
    assert [(m["role"], m["content"]) for m in detail["messages"]] == [
        ("user", "Hello there\nsecond line"), ("assistant", "Hi!"), ("user", "Are you there?"),
        ("assistant", "Still here.")]
    history = assistant.requests[1]["messages"]
    assert [m["role"] for m in history] == ["system", "user", "assistant", "user"]
    listed = (await client.get(f"{V1}/assistant/conversations", headers=owner.headers)).json()
    assert [c["id"] for c in listed["items"]] == [chat, titled.json()["id"]]  # the latest active first
    theirs = await client.get(f"{V1}/assistant/conversations/{chat}", headers=colleague.headers)
    assert theirs.status_code == 404 and error_code(theirs) == "CONVERSATION_NOT_FOUND"
    asked = await ask(client, colleague, chat, "Let me in")
    assert asked.status_code == 404
    too_long = await ask(client, owner, chat, "x" * 8001)
    assert too_long.status_code == 422


async def test_the_daily_tokens_run_out(client: httpx.AsyncClient, make_user: MakeUser, app: FastAPI,
                                        settings: Settings, assistant: FakeModel) -> None:
    configure(app, settings, assistant.url, assistant_daily_tokens=100)
    user, other = await make_user(), await make_user()
    chat = await conversation(client, user)
    assistant.script = [text("A long answer.", usage=(90, 30))]

    assert (await ask(client, user, chat, "First")).status_code == 200
    usage = (await client.get(f"{V1}/assistant/usage", headers=user.headers)).json()
    assert usage == {"date": str(clock.today()), "calls": 1, "prompt_tokens": 90, "completion_tokens": 30,
                     "total_tokens": 120, "daily_limit": 100, "remaining": 0}
    refused = await ask(client, user, chat, "Second")
    assert refused.status_code == 429 and error_code(refused) == "ASSISTANT_QUOTA_EXCEEDED"
    assert int(refused.headers["Retry-After"]) > 0
    assert len(assistant.requests) == 1
    assert (await ask(client, other, await conversation(client, other), "Mine")).status_code == 200


async def test_the_request_rate_per_user(client: httpx.AsyncClient, make_user: MakeUser, app: FastAPI,
                                         settings: Settings, assistant: FakeModel) -> None:
    configure(app, settings, assistant.url, assistant_rate_limit="2/minute")
    user = await make_user()
    chat = await conversation(client, user)

    answers = [(await ask(client, user, chat, f"Message {n}")).status_code for n in range(3)]

    assert answers == [200, 200, 429]
    assert len(assistant.requests) == 2


async def test_admins_see_usage_per_user_and_day_never_content(
        client: httpx.AsyncClient, make_user: MakeUser, assistant: FakeModel) -> None:
    admin, user = await make_user(Role.admin), await make_user()
    assistant.script = [text("Private answer", usage=(40, 2)), text("Another", usage=(60, 3))]
    chat = await conversation(client, user)
    await ask(client, user, chat, "Private question")
    await ask(client, user, chat, "Another question")

    response = await client.get(f"{V1}/admin/llm-usage", headers=admin.headers)

    assert response.status_code == 200, response.text
    (row,) = [r for r in response.json()["items"] if r["user_id"] == str(user.id)]
    assert row == {"user_id": str(user.id), "email": user.email, "date": str(clock.today()), "calls": 2,
                   "failed_calls": 0, "prompt_tokens": 100, "completion_tokens": 5}
    assert "Private" not in response.text
    refused = await client.get(f"{V1}/admin/llm-usage", headers=user.headers)
    assert refused.status_code == 403
    admins_logs = await client.get(f"{V1}/assistant/logs", headers=admin.headers)
    assert admins_logs.status_code == 403  # no tenant: no content


async def test_the_retention_job_deletes_old_logs(client: httpx.AsyncClient, make_user: MakeUser, app: FastAPI,
                                                  session: AsyncSession, settings: Settings,
                                                  assistant: FakeModel) -> None:
    user = await make_user()
    chat = await conversation(client, user)
    assistant.script = [text("old"), text("new")]
    await ask(client, user, chat, "Old question")
    await session.execute(update(LlmLog).where(LlmLog.tenant_id == user.tenant_id)
                          .values(created_at=clock.utcnow() - dt.timedelta(days=91)))
    await ask(client, user, chat, "New question")
    context = JobContext(database=app.state.database, http=app.state.http, cache=app.state.cache,
                         settings=settings)  # the test's database: the job runs inside its transaction

    deleted = await jobs.purge_old_logs(context)

    assert deleted >= 1
    left = (await session.execute(select(func.count()).select_from(LlmLog)
                                  .where(LlmLog.tenant_id == user.tenant_id))).scalar_one()
    assert left == 1
    assert [row["response"] for row in await logs(client, user)] == ["new"]
