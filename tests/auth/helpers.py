"""The mails of the file backend, for the password-reset tests (accounts and tokens: tests/factories.py)."""

import email
from email.message import Message
from pathlib import Path


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
