"""Exact JSON numbers: a request's numbers are read as written, never through a float, and an amount given as
a string is a plain decimal (ASCII digits, optional minus and decimal point) or a 422."""

from decimal import Decimal

import httpx
import pytest

from colony.core.money import MoneyError, to_decimal
from colony.core.routing import decode_json
from tests.factories import V1, MakeUser, UserHandle, create_security, error_code, read_json

FULL_WIDTH_TWELVE = "\uff11\uff12"


async def post_expense(client: httpx.AsyncClient, owner: UserHandle, amount_json: str,
                       currency: str = "USD") -> httpx.Response:
    """POST /expenses with the amount written into the JSON text as given (a number or a quoted string)."""
    body = f'{{"amount": {amount_json}, "currency": "{currency}", "date": "2024-03-15", "description": "Lunch"}}'
    return await client.post(f"{V1}/expenses", content=body.encode(),
                             headers={**owner.headers, "Content-Type": "application/json"})


def amount_error(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    assert error_code(response) == "VALIDATION_ERROR"
    errors: dict[str, str] = {e["field"]: e["message"] for e in response.json()["error"]["details"]["errors"]}
    return errors["body.amount"]


@pytest.mark.parametrize("number", ["1.0000000000000001", "12.5000000000000001", "0.30000000000000004",
                                    "999999999.989999999999"])
async def test_a_json_number_with_more_decimals_than_the_currency_is_refused(
        client: httpx.AsyncClient, make_user: MakeUser, number: str) -> None:
    owner = await make_user()
    assert "at most 2 decimals" in amount_error(await post_expense(client, owner, number))


async def test_a_json_number_keeps_every_digit(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    symbol = (await create_security(client, owner))["symbol"]
    # A float would hold these as 10000000000.0 and 1234567890.1234567.
    body = (b'[{"date": "2024-01-02", "close": 9999999999.99999999},'
            b' {"date": "2024-01-03", "close": 1234567890.12345678}]')
    response = await client.post(f"{V1}/securities/{symbol}/prices", content=body,
                                 headers={**owner.headers, "Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    prices = await read_json(client, owner, f"/securities/{symbol}/prices", start_date="2024-01-01")
    assert [row["close"] for row in prices["prices"]] == ["9999999999.99999999", "1234567890.12345678"]


@pytest.mark.parametrize("text", ['"1_000"', '" 12"', '"12 "', f'"{FULL_WIDTH_TWELVE}"', '"1e3"', '"1E3"', '"NaN"',
                                  '"Infinity"', '"-Infinity"', '"+5"', '".5"', '"5."', '"0x10"', '"1,000"', '""'])
async def test_amount_strings_are_plain_decimals(client: httpx.AsyncClient, make_user: MakeUser, text: str) -> None:
    owner = await make_user()
    assert amount_error(await post_expense(client, owner, text)).startswith("Value error, must be a decimal number")


@pytest.mark.parametrize(("text", "stored"), [('"12.50"', "12.50"), ("12.5", "12.50"), ("12", "12.00"),
                                              ('"7"', "7.00"), ("1e3", "1000.00"), ("0.1", "0.10")])
async def test_ordinary_amounts_are_accepted(client: httpx.AsyncClient, make_user: MakeUser, text: str,
                                             stored: str) -> None:
    owner = await make_user()
    response = await post_expense(client, owner, text)
    assert response.status_code == 201, response.text
    assert response.json()["amount"] == stored


async def test_negative_strings_where_negatives_are_allowed(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    for value in ("-3", "-3.25"):
        response = await client.get(f"{V1}/expenses", params={"min_amount": value}, headers=owner.headers)
        assert response.status_code == 200, response.text
    response = await client.get(f"{V1}/expenses", params={"min_amount": " -3"}, headers=owner.headers)
    assert response.status_code == 422


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
async def test_nan_and_infinity_are_not_json(client: httpx.AsyncClient, make_user: MakeUser, literal: str) -> None:
    owner = await make_user()
    response = await post_expense(client, owner, literal)
    assert response.status_code == 422 and error_code(response) == "VALIDATION_ERROR"
    [error] = response.json()["error"]["details"]["errors"]
    assert error["message"] == f"Malformed JSON: {literal} is not a JSON number"
    assert error["field"] == "body.11"  # where it stands in the text


async def test_a_number_of_thousands_of_digits_is_a_422(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    for number in ("9" * 5000, "0." + "1" * 5000, "1e999999"):
        response = await post_expense(client, owner, number)
        assert response.status_code == 422, response.text


async def test_json_nested_deeper_than_the_decoder_goes_is_a_422(client: httpx.AsyncClient,
                                                                 make_user: MakeUser) -> None:
    owner = await make_user()
    for depth in (900, 100_000):
        body = b'{"name": ' + b"[" * depth + b"]" * depth + b', "kind": "expense"}'
        response = await client.post(f"{V1}/categories", content=body,
                                     headers={**owner.headers, "Content-Type": "application/json"})
        assert response.status_code == 422 and error_code(response) == "VALIDATION_ERROR", response.text


def test_decoding_keeps_numbers_exact() -> None:
    decoded = decode_json(b'{"a": 1.0000000000000001, "b": [2, 2.50], "c": "3.1"}')
    assert decoded == {"a": Decimal("1.0000000000000001"), "b": [2, Decimal("2.50")], "c": "3.1"}
    assert type(decoded["b"][0]) is int


@pytest.mark.parametrize(("raw", "expected"), [("12.50", Decimal("12.50")), ("-3", Decimal(-3)), (12, Decimal(12)),
                                               (Decimal("0.1"), Decimal("0.1")), (0.1, Decimal("0.1"))])
def test_to_decimal(raw: object, expected: Decimal) -> None:
    assert to_decimal(raw) == expected


@pytest.mark.parametrize("raw", ["1_000", " 12", FULL_WIDTH_TWELVE, "1e3", "\u0663", "12\n"])
def test_to_decimal_refuses_loose_strings(raw: str) -> None:
    with pytest.raises(MoneyError, match=r"must be a decimal number such as 12\.50"):
        to_decimal(raw)
