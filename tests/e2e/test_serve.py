"""`colony serve` as an operator runs it: migrates, serves, answers over real HTTP."""

import json
import time

import httpx
import pytest

from tests.e2e.conftest import LiveServer
from tests.factories import V1

pytestmark = pytest.mark.e2e


def test_serves_health_docs_and_errors(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base_url, timeout=5) as http:
        health = http.get("/health")
        assert health.json() == {"status": "healthy"}
        assert health.headers["x-request-id"]
        assert http.get("/health/db").json() == {"status": "healthy", "database": "connected"}
        assert "swagger" in http.get("/docs").text.lower()
        assert http.get("/openapi.json").json()["info"]["title"] == "Colony"
        missing = http.get(f"{V1}/nothing-here")
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
    line = json.loads(lines[0])
    assert (line["event"], line["route"], line["status"]) == ("request", "/health", 200)


def test_a_user_records_lists_and_exports_over_http(live_server: LiveServer) -> None:
    """The whole request path on the real engine and pools (no test transaction around it)."""
    with httpx.Client(base_url=live_server.base_url + V1, timeout=10) as http:
        account = {"email": "e2e-ledger@example.com", "password": "e2e-password-123"}
        assert http.post("/auth/register", json=account).status_code == 201
        token = http.post("/auth/login", json=account).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        for amount in ("0.10", "0.20", "12.50"):
            created = http.post("/expenses", json={"amount": amount, "currency": "USD", "date": "2026-11-02",
                                                   "description": f"coffee {amount}"})
            assert created.status_code == 201, created.text
        page = http.get("/expenses", params={"size": 2}).json()
        assert (page["total"], page["pages"], len(page["items"])) == (3, 2, 2)
        assert http.get("/analytics/monthly/2026/11").json()["total_expenses"] == "12.80"
        export = http.get("/transactions/export", params={"format": "csv"})
        assert export.status_code == 200, export.text
        lines = export.text.strip().splitlines()
        assert lines[0].startswith("id,date,type,amount,currency")
        assert len(lines) == 4 and {line.split(",")[3] for line in lines[1:]} == {"0.10", "0.20", "12.50"}
