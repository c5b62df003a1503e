"""A turn with the model: tools run under the caller's tenant, text and tool calls plain and streamed, the
round cap, what a failing or slow model does, and one `llm_logs` row per call."""

import json
from typing import Any

import httpx
from fastapi import FastAPI

from colony.config import Settings
from tests.assistant.conftest import configure
from tests.assistant.fake_model import FakeModel, Reply, calls, failure, text
from tests.factories import V1, MakeUser, UserHandle, create_category, create_expense, error_code


async def conversation(client: httpx.AsyncClient, user: UserHandle) -> str:
    response = await client.post(f"{V1}/assistant/conversations", json={}, headers=user.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def ask(client: httpx.AsyncClient, user: UserHandle, conversation_id: str, content: str,
              **headers: str) -> httpx.Response:
    return await client.post(f"{V1}/assistant/conversations/{conversation_id}/messages", json={"content": content},
                             headers=user.headers | headers)


def events(response: httpx.Response) -> list[tuple[str, Any]]:
    """The server-sent events of a response, as (name, data)."""
    found = []
    for block in response.text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        found.append((lines["event"], json.loads(lines["data"])))
    return found


async def logs(client: httpx.AsyncClient, user: UserHandle) -> list[dict[str, Any]]:
    response = await client.get(f"{V1}/assistant/logs", headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_tool_call_then_the_answer_uses_the_figures_of_colonys_own_report(
        client: httpx.AsyncClient, make_user: MakeUser, assistant: FakeModel) -> None:
    user = await make_user()
    groceries = await create_category(client, user, "Groceries")
    for amount, day in (("30.25", "2026-11-03"), ("12.25", "2026-11-20"), ("99.00", "2026-10-30")):
        await create_expense(client, user, amount=amount, date=day, category_id=groceries)
    report = (await client.get(f"{V1}/analytics/categories", headers=user.headers,
                               params={"start_date": "2026-11-01", "end_date": "2026-11-30"})).json()
    assistant.script = [calls(("get_income_statement", {"start_date": "2026-11-01", "end_date": "2026-11-30"})),
                        text("You spent 42.50 USD on groceries in November.", usage=(120, 12))]

    response = await ask(client, user, await conversation(client, user), "How much on groceries last month?")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["message"]["role"] == "assistant"
    assert body["message"]["content"] == "You spent 42.50 USD on groceries in November."
    assert body["usage"] == {"prompt_tokens": 130, "completion_tokens": 17}
    assert body["proposals"] == []
    (result,) = assistant.tool_results()
    statement = result["untrusted_data"]
    line = next(row for row in statement["expenses_by_category"] if row["category"] == "Groceries")
    assert line["total"] == report[0]["total"] == "42.50"
    assert statement["total_expenses"] == "42.50"
    first = assistant.requests[0]
    assert first["model"] == "fake-model" and first["tool_choice"] == "auto" and first["stream"] is False
    assert {tool["function"]["name"] for tool in first["tools"]} >= {"get_transactions", "propose_expense"}
    assert "untrusted_data" in first["messages"][0]["content"]  # the system prompt says what it means
    assert [row["status"] for row in await logs(client, user)] == ["ok", "ok"]


async def test_streamed_text_and_tool_calls_put_together_from_fragments(
        client: httpx.AsyncClient, make_user: MakeUser, assistant: FakeModel) -> None:
    user = await make_user()
    await create_category(client, user, "Books")
    assistant.script = [calls(("get_categories", {})), text("You have a Books category.", usage=(50, 7))]

    response = await ask(client, user, await conversation(client, user), "Which categories?",
                         accept="text/event-stream")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    stream = events(response)
    assert "".join(data["content"] for name, data in stream if name == "delta") == "You have a Books category."
    name, done = stream[-1]
    assert name == "done"
    assert done["message"]["content"] == "You have a Books category."
    assert done["usage"] == {"prompt_tokens": 60, "completion_tokens": 12}
    assert assistant.requests[0]["stream"] is True
    assert assistant.requests[0]["stream_options"] == {"include_usage": True}
    (result,) = assistant.tool_results()
    assert "Books" in {category["name"] for category in result["untrusted_data"]}


async def test_an_unknown_tool_and_bad_arguments_go_back_to_the_model_as_data(
        client: httpx.AsyncClient, make_user: MakeUser, assistant: FakeModel) -> None:
    user = await make_user()
    assistant.script = [calls(("delete_everything", {}), ("get_transactions", "{not json")),
                        calls(("get_transactions", {"page_size": "many"})),
                        text("Sorry, I could not read that.")]

    response = await ask(client, user, await conversation(client, user), "List my transactions")

    assert response.status_code == 200, response.text
    unknown, bad_json = assistant.tool_results(1)
    assert unknown["error"] == "unknown_tool" and "get_transactions" in unknown["hint"]
    assert bad_json["error"] == "invalid_arguments"
    (invalid,) = assistant.tool_results(2)
    assert invalid["error"] == "invalid_arguments" and "page_size" in invalid["message"]


async def test_at_most_eight_rounds_and_the_last_asks_for_text(
        client: httpx.AsyncClient, make_user: MakeUser, assistant: FakeModel) -> None:
    user = await make_user()
    assistant.fallback = lambda request: (text("Giving up on tools.") if request.get("tool_choice") == "none"
                                          else calls(("get_goals", {})))

    response = await ask(client, user, await conversation(client, user), "Loop forever")

    assert response.status_code == 200, response.text
    assert len(assistant.requests) == 8
    assert [r["tool_choice"] for r in assistant.requests] == ["auto"] * 7 + ["none"]
    assert response.json()["message"]["content"] == "Giving up on tools."
    assert len(await logs(client, user)) == 8


async def test_a_cross_tenant_id_finds_nothing(client: httpx.AsyncClient, make_user: MakeUser,
                                               assistant: FakeModel) -> None:
    alice, bob = await make_user(), await make_user()
    secret = await create_expense(client, bob, description="Bob's secret purchase")
    assistant.script = [calls(("get_transactions", {"query": "secret"}),
                              ("propose_transaction_update", {"transaction_id": secret["id"], "notes": "mine"})),
                        text("Nothing found.")]

    response = await ask(client, alice, await conversation(client, alice), "Find the secret purchase")

    assert response.status_code == 200, response.text
    found, proposed = assistant.tool_results()
    assert found["untrusted_data"]["total"] == 0
    assert proposed["error"] == "TRANSACTION_NOT_FOUND"
    assert "Bob" not in json.dumps(assistant.requests)
    assert response.json()["proposals"] == []


async def test_retries_then_answers_and_logs_one_call(client: httpx.AsyncClient, make_user: MakeUser,
                                                      assistant: FakeModel) -> None:
    user = await make_user()
    assistant.script = [failure(503), failure(429), text("Fine now.")]

    response = await ask(client, user, await conversation(client, user), "Hello")

    assert response.status_code == 200, response.text
    assert len(assistant.requests) == 3
    (log,) = await logs(client, user)
    assert log["status"] == "ok" and log["attempts"] == 3


async def test_a_failing_model_is_a_502_and_a_4xx_is_not_retried(client: httpx.AsyncClient, make_user: MakeUser,
                                                                  assistant: FakeModel) -> None:
    user = await make_user()
    chat = await conversation(client, user)
    assistant.script = [failure(500), failure(500), failure(500)]

    response = await ask(client, user, chat, "Hello")

    assert response.status_code == 502 and error_code(response) == "ASSISTANT_UPSTREAM_ERROR"
    assert len(assistant.requests) == 3
    assistant.script = [failure(404, '{"error": {"message": "model \\"fake-model\\" not found"}}')]
    response = await ask(client, user, chat, "Hello again")
    assert response.status_code == 502 and "not found" in response.json()["error"]["message"]
    assert len(assistant.requests) == 4
    newest, oldest = await logs(client, user)
    assert (oldest["status"], oldest["error_code"], oldest["http_status"], oldest["attempts"]) == (
        "error", "ASSISTANT_UPSTREAM_ERROR", 500, 3)
    assert (newest["http_status"], newest["attempts"]) == (404, 1)


async def test_a_slow_model_is_a_504_and_logged(client: httpx.AsyncClient, make_user: MakeUser, app: FastAPI,
                                                 settings: Settings, assistant: FakeModel) -> None:
    configure(app, settings, assistant.url, llm_timeout=0.3)
    user = await make_user()
    assistant.script = [Reply(hang=True)]

    response = await ask(client, user, await conversation(client, user), "Hello")

    assert response.status_code == 504 and error_code(response) == "ASSISTANT_TIMEOUT"
    (log,) = await logs(client, user)
    assert (log["status"], log["error_code"]) == ("timeout", "ASSISTANT_TIMEOUT")


async def test_a_stream_that_fails_after_it_began_ends_with_an_error_event(
        client: httpx.AsyncClient, make_user: MakeUser, assistant: FakeModel) -> None:
    user = await make_user()
    assistant.script = [calls(("get_goals", {}), content="Let me look."), failure(400), failure(400)]

    response = await ask(client, user, await conversation(client, user), "Goals?", accept="text/event-stream")

    assert response.status_code == 200
    stream = events(response)
    assert stream[0] == ("delta", {"content": "Let "})
    name, error = stream[-1]
    assert name == "error" and error["code"] == "ASSISTANT_UPSTREAM_ERROR"


async def test_without_a_model_the_rest_of_the_assistant_works(client: httpx.AsyncClient,
                                                               make_user: MakeUser) -> None:
    user = await make_user()
    status = await client.get(f"{V1}/assistant/status", headers=user.headers)
    assert status.json() == {"configured": False, "model": None}
    chat = await conversation(client, user)

    response = await ask(client, user, chat, "Hello")

    assert response.status_code == 503 and error_code(response) == "ASSISTANT_NOT_CONFIGURED"
    assert (await client.get(f"{V1}/assistant/conversations/{chat}", headers=user.headers)).json()["messages"] == []
    assert (await client.get(f"{V1}/assistant/usage", headers=user.headers)).json()["calls"] == 0


async def test_the_status_names_the_model(client: httpx.AsyncClient, make_user: MakeUser,
                                          assistant: FakeModel) -> None:
    user = await make_user()
    status = await client.get(f"{V1}/assistant/status", headers=user.headers)
    assert status.json() == {"configured": True, "model": "fake-model"}


async def test_a_server_that_does_not_stream_and_an_empty_answer(client: httpx.AsyncClient, make_user: MakeUser,
                                                                 assistant: FakeModel) -> None:
    user = await make_user()
    chat = await conversation(client, user)
    assistant.script = [Reply(content="Whole answer.", whole=True), text("")]

    streamed = await ask(client, user, chat, "Stream please", accept="text/event-stream")
    empty = await ask(client, user, chat, "Say nothing")

    assert events(streamed)[0] == ("delta", {"content": "Whole answer."})
    assert events(streamed)[-1][1]["message"]["content"] == "Whole answer."
    assert empty.json()["message"]["content"] == "The model gave no answer. Please ask again."
