"""The investments page: the API's portfolio and performance, shown with their method named."""

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal

import httpx
from babel.numbers import format_currency, format_percent

from colony.core import clock
from tests.factories import (
    MakeUser,
    UserHandle,
    create_account,
    create_investment_transaction,
    create_security,
    put_prices,
    read_json,
)
from tests.webapp.pages import APP, chart_data, page, signed_in


def percent(fraction: str) -> str:
    hundredths = (Decimal(fraction) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    return format_percent(hundredths / 100, locale="en_US", decimal_quantization=False)


async def _a_brokerage(client: httpx.AsyncClient, user: UserHandle) -> str:
    """Two years of investing in one security: a deposit, two buys, a rising price."""
    today = clock.today()
    start = today - dt.timedelta(days=730)
    account = await create_account(client, user, name="Broker", type="investment")
    security = await create_security(client, user, security_type="etf")
    symbol = security["symbol"]
    await put_prices(client, user, symbol, {str(start + dt.timedelta(days=offset)): str(100 + offset // 30)
                                            for offset in range(0, 731, 15)})
    await create_investment_transaction(client, user, account["id"], type="deposit", date=str(start),
                                        amount="5000.00")
    await create_investment_transaction(client, user, account["id"], type="buy", date=str(start), symbol=symbol,
                                        quantity="20", price="100")
    await create_investment_transaction(client, user, account["id"], type="buy",
                                        date=str(start + dt.timedelta(days=400)), symbol=symbol, quantity="10",
                                        price=str(100 + 400 // 30), fee="1.50")
    return str(symbol)


async def test_the_portfolio_and_its_performance_are_the_apis(client: httpx.AsyncClient,
                                                              make_user: MakeUser) -> None:
    user = await make_user()
    symbol = await _a_brokerage(client, user)
    await signed_in(client, user)
    html = await page(client, "/investments")
    today = clock.today()
    portfolio = await read_json(client, user, "/portfolio")
    performance = await read_json(client, user, "/portfolio/performance", end_date=str(today))
    history = await read_json(client, user, "/portfolio/history", end_date=str(today), interval="month",
                              start_date=str(today - dt.timedelta(days=365)))  # the chart's year
    money = portfolio["totals"]["total_value"]
    assert f'id="total-value">{format_currency(Decimal(money), "USD", locale="en_US")}<' in html
    assert f'id="twr">{percent(performance["twr"])}<' in html
    assert f'id="mwr">{percent(performance["mwr"])}<' in html
    assert symbol in html and "Time-weighted return" in html and "XIRR" in html
    assert performance["method"] in html  # the method, named as the API names it
    assert chart_data(html, "value-chart")["values"] == [point["market_value"] for point in history["points"]]
    types = [row["key"] for row in portfolio["allocation"]["by_security_type"]]
    assert chart_data(html, "allocation-chart")["labels"] == types


async def test_the_period_and_the_cost_method_are_the_apis_too(client: httpx.AsyncClient,
                                                               make_user: MakeUser) -> None:
    user = await make_user()
    await _a_brokerage(client, user)
    await signed_in(client, user)
    today = clock.today()
    html = await page(client, "/investments", period="ytd", cost_method="average")
    performance = await read_json(client, user, "/portfolio/performance", end_date=str(today),
                                  start_date=str(today.replace(month=1, day=1)))
    assert f'id="twr">{percent(performance["twr"])}<' in html
    assert "moving average" in html
    response = await client.get(f"{APP}/investments", params={"period": "forever"})
    assert response.status_code == 422 and "period" in response.text


async def test_no_investments_yet(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    await signed_in(client, await make_user())
    assert "No investments yet" in await page(client, "/investments")
