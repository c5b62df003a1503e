"""Clients at a given address, and the mails of the file backend for the password-reset tests (accounts and
tokens: tests/factories.py)."""

import email
import random
from email.message import Message
from pathlib import Path

import httpx
from fastapi import FastAPI


def random_address() -> str:
    """A fresh client address: with Redis, a rate-limit budget outlives a test run by up to a minute."""
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def client_at(app: FastAPI, address: str) -> httpx.AsyncClient:
    """An HTTP client on `app` whose connection comes from `address` (uvicorn's `scope["client"]`)."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


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
