"""One place that renders every error in the contract's shape."""

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from colony.core.db import is_connection_fault
from colony.core.errors import AppError, ServiceUnavailable, error_body
from colony.core.limits import BodyTooLarge
from colony.core.logging import get_logger
from colony.core.responses import JSONResponse

log = get_logger("colony.errors")

_HTTP_CODES = {
    400: "BAD_REQUEST", 401: "NOT_AUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED", 406: "NOT_ACCEPTABLE", 413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE", 422: "VALIDATION_ERROR", 429: "RATE_LIMITED",
}
_HTTP_MESSAGES = {404: "Not found", 405: "Method not allowed"}


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors():
        message = error.get("msg", "Invalid value")
        if error.get("type") == "json_invalid":
            message = "Malformed JSON: " + str((error.get("ctx") or {}).get("error", "cannot be parsed"))
        errors.append({"field": _field(tuple(error.get("loc", ()))), "message": message})
    return errors


async def app_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)


async def request_validation_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    body = error_body("VALIDATION_ERROR", "Invalid input", {"errors": validation_errors(exc)})
    return JSONResponse(body, status_code=422)


async def http_exception_handler(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own errors: unknown routes, wrong methods, a body that cannot be parsed."""
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc, BodyTooLarge):  # a body past its limit, found while a route was reading it
        return JSONResponse(exc.error.body(), status_code=exc.status_code, headers={"Connection": "close"})
    if exc.status_code == 400:  # FastAPI's "error parsing the body" (bad encoding, broken form data)
        body = error_body("VALIDATION_ERROR", "Invalid input",
                          {"errors": [{"field": "body", "message": str(exc.detail)}]})
        return JSONResponse(body, status_code=422)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    code = _HTTP_CODES.get(exc.status_code, "HTTP_ERROR")
    message = _HTTP_MESSAGES.get(exc.status_code) or str(exc.detail)
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=headers)


_UUID = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


def _path_pattern(template: str) -> re.Pattern[str]:
    """A documented path as a regex; `{..._id}` parameters are UUIDs throughout the API."""
    pattern = re.escape(template)
    pattern = re.sub(r"\\{[a-z_]+_id\\}", _UUID, pattern)
    pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", pattern)
    return re.compile(f"^{pattern}$")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (the router's own 405 names only the first route's)."""
    app = request.app
    templates: list[tuple[re.Pattern[str], set[str]]] | None = getattr(app.state, "path_methods", None)
    if templates is None:
        templates = [(_path_pattern(path), {method.upper() for method in operations})
                     for path, operations in app.openapi()["paths"].items()]
        app.state.path_methods = templates
    methods = set().union(*(found for pattern, found in templates if pattern.match(request.url.path)))
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


async def database_unavailable_handler(_request: Request, exc: Exception) -> JSONResponse:
    """The database cannot be reached: say so (503) and let the pool reconnect on a later request."""
    if isinstance(exc, DBAPIError) and not is_connection_fault(exc):
        raise exc  # an SQL bug, not an outage: the middleware turns it into a logged 500
    log.warning("database_unavailable", error=type(exc).__name__)
    return JSONResponse(ServiceUnavailable("The database is unavailable").body(), status_code=503,
                          headers={"Retry-After": "5"})


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error_handler)
    app.add_exception_handler(RequestValidationError, request_validation_handler)
    app.add_exception_handler(StarletteHTTPException, http_exception_handler)
    for fault in (DBAPIError, PoolTimeout, ConnectionError, TimeoutError):
        app.add_exception_handler(fault, database_unavailable_handler)
