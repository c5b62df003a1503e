"""Uploading bank files in tests, and reading back what they booked."""

import json
from pathlib import Path
from typing import Any

import httpx

from tests.factories import V1, UserHandle

URL = f"{V1}/imports"
FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


async def upload(client: httpx.AsyncClient, user: UserHandle, content: bytes | str, file_name: str = "upload",
                 **fields: Any) -> httpx.Response:
    """POST /imports with the file and form fields (a dict as JSON, booleans as true/false)."""
    data = {key: json.dumps(value) if isinstance(value, dict) else str(value).lower() if isinstance(value, bool)
            else str(value) for key, value in fields.items() if value is not None}
    body = content.encode() if isinstance(content, str) else content
    return await client.post(URL, files={"file": (file_name, body)}, data=data, headers=user.headers)


async def imported(client: httpx.AsyncClient, user: UserHandle, content: bytes | str, file_name: str = "upload",
                   **fields: Any) -> dict[str, Any]:
    response = await upload(client, user, content, file_name, **fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def booked(client: httpx.AsyncClient, user: UserHandle) -> list[dict[str, Any]]:
    """The tenant's transactions, oldest first."""
    response = await client.get(f"{V1}/transactions", params={"sort": "date", "size": 100}, headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def shown(items: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    """(date, type, amount, currency, description) of each transaction."""
    return [(i["date"], i["type"], i["amount"], i["currency"], i["description"]) for i in items]
