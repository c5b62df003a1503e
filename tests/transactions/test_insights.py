"""Category suggestions and recurring series from a tenant's own history: the pure rules
(transactions/insights.py), then the two endpoints."""

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from colony.core import clock
from colony.transactions.insights import (
    MIN_SCORE,
    Occurrence,
    PastUse,
    RecurrenceInterval,
    add_months,
    detect_series,
    next_date,
    normalise_description,
    rank_categories,
)
from colony.transactions.models import TransactionType
from tests.factories import (
    V1,
    MakeUser,
    UserHandle,
    create_account,
    create_category,
    create_series,
    create_transaction,
    create_transfer,
)

SUGGEST = f"{V1}/transactions/suggest-category"
RECURRING = f"{V1}/transactions/recurring"
TODAY = date(2024, 5, 10)
EXPENSE = TransactionType.expense


# ---- merchant names ----

@pytest.mark.parametrize(("description", "name"), [
    ("CARD PAYMENT TESCO STORES 3321 LONDON", "tesco stores london"),
    ("Tesco Stores", "tesco stores"),
    ("POS 12/03 STARBUCKS #1234 NEW YORK NY", "starbucks new york"),  # date, store number, state code
    ("AMAZON.CO.UK*1A2B3C", "amazon"),  # reference, then country code
    ("SEPA DD Netflix.com", "netflix"),
    ("Sainsbury's", "sainsburys"),
    ("Café Nero", "cafe nero"),
    ("Rent March 2024", "rent"),
    ("BP", "bp"),  # a short name alone is kept
    ("4411 0000 1234", ""),
])
def test_normalise_description(description: str, name: str) -> None:
    assert normalise_description(description) == name


# ---- ranking ----

GROCERIES, HOUSEHOLD, TRANSPORT = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def use(description: str, category_id: uuid.UUID, count: int = 1, low: str = "10", high: str = "20") -> PastUse:
    return PastUse(description, category_id, count, Decimal(low), Decimal(high))


def test_the_best_match_ranks_first_and_weak_matches_are_left_out() -> None:
    history = [use("Tesco Stores", GROCERIES), use("London Underground", TRANSPORT), use("Shell", HOUSEHOLD)]
    ranked = rank_categories("CARD PAYMENT TESCO STORES 3321 LONDON", None, history)
    assert [(s.category_id, s.score) for s in ranked] == [(GROCERIES, 100)]  # "london" alone is < MIN_SCORE


def test_scores_are_whole_numbers_at_or_above_the_threshold() -> None:
    ranked = rank_categories("starbuck", None, [use("Starbucks", GROCERIES)])
    assert [s.score for s in ranked] == [94]
    assert rank_categories("lidl", None, [use("Aldi", GROCERIES)]) == []
    assert all(s.score >= MIN_SCORE for s in ranked)


def test_frequency_breaks_ties_and_a_fitting_amount_comes_first() -> None:
    history = [use("Tesco", GROCERIES, count=9, low="5", high="60"), use("Tesco", HOUSEHOLD, count=2, low="300",
                                                                          high="450")]
    assert [s.category_id for s in rank_categories("TESCO 0042", None, history)] == [GROCERIES, HOUSEHOLD]
    assert [s.category_id for s in rank_categories("TESCO 0042", Decimal("399.99"), history)] == [HOUSEHOLD, GROCERIES]
    # the nudge adds to a partial match, capped at 100, and never lifts a weak one over the threshold
    fitted = rank_categories("starbuck", Decimal("15"), [use("Starbucks", GROCERIES)])
    assert [s.score for s in fitted] == [99]


def test_uses_of_one_category_add_up() -> None:
    history = [use("Uber", TRANSPORT, count=2), use("UBER *TRIP 1234", TRANSPORT, count=2),
               use("Uber Eats", GROCERIES, count=3)]
    ranked = rank_categories("uber", None, history)
    assert [(s.category_id, s.uses) for s in ranked] == [(TRANSPORT, 4), (GROCERIES, 3)]


def test_no_history_or_no_name_suggests_nothing() -> None:
    assert rank_categories("Tesco", None, []) == []
    assert rank_categories("POS 1234", None, [use("Tesco", GROCERIES)]) == []


def test_at_most_five_suggestions() -> None:
    history = [use(f"Shop {name}", uuid.uuid4()) for name in "abcdefgh"]
    assert len(rank_categories("shop", None, history)) == 5


# ---- series ----

