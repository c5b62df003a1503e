"""The error contract: every failure becomes `{"success": false, "error": {code, message, details}}`."""

from typing import Any, ClassVar


class AppError(Exception):
    """A failure the client should see. Subclasses fix the status, the code and the message."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "INTERNAL_ERROR"
    message: ClassVar[str] = "An unexpected error occurred"

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.detail_message = message or self.message
        self.details = details or {}
        self.headers = headers
        super().__init__(self.detail_message)

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.detail_message, self.details)


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"success": False, "error": {"code": code, "message": message, "details": details or {}}}


class BadRequest(AppError):
    status_code = 400
    code = "BAD_REQUEST"
    message = "The request is not allowed"


class Unauthorized(AppError):
    status_code = 401
    code = "NOT_AUTHENTICATED"
    message = "Not authenticated"

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, details=details, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(AppError):
    status_code = 403
    code = "FORBIDDEN"
    message = "You are not allowed to do this"


class NotFound(AppError):
    status_code = 404
    code = "NOT_FOUND"
    message = "Resource not found"


class Conflict(AppError):
    status_code = 409
    code = "CONFLICT"
    message = "The request conflicts with the current state"


class PayloadTooLarge(AppError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"
    message = "The request body is too large"


class RuleViolation(AppError):
    status_code = 422
    code = "VALIDATION_ERROR"
    message = "Invalid input"


class ValidationFailed(RuleViolation):
    """A field-level failure, reported like FastAPI's own validation errors."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__("Invalid input", details={"errors": [{"field": field, "message": message}]})


class Locked(AppError):
    status_code = 423
    code = "LOCKED"
    message = "The resource is locked"


class RateLimited(AppError):
    status_code = 429
    code = "RATE_LIMITED"
    message = "Too many requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(details={"retry_after": retry_after}, headers={"Retry-After": str(retry_after)})


class InternalError(AppError):
    pass


class ServiceUnavailable(AppError):
    status_code = 503
    code = "SERVICE_UNAVAILABLE"
    message = "A service Colony depends on is unavailable"
