"""OpenAPI `responses` for the errors a route can return, in the contract's error shape."""

from collections import defaultdict
from typing import Any

from colony.core.errors import AppError, RuleViolation
from colony.core.schemas import ErrorResponse


def error_responses(*errors: type[AppError], validates_input: bool = True) -> dict[int | str, dict[str, Any]]:
    """Document each status a route may answer with, naming the error codes behind it."""
    codes: dict[int, list[str]] = defaultdict(list)
    every: tuple[type[AppError], ...] = (*errors, RuleViolation) if validates_input else errors
    for error in every:
        if error.code not in codes[error.status_code]:
            codes[error.status_code].append(error.code)
    return {
        status: {"model": ErrorResponse, "description": "Error codes: " + ", ".join(sorted(names))}
        for status, names in sorted(codes.items())
    }


NO_STORE_HEADERS: dict[str, Any] = {"headers": {
    "Cache-Control": {"description": "`no-store`: the body carries credentials", "schema": {"type": "string"}},
    "Pragma": {"description": "`no-cache`, for HTTP/1.0 caches", "schema": {"type": "string"}},
}}
"""The OpenAPI `responses` entry of a success answered with `core.deps.no_store`: `{200: NO_STORE_HEADERS}`."""


def payload_too_large(*, upload: bool) -> dict[str, Any]:
    """The OpenAPI entry of the 413 that `core.limits` answers to a body over its limit (every route with a
    body gets it: `core.routing.use_input_rules`)."""
    limit = "COLONY_MAX_UPLOAD_MB (20 MiB by default)" if upload else "1 MiB"
    return {"model": ErrorResponse,
            "description": f"Error codes: PAYLOAD_TOO_LARGE (a body over {limit}, refused before it is read)"}
