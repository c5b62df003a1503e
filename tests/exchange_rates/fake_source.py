"""A Frankfurter-style rate source on 127.0.0.1 (real HTTP in a thread, never the internet)."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.loopback import serving


@dataclass
class FakeSource:
    url: str = ""
    body: bytes = b'{"base": "EUR", "rates": {}}'
    status: int = 200
    hits: list[str] = field(default_factory=list)


@contextmanager
def fake_source() -> Iterator[FakeSource]:
    state = FakeSource()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits.append(self.path)
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(Handler) as url:
        state.url = f"{url}/v1"
        yield state


def range_body(days: dict[str, str]) -> bytes:
    """A time-series answer; each value is the literal JSON text of one day's rates object."""
    rates = ", ".join(f'"{day}": {values}' for day, values in days.items())
    first, last = min(days), max(days)
    head = f'"amount": 1.0, "base": "EUR", "start_date": "{first}", "end_date": "{last}"'
    return f'{{{head}, "rates": {{{rates}}}}}'.encode()
