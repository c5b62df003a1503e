"""Currencies: every active ISO 4217 code with its minor unit, the ECB's historic ones, and base currencies."""

from typing import Any

import httpx
import pytest

from colony.core.money import CURRENCIES
from colony.exchange_rates import bundled
from tests.factories import V1, MakeUser, error_code, expense_body, unique_email

URL = f"{V1}/currencies"


async def currencies(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    response = await client.get(URL)
    assert response.status_code == 200, response.text
    return {c["code"]: c for c in response.json()}


async def test_every_active_iso_4217_code_with_its_minor_unit(client: httpx.AsyncClient) -> None:
    response = await client.get(URL)  # public: no token
    assert response.status_code == 200
    codes = [c["code"] for c in response.json()]
    assert codes == sorted(CURRENCIES) and len(codes) > 150
    by_code = await currencies(client)
    assert by_code["USD"] == {"code": "USD", "name": "US Dollar", "minor_unit": 2, "active": True}
    assert by_code["ARS"] == {"code": "ARS", "name": "Argentine Peso", "minor_unit": 2, "active": True}
    assert {code: by_code[code]["minor_unit"] for code in ("JPY", "KWD", "BHD", "CLF", "HUF", "ISK")} == {
        "JPY": 0, "KWD": 3, "BHD": 3, "CLF": 4, "HUF": 2, "ISK": 0}
    # not money one records: precious metals, the SDR, the testing code, "no currency"
    assert not {"XAU", "XAG", "XDR", "XTS", "XXX"} & set(by_code)


async def test_the_ecbs_historic_currencies_are_recordable_but_not_active(client: httpx.AsyncClient) -> None:
    by_code = await currencies(client)
    ecb_codes = {fixing[1] for fixing in bundled.read_history()} | {"EUR"}
    assert ecb_codes <= set(by_code)  # every currency of the ECB's history is known
    historic = {code for code, c in by_code.items() if not c["active"]}
    assert {"EEK", "CYP", "HRK", "TRL", "SIT"} <= historic <= ecb_codes
    assert by_code["EEK"] == {"code": "EEK", "name": "Estonian Kroon", "minor_unit": 2, "active": False}
    assert by_code["TRL"]["minor_unit"] == 0


async def test_an_active_code_the_ecb_does_not_fix_is_recorded(client: httpx.AsyncClient) -> None:
    register = await client.post(f"{V1}/auth/register", json={"email": unique_email(), "password": "long enough pw",
                                                              "base_currency": "ARS"})
    assert register.status_code == 201, register.text
    assert register.json()["base_currency"] == "ARS"
    login = await client.post(f"{V1}/auth/login", json={"email": register.json()["email"],
                                                       "password": "long enough pw"})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    expense = await client.post(f"{V1}/expenses", json=expense_body(amount="1500.50", currency="ARS"),
                                headers=headers)
    assert expense.status_code == 201, expense.text
    assert (expense.json()["amount_base"], expense.json()["exchange_rate"]) == ("1500.50", "1")
    # minor units come with the code: at most 3 decimals for KWD, none for CLP
    for currency, amount in (("KWD", "1.0005"), ("CLP", "1.5")):
        response = await client.post(f"{V1}/expenses", json=expense_body(amount=amount, currency=currency),
                                     headers=headers)
        assert (response.status_code, error_code(response)) == (422, "VALIDATION_ERROR"), response.text


@pytest.mark.parametrize("code", ["EEK", "CYP", "HRK"])
async def test_a_withdrawn_currency_is_not_a_new_base_currency(client: httpx.AsyncClient, make_user: MakeUser,
                                                               code: str) -> None:
    register = await client.post(f"{V1}/auth/register", json={"email": unique_email(), "password": "long enough pw",
                                                              "base_currency": code})
    assert (register.status_code, error_code(register)) == (422, "VALIDATION_ERROR")
    assert register.json()["error"]["details"]["errors"][0]["field"] == "body.base_currency"
    user = await make_user(base_currency="EUR")
    patched = await client.patch(f"{V1}/users/me", json={"base_currency": code}, headers=user.headers)
    assert (patched.status_code, error_code(patched)) == (422, "VALIDATION_ERROR")
    assert "no longer in use" in patched.json()["error"]["details"]["errors"][0]["message"]


async def test_a_withdrawn_currency_is_recorded_at_the_ecbs_rate_of_its_time(client: httpx.AsyncClient,
                                                                            make_user: MakeUser) -> None:
    user = await make_user(base_currency="EUR")
    # Croatia's kuna until it adopted the euro (the test data start in 2020)
    expense = await client.post(f"{V1}/expenses", json=expense_body(amount="75.35", currency="HRK",
                                                                    date="2022-06-01"), headers=user.headers)
    assert expense.status_code == 201, expense.text
    converted = await client.get(f"{V1}/exchange-rates/convert", headers=user.headers,
                                 params={"amount": "75.35", "from": "HRK", "to": "EUR", "date": "2022-06-01"})
    assert (expense.json()["currency"], expense.json()["amount_base"]) == ("HRK", converted.json()["result"])
    assert converted.json()["date"] == "2022-06-01" and expense.json()["exchange_rate"] != "1"


@pytest.mark.parametrize("code", ["ABC", "XXX", "XAU", "usd", "US", ""])
async def test_unknown_codes_are_422(client: httpx.AsyncClient, make_user: MakeUser, code: str) -> None:
    user = await make_user()
    response = await client.post(f"{V1}/expenses", json=expense_body(currency=code), headers=user.headers)
    assert (response.status_code, error_code(response)) == (422, "VALIDATION_ERROR")
    assert response.json()["error"]["details"]["errors"][0]["field"] == "body.currency"


async def test_the_schema_lists_the_codes(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    register = schema["components"]["schemas"]["RegisterRequest"]["properties"]["base_currency"]
    assert "ARS" in register["enum"] and "EEK" not in register["enum"]
    expense_currency = next(p for p in schema["components"]["schemas"]["ExpenseCreate"]["properties"].items()
                            if p[0] == "currency")[1]
    assert {"ARS", "EEK"} <= set(expense_currency["enum"])
