"""Structured logs: one JSON line per event outside development, readable lines in development."""

import logging
import sys

import structlog

REDACTED_KEYS = frozenset({"password", "new_password", "current_password", "token", "access_token",
                           "refresh_token", "authorization", "secret_key", "password_hash"})


def _redact(_logger: object, _method: str, event: structlog.types.EventDict) -> structlog.types.EventDict:
    for key in REDACTED_KEYS.intersection(event):
        event[key] = "[redacted]"
    return event


def _stderr_logger(*_args: object) -> structlog.PrintLogger:
    # Resolve sys.stderr at use, not at configuration, so a redirected stderr receives the lines.
    return structlog.PrintLogger(sys.stderr)


def configure_logging(*, json: bool, level: str = "INFO") -> None:
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
    # Our middleware writes the one line per request; uvicorn's access log would be a second.
    logging.getLogger("uvicorn.access").disabled = True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
