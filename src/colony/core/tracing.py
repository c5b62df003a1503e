"""OpenTelemetry traces, sent over OTLP/HTTP when COLONY_OTEL_ENDPOINT is set (`pip install 'colony[tracing]'`).

A request's trace is its server span (route template, status, the `X-Request-ID` that its log lines carry) with
a child span for each SQL statement, outgoing HTTP call and Redis command made while serving it: where a slow
request spends its time. A statement or call made outside a request (a scheduled job) is a trace of its own.

Off, nothing here imports OpenTelemetry and nothing is added to a request, a statement or a command. On, each
app has a tracer provider of its own (the process-wide one is left alone), shut down with the app's lifespan.
What spans carry: SQL with its placeholders (never the parameters), Redis command names (never keys or values),
paths and route templates; query strings are dropped, as they may carry a search for a person's transactions.
"""

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from colony import __version__
from colony.config import Settings
from colony.core.middleware import UNMATCHED_ROUTE, route_template

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Span

TRACES_PATH = "/v1/traces"
# Liveness probes and scrapes, every few seconds from each load balancer and Prometheus, doing no I/O: noise.
# (/health/db and /health/redis are traced: excluded, their statement and command would make orphan traces.)
# Matched against the URL without its query string.
UNTRACED_URLS = r"^[a-z]+://[^/]+/(health|metrics)$"
REQUEST_ID_HEADER = "x-request-id"
_URL_ATTRIBUTES_WITH_QUERY = ("http.url", "http.target", "url.full")
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"})


def traces_url(endpoint: str) -> str:
    """The collector's OTLP/HTTP traces URL: `http://collector:4318` → `http://collector:4318/v1/traces`."""
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith(TRACES_PATH) else endpoint + TRACES_PATH


def instrument_app(app: FastAPI, settings: Settings) -> None:
    """Trace the app's requests when an endpoint is configured: called last, once its middleware is in place,
    this adds the outermost layers. Its clients are traced by `instrument_clients` once the lifespan makes them."""
    if not settings.otel_endpoint:
        return
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
    from opentelemetry.metrics import NoOpMeterProvider

    provider = _tracer_provider(settings)
    app.state.tracer_provider = provider
    app.add_middleware(_NameSpanByRoute)
    # The ASGI layer that FastAPIInstrumentor is built on, without the way it names a span: by matching the
    # request against every route in turn before the router does (measured: 1 ms of CPU per request to a route
    # near the end of the list). The span is named once the router has matched, by _NameSpanByRoute.
    app.add_middleware(
        OpenTelemetryMiddleware, tracer_provider=provider, meter_provider=NoOpMeterProvider(),  # metrics: /metrics
        excluded_urls=UNTRACED_URLS, default_span_details=_method_only, server_request_hook=_drop_query_string,
        http_capture_headers_server_response=[REQUEST_ID_HEADER],
        exclude_spans=["receive", "send"],  # a span per ASGI message says nothing an operator needs
    )


class _NameSpanByRoute:
    """Names the request's server span after its route template (`GET /api/v1/expenses/{expense_id}`) and sets
    `http.route`, as the response starts: the router has matched by then, and the span is still open."""

    def __init__(self, app: ASGIApp) -> None:
        from opentelemetry.trace import get_current_span

        self.app = app
        self.current_span = get_current_span

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        span = self.current_span()
        if scope["type"] != "http" or not span.is_recording():  # not traced: an excluded path, or not sampled
            await self.app(scope, receive, send)
            return

        async def send_naming_span(message: Message) -> None:
            if message["type"] == "http.response.start" and (route := route_template(scope)) != UNMATCHED_ROUTE:
                span.update_name(f"{scope['method']} {route}")
                span.set_attribute("http.route", route)
            await send(message)

        await self.app(scope, receive, send_naming_span)


def instrument_clients(app: FastAPI) -> None:
    """Trace the statements of both database engines, the shared HTTP client and Redis, when tracing is on."""
    provider: TracerProvider | None = getattr(app.state, "tracer_provider", None)
    if provider is None:
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.instrumentation.sqlalchemy.version import __version__ as sqlalchemy_instrumentation_version
    from opentelemetry.metrics import NoOpMeterProvider

    # This app's engines only, not SQLAlchemyInstrumentor: that one also patches every engine the process will
    # ever create, once per process, with the first app's provider.
    tracer = provider.get_tracer("opentelemetry.instrumentation.sqlalchemy", sqlalchemy_instrumentation_version)
    no_metrics = NoOpMeterProvider()
    pool_usage = no_metrics.get_meter(__name__).create_up_down_counter("db.client.connections.usage")
    database = app.state.database
    for engine in {database.engine, database.reader_engine or database.engine}:
        EngineTracer(tracer, engine.sync_engine, pool_usage)  # type: ignore[no-untyped-call]
    HTTPXClientInstrumentor.instrument_client(app.state.http, tracer_provider=provider, meter_provider=no_metrics)
    if app.state.redis is not None:
        RedisInstrumentor.instrument_client(app.state.redis, tracer_provider=provider)


def shutdown(app: FastAPI) -> None:
    """Send the spans still buffered (the lifespan's end)."""
    provider: TracerProvider | None = getattr(app.state, "tracer_provider", None)
    if provider is not None:
        provider.shutdown()


def _tracer_provider(settings: Settings) -> "TracerProvider":
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    assert settings.otel_endpoint is not None
    # OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER and OTEL_EXPORTER_OTLP_HEADERS still apply (the SDK reads them).
    resource = Resource.create({"service.name": settings.otel_service_name, "service.version": __version__,
                                "deployment.environment.name": settings.env.value})
    provider = TracerProvider(resource=resource, shutdown_on_exit=False)  # the lifespan shuts it down
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_url(settings.otel_endpoint))))
    return provider


def _method_only(scope: Scope) -> tuple[str, dict[str, Any]]:
    """The span's name until the route is known: the method alone (a path would name a span per id)."""
    method = str(scope.get("method", "")).strip()
    return method if method in _KNOWN_METHODS else "HTTP", {}


def _drop_query_string(span: "Span", scope: Scope) -> None:
    """The server span's URLs without their query string (the route and the path stay)."""
    if not span.is_recording() or not scope.get("query_string"):
        return
    attributes = getattr(span, "attributes", None) or {}
    for name in _URL_ATTRIBUTES_WITH_QUERY:
        value = attributes.get(name)
        if isinstance(value, str):
            span.set_attribute(name, value.split("?", 1)[0])
    if "url.query" in attributes:
        span.set_attribute("url.query", "")
