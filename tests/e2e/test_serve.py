"""`colony serve` as an operator runs it: migrates, serves, answers over real HTTP."""

import time

import httpx
import pytest

from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e


def test_serves_health_docs_and_errors(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base_url, timeout=5) as http:
        health = http.get("/health")
        assert health.json() == {"status": "healthy"}
        assert health.headers["x-request-id"]
        assert http.get("/health/db").json() == {"status": "healthy", "database": "connected"}
        assert "swagger" in http.get("/docs").text.lower()
        assert http.get("/openapi.json").json()["info"]["title"] == "Colony"
        missing = http.get("/api/v1/nothing-here")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "NOT_FOUND"
        metrics = http.get("/metrics").text
        assert 'colony_http_requests_total{method="GET",route="/health",status="200"}' in metrics


def test_logs_one_json_line_per_request(live_server: LiveServer) -> None:
    httpx.get(f"{live_server.base_url}/health", headers={"X-Request-ID": "e2e-log-probe"}, timeout=5)
    # The line is written once the response has gone out: wait for it (bounded), then look at it.
    deadline = time.monotonic() + 10
    while "e2e-log-probe" not in live_server.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = [line for line in live_server.log().splitlines() if "e2e-log-probe" in line]
    assert len(lines) == 1
    assert '"event": "request"' in lines[0] and '"route": "/health"' in lines[0]
