"""The error contract: every failure has the same body, whatever raised it."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter
from pydantic import BaseModel, Field

from colony.config import Settings
from colony.core.errors import NotFound
from colony.main import create_app
from tests.factories import V1, MakeUser


class Item(BaseModel):
    name: str = Field(min_length=1)
    amount: int


class WidgetNotFound(NotFound):
    code = "WIDGET_NOT_FOUND"
    message = "Widget not found"


probe = APIRouter(prefix="/probe")


@probe.post("/items")
async def create_item(item: Item) -> Item:
    return item


@probe.get("/missing")
async def missing() -> None:
    raise WidgetNotFound()


@probe.get("/bug")
async def bug() -> None:
    raise RuntimeError("secret internals: password=hunter2 SELECT * FROM users")


@pytest.fixture
async def probe_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    app.include_router(probe)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


def assert_error_body(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert response.headers["x-request-id"]
    error: dict[str, Any] = body["error"]
    return error


async def test_validation_error_lists_fields(probe_client: httpx.AsyncClient) -> None:
    response = await probe_client.post("/probe/items", json={"name": "", "amount": "many"})
    error = assert_error_body(response, 422, "VALIDATION_ERROR")
    fields = {e["field"] for e in error["details"]["errors"]}
    assert fields == {"body.name", "body.amount"}
    assert all(e["message"] for e in error["details"]["errors"])


async def test_malformed_json_is_a_validation_error(probe_client: httpx.AsyncClient) -> None:
    response = await probe_client.post("/probe/items", content=b'{"name": "x", ',
                                       headers={"content-type": "application/json"})
    error = assert_error_body(response, 422, "VALIDATION_ERROR")
    assert error["details"]["errors"][0]["field"].startswith("body")


async def test_missing_body_is_a_validation_error(probe_client: httpx.AsyncClient) -> None:
    error = assert_error_body(await probe_client.post("/probe/items"), 422, "VALIDATION_ERROR")
    assert error["details"]["errors"][0]["field"] == "body"


async def test_domain_error_has_its_code(probe_client: httpx.AsyncClient) -> None:
    error = assert_error_body(await probe_client.get("/probe/missing"), 404, "WIDGET_NOT_FOUND")
    assert error["message"] == "Widget not found"


async def test_unknown_route_is_404(probe_client: httpx.AsyncClient) -> None:
    assert_error_body(await probe_client.get(f"{V1}/no-such-thing"), 404, "NOT_FOUND")


async def test_wrong_method_is_405(probe_client: httpx.AsyncClient) -> None:
    assert_error_body(await probe_client.delete("/probe/items"), 405, "METHOD_NOT_ALLOWED")


async def test_bug_is_500_without_internals(probe_client: httpx.AsyncClient, capfd: pytest.CaptureFixture[str]
                                            ) -> None:
    response = await probe_client.get("/probe/bug", headers={"X-Request-ID": "trace-me-123"})
    error = assert_error_body(response, 500, "INTERNAL_ERROR")
    assert "hunter2" not in response.text and "SELECT" not in response.text
    assert error["details"] == {}
    assert response.headers["x-request-id"] == "trace-me-123"
    logged = capfd.readouterr().err
    assert "trace-me-123" in logged and "RuntimeError" in logged


async def test_client_request_id_is_echoed_only_when_sane(probe_client: httpx.AsyncClient) -> None:
    sane = await probe_client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert sane.headers["x-request-id"] == "abc-123"
    insane = await probe_client.get("/health", headers={"X-Request-ID": "bad id\twith spaces" + "x" * 200})
    assert insane.headers["x-request-id"] != "bad id\twith spaces"
    assert len(insane.headers["x-request-id"]) == 32


async def test_405_names_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    response = await client.request("OPTIONS", f"{V1}/budgets")
    assert_error_body(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "GET, HEAD, POST"
    # A literal segment beside an id route is not taken for an id.
    imported = await client.patch(f"{V1}/transactions/import")
    assert_error_body(imported, 405, "METHOD_NOT_ALLOWED")
    assert imported.headers["allow"] == "POST"


async def test_undecodable_body_is_a_validation_error(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    response = await client.post(f"{V1}/payment-methods", content=b"\xff\x7f",
                                 headers={**user.headers, "content-type": "application/json"})
    error = assert_error_body(response, 422, "VALIDATION_ERROR")
    assert error["details"]["errors"][0]["field"].startswith("body")


async def test_absurd_amount_filters_are_refused_not_crashed(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    for path in (f"{V1}/expenses", f"{V1}/transactions/export"):
        response = await client.get(path, headers=user.headers, params={"max_amount": "5262408542718228.0"})
        error = assert_error_body(response, 422, "VALIDATION_ERROR")
        assert error["details"]["errors"][0]["field"] == "query.max_amount"


async def test_dates_must_be_iso_calendar_dates(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    listed = await client.get(f"{V1}/expenses", headers=user.headers, params={"start_date": "0"})
    assert assert_error_body(listed, 422, "VALIDATION_ERROR")["details"]["errors"][0]["field"] == "query.start_date"
    created = await client.post(f"{V1}/expenses", headers=user.headers,
                                json={"amount": "1.00", "currency": "USD", "date": 0, "description": "x"})
    assert assert_error_body(created, 422, "VALIDATION_ERROR")["details"]["errors"][0]["field"] == "body.date"
