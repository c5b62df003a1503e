"""How reset mails leave: SMTP only over TLS (unless told otherwise, and then never with a password), and no
console backend in production unless asked for. The SMTP servers are aiosmtpd on loopback; their certificates
come from a throwaway CA (trustme), trusted through SSL_CERT_FILE as an operator with a private CA would."""

import os
import smtplib
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from colony.config import ConfigurationError, Settings, load_settings
from colony.core.mail import SmtpMailer, compose

USER, PASSWORD = "colony", "smtp-secret"


@dataclass
class FakeSmtp:
    """What the server saw: each delivered message, and each login with whether it came over TLS."""

    port: int = 0
    messages: list[bytes] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.messages.append(envelope.content)
        return "250 OK"

    def authenticate(self, server: SMTPServer, session: Session, envelope: Envelope, mechanism: str,
                     auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        encrypted = server.transport is not None and server.transport.get_extra_info("ssl_object") is not None
        self.logins.append((auth_data.password.decode(), encrypted))
        return AuthResult(success=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def trusted_ca(ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    monkeypatch.setenv("SSL_CERT_FILE", str(path))


def serve(**options: Any) -> Iterator[FakeSmtp]:
    fake = FakeSmtp(port=_free_port())
    controller = Controller(fake, hostname="127.0.0.1", port=fake.port, authenticator=fake.authenticate,
                            **options)
    controller.start()
    try:
        yield fake
    finally:
        controller.stop()


@pytest.fixture
def plain_server() -> Iterator[FakeSmtp]:
    """Offers no STARTTLS, and would take a password in clear."""
    yield from serve(auth_require_tls=False)


@pytest.fixture
def starttls_server(server_tls: ssl.SSLContext) -> Iterator[FakeSmtp]:
    yield from serve(tls_context=server_tls, require_starttls=True)


@pytest.fixture
def implicit_tls_server(server_tls: ssl.SSLContext) -> Iterator[FakeSmtp]:
    yield from serve(ssl_context=server_tls, auth_require_tls=False)  # aiosmtpd counts STARTTLS alone as TLS


def _mailer(server: FakeSmtp, tls: str, credentials: bool = True) -> SmtpMailer:
    return SmtpMailer(Settings(email_backend="smtp", smtp_host="127.0.0.1", smtp_port=server.port, smtp_tls=tls,
                               smtp_user=USER if credentials else None,
                               smtp_password=PASSWORD if credentials else None))


def _message() -> EmailMessage:
    return compose(sender="colony@example.com", to="ada@example.com", subject="Reset your Colony password",
                   body="Reset token: secret-reset-token\n")


async def test_no_starttls_means_nothing_is_sent(plain_server: FakeSmtp) -> None:
    with pytest.raises(smtplib.SMTPNotSupportedError):
        await _mailer(plain_server, "starttls").send(_message())
    assert plain_server.logins == [] and plain_server.messages == []  # neither the password nor the token


async def test_starttls_logs_in_and_sends_over_tls(starttls_server: FakeSmtp, trusted_ca: None) -> None:
    await _mailer(starttls_server, "starttls").send(_message())
    assert starttls_server.logins == [(PASSWORD, True)]
    assert len(starttls_server.messages) == 1 and b"secret-reset-token" in starttls_server.messages[0]


async def test_an_unverifiable_certificate_is_refused(starttls_server: FakeSmtp,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The system's CAs do not trust the throwaway one (smtplib alone would not even check)."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with pytest.raises(ssl.SSLCertVerificationError):
        await _mailer(starttls_server, "starttls").send(_message())
    assert starttls_server.logins == [] and starttls_server.messages == []


async def test_implicit_tls(implicit_tls_server: FakeSmtp, trusted_ca: None) -> None:
    await _mailer(implicit_tls_server, "tls").send(_message())
    assert implicit_tls_server.logins == [(PASSWORD, True)]
    assert len(implicit_tls_server.messages) == 1


async def test_plain_smtp_only_when_told_and_without_credentials(plain_server: FakeSmtp) -> None:
    await _mailer(plain_server, "none", credentials=False).send(_message())
    assert plain_server.logins == [] and len(plain_server.messages) == 1
    with pytest.raises(ConfigurationError, match="COLONY_SMTP_TLS=none would send the SMTP password in clear"):
        _mailer(plain_server, "none")


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("COLONY_"):
            monkeypatch.delenv(name)
    for name, value in {"COLONY_DATA_DIR": str(tmp_path), "COLONY_ENV": "production", "COLONY_SECRET_KEY": "a-secret",
                        "COLONY_DATABASE_URL": "postgresql+asyncpg://colony@db.internal/colony"}.items():
        monkeypatch.setenv(name, value)


def test_production_refuses_the_console_backend_unless_told(production: None,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError, match="would print password-reset tokens to the console"):
        load_settings()
    monkeypatch.setenv("COLONY_EMAIL_BACKEND", "console")  # naming it is not enough
    with pytest.raises(ConfigurationError):
        load_settings()
    monkeypatch.setenv("COLONY_ALLOW_CONSOLE_EMAIL_IN_PRODUCTION", "true")
    assert load_settings().email_backend == "console"
    monkeypatch.delenv("COLONY_ALLOW_CONSOLE_EMAIL_IN_PRODUCTION")
    monkeypatch.setenv("COLONY_EMAIL_BACKEND", "smtp")
    assert load_settings().smtp_tls == "starttls"
