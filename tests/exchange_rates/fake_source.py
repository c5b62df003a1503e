"""A rate source on 127.0.0.1 (real HTTP in a thread, never the internet): a Frankfurter-style API, or the ECB's
published files (`files`, by name, served from `.../stats/eurofxref/`)."""

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler

from tests.loopback import serving


@dataclass
class FakeSource:
    url: str = ""
    body: bytes = b'{"base": "EUR", "rates": {}}'
    status: int = 200
    hits: list[str] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # the ECB's files, by name
    ecb_url: str = ""  # the directory that serves them

    def answer(self, path: str) -> bytes:
        return self.files.get(path.rsplit("/", 1)[-1], self.body)


@contextmanager
def fake_source() -> Iterator[FakeSource]:
    state = FakeSource()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits.append(self.path)
            body = state.answer(self.path)
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(Handler) as url:
        state.url = f"{url}/v1"
        state.ecb_url = f"{url}/stats/eurofxref/"
        yield state


def range_body(days: dict[str, str]) -> bytes:
    """A time-series answer; each value is the literal JSON text of one day's rates object."""
    rates = ", ".join(f'"{day}": {values}' for day, values in days.items())
    first, last = min(days), max(days)
    head = f'"amount": 1.0, "base": "EUR", "start_date": "{first}", "end_date": "{last}"'
    return f'{{{head}, "rates": {{{rates}}}}}'.encode()


def ecb_xml(days: dict[date, dict[str, str]]) -> bytes:
    """One of the ECB's XML files (daily, 90 days, history): newest day first, as the ECB writes them."""
    cubes = "".join(
        f"<Cube time='{day.isoformat()}'>"
        + "".join(f"<Cube currency='{code}' rate='{rate}'/>" for code, rate in rates.items()) + "</Cube>"
        for day, rates in sorted(days.items(), reverse=True))
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
            'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">'
            "<gesmes:subject>Reference rates</gesmes:subject>"
            f"<Cube>{cubes}</Cube></gesmes:Envelope>").encode()


def ecb_zip(days: dict[date, dict[str, str]]) -> bytes:
    """The ECB's eurofxref-hist.zip: one CSV, a column per currency, N/A where a day has none."""
    codes = sorted({code for rates in days.values() for code in rates})
    lines = ["Date," + ",".join(codes) + ","]
    for day, rates in sorted(days.items(), reverse=True):
        lines.append(day.isoformat() + "," + ",".join(rates.get(code, "N/A") for code in codes) + ",")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("eurofxref-hist.csv", "\n".join(lines) + "\n")
    return archive.getvalue()
