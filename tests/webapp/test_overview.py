"""The overview: its figures are the API's reports, to the cent, shown in the person's locale and time zone."""

import datetime as dt
import re
import zoneinfo
from decimal import Decimal

import httpx
from babel.dates import format_skeleton
from babel.numbers import format_currency

from colony.core import clock
from tests.factories import (
    V1,
    MakeUser,
    UserHandle,
    create_account,
    create_category,
    create_expense,
    create_transaction,
    read_json,
)
from tests.webapp.pages import chart_data, page, signed_in


def _months_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


async def _a_month_of_money(client: httpx.AsyncClient, user: UserHandle, today: dt.date) -> None:
    """Expenses in two categories and none, one in another currency, an income, a planned expense; a checking
    account and a credit card with values over the last months."""
    food = await create_category(client, user, "Food")
    rent = await create_category(client, user, "Rent")
    salary = await create_category(client, user, "Pay", "income")
    day = str(today)
    await create_expense(client, user, amount="12.34", date=day, description="Lunch", category_id=food)
    await create_expense(client, user, amount="0.10", date=day, description="Gum", category_id=food)
    await create_expense(client, user, amount="950.00", date=day, description="Flat", category_id=rent)
    await create_expense(client, user, amount="7.77", currency="EUR", date=day, description="Museum")
    await create_transaction(client, user, type="income", amount="2500.01", date=day, description="Salary",
                             category_id=salary)
    checking = await create_account(client, user, name="Checking")
    card = await create_account(client, user, name="Card", type="credit_card")
    for months, balance in ((3, "1000.00"), (2, "1500.50"), (1, "1733.33")):
        response = await client.post(f"{V1}/accounts/{checking['id']}/values", headers=user.headers,
                                     json={"date": str(_months_back(today, months)), "balance": balance})
        assert response.status_code == 201, response.text
    response = await client.post(f"{V1}/accounts/{card['id']}/values", headers=user.headers,
                                 json={"date": str(_months_back(today, 2)), "balance": "250.25"})
    assert response.status_code == 201, response.text


async def test_the_overview_shows_the_apis_figures_to_the_cent(client: httpx.AsyncClient,
                                                               make_user: MakeUser) -> None:
    user = await make_user()
    today = clock.today()  # the user's time zone is UTC
    await _a_month_of_money(client, user, today)
    await signed_in(client, user)
    html = await page(client, "/")

    month = await read_json(client, user, f"/analytics/monthly/{today.year}/{today.month}")
    net_worth = await read_json(client, user, "/reports/net-worth", date=str(today))

    assert f'id="month-income">{format_currency(Decimal(month["total_income"]), "USD", locale="en_US")}<' in html
    assert f'id="month-spending">{format_currency(Decimal(month["total_expenses"]), "USD", locale="en_US")}<' in html
    assert f'id="month-net">{format_currency(Decimal(month["net"]), "USD", locale="en_US")}<' in html
    assert f'id="net-worth-total">{format_currency(Decimal(net_worth["total"]), "USD", locale="en_US")}<' in html

    spending = chart_data(html, "spending-chart")
    assert spending["labels"] == [row["category_name"] for row in month["category_breakdown"]]
    assert spending["values"] == [row["total"] for row in month["category_breakdown"]]
    assert "Uncategorized" in spending["labels"]  # the museum, converted from EUR by the same rate as the API

    trend = chart_data(html, "net-worth-chart")
    assert trend["values"] == [point["total"] for point in net_worth["history"]] + [net_worth["total"]]
    assert len(trend["values"]) == 13
    assert Decimal(trend["values"][-1]) == Decimal("1733.33") - Decimal("250.25")


async def test_upcoming_planned_expenses_are_listed_in_date_order(client: httpx.AsyncClient,
                                                                  make_user: MakeUser) -> None:
    user = await make_user()
    today = clock.today()
    for days, text in ((9, "Insurance"), (2, "Phone bill"), (-3, "Already past")):
        await create_expense(client, user, status="planned", date=str(today + dt.timedelta(days=days)),
                             description=text)
    await signed_in(client, user)
    html = await page(client, "/")
    upcoming = html[html.index('id="upcoming"'):]
    assert upcoming.index("Phone bill") < upcoming.index("Insurance")
    assert "Already past" not in html


async def test_text_from_the_data_is_shown_as_text(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    """A description or a category name holding markup is escaped in tables and in chart data alike."""
    user = await make_user()
    today = clock.today()
    canary = "</script><script>alert('category')</script>"
    category = await create_category(client, user, canary)
    await create_expense(client, user, date=str(today), category_id=category, description="Tea")
    await create_expense(client, user, status="planned", date=str(today + dt.timedelta(days=1)),
                         description='<img src=x onerror="alert(1)"><script>alert("description")</script>')
    await signed_in(client, user)
    html = await page(client, "/")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;description&#34;)&lt;/script&gt;" in html
    assert chart_data(html, "spending-chart")["labels"] == [canary]  # intact once parsed, inert in the page
    assert re.search(r"\\u003c/script\\u003e", html)


async def test_amounts_and_dates_follow_the_persons_locale_and_time_zone(client: httpx.AsyncClient,
                                                                         make_user: MakeUser) -> None:
    user = await make_user(base_currency="EUR")
    zone = "Pacific/Kiritimati"  # UTC+14: often already tomorrow
    response = await client.patch(f"{V1}/users/me", headers=user.headers, json={"locale": "fr-FR", "timezone": zone})
    assert response.status_code == 200, response.text
    their_today = clock.utcnow().astimezone(zoneinfo.ZoneInfo(zone)).date()
    await create_expense(client, user, amount="1234.5", currency="EUR", date=str(their_today), description="Vélo")
    await signed_in(client, user)
    html = await page(client, "/")
    assert '<html lang="fr-FR">' in html
    assert format_skeleton("yMMMM", their_today, locale="fr_FR") in html  # this month is theirs
    expected = format_currency(Decimal("1234.50"), "EUR", locale="fr_FR")  # "1 234,50 €"
    assert f'id="month-spending">{expected}<' in html


async def test_a_new_account_sees_an_empty_overview_that_says_what_to_do(client: httpx.AsyncClient,
                                                                        make_user: MakeUser) -> None:
    await signed_in(client, await make_user())
    html = await page(client, "/")
    assert "No spending recorded this month" in html and "No accounts yet" in html
    assert "Nothing planned from today on" in html
