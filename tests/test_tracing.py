"""OpenTelemetry tracing: off without an endpoint (nothing imported), refused without its extra, and on, one
request's trace reaches an OTLP/HTTP collector with its SQL statements, Redis commands and HTTP calls."""

import gzip
import importlib.util
import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.background import BackgroundTask

from colony.config import ConfigurationError, Settings, load_settings
from colony.core.db import create_engine
from colony.core.tracing import traces_url
from colony.domains import metadata
from colony.main import create_app
from tests.conftest import TEST_REDIS_URL, make_settings
from tests.databases import fresh_database
from tests.factories import V1, bearer, login, register, unique_email

needs_the_extra = pytest.mark.skipif(importlib.util.find_spec("opentelemetry.sdk") is None,
                                     reason="the tracing tests need the tracing extra (in .[test])")


def test_an_endpoint_without_the_packages_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry.sdk", None)  # as if `pip install 'colony[tracing]'` was not run
    monkeypatch.setenv("COLONY_OTEL_ENDPOINT", "http://127.0.0.1:4318")
    with pytest.raises(ConfigurationError) as refused:
        load_settings()
    assert str(refused.value) == ("COLONY_OTEL_ENDPOINT is set but the OpenTelemetry packages are not installed: "
                                  "pip install 'colony[tracing]'")
    monkeypatch.setenv("COLONY_OTEL_ENDPOINT", "")  # empty: off, as unset
    assert load_settings().otel_endpoint is None


def test_the_endpoint_is_an_http_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLONY_OTEL_ENDPOINT", "collector:4317")
    with pytest.raises(ConfigurationError, match=r"^COLONY_OTEL_ENDPOINT must be an http\(s\) URL"):
        load_settings()
    assert traces_url("http://collector:4318") == "http://collector:4318/v1/traces"
    assert traces_url("https://otel.example/v1/traces/") == "https://otel.example/v1/traces"


# With tracing off, start an app, serve a request, and list what was imported of tracing: nothing. (FastAPI and
# redis-py import OpenTelemetry's API, and redis-py its SDK's metrics, for hooks of their own that stay idle
# while no provider is configured.)
_UNTRACED_APP = """
import asyncio, sys
import httpx
from asgi_lifespan import LifespanManager
from colony.config import Settings
from colony.main import create_app

settings = Settings(_env_file=None, env="test", secret_key="a-secret-key-long-enough-for-hs256-signing",
                    data_dir=sys.argv[1], database_url="sqlite+aiosqlite:///" + sys.argv[1] + "/untraced.db")
app = create_app(settings)

async def main() -> None:
    async with LifespanManager(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                                       base_url="http://testserver") as client:
        assert (await client.get("/api/v1/currencies")).status_code == 200
    from opentelemetry import trace

    print(type(trace.get_tracer_provider()).__name__, sorted(
        name for name in sys.modules
        if name.startswith(("opentelemetry.sdk.trace", "opentelemetry.instrumentation", "opentelemetry.exporter"))))

asyncio.run(main())
"""


