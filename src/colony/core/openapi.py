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
