"""Yahoo Finance's chart API on 127.0.0.1 (real HTTP in a thread), and a yfinance session that goes there.

yfinance has no base-URL setting (its hosts are constants), but it takes a `session`: `RedirectingSession`
sends every `*.yahoo.com` request (cookie, crumb, chart) to the fake server and refuses any other host,
so yfinance's real code runs end to end and never reaches the internet.
"""

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.loopback import serving

CRUMB = "fake-crumb"


@dataclass
class FakeMarket:
    url: str = ""
    charts: dict[str, bytes] = field(default_factory=dict)  # symbol → the chart API's JSON answer
    status: int | None = None  # answer every chart request with this status instead (429, 500, ...)
    hits: list[tuple[str, str]] = field(default_factory=list)  # (the Yahoo host asked for, path)

    def chart_hits(self, symbol: str) -> int:
        return sum(1 for _host, path in self.hits if path.startswith(f"/v8/finance/chart/{symbol}?"))


@contextmanager
def fake_market() -> Iterator[FakeMarket]:
    state = FakeMarket()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits.append((self.headers.get("X-Fake-Host", ""), self.path))
            path = urlsplit(self.path).path
            if path.startswith("/v8/finance/chart/"):
                self._chart(unquote(path.rsplit("/", 1)[1]))
            elif path == "/v1/test/getcrumb":
                self._answer(200, CRUMB.encode(), "text/plain")
            else:  # fc.yahoo.com (the cookie), consent pages, anything else
                self._answer(404, b"<html></html>", "text/html")

        do_POST = do_GET

        def _chart(self, symbol: str) -> None:
            if state.status is not None:  # what Yahoo sends then: a page, not JSON
                self._answer(state.status, b"<html><body>Will be right back...</body></html>", "text/html")
            elif symbol in state.charts:
                self._answer(200, state.charts[symbol], "application/json")
            else:
                self._answer(404, b'{"chart": {"result": null, "error": {"code": "Not Found", '
                                  b'"description": "No data found, symbol may be delisted"}}}', "application/json")

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(Handler) as url:
        state.url = url
        yield state


class RedirectingSession(requests.Session):
    """yfinance's session in the tests: Yahoo's hosts become the fake server, every other host is refused."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.trust_env = False  # no proxy from the environment
        self._base = urlsplit(base_url)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        parts = urlsplit(request.url or "")
        host = parts.hostname or ""
        if host != "yahoo.com" and not host.endswith(".yahoo.com"):
            raise ConnectionRefusedError(f"the tests never leave this machine: {request.url!r}")
        request.headers["X-Fake-Host"] = host
        request.url = urlunsplit((self._base.scheme, self._base.netloc, parts.path, parts.query, ""))
        return super().send(request, **kwargs)


@contextmanager
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every socket connection (in any thread) to anything but 127.0.0.1 fails, and is recorded."""
    refused: list[object] = []
    connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            refused.append(address)
            raise ConnectionRefusedError(f"the tests never leave this machine: {address!r}")
        connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield refused


def chart_body(symbol: str, *, currency: str, timezone: str, bars: list[tuple[datetime, float, float, float, float,
               float, int]], splits: tuple[tuple[datetime, int, int], ...] = (), instrument_type: str = "EQUITY",
               name: str = "", exchange: str = "") -> bytes:
    """A `/v8/finance/chart` answer: bars are (exchange-local time, open, high, low, close, adjclose, volume)."""
    zone = ZoneInfo(timezone)

    def stamp(moment: datetime) -> int:
        return int(moment.replace(tzinfo=zone).timestamp())

    meta = {"currency": currency, "symbol": symbol, "exchangeName": exchange, "fullExchangeName": exchange,
            "instrumentType": instrument_type, "longName": name, "shortName": name.upper(),
            "exchangeTimezoneName": timezone, "timezone": "X", "gmtoffset": 0, "priceHint": 2,
            "dataGranularity": "1d", "range": "",
            "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"]}
    events = {"splits": {str(stamp(day)): {"date": stamp(day), "numerator": num, "denominator": den,
                                           "splitRatio": f"{num}:{den}"} for day, num, den in splits}}
    quote = {"open": [b[1] for b in bars], "high": [b[2] for b in bars], "low": [b[3] for b in bars],
             "close": [b[4] for b in bars], "volume": [b[6] for b in bars]}
    result = {"meta": meta, "timestamp": [stamp(b[0]) for b in bars], "events": events,
              "indicators": {"quote": [quote], "adjclose": [{"adjclose": [b[5] for b in bars]}]}}
    return json.dumps({"chart": {"result": [result], "error": None}}).encode()
