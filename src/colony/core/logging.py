"""Structured logs: one JSON line per event outside development, readable lines in development."""

import logging
import sys
from typing import Any

import orjson
import structlog

REDACTED_KEYS = frozenset({"password", "new_password", "current_password", "token", "access_token",
                           "refresh_token", "authorization", "secret_key", "password_hash"})


def _redact(_logger: object, _method: str, event: structlog.types.EventDict) -> structlog.types.EventDict:
    for key in REDACTED_KEYS.intersection(event):
        event[key] = "[redacted]"
    return event


class _StderrLogger:
    """Writes each line to `sys.stderr` as it is at the time of writing, so a redirected stderr
    receives the lines even from a logger made before the redirection."""

    def msg(self, message: str) -> None:
        sys.stderr.write(message + "\n")  # stderr is line buffered: the line goes out whole

    debug = info = warning = warn = error = critical = exception = fatal = log = msg


def _stderr_logger(*_args: object) -> _StderrLogger:
    return _StderrLogger()


def _json_line(event: structlog.types.EventDict, **_kwargs: Any) -> str:
    return orjson.dumps(event, default=str).decode()


def configure_logging(*, json: bool, level: str = "INFO") -> None:
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(_json_line) if json else structlog.dev.ConsoleRenderer(colors=False)
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
        # A logger is built once, at its first use: every request writes a line.
        cache_logger_on_first_use=True,
    )
    # Our middleware writes the one line per request; uvicorn's access log would be a second.
    logging.getLogger("uvicorn.access").disabled = True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
