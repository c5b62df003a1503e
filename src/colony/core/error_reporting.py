"""Errors reported to Sentry when COLONY_SENTRY_DSN is set (`pip install 'colony[sentry]'`).

Nothing that identifies a person or opens an account leaves the process: no request bodies, cookies,
Authorization or other credential headers, no secrets in query strings, no emails, no local variables, no
SQL parameters or rejected input values quoted in exception messages. An event carries the exception, its
stack trace (code only), the route and the request id, which finds the request's log lines.
"""

import re
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from colony import __version__
from colony.config import Settings

FILTERED = "[Filtered]"
_SENSITIVE_NAME = r"[^=&;#\s]*(?:pass|secret|token|key|auth|cookie|session|csrf|sig|code|email)[^=&;#\s]*"
_TEXT_SCRUBS: tuple[tuple[re.Pattern[str], str], ...] = (
    # `?token=…&x=1` in a URL, a query string or a breadcrumb: the value goes, the name stays.
    (re.compile(rf"(?i)((?:^|[?&;]){_SENSITIVE_NAME}=)[^&;#\s]*"), rf"\1{FILTERED}"),
    (re.compile(r"[\w.!#$%'*+^`~-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b"), "[email]"),
    # SQLAlchemy quotes a failed statement's parameters; PostgreSQL the conflicting values of a key.
    (re.compile(r"\[parameters: .*?\](?=\n|$)", re.S), f"[parameters: {FILTERED}]"),
    (re.compile(r"(Key \([^)]*\)=\().*?(\) )"), rf"\1{FILTERED}\2"),
    # pydantic quotes the rejected input.
    (re.compile(r"input_value=.*?(?=, input_type=|\]$|$)", re.M), f"input_value={FILTERED}"),
)
_SENSITIVE_HEADER = re.compile(r"(?i)authorization|cookie|token|secret|session|csrf|api[-_]?key|"
                               r"forwarded|real-ip|idempotency")


def scrub_text(text: str) -> str:
    for pattern, replacement in _TEXT_SCRUBS:
        text = pattern.sub(replacement, text)
    return text


def _scrub_values(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {key: _scrub_values(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_values(item) for item in value]
    return value


def scrub_event(event: dict[str, Any], _hint: object = None) -> dict[str, Any]:
    """Sentry's `before_send`: what is left of an event once everything personal or secret is gone."""
    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        for part in ("data", "cookies", "env"):
            request.pop(part, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {name: FILTERED if _SENSITIVE_HEADER.search(name) else value
                                  for name, value in headers.items()}
    return dict(_scrub_values(event))


def init(settings: Settings) -> bool:
    """Start the Sentry client of this process when a DSN is configured; whether it did."""
    dsn = settings.sentry_dsn.get_secret_value() if settings.sentry_dsn else ""
    if not dsn:
        return False
    import sentry_sdk  # the settings refuse a DSN without the package

    sentry_sdk.init(
        dsn=dsn,
        environment=settings.env.value,
        release=f"colony@{__version__}",
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        before_send=scrub_event,  # type: ignore[arg-type]
        before_send_transaction=scrub_event,  # type: ignore[arg-type]
    )
    return True


def _report(exc: BaseException, request_id: str | None) -> None:
    import sentry_sdk

    with sentry_sdk.new_scope() as scope:
        if request_id:
            scope.set_tag("request_id", request_id)
        sentry_sdk.capture_exception(exc)


class ErrorReportingMiddleware:
    """Reports an exception that escapes a route, then lets it go on to `RequestContextMiddleware`, which
    logs it and answers 500. It sits just inside that middleware: Sentry's own ASGI wrapper is outside it
    and never sees an exception already turned into a response."""

    def __init__(self, app: ASGIApp, report: Callable[[BaseException, str | None], None] = _report) -> None:
        self.app = app
        self.report = report

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            self.report(exc, (scope.get("state") or {}).get("request_id"))
            raise
