"""Sentry: off without a DSN, refused without its package, and nothing personal or secret in an event."""

import gzip
import json
import subprocess
import sys
import zlib
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import SecretStr

from colony.config import ConfigurationError, Settings
from colony.core import error_reporting
from colony.core.error_reporting import ErrorReportingMiddleware, scrub_event
from colony.main import create_app
from tests.loopback import serving

pytest.importorskip("sentry_sdk", reason="the error-reporting tests need the sentry extra (in .[test])")

SECRETS = ("eyJhbGciOiJIUzI1NiJ9.payload.signature", "session-cookie-value", "csrf-value", "reset-token-value",
           "someone@example.com", "hunter2-password", "argon2id$hash", "Groceries at Tesco")


def _event() -> dict[str, Any]:
    """An event as the FastAPI integration hands it to `before_send`, carrying every secret above."""
    return {
        "level": "error",
        "release": "colony@0.1.0",
        "exception": {"values": [{
            "type": "IntegrityError",
            "value": "duplicate key: Key (email)=(someone@example.com) already exists.\n"
                     "[SQL: INSERT INTO users (email, password_hash) VALUES ($1, $2)]\n"
                     "[parameters: ('someone@example.com', 'argon2id$hash')]",
            "stacktrace": {"frames": [{"filename": "colony/users/service.py", "function": "create_user",
                                       "lineno": 42}]},
        }, {
            "type": "ValidationError",
            "value": "1 validation error for ExpenseCreate\ndescription\n  String should have at most 10 characters "
                     "[type=string_too_long, input_value='Groceries at Tesco', input_type=str]",
        }]},
        "request": {
            "url": "http://api.example/api/v1/auth/password-reset/confirm",
            "method": "POST",
            "query_string": "token=reset-token-value&page=2",
            "headers": {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature",
                        "Cookie": "colony_session=session-cookie-value", "X-CSRF-Token": "csrf-value",
                        "User-Agent": "curl/8.5", "Content-Type": "application/json"},
            "cookies": {"colony_session": "session-cookie-value"},
            "data": {"email": "someone@example.com", "password": "hunter2-password"},
            "env": {"REMOTE_ADDR": "203.0.113.9"},
        },
        "user": {"email": "someone@example.com", "ip_address": "203.0.113.9"},
        "breadcrumbs": {"values": [
            {"category": "httpx", "data": {"url": "http://rates.example/day?access_token=reset-token-value",
                                           "http.query": "token=reset-token-value"}},
            {"category": "log", "message": "mail sent to someone@example.com"},
        ]},
        "tags": {"request_id": "abc123"},
    }


def test_scrubbing_leaves_no_secret_and_no_personal_data() -> None:
    scrubbed = scrub_event(_event())
    text = json.dumps(scrubbed)
    for secret in SECRETS:
        assert secret not in text, secret
    assert "203.0.113.9" not in text
    # What is left still helps find the fault.
    assert scrubbed["request"]["query_string"] == "token=[Filtered]&page=2"
    assert scrubbed["request"]["headers"]["User-Agent"] == "curl/8.5"
    assert scrubbed["request"]["headers"]["Authorization"] == "[Filtered]"
    assert scrubbed["exception"]["values"][0]["type"] == "IntegrityError"
    assert "INSERT INTO users" in scrubbed["exception"]["values"][0]["value"]
    assert scrubbed["breadcrumbs"]["values"][1]["message"] == "mail sent to [email]"
    assert scrubbed["release"] == "colony@0.1.0" and scrubbed["tags"] == {"request_id": "abc123"}


def test_without_a_dsn_nothing_is_initialised(settings: Settings) -> None:
    import sentry_sdk

    assert settings.sentry_dsn is None
    assert error_reporting.init(settings) is False
    assert error_reporting.init(settings.model_copy(update={"sentry_dsn": SecretStr("")})) is False
    assert not sentry_sdk.get_client().is_active()
    app = create_app(settings)
    middleware: list[object] = [entry.cls for entry in app.user_middleware]
    assert ErrorReportingMiddleware not in middleware


def test_a_dsn_without_the_package_is_refused_at_start(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # as if `pip install 'colony[sentry]'` was not run
    values = settings.model_dump() | {"sentry_dsn": "https://public@sentry.example/1"}
    with pytest.raises(ConfigurationError, match=r"sentry-sdk is not installed: pip install 'colony\[sentry\]'"):
        Settings(**values)
    assert Settings(**(values | {"sentry_dsn": ""})).sentry_dsn is not None  # empty: not configured


class _FakeSentry(BaseHTTPRequestHandler):
    """Sentry's ingest endpoint: keeps each envelope it receives, decompressed."""

    envelopes: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli  # type: ignore[import-not-found]  # sentry-sdk compresses so only when it is installed

            body = brotli.decompress(body)
        self.envelopes.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


# Sentry's integrations patch FastAPI and Starlette for the whole process, so the app reporting to the fake
# runs in a process of its own.
_REPORTING_APP = """
import asyncio, sys
import httpx, sentry_sdk
from colony.config import Settings
from colony.main import create_app

settings = Settings(env="test", secret_key="a-secret-key-long-enough-for-hs256-signing", data_dir=sys.argv[2],
                    database_url="sqlite+aiosqlite:///" + sys.argv[2] + "/unused.db", sentry_dsn=sys.argv[1])
app = create_app(settings)

@app.post("/boom")
async def boom() -> None:
    raise RuntimeError("could not mail someone@example.com")

async def main() -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(
            "/boom?token=reset-token-value&page=2", json={"password": "hunter2-password"},
            headers={"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature", "X-Request-ID": "probe-1",
                     "Cookie": "colony_session=session-cookie-value", "X-CSRF-Token": "csrf-value"})
        print(response.status_code, response.json()["error"]["code"])

asyncio.run(main())
sentry_sdk.flush(timeout=10)
"""


def test_an_unhandled_error_reaches_sentry_scrubbed(tmp_path: Path) -> None:
    _FakeSentry.envelopes = []
    with serving(_FakeSentry) as url:
        dsn = url.replace("http://", "http://publickey@") + "/1"
        result = subprocess.run([sys.executable, "-c", _REPORTING_APP, dsn, str(tmp_path)], capture_output=True,
                                text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["500", "INTERNAL_ERROR"]  # the client's answer is unchanged
    events = [json.loads(line) for envelope in _FakeSentry.envelopes for line in envelope.splitlines()[1:]
              if b'"exception"' in line]
    assert len(events) == 1, _FakeSentry.envelopes
    event = events[0]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["exception"]["values"][-1]["value"] == "could not mail [email]"
    assert event["tags"]["request_id"] == "probe-1"
    assert event["request"]["query_string"] == "token=[Filtered]&page=2"
    assert "data" not in event["request"] and "user" not in event
    raw = b"".join(_FakeSentry.envelopes).decode()
    for secret in SECRETS:
        assert secret not in raw, secret
