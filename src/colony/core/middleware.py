"""The outermost layer: request id (and nosniff) on every response, one log line and metrics per request, and
the last-resort 500."""

import re
import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from colony.core.errors import BadRequest, InternalError
from colony.core.logging import get_logger
from colony.core.metrics import Metrics
from colony.core.responses import dumps

REQUEST_ID_HEADER = b"x-request-id"
# On every response: a browser never guesses a type other than the declared one (a JSON error as HTML).
NOSNIFF = (b"x-content-type-options", b"nosniff")
_SANE_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:\-]{1,128}$")
UNMATCHED_ROUTE = "<unmatched>"

log = get_logger("colony.request")


def route_template(scope: Scope) -> str:
    """The matched route's path template with its router prefixes (`/api/v1/expenses/{expense_id}`)."""
    # FastAPI resolves included routers lazily and keeps the prefixed path on its route context;
    # Starlette's `route` holds the path relative to its router.
    context = (scope.get("fastapi") or {}).get("effective_route_context")
    path: str | None = getattr(context, "path", None) or getattr(scope.get("route"), "path", None)
    return path or UNMATCHED_ROUTE


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = self._request_id(scope)
        header = (REQUEST_ID_HEADER, request_id.encode())
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        response_started = False

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [*message.get("headers", []), header, NOSNIFF]
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_request_id)
        except Exception:
            log.exception("unhandled_error", method=scope["method"], path=scope["path"])
            if not response_started:
                await self._send_internal_error(send_with_request_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            self.metrics.observe(scope["method"], route, status, elapsed)
            log.info("request", method=scope["method"], route=route, path=scope["path"], status=status,
                     duration_ms=round(elapsed * 1000, 2), user_id=scope["state"].get("user_id"))
            structlog.contextvars.clear_contextvars()

    @staticmethod
    def _request_id(scope: Scope) -> str:
        for name, value in scope["headers"]:
            if name == REQUEST_ID_HEADER and _SANE_REQUEST_ID.match(value):
                return str(value.decode())
        return uuid.uuid4().hex

    @staticmethod
    async def _send_internal_error(send: Send) -> None:
        body = dumps(InternalError().body())
        await send({"type": "http.response.start", "status": 500,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class TrustedHostMiddleware:
    """Refuse requests for host names not in COLONY_ALLOWED_HOSTS, with the contract's error body.

    Same matching as Starlette's (exact names and `*.example.com`), which answers in plain text.
    """

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]) -> None:
        self.app = app
        self.exact = {host for host in allowed_hosts if not host.startswith("*.")}
        self.suffixes = tuple(host[1:] for host in allowed_hosts if host.startswith("*."))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and not self._allowed(scope):
            body = dumps(BadRequest("Invalid host header").body())
            await send({"type": "http.response.start", "status": 400,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), "")
        host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return host in self.exact or (bool(self.suffixes) and host.endswith(self.suffixes))
