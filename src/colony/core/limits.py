"""Request-body limits, enforced before anything reads the body (authentication included).

A JSON (or any non-upload) body may have 1 MiB; an upload (`multipart/form-data`, or the JSON document of a
restore) COLONY_MAX_UPLOAD_MB.
A `Content-Length` over the limit is refused at once, before a byte of the body is read; a body without
one (chunked) is counted as it streams in and refused as soon as it passes the limit, so at most the
limit is ever buffered or spooled. Starlette's RequestBodyLimitMiddleware has one limit for every body and
answers in plain text; this answers 413 PAYLOAD_TOO_LARGE in the error contract's shape.
"""

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from colony.core.errors import PayloadTooLarge
from colony.core.responses import dumps

MIB = 1024 * 1024
MAX_JSON_BODY_BYTES = MIB


class BodyTooLarge(StarletteHTTPException):
    """Raised from `receive` when a streamed body passes its limit. FastAPI lets an HTTPException through
    its body parsing (anything else becomes a 400); the error handlers render `error`."""

    def __init__(self, error: PayloadTooLarge) -> None:
        super().__init__(status_code=error.status_code, detail=error.detail_message)
        self.error = error


def _header(scope: Scope, name: bytes) -> bytes | None:
    return next((value for key, value in scope["headers"] if key == name), None)


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    return int(value) if value is not None and value.isdigit() else None


# Paths that take a large JSON document as their body, like an upload: a whole-tenant restore.
JSON_UPLOAD_PATHS = frozenset({"/api/v1/users/me/import"})


def _is_upload(scope: Scope) -> bool:
    content_type = (_header(scope, b"content-type") or b"").split(b";", 1)[0].strip().lower()
    return content_type == b"multipart/form-data" or (
        content_type == b"application/json" and scope.get("path") in JSON_UPLOAD_PATHS)


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_upload_bytes: int, max_body_bytes: int = MAX_JSON_BODY_BYTES) -> None:
        self.app = app
        self.max_upload_bytes = max_upload_bytes
        self.max_body_bytes = max_body_bytes

    def _error(self, upload: bool) -> PayloadTooLarge:
        limit = self.max_upload_bytes if upload else self.max_body_bytes
        what = "An upload" if upload else "A request body"
        size = f"{limit // MIB} MiB" if limit % MIB == 0 else f"{limit} bytes"
        return PayloadTooLarge(f"{what} may have at most {size}", details={"max_bytes": limit})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = _is_upload(scope)
        limit = self.max_upload_bytes if upload else self.max_body_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, self._error(upload))
            return

        received = 0
        response_started = False

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(self._error(upload))
            return message

        async def send_watching(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive_within_limit, send_watching)
        except BodyTooLarge as exc:  # read outside a route (the handlers answer it inside one)
            if response_started:
                raise
            await _refuse(send, exc.error)


async def _refuse(send: Send, error: PayloadTooLarge) -> None:
    body = dumps(error.body())
    # Close the connection: the client may still be sending the rest of the body.
    await send({"type": "http.response.start", "status": error.status_code,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
