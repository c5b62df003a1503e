"""Dates at the edges of the calendar (0001-01-01, 9999-12-31): a clear 422 or the honest answer, never a
500 from date arithmetic that runs past the calendar ("year 10000 is out of range")."""

from datetime import date
from typing import Any

import httpx
import pytest

from colony.templates.recurrence import Frequency, occurrences
from tests.factories import V1, MakeUser, UserHandle, create_cycle, create_template, error_code, read_json

FIRST, LAST = "0001-01-01", "9999-12-31"


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert error_code(response) == code


# ---- cycles and templates near 9999 ----

@pytest.mark.parametrize("start", [LAST, "9999-12-01", "9999-11-20"])
async def test_a_cycle_without_room_for_its_default_end_is_a_422(client: httpx.AsyncClient, make_user: MakeUser,
                                                                 start: str) -> None:
    owner = await make_user()
    response = await client.post(f"{V1}/cycles", json={"start_date": start, "income_amount": "100"},
                                 headers=owner.headers)
    assert_error(response, 422, "INVALID_CYCLE_DATES")
    assert "needs an end_date" in response.json()["error"]["message"]


async def test_the_last_cycle_of_the_calendar(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    assert (await create_cycle(client, owner, start_date="9999-11-19"))["end_date"] == LAST  # 42 days: just fits
    response = await client.post(f"{V1}/cycles", json={"start_date": LAST, "end_date": LAST, "income_amount": "1"},
                                 headers=owner.headers)
    assert_error(response, 422, "INVALID_CYCLE_DATES")  # 0 days long, as on any other date


async def test_generation_in_the_calendar_s_last_month(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    monthly = await create_template(client, owner, name="Rent", start_date="9999-01-31", day_of_month=31)
    weekly = await create_template(client, owner, name="Gym", frequency="weekly", start_date="9999-12-03")
    yearly = await create_template(client, owner, name="Insurance", frequency="yearly", start_date="9998-12-15",
                                   day_of_month=15)
    cycle = await create_cycle(client, owner, start_date="9999-12-01", end_date=LAST)
    booked = await read_json(client, owner, "/expenses", cycle_id=cycle["id"], sort="date", size=100)
    assert sorted((item["template_id"], item["date"]) for item in booked["items"]) == sorted([
        (monthly["id"], LAST), (yearly["id"], "9999-12-15"),
        *((weekly["id"], f"9999-12-{day:02d}") for day in (3, 10, 17, 24, 31))])
    response = await client.post(f"{V1}/cycles/{cycle['id']}/generate", headers=owner.headers)
    assert response.json() == {"cycle_id": cycle["id"], "created": 0}


async def occurrences_of(client: httpx.AsyncClient, owner: UserHandle, template: dict[str, str],
                         start: str, end: str) -> list[str]:
    body = await read_json(client, owner, f"/expense-templates/{template['id']}/occurrences", start_date=start,
                           end_date=end)
    dates: list[str] = body["dates"]
    return dates


async def test_template_occurrences_up_to_the_last_day(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"frequency": "weekly", "start_date": "9999-12-17"}, ["9999-12-17", "9999-12-24", LAST]),
        ({"frequency": "biweekly", "start_date": "9999-12-01"}, ["9999-12-01", "9999-12-15", "9999-12-29"]),
        ({"frequency": "monthly", "start_date": "9999-10-31", "day_of_month": 31}, ["9999-10-31", "9999-11-30", LAST]),
        ({"frequency": "quarterly", "start_date": "9999-06-30", "day_of_month": 30},
         ["9999-06-30", "9999-09-30", "9999-12-30"]),
        ({"frequency": "yearly", "start_date": "9998-03-01", "day_of_month": 1}, ["9999-03-01"]),
        ({"frequency": "once", "start_date": LAST}, [LAST]),
    ]
    for fields, expected in cases:
        template = await create_template(client, owner, name=f"T {fields['frequency']}", **fields)
        assert await occurrences_of(client, owner, template, "9999-01-01", LAST) == expected, fields


async def test_template_occurrences_from_the_first_day(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    weekly = await create_template(client, owner, name="Old", frequency="weekly", start_date=FIRST)
    assert await occurrences_of(client, owner, weekly, FIRST, "0001-01-20") == [FIRST, "0001-01-08", "0001-01-15"]
    monthly = await create_template(client, owner, name="Older", start_date=FIRST, day_of_month=31)
    assert await occurrences_of(client, owner, monthly, FIRST, "0001-03-31") == ["0001-01-31", "0001-02-28",
                                                                                 "0001-03-31"]


@pytest.mark.parametrize("frequency", list(Frequency))
def test_recurrence_stops_at_the_end_of_the_calendar(frequency: Frequency) -> None:
    day_of_month = None if frequency in (Frequency.weekly, Frequency.biweekly, Frequency.once) else 31
    dates = occurrences(frequency, date(9999, 12, 31), None, day_of_month, date(9999, 1, 1), date.max)
    assert dates == [date.max]
    dates = occurrences(frequency, date(9990, 1, 31), None, day_of_month, date(9999, 12, 25), date.max)
    assert all(date(9999, 12, 25) <= day <= date.max for day in dates)


# ---- exchange rates, conversions and imports at year 1 ----

@pytest.mark.parametrize("base", ["USD", "EUR"])
async def test_rates_of_year_one_are_not_available(client: httpx.AsyncClient, make_user: MakeUser,
                                                    base: str) -> None:
    user = await make_user()
    response = await client.get(f"{V1}/exchange-rates/{FIRST}", params={"base": base}, headers=user.headers)
    assert_error(response, 422, "RATE_NOT_AVAILABLE")


async def test_rates_of_the_last_day_are_the_newest_fixing(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    newest = await read_json(client, user, "/exchange-rates/latest", base="USD")
    assert (await read_json(client, user, f"/exchange-rates/{LAST}", base="USD"))["date"] == newest["date"]


@pytest.mark.parametrize("day", [FIRST, "0001-01-14", "0001-01-15"])
async def test_converting_on_year_one_is_a_422(client: httpx.AsyncClient, make_user: MakeUser, day: str) -> None:
    user = await make_user()
    response = await client.get(f"{V1}/exchange-rates/convert", headers=user.headers,
                                params={"amount": "10", "from": "USD", "to": "EUR", "date": day})
    assert_error(response, 422, "RATE_NOT_AVAILABLE")


async def test_a_foreign_expense_of_year_one_is_a_422(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    body = {"amount": "10", "currency": "EUR", "date": FIRST, "description": "Ancient dinner"}
    assert_error(await client.post(f"{V1}/expenses", json=body, headers=owner.headers), 422, "RATE_NOT_AVAILABLE")
    body["currency"] = "USD"  # the base currency needs no rate
    assert (await client.post(f"{V1}/expenses", json=body, headers=owner.headers)).status_code == 201


async def test_csv_rows_at_both_ends_of_the_calendar(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    text = f"date,amount,currency,description,type\n{FIRST},10,EUR,Ancient,expense\n{LAST},10,EUR,Future,expense\n"
    response = await client.post(f"{V1}/transactions/import", files={"file": ("t.csv", text.encode(), "text/csv")},
                                 headers=owner.headers)
    assert response.status_code == 200, response.text
    assert response.json()["errors"] == [{"row": 2, "message": f"currency: no EUR/USD exchange rate is available "
                                                               f"for {FIRST}"}]