def occurrences(description: str, days: list[str], amounts: list[str] | str = "1200.00",
                category_id: uuid.UUID | None = None, tx_type: TransactionType = EXPENSE) -> list[Occurrence]:
    amounts = [amounts] * len(days) if isinstance(amounts, str) else amounts
    return [Occurrence(description, "USD", tx_type, date.fromisoformat(day), Decimal(amount), category_id)
            for day, amount in zip(days, amounts, strict=True)]


def test_a_monthly_series_is_detected_with_its_next_date() -> None:
    rent = occurrences("Rent", ["2024-02-01", "2024-03-01", "2024-04-02", "2024-05-01"], category_id=HOUSEHOLD)
    [series] = detect_series(rent, TODAY)
    assert (series.interval, series.occurrences, series.amount, series.category_id) == \
        (RecurrenceInterval.monthly, 4, Decimal("1200.00"), HOUSEHOLD)
    assert (series.last_date, series.next_date) == (date(2024, 5, 1), date(2024, 6, 1))


@pytest.mark.parametrize(("days", "interval", "expected"), [
    (["2024-04-19", "2024-04-26", "2024-05-03"], RecurrenceInterval.weekly, "2024-05-10"),
    (["2024-04-05", "2024-04-19", "2024-05-03"], RecurrenceInterval.biweekly, "2024-05-17"),
    (["2023-11-15", "2024-02-15", "2024-05-15"], RecurrenceInterval.quarterly, "2024-08-15"),
    (["2022-05-03", "2023-05-02", "2024-05-03"], RecurrenceInterval.yearly, "2025-05-03"),
])
def test_every_interval(days: list[str], interval: RecurrenceInterval, expected: str) -> None:
    [series] = detect_series(occurrences("Gym", days), date(2024, 5, 20))
    assert (series.interval, series.next_date) == (interval, date.fromisoformat(expected))


def test_next_date_keeps_the_usual_day_of_the_month() -> None:
    month_ends = [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]
    assert next_date(month_ends, RecurrenceInterval.monthly) == date(2024, 5, 31)
    moved_off_a_weekend = [date(2024, 4, 1), date(2024, 5, 1), date(2024, 6, 3)]
    assert next_date(moved_off_a_weekend, RecurrenceInterval.monthly) == date(2024, 7, 1)
    assert add_months(date(2024, 11, 30), 3, 31) == date(2025, 2, 28)


def test_irregular_gaps_or_scattered_amounts_are_no_series() -> None:
    cinema = occurrences("Cinema", ["2024-01-03", "2024-02-20", "2024-03-01", "2024-04-25"])
    amazon = occurrences("Amazon", ["2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01"],
                         ["10.00", "250.00", "40.00", "90.00"])
    two = occurrences("Water", ["2024-03-01", "2024-04-01"])
    assert detect_series(cinema + amazon + two, TODAY) == []


def test_a_price_rise_keeps_the_series_with_its_new_amount() -> None:
    days = [add_months(date(2023, 5, 1), months, 1).isoformat() for months in range(13)]
    [series] = detect_series(occurrences("Rent", days, ["1000.00"] * 8 + ["1300.00"] * 5), TODAY)
    assert series.amount == Decimal("1300.00") and series.occurrences < 13


def test_a_stopped_series_is_left_out() -> None:
    stopped = occurrences("Old gym", ["2023-10-01", "2023-11-01", "2023-12-01", "2024-01-01"])
    assert detect_series(stopped, date(2024, 3, 7)) != []  # 66 days: two of the longest monthly gaps
    assert detect_series(stopped, date(2024, 3, 8)) == []


def test_groups_are_by_name_currency_and_type() -> None:
    days = ["2024-03-01", "2024-04-01", "2024-05-01"]
    history = (occurrences("CARD 1234 SPOTIFY", days[:2], "9.99") + occurrences("Spotify AB", days[2:], "9.99")
               + occurrences("Salary", days, "3000.00", tx_type=TransactionType.income))
    found = detect_series(history, TODAY)
    assert [(s.description, s.type, s.occurrences) for s in found] == [
        ("Salary", TransactionType.income, 3), ("Spotify AB", EXPENSE, 3)]  # same next date: by description


# ---- POST /transactions/suggest-category ----

async def suggest(client: httpx.AsyncClient, user: UserHandle, **body: Any) -> list[dict[str, Any]]:
    response = await client.post(SUGGEST, json=body, headers=user.headers)
    assert response.status_code == 200, response.text
    suggestions: list[dict[str, Any]] = response.json()["suggestions"]
    return suggestions