@needs_the_extra
def test_off_by_default_and_nothing_of_it_is_imported(tmp_path: Path) -> None:
    assert Settings(_env_file=None).otel_endpoint is None
    env = {name: value for name, value in os.environ.items() if not name.startswith("COLONY_")}
    result = subprocess.run([sys.executable, "-c", _UNTRACED_APP, str(tmp_path)], capture_output=True, text=True,
                            timeout=60, check=False, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ProxyTracerProvider", "[]"]  # no provider, no span made


# --- a trace, end to end --------------------------------------------------------------------------------------

class _Collector(BaseHTTPRequestHandler):
    """An OpenTelemetry collector's OTLP/HTTP receiver: keeps every span it is sent, decoded; answers any GET."""

    spans: ClassVar[list["ExportedSpan"]] = []
    lock = threading.Lock()

    def do_POST(self) -> None:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
            ExportTraceServiceResponse,
        )

        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        request = ExportTraceServiceRequest.FromString(body)
        with self.lock:
            self.spans.extend(ExportedSpan.decode(resource, span) for resource in request.resource_spans
                              for scope in resource.scope_spans for span in scope.spans)
        self._answer(ExportTraceServiceResponse().SerializeToString(), "application/x-protobuf")

    def do_GET(self) -> None:
        self._answer(b"{}", "application/json")

    def _answer(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@dataclass(frozen=True)
class ExportedSpan:
    name: str
    kind: str
    trace_id: bytes
    span_id: bytes
    parent_id: bytes
    attributes: dict[str, Any]
    service: str

    @classmethod
    def decode(cls, resource: Any, span: Any) -> "ExportedSpan":
        def value(any_value: Any) -> Any:
            kind = any_value.WhichOneof("value")
            if kind == "array_value":
                return [value(item) for item in any_value.array_value.values]
            return getattr(any_value, kind) if kind else None

        def attributes(pairs: Any) -> dict[str, Any]:
            return {pair.key: value(pair.value) for pair in pairs}

        return cls(name=span.name, kind=span.SpanKind.Name(span.kind), trace_id=span.trace_id, span_id=span.span_id,
                   parent_id=span.parent_span_id, attributes=attributes(span.attributes),
                   service=attributes(resource.resource.attributes)["service.name"])


@pytest.fixture
def collector() -> Iterator[str]:
    from tests.loopback import serving

    _Collector.spans = []
    with serving(_Collector) as url:
        yield url


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    with fresh_database(tmp_path, "tracing") as url:
        yield url


@pytest.fixture
async def database_of_its_own(empty_database: str) -> str:
    """A database for the traced app alone: its requests commit, on the engines its lifespan makes."""
    schema_engine = create_engine(empty_database)
    async with schema_engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    await schema_engine.dispose()
    return empty_database


def _descendants(spans: list[ExportedSpan], parent: ExportedSpan) -> list[ExportedSpan]:
    children = [span for span in spans if span.parent_id == parent.span_id]
    return children + [descendant for child in children for descendant in _descendants(spans, child)]


@needs_the_extra
async def test_a_request_is_traced_with_its_statements_and_commands(collector: str, database_of_its_own: str,
                                                                     tmp_path: Path) -> None:
    settings = make_settings(database_of_its_own, tmp_path, otel_endpoint=collector,
                             otel_service_name="colony-under-test")
    run_background_task = BackgroundTask.__call__
    app = create_app(settings)
    async with LifespanManager(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                                       base_url="http://testserver") as client:
        email = unique_email()
        await register(client, email)
        headers = bearer((await login(client, email))["access_token"]) | {"X-Request-ID": "trace-probe-1"}
        response = await client.get(f"{V1}/expenses", params={"search": "pharmacy"}, headers=headers)
        assert response.status_code == 200, response.text
        missing = await client.get(f"{V1}/expenses/{uuid.uuid4()}", headers=headers)
        assert missing.status_code == 404
        assert (await client.get("/health")).status_code == 200
        assert (await client.get("/metrics")).status_code == 200
        # The shared HTTP client (rates, prices, the assistant's model) is traced too.
        assert (await app.state.http.get(f"{collector}/rates.xml")).status_code == 200
    spans = list(_Collector.spans)  # all sent by the lifespan's shutdown
    assert BackgroundTask.__call__ is run_background_task  # nothing beyond the app is patched

    [server] = [span for span in spans if span.attributes.get("http.route") == f"{V1}/expenses"]
    assert (server.kind, server.name, server.service) == ("SPAN_KIND_SERVER", f"GET {V1}/expenses",
                                                         "colony-under-test")
    assert server.parent_id == b""
    assert server.attributes["http.status_code"] == 200
    assert server.attributes["http.response.header.x_request_id"] == ["trace-probe-1"]  # finds its log lines
    inside = _descendants(spans, server)
    assert {span.trace_id for span in inside} == {server.trace_id}
    statements = [span.attributes.get("db.statement", "") for span in inside
                  if span.kind == "SPAN_KIND_CLIENT" and span.attributes.get("db.system") != "redis"]
    # The principal behind the token, then the page of expenses, each with its own timing.
    assert any(statement.startswith("SELECT users.") for statement in statements), statements
    assert any(statement.startswith("SELECT transactions.") for statement in statements), statements
    if TEST_REDIS_URL:  # the principal behind the token is cached in Redis
        assert any(span.attributes.get("db.system") == "redis" for span in inside), [span.name for span in inside]
    # Nothing that a person typed: no query string, no SQL parameter.
    assert "pharmacy" not in json.dumps([span.attributes for span in spans])

    # Named after the route, not the path: one name for every expense.
    [one_expense] = [span for span in spans if span.kind == "SPAN_KIND_SERVER" and span.name.endswith("}")]
    assert one_expense.name == f"GET {V1}/expenses/{{expense_id}}"
    assert one_expense.attributes["http.status_code"] == 404
    assert {span.attributes.get("http.route") for span in spans if span.kind == "SPAN_KIND_SERVER"} == {
        f"{V1}/auth/register", f"{V1}/auth/login", f"{V1}/expenses", f"{V1}/expenses/{{expense_id}}"}  # no probes
    [outgoing] = [span for span in spans if span.kind == "SPAN_KIND_CLIENT" and span.name == "GET"]
    assert outgoing.attributes["http.url"] == f"{collector}/rates.xml"
