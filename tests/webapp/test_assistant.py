"""The assistant's page: the API's chat turn behind a form, proposals confirmed or rejected with buttons, and
nothing offered when no model is configured. The model is the scripted fake on loopback."""

import re

import httpx

from colony.core import clock
from colony.core.tenancy import Role
from tests.assistant.fake_model import FakeModel, calls, text
from tests.factories import MakeUser, UserHandle, read_json
from tests.webapp.pages import APP, csrf_token, htmx_headers, page, signed_in

CONVERSATION = re.compile(r"^/app/assistant/([0-9a-f-]{36})$")
PROPOSAL = re.compile(r'id="proposal-([0-9a-f-]{36})"')


async def _start(client: httpx.AsyncClient) -> tuple[str, str]:
    """A new conversation through the button: its id and its page."""
    home = await page(client, "/assistant")
    response = await client.post(f"{APP}/assistant/conversations", data={"csrf_token": csrf_token(home)})
    assert response.status_code == 303, response.text
    match = CONVERSATION.match(response.headers["location"])
    assert match
    return match.group(1), await page(client, f"/assistant/{match.group(1)}")


async def _ask(client: httpx.AsyncClient, conversation: str, html: str, question: str) -> httpx.Response:
    return await client.post(f"{APP}/assistant/{conversation}/messages",
                             data={"content": question, "csrf_token": csrf_token(html)})


async def test_without_a_model_the_page_says_how_to_set_one_up(client: httpx.AsyncClient,
                                                              make_user: MakeUser) -> None:
    await signed_in(client, await make_user())
    html = await page(client, "/assistant")
    assert "No model is configured" in html and "COLONY_LLM_BASE_URL" in html
    assert 'href="/app/assistant"' not in await page(client, "/")  # not in the menu
    response = await client.post(f"{APP}/assistant/conversations", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 503


async def test_a_question_and_its_answer(client: httpx.AsyncClient, make_user: MakeUser,
                                        assistant: FakeModel) -> None:
    user = await make_user()
    await signed_in(client, user)
    assert 'href="/app/assistant"' in await page(client, "/")
    conversation, html = await _start(client)
    assistant.script = [text("You spent <b>nothing</b> yet.")]
    response = await _ask(client, conversation, html, "What did I spend?")
    assert response.status_code == 303 and response.headers["location"] == f"/app/assistant/{conversation}"
    shown = await page(client, f"/assistant/{conversation}")
    assert "What did I spend?" in shown and "You spent &lt;b&gt;nothing&lt;/b&gt; yet." in shown
    assistant.script = [text("Still nothing.")]
    fragment = await client.post(f"{APP}/assistant/{conversation}/messages", data={"content": "And now?"},
                                 headers=htmx_headers(shown))
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "And now?" in fragment.text and "Still nothing." in fragment.text


async def _propose_lunch(client: httpx.AsyncClient, user: UserHandle, assistant: FakeModel) -> tuple[str, str]:
    """The model proposes an expense in a new conversation: the conversation and the proposal's id."""
    await signed_in(client, user)
    conversation, html = await _start(client)
    assistant.script = [calls(("propose_expense", {"amount": "9.99", "currency": "USD", "date": str(clock.today()),
                                                   "description": "Lunch proposed"})),
                        text("I proposed it.")]
    assert (await _ask(client, conversation, html, "Record my lunch")).status_code == 303
    shown = await page(client, f"/assistant/{conversation}")
    (proposal,) = PROPOSAL.findall(shown)
    assert "Lunch proposed" in shown and "Confirm" in shown and "Reject" in shown
    return conversation, proposal


async def test_a_proposal_is_written_only_once_confirmed(client: httpx.AsyncClient, make_user: MakeUser,
                                                        assistant: FakeModel) -> None:
    user = await make_user()
    conversation, proposal = await _propose_lunch(client, user, assistant)
    assert (await read_json(client, user, "/expenses"))["total"] == 0
    html = await page(client, f"/assistant/{conversation}")
    response = await client.post(f"{APP}/assistant/actions/{proposal}/confirm",
                                 params={"conversation_id": conversation}, data={"csrf_token": csrf_token(html)})
    assert response.status_code == 303 and response.headers["location"] == f"/app/assistant/{conversation}"
    expenses = (await read_json(client, user, "/expenses"))["items"]
    assert [(e["description"], e["amount"]) for e in expenses] == [("Lunch proposed", "9.99")]
    again = await client.post(f"{APP}/assistant/actions/{proposal}/confirm", headers=htmx_headers(html))
    assert again.status_code == 200 and "Not done" in again.text  # decided already: said, not done twice
    assert (await read_json(client, user, "/expenses"))["total"] == 1


async def test_a_rejected_proposal_writes_nothing(client: httpx.AsyncClient, make_user: MakeUser,
                                                 assistant: FakeModel) -> None:
    user = await make_user()
    conversation, proposal = await _propose_lunch(client, user, assistant)
    html = await page(client, f"/assistant/{conversation}")
    response = await client.post(f"{APP}/assistant/actions/{proposal}/reject", headers=htmx_headers(html))
    assert response.status_code == 200 and "Rejected: nothing was written." in response.text
    assert (await read_json(client, user, "/expenses"))["total"] == 0
    assert "Rejected." in await page(client, f"/assistant/{conversation}")


async def test_conversations_are_their_users_own(client: httpx.AsyncClient, make_user: MakeUser,
                                                 assistant: FakeModel) -> None:
    owner = await make_user(Role.business)
    conversation, proposal = await _propose_lunch(client, owner, assistant)
    client.cookies.clear()
    member = await make_user(Role.sub_user, business=owner)
    await signed_in(client, member)
    html = await page(client, "/assistant")
    assert conversation not in html
    assert (await client.get(f"{APP}/assistant/{conversation}")).status_code == 404
    response = await client.post(f"{APP}/assistant/actions/{proposal}/confirm", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 404
    assert (await read_json(client, owner, "/expenses"))["total"] == 0
