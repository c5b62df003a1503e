"""Budgets, cycles and goals pages: the API's reports, shown; a contribution added through the form, by the
owner only."""

import datetime as dt
import re
from decimal import Decimal

import httpx
from babel.numbers import format_currency

from colony.core import clock
from colony.core.tenancy import Role
from tests.factories import (
    V1,
    MakeUser,
    contribute,
    create_budget,
    create_category,
    create_cycle,
    create_expense,
    create_goal,
    read_json,
)
from tests.webapp.pages import APP, chart_data, csrf_token, page, signed_in


def usd(amount: str) -> str:
    return format_currency(Decimal(amount), "USD", locale="en_US")


# ---- budgets ----

async def test_the_budget_of_today_against_its_spending(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    today = clock.today()
    first = today.replace(day=1)
    food, fun = await create_category(client, user, "Food"), await create_category(client, user, "Fun")
    older = await create_budget(client, user, name="Last year", period_start="2024-01-01", period_end="2024-12-31",
                                total_amount="100.00")
    current = await create_budget(client, user, name="This month", period_start=str(first),
                                  period_end=str(first + dt.timedelta(days=27)), total_amount="500.00",
                                  entries=[{"category_id": food, "amount": "300.00"},
                                           {"category_id": fun, "amount": "50.00"}])
    await create_expense(client, user, amount="120.55", date=str(first), category_id=food)
    await create_expense(client, user, amount="75.00", date=str(first), category_id=fun)
    await create_expense(client, user, amount="9.99", currency="EUR", date=str(first))
    await signed_in(client, user)
    html = await page(client, "/budgets")
    report = await read_json(client, user, f"/budgets/{current['id']}/report")
    overall = report["overall"]
    for key, figure in (("budgeted", "budgeted"), ("spent", "spent"), ("remaining", "remaining")):
        assert f'id="{key}">{usd(overall[figure])}<' in html, key
    chart = chart_data(html, "budget-chart")
    assert chart["labels"] == ["Food", "Fun"]
    assert [s["values"] for s in chart["series"]] == [[e["budgeted"] for e in report["entries"]],
                                                     [e["spent"] for e in report["entries"]]]
    assert usd("-25.00") in html  # Fun is over its budget
    other = await page(client, f"/budgets/{older['id']}")
    assert "Last year" in other and 'id="budgeted">$100.00<' in other


async def test_no_budget_yet_says_how_to_make_one(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    await signed_in(client, await make_user())
    assert "No budgets yet" in await page(client, "/budgets")


# ---- cycles ----

async def test_the_active_cycles_summary(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    rent = await create_category(client, user, "Rent")
    cycle = await create_cycle(client, user, name="March pay", start_date="2024-03-01", income_amount="3000.00")
    await create_cycle(client, user, name="April pay", start_date="2024-04-15", income_amount="3100.00")
    assert (await client.post(f"{V1}/cycles/{cycle['id']}/activate", headers=user.headers)).status_code == 200
    await create_expense(client, user, amount="1200.00", date="2024-03-02", category_id=rent, cycle_id=cycle["id"])
    await create_expense(client, user, amount="80.40", date="2024-03-05", status="planned", cycle_id=cycle["id"])
    await signed_in(client, user)
    html = await page(client, "/cycles")
    summary = await read_json(client, user, f"/cycles/{cycle['id']}/summary")
    assert "March pay" in html
    for key, figure in (("income", "income"), ("planned", "planned_total"), ("paid", "paid_total"),
                        ("remaining", "remaining")):
        assert f'id="cycle-{key}">{usd(summary[figure])}<' in html, key
    chart = chart_data(html, "cycle-chart")
    assert chart["labels"] == [row["name"] or "Uncategorized" for row in summary["by_category"]]
    assert chart["series"][0]["values"] == [row["paid"] for row in summary["by_category"]]
    assert "April pay" in html  # listed, to open


# ---- goals ----

async def test_goals_show_their_progress(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    goal = await create_goal(client, user, name="Bike", target_amount="800.00")
    await contribute(client, user, goal["id"], amount="200.00", note="birthday money")
    await signed_in(client, user)
    html = await page(client, "/goals")
    api = await read_json(client, user, f"/goals/{goal['id']}")
    assert "Bike" in html and f'value="{api["progress_percent"]}"' in html and "25%" in html
    detail = await page(client, f"/goals/{goal['id']}")
    assert "birthday money" in detail and usd("600.00") in detail


async def test_the_owner_adds_a_contribution_through_the_form(client: httpx.AsyncClient,
                                                              make_user: MakeUser) -> None:
    user = await make_user()
    goal = await create_goal(client, user, name="Trip", target_amount="300.00")
    await signed_in(client, user)
    form = await page(client, f"/goals/{goal['id']}")
    response = await client.post(f"{APP}/goals/{goal['id']}/contributions", data={
        "amount": "300", "date": "2024-06-01", "note": "all at once", "csrf_token": csrf_token(form)})
    assert response.status_code == 303 and response.headers["location"] == f"/app/goals/{goal['id']}"
    api = await read_json(client, user, f"/goals/{goal['id']}")
    assert (api["current_amount"], api["status"]) == ("300.00", "achieved")
    invalid = await client.post(f"{APP}/goals/{goal['id']}/contributions", data={
        "amount": "-5", "date": "2024-06-01", "csrf_token": csrf_token(form)})
    assert invalid.status_code == 422 and 'id="e-amount"' in invalid.text
    assert (await read_json(client, user, f"/goals/{goal['id']}/contributions"))["total"] == 1


async def test_a_sub_user_reads_goals_but_may_not_contribute(client: httpx.AsyncClient,
                                                             make_user: MakeUser) -> None:
    owner = await make_user(Role.business)
    member = await make_user(Role.sub_user, business=owner)
    goal = await create_goal(client, owner, name="Van")
    await signed_in(client, member)
    html = await page(client, f"/goals/{goal['id']}")
    assert "Van" in html and "Add a contribution" not in html
    response = await client.post(f"{APP}/goals/{goal['id']}/contributions", data={
        "amount": "10", "date": "2024-06-01", "csrf_token": csrf_token(html)})
    assert response.status_code == 403 and "owner" in response.text
    assert (await read_json(client, owner, f"/goals/{goal['id']}/contributions"))["total"] == 0


async def test_no_goal_yet(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    await signed_in(client, await make_user())
    assert re.search("No savings goals yet", await page(client, "/goals"))
