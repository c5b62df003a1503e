"""Outgoing mail through the configured backend: `console` (development), `file` (one .eml each), `smtp`.

Sending is blocking I/O (a file write, an SMTP conversation), so it runs in a worker thread.
"""

import smtplib
import ssl
import sys
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from starlette.concurrency import run_in_threadpool

from colony.config import Settings
from colony.core.clock import utcnow
from colony.core.logging import get_logger

log = get_logger("colony.mail")
SMTP_TIMEOUT_SECONDS = 10


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


def compose(*, sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(body)
    return message


class ConsoleMailer:
    """Prints each message to stderr, so a developer sees (and can use) the reset token it carries."""

    async def send(self, message: EmailMessage) -> None:
        sys.stderr.write(f"----- email (console backend) -----\n{message.as_string()}\n-----\n")
        sys.stderr.flush()


class FileMailer:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: EmailMessage) -> None:
        await run_in_threadpool(self._write, message)

    def _write(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
        (self.directory / name).write_bytes(bytes(message))


class SmtpMailer:
    """SMTP encrypted as COLONY_SMTP_TLS says: `starttls` (the default) or `tls` (implicit, usually port 465),
    with the server's certificate verified against the system's trusted CAs (or `SSL_CERT_FILE`); `none` only
    when told, and then never with credentials (the settings refuse that).

    A server that offers no STARTTLS gets nothing under `starttls`: neither the password nor the message,
    which carries a reset token (smtplib raises SMTPNotSupportedError before either is sent).
    """

    def __init__(self, settings: Settings) -> None:
        self.host, self.port, self.tls = settings.smtp_host, settings.smtp_port, settings.smtp_tls
        self.user = settings.smtp_user
        self.password = settings.smtp_password.get_secret_value() if settings.smtp_password else None

    async def send(self, message: EmailMessage) -> None:
        await run_in_threadpool(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        with self._connect() as smtp:
            if self.tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if self.user and self.password:
                smtp.login(self.user, self.password)
            smtp.send_message(message)

    def _connect(self) -> smtplib.SMTP:
        # smtplib's own default context checks no certificate: always pass one that does.
        if self.tls == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS,
                                    context=ssl.create_default_context())
        return smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)


def build_mailer(settings: Settings) -> Mailer:
    if settings.email_backend == "file":
        return FileMailer(settings.email_dir or settings.data_dir / "mail")
    if settings.email_backend == "smtp":
        return SmtpMailer(settings)
    return ConsoleMailer()


async def send_quietly(mailer: Mailer, message: EmailMessage) -> None:
    """Send after the response (a background task): a mail fault is logged, never shown to the client."""
    try:
        await mailer.send(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("email_not_sent", error=type(exc).__name__)
