"""What pages share about forms: the problems of a submitted form, by field, in words a person reads."""

from pydantic import ValidationError

from colony.core.errors import AppError


def field_errors(exc: ValidationError) -> dict[str, str]:
    """The first problem of each field (`amount` → "must be greater than 0"); a problem of the whole form
    is under "form"."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
        field = location[0] if location else "form"
        message = str(error.get("msg", "is invalid"))
        errors.setdefault(field, message.removeprefix("Value error, "))
    return errors


def problems(exc: AppError) -> dict[str, str]:
    """The problems a service raised, by form field (`body.amount` → `amount`), else for the whole form."""
    listed = exc.details.get("errors") if isinstance(exc.details, dict) else None
    if not listed:
        return {"form": exc.detail_message}
    return {str(item["field"]).removeprefix("body.").removeprefix("query."): str(item["message"]) for item in listed}
