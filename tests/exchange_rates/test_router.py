"""The /exchange-rates endpoints, including their error bodies (the tenant's own rates: test_custom.py)."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.tenancy import Role
from tests.factories import V1, MakeUser

URL = f"{V1}/exchange-rates"


def error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    error: dict[str, Any] = body["error"]
    return error


async def test_rates_need_a_token(client: httpx.AsyncClient) -> None:
    for path in ("/latest", "/2024-01-05", "/convert?amount=1&from=USD&to=EUR"):
        error(await client.get(URL + path), 401, "NOT_AUTHENTICATED")


async def test_rates_of_a_date(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    response = await client.get(f"{URL}/2024-01-05", params={"base": "USD"}, headers=user.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["base"] == "USD"
    assert body["date"] == "2024-01-05"
    assert body["rates"]["EUR"] == "0.9156670635"
    assert body["rates"]["JPY"] == "145.1973262522"
    assert "USD" not in body["rates"]
    assert all(isinstance(v, str) for v in body["rates"].values())


async def test_weekend_answers_the_fridays_fixing(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    body = (await client.get(f"{URL}/2024-01-07", params={"base": "EUR"}, headers=user.headers)).json()
    assert body["date"] == "2024-01-05"
    assert body["rates"]["USD"] == "1.0921"
    assert body["rates"]["JPY"] == "158.57"


async def test_default_base_is_the_callers_base_currency(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user(base_currency="GBP")
    body = (await client.get(f"{URL}/2024-01-05", headers=user.headers)).json()
    assert body["base"] == "GBP"
    assert "GBP" not in body["rates"] and "EUR" in body["rates"]


async def test_admins_may_read_rates(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    admin = await make_user(Role.admin)
    assert (await client.get(f"{URL}/latest", params={"base": "EUR"}, headers=admin.headers)).status_code == 200


async def test_before_the_data(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    body = error(await client.get(f"{URL}/1998-12-31", headers=user.headers), 422, "RATE_NOT_AVAILABLE")
    assert body["details"] == {"base": "USD", "date": "1998-12-31"}


@pytest.mark.parametrize(("path", "field"), [
    ("/2024-13-01", "path.date"),
    ("/not-a-date", "path.date"),
    ("/2024-01-05?base=XYZ", "query.base"),
    ("/2024-01-05?base=usd", "query.base"),
    ("/latest?base=ABC", "query.base"),
])
async def test_invalid_input(client: httpx.AsyncClient, make_user: MakeUser, path: str, field: str) -> None:
    user = await make_user()
    body = error(await client.get(URL + path, headers=user.headers), 422, "VALIDATION_ERROR")
    assert [e["field"] for e in body["details"]["errors"]] == [field]


async def test_latest(client: httpx.AsyncClient, make_user: MakeUser, session: AsyncSession) -> None:
    from colony.exchange_rates.repository import ExchangeRateRepository

    newest = await ExchangeRateRepository(session).newest_date()
    assert newest is not None
    user = await make_user()
    body = (await client.get(f"{URL}/latest", params={"base": "EUR"}, headers=user.headers)).json()
    assert body["base"] == "EUR"
    assert body["date"] == newest.isoformat()
    assert "USD" in body["rates"] and "EUR" not in body["rates"]
    error(await client.get(f"{URL}/latest", params={"base": "CYP"}, headers=user.headers),
          422, "RATE_NOT_AVAILABLE")


async def test_convert(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    response = await client.get(f"{URL}/convert", headers=user.headers,
                                params={"amount": "100", "from": "USD", "to": "JPY", "date": "2024-01-06"})
    assert response.status_code == 200, response.text
    assert response.json() == {"amount": "100.00", "from": "USD", "to": "JPY", "date": "2024-01-05",
                               "rate": "145.1973262522", "result": "14520"}


async def test_convert_zero_and_same_currency(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    body = (await client.get(f"{URL}/convert", headers=user.headers, params={
        "amount": "0", "from": "EUR", "to": "USD", "date": "2024-01-05"})).json()
    assert (body["result"], body["rate"]) == ("0.00", "1.0921")
    body = (await client.get(f"{URL}/convert", headers=user.headers, params={
        "amount": "12.5", "from": "USD", "to": "USD", "date": "2024-01-06"})).json()
    assert body == {"amount": "12.50", "from": "USD", "to": "USD", "date": "2024-01-06", "rate": "1",
                    "result": "12.50"}


async def test_convert_defaults_to_today(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    response = await client.get(f"{URL}/convert", headers=user.headers,
                                params={"amount": "10", "from": "EUR", "to": "USD"})
    assert response.status_code == 200, response.text  # the newest fixing, however old the bundle is


async def test_convert_before_the_data(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    body = error(await client.get(f"{URL}/convert", headers=user.headers, params={
        "amount": "10", "from": "USD", "to": "EUR", "date": "1990-05-01"}), 422, "RATE_NOT_AVAILABLE")
    assert body["details"]["date"] == "1990-05-01"


@pytest.mark.parametrize(("params", "field"), [
    ({"amount": "1.001", "from": "USD", "to": "EUR"}, "query.amount"),
    ({"amount": "1.5", "from": "JPY", "to": "EUR"}, "query.amount"),
    ({"amount": "-1", "from": "USD", "to": "EUR"}, "query.amount"),
    ({"amount": "abc", "from": "USD", "to": "EUR"}, "query.amount"),
    ({"amount": "1e12", "from": "USD", "to": "EUR"}, "query.amount"),
    ({"amount": "NaN", "from": "USD", "to": "EUR"}, "query.amount"),
    ({"amount": "1", "from": "XXX", "to": "EUR"}, "query.from"),
    ({"amount": "1", "from": "USD", "to": "eur"}, "query.to"),
    ({"amount": "1", "from": "USD", "to": "EUR", "date": "2024-02-30"}, "query.date"),
    ({"from": "USD", "to": "EUR"}, "query.amount"),
])
async def test_convert_invalid_input(client: httpx.AsyncClient, make_user: MakeUser, params: dict[str, str],
                                     field: str) -> None:
    user = await make_user()
    body = error(await client.get(f"{URL}/convert", params=params, headers=user.headers), 422, "VALIDATION_ERROR")
    assert [e["field"] for e in body["details"]["errors"]] == [field]


async def test_openapi_documents_the_routes(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    convert = schema["paths"]["/api/v1/exchange-rates/convert"]["get"]
    assert "RATE_NOT_AVAILABLE" in convert["responses"]["422"]["description"]
    parameters = {p["name"]: p["schema"] for p in convert["parameters"]}
    assert set(parameters) == {"amount", "from", "to", "date"}
    # what the schema calls valid is accepted: the supported codes, no negative amounts
    assert "EUR" in parameters["from"]["enum"] and "XXX" not in parameters["from"]["enum"]
    assert parameters["amount"]["anyOf"] == [{"type": "string", "pattern": r"^\d+(\.\d+)?$"},
                                             {"type": "number", "minimum": 0}]
    assert "/api/v1/exchange-rates/{date}" in schema["paths"]
    assert "/api/v1/currencies" in schema["paths"]
