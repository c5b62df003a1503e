"""The question of the README against a real model server (Ollama, llama.cpp, vLLM), when one is given:

    COLONY_TEST_LLM_URL=http://127.0.0.1:11434/v1 COLONY_TEST_LLM_MODEL=llama3.1 pytest tests/assistant

Skipped otherwise: CI has no model, and the tests never reach the internet.
"""

import os

import httpx
import pytest
from fastapi import FastAPI

from colony.config import Settings
from colony.core import clock
from tests.assistant.conftest import configure
from tests.assistant.test_chat import ask, conversation
from tests.factories import V1, MakeUser, create_category, create_expense

URL = os.environ.get("COLONY_TEST_LLM_URL")
MODEL = os.environ.get("COLONY_TEST_LLM_MODEL", "llama3.1")

pytestmark = pytest.mark.skipif(not URL, reason="no model server: set COLONY_TEST_LLM_URL (and COLONY_TEST_LLM_MODEL)")


async def test_groceries_last_month_from_a_real_model(client: httpx.AsyncClient, make_user: MakeUser, app: FastAPI,
                                                      settings: Settings) -> None:
    assert URL is not None
    configure(app, settings, URL, llm_model=MODEL, llm_timeout=300)
    try:
        user = await make_user()
        groceries = await create_category(client, user, "Groceries")
        first = clock.today().replace(day=1)
        last_month = (first.replace(month=first.month - 1) if first.month > 1
                      else first.replace(year=first.year - 1, month=12))
        for amount, day in (("63.20", 3), ("24.05", 17)):
            await create_expense(client, user, amount=amount, date=str(last_month.replace(day=day)),
                                 category_id=groceries)
        report = (await client.get(f"{V1}/analytics/monthly/{last_month.year}/{last_month.month}",
                                   headers=user.headers)).json()

        response = await ask(client, user, await conversation(client, user),
                             "How much did I spend on groceries last month?")

        assert response.status_code == 200, response.text
        assert report["category_breakdown"][0]["total"] == "87.25"
        assert "87.25" in response.json()["message"]["content"]
    finally:
        app.state.settings = settings
