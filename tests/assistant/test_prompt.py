"""GET /assistant/prompt: the caller's own figures in markdown, with no model at all."""

import httpx

from colony.core import clock
from tests.factories import V1, MakeUser, create_category, create_expense, create_goal


async def test_the_summary_gives_the_callers_own_figures(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user, stranger = await make_user(), await make_user()
    today = clock.today()
    groceries = await create_category(client, user, "Groceries")
    await create_expense(client, user, amount="41.10", date=str(today), category_id=groceries)
    await create_expense(client, user, amount="1.40", date=str(today), category_id=groceries)
    await create_goal(client, user, name="Emergency fund", target_amount="3000.00", currency="USD")
    await create_expense(client, stranger, amount="999.99", date=str(today), description="Stranger's yacht")
    month = (await client.get(f"{V1}/analytics/monthly/{today.year}/{today.month}", headers=user.headers)).json()

    response = await client.get(f"{V1}/assistant/prompt", params={"mode": "summary"}, headers=user.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["mode"] == "summary"
    prompt = body["prompt"]
    assert prompt.startswith(f"# My finances on {today}")
    assert f"- Expenses: {month['total_expenses']} (2 expenses)" in prompt
    assert "| Groceries | 42.50 | 100.00 % |" in prompt
    assert "| Emergency fund | 0.00 USD | 3000.00 |" in prompt
    assert "999.99" not in prompt and "yacht" not in prompt


async def test_markdown_alone_and_the_analysis_mode(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()

    markdown = await client.get(f"{V1}/assistant/prompt", headers=user.headers | {"Accept": "text/markdown"})
    analysis = await client.get(f"{V1}/assistant/prompt", params={"mode": "analysis"}, headers=user.headers)
    unknown = await client.get(f"{V1}/assistant/prompt", params={"mode": "poem"}, headers=user.headers)

    assert markdown.status_code == 200 and markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith("# My finances on ")
    assert analysis.json()["prompt"].startswith("You are a careful personal-finance analyst.")
    assert unknown.status_code == 422
