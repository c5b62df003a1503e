"""Helpers for the identity tests: accounts made over HTTP, tokens, and the mails of the file backend."""

import email
import uuid
from email.message import Message
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import TEST_PASSWORD

API = "/api/v1"


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


async def register(client: httpx.AsyncClient, email_address: str | None = None, password: str = TEST_PASSWORD,
                   **fields: Any) -> dict[str, Any]:
    response = await client.post(f"{API}/auth/register",
                                 json={"email": email_address or unique_email(), "password": password, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def login(client: httpx.AsyncClient, email_address: str, password: str = TEST_PASSWORD) -> dict[str, Any]:
    response = await client.post(f"{API}/auth/login", json={"email": email_address, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def error_code(response: httpx.Response) -> str:
    body = response.json()
    assert body["success"] is False
    code: str = body["error"]["code"]
    return code


def mails_to(mail_dir: Path, recipient: str) -> list[Message]:
    if not mail_dir.exists():
        return []
    messages = [email.message_from_bytes(path.read_bytes()) for path in sorted(mail_dir.glob("*.eml"))]
    return [message for message in messages if message["To"] == recipient.lower()]


def reset_token_from(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    for line in payload.decode().splitlines():
        if line.startswith("Reset token: "):
            return line.removeprefix("Reset token: ").strip()
    raise AssertionError("no reset token in the mail")