async def test_suggests_from_the_tenants_own_history(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    groceries = await create_category(client, owner, "Groceries")
    transport = await create_category(client, owner, "Transport")
    salary = await create_category(client, owner, "Salary", "income")
    await create_series(client, owner, ["2024-03-01", "2024-03-08"], description="Tesco Stores",
                        category_id=groceries)
    await create_transaction(client, owner, description="TFL London Underground", category_id=transport)
    await create_transaction(client, owner, description="Tesco Stores", type="income", category_id=salary)
    await create_transaction(client, owner, description="Tesco Stores")  # no category: no suggestion
    suggestions = await suggest(client, owner, description="CARD PAYMENT TESCO STORES 3321 LONDON", amount="23.40")
    assert suggestions == [{"category_id": groceries, "name": "Groceries", "score": 100}]
    income = await suggest(client, owner, description="tesco stores", type="income")
    assert [s["category_id"] for s in income] == [salary]
    assert await suggest(client, owner, description="Dentist") == []


async def test_another_tenants_history_never_suggests(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner, other = await make_user(), await make_user()
    await create_transaction(client, owner, description="Tesco Stores",
                             category_id=await create_category(client, owner, "Groceries"))
    assert await suggest(client, other, description="Tesco Stores") == []
    assert len(await suggest(client, owner, description="Tesco Stores")) == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"description": "   "}, "body.description"),
    ({}, "body.description"),
    ({"description": "x" * 501}, "body.description"),
    ({"description": "Tesco", "amount": "-1"}, "body.amount"),
    ({"description": "Tesco", "type": "transfer"}, "body.type"),
])
async def test_invalid_requests(client: httpx.AsyncClient, make_user: MakeUser, body: dict[str, Any],
                                field: str) -> None:
    response = await client.post(SUGGEST, json=body, headers=(await make_user()).headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR" and [e["field"] for e in error["details"]["errors"]] == [field]


# ---- GET /transactions/recurring ----

async def recurring(client: httpx.AsyncClient, user: UserHandle, **params: Any) -> dict[str, Any]:
    response = await client.get(RECURRING, params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def test_recurring_series(client: httpx.AsyncClient, make_user: MakeUser,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    owner, other = await make_user(), await make_user()
    housing = await create_category(client, owner, "Housing")
    await create_series(client, owner, ["2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01"],
                        description="Rent", amount="1200.00", category_id=housing)
    await create_series(client, owner, ["2024-04-19", "2024-04-26", "2024-05-03"], description="POS Gym 0042",
                        amount="15.00")
    await create_series(client, owner, ["2024-01-03", "2024-02-20", "2024-03-01", "2024-04-25"],
                        description="Cinema", amount="24.00")  # irregular
    for day, amount in (("2024-02-10", "10.00"), ("2024-03-10", "250.00"), ("2024-04-10", "40.00"),
                        ("2024-05-10", "90.00")):  # monthly, but the amounts are not one price
        await create_transaction(client, owner, description="Amazon", date=day, amount=amount)
    page = await recurring(client, owner)
    assert (page["total"], page["page"], page["pages"]) == (2, 1, 1)
    assert page["items"] == [
        {"description": "POS Gym 0042", "type": "expense", "category_id": None, "category": None,
         "amount": "15.00", "currency": "USD", "interval": "weekly", "occurrences": 3,
         "last_date": "2024-05-03", "next_date": "2024-05-10"},
        {"description": "Rent", "type": "expense", "category_id": housing, "category": "Housing",
         "amount": "1200.00", "currency": "USD", "interval": "monthly", "occurrences": 4,
         "last_date": "2024-05-01", "next_date": "2024-06-01"},
    ]
    assert [s["description"] for s in (await recurring(client, owner, page=2, size=1))["items"]] == ["Rent"]
    assert (await recurring(client, other))["items"] == []


async def test_transfers_and_planned_expenses_are_no_series(client: httpx.AsyncClient, make_user: MakeUser,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    owner = await make_user()
    days = ["2024-03-01", "2024-04-01", "2024-05-01"]
    await create_series(client, owner, days, description="Gas", status="planned")
    source, target = await create_account(client, owner), await create_account(client, owner, type="savings")
    for day in days:
        await create_transfer(client, owner, from_account_id=source["id"], to_account_id=target["id"], date=day,
                              description="Savings")
    assert (await recurring(client, owner))["items"] == []
