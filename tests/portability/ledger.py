"""A tenant with rows in every section of the export, made through the API as a client would, and the
helpers that export and restore over HTTP.

The first half of 2024, in USD with some EUR: a custom rate, categories and payment methods, a bank with a
checking account (value entries, a bank file imported with its CSV mapping saved), a savings account, a
loan and two brokerages (a security with prices, an opening holding, buys, a sale, a dividend, shares moved
between the brokerages), a monthly and a weekly template and cycles that generated planned expenses from
them, paid expenses and incomes over six months (one booked to an account, one in a cycle, one in EUR), a
transfer between accounts, budgets with entries and goals with contributions.
`test_every_section_is_in_the_rich_tenant` fails when a new section has no row here.
"""

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.factories import (
    V1,
    UserHandle,
    contribute,
    create_account,
    create_budget,
    create_category,
    create_cycle,
    create_goal,
    create_holding,
    create_institution,
    create_investment_transaction,
    create_payment_method,
    create_security,
    create_template,
    create_transaction,
    create_transfer,
    put_prices,
)

TODAY = dt.date(2024, 6, 30)
MONTHS = [(2024, month) for month in range(1, 7)]


@dataclass
class Ledger:
    """The ids of what was made, for the reports that take one."""

    accounts: list[str] = field(default_factory=list)
    brokerages: list[str] = field(default_factory=list)
    budgets: list[str] = field(default_factory=list)
    cycles: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    transfers: list[str] = field(default_factory=list)
    symbol: str = ""


async def _post(client: httpx.AsyncClient, owner: UserHandle, path: str, body: Any, status: int = 201) -> Any:
    response = await client.post(f"{V1}{path}", json=body, headers=owner.headers)
    assert response.status_code == status, response.text
    return response.json()


async def build(client: httpx.AsyncClient, owner: UserHandle) -> Ledger:
    ledger = Ledger()
    await _post(client, owner, "/exchange-rates/custom", {"date": "2024-05-01", "from": "EUR", "to": "USD",
                                                          "rate": "1.1"})
    groceries = await create_category(client, owner, "Groceries")
    housing = await create_category(client, owner, "Housing")
    salary = await create_category(client, owner, "Salary", "income")
    colored = await _post(client, owner, "/categories", {"name": "Travel", "kind": "expense", "color": "#00aa88",
                                                         "icon": "plane"})
    card = await create_payment_method(client, owner, "Visa", type="credit_card", last4="4242", currency="EUR")
    cash = await create_payment_method(client, owner, "Wallet")

    bank = await create_institution(client, owner, name="Bank of Tests", website="https://bank.example")
    checking = await create_account(client, owner, name="Checking", institution_id=bank["id"])
    savings = await create_account(client, owner, name="Savings", type="savings")
    loan = await create_account(client, owner, name="Car loan", type="loan")
    ledger.accounts = [checking["id"], savings["id"], loan["id"]]
    for account, day, balance in ((checking, "2024-01-01", "2500.00"), (checking, "2024-04-01", "3100.55"),
                                  (loan, "2024-01-01", "8000.00")):
        await _post(client, owner, f"/accounts/{account['id']}/values", {"date": day, "balance": balance})

    # a bank file imported to the checking account, its CSV mapping saved for the next one
    statement = "Buchungstag;Empfänger;Betrag\n05.02.2024;Stadtwerke;-61,20\n"
    response = await client.post(f"{V1}/imports", headers=owner.headers, files={"file": ("bank.csv", statement)},
                                 data={"account_id": checking["id"], "save_mapping": "true", "mapping": json.dumps(
                                     {"columns": {"date": "Buchungstag", "payee": "Empfänger", "amount": "Betrag"}})})
    assert response.status_code == 201, response.text

    broker = (await create_account(client, owner, name="Brokerage", type="investment"))["id"]
    pension = (await create_account(client, owner, name="Pension", type="retirement"))["id"]
    ledger.brokerages = [broker, pension]
    ledger.symbol = (await create_security(client, owner, symbol=f"PT{uuid.uuid4().hex[:6].upper()}",
                                           security_type="etf", exchange="XTST"))["symbol"]
    await put_prices(client, owner, ledger.symbol, {"2023-12-29": "95.5", "2024-01-02": "100", "2024-02-01": "104.25",
                                                    "2024-03-01": "99.125", "2024-04-02": "110",
                                                    "2024-06-28": "118.75"})
    await create_holding(client, owner, broker, symbol=ledger.symbol, quantity="4", cost_basis="360.00",
                         acquired_on="2023-12-29")
    for body in ({"type": "deposit", "date": "2024-01-02", "amount": "5000"},
                 {"type": "buy", "date": "2024-01-02", "symbol": ledger.symbol, "quantity": "20", "price": "100",
                  "fee": "4.95"},
                 {"type": "buy", "date": "2024-02-01", "symbol": ledger.symbol, "quantity": "10.5",
                  "price": "104.25", "note": "Monthly plan"},
                 {"type": "dividend", "date": "2024-03-15", "symbol": ledger.symbol, "amount": "21.30",
                  "tax": "3.20"},
                 {"type": "sell", "date": "2024-04-02", "symbol": ledger.symbol, "quantity": "5", "price": "110",
                  "fee": "4.95"},
                 {"type": "transfer_out", "date": "2024-05-02", "symbol": ledger.symbol, "quantity": "6",
                  "counter_account_id": pension}):
        await create_investment_transaction(client, owner, broker, **body)

    rent = await create_template(client, owner, name="Rent", amount="1200.00", category_id=housing,
                                 payment_method_id=cash, start_date="2024-01-01", day_of_month=3)
    gym = await create_template(client, owner, name="Gym", amount="35.00", frequency="weekly",
                                start_date="2024-03-04", end_date="2024-12-31")
    ledger.templates = [rent["id"], gym["id"]]
    march = await create_cycle(client, owner, name="March", start_date="2024-03-01", end_date="2024-03-31",
                               income_amount="4800.00", generate_from_templates=True)
    april = await create_cycle(client, owner, name="April", start_date="2024-04-01", end_date="2024-04-30",
                               income_amount="4800.00", generate_from_templates=True)
    await _post(client, owner, f"/cycles/{march['id']}/activate", None, status=200)
    await create_transaction(client, owner, amount="19.99", date="2024-03-18", description="=cinema+popcorn",
                             cycle_id=march["id"], status="paid")
    for step in (f"{march['id']}/complete", f"{april['id']}/activate"):
        await _post(client, owner, f"/cycles/{step}", None, status=200)
    ledger.cycles = [march["id"], april["id"]]

    for year, month in MONTHS:
        day = f"{year}-{month:02d}"
        await create_transaction(client, owner, type="income", amount="4800.00", date=f"{day}-25",
                                 description="ACME payroll", category_id=salary, account_id=checking["id"])
        await create_transaction(client, owner, amount=f"{80 + month * 7}.{month:02d}", date=f"{day}-12",
                                 description="Supermarket", category_id=groceries, payment_method_id=cash)
    await create_transaction(client, owner, amount="640.00", currency="EUR", date="2024-05-20",
                             description="Lisbon flights", notes="Two seats\nwindow", category_id=colored["id"],
                             payment_method_id=card)
    await create_transaction(client, owner, amount="210.00", date="2024-07-15", description="Insurance",
                             status="planned", category_id=housing)
    transfer = await create_transfer(client, owner, from_account_id=checking["id"], to_account_id=savings["id"],
                                     amount="750.00", date="2024-02-26", description="To savings")
    ledger.transfers = [transfer["id"]]

    budget = await create_budget(client, owner, name="Spring", period_start="2024-03-01", period_end="2024-05-31",
                                 total_amount="6000.00", entries=[{"category_id": groceries, "amount": "400.00"},
                                                                  {"category_id": housing, "amount": "3600.00"}])
    euro = await create_budget(client, owner, name="Trips", currency="EUR", period_start="2024-01-01",
                               period_end="2024-12-31", total_amount="2000.00",
                               entries=[{"category_id": colored["id"], "amount": "1500.00"}])
    ledger.budgets = [budget["id"], euro["id"]]
    car = await create_goal(client, owner, name="New car", target_amount="12000.00", due_date="2025-06-30")
    trip = await create_goal(client, owner, name="Japan", currency="EUR", target_amount="3000.00")
    await contribute(client, owner, car["id"], amount="1500.00", date="2024-02-01", note="Bonus")
    await contribute(client, owner, car["id"], amount="500.00", date="2024-05-01")
    await contribute(client, owner, trip["id"], amount="3000.00", date="2024-06-01")
    ledger.goals = [car["id"], trip["id"]]
    return ledger


async def report_answers(client: httpx.AsyncClient, user: UserHandle, ledger: Ledger) -> dict[str, Any]:
    """Every report and list of the tenant, by path: the answers a restore must reproduce."""
    paths = [f"/analytics/monthly/{year}/{month}" for year, month in MONTHS]
    paths += ["/analytics/trends?start_date=2024-01-01&end_date=2024-07-31",
              "/analytics/categories?start_date=2024-01-01&end_date=2024-12-31&type=expense",
              "/analytics/categories?start_date=2024-01-01&end_date=2024-12-31&type=income",
              "/categories?size=100", "/payment-methods", "/exchange-rates/custom", "/expense-templates",
              "/transactions?size=100", "/transactions?size=100&sort=created_at", "/transactions/recurring",
              "/cycles", "/budgets", "/goals", "/financial-institutions", "/accounts",
              "/portfolio", "/portfolio?cost_method=average", "/portfolio/performance?start_date=2024-01-01",
              "/portfolio/history?start_date=2024-01-01&interval=month", "/reports/net-worth?date=2024-06-30"]
    paths += [f"/budgets/{budget}/report" for budget in ledger.budgets]
    paths += [f"/cycles/{cycle}/summary" for cycle in ledger.cycles]
    paths += [f"/goals/{goal}/contributions" for goal in ledger.goals]
    paths += [f"/expense-templates/{template}/occurrences?start_date=2024-01-01&end_date=2024-06-30"
              for template in ledger.templates]
    paths += [f"/transfers/{transfer}" for transfer in ledger.transfers]
    for account in ledger.accounts + ledger.brokerages:
        paths += [f"/accounts/{account}/values", f"/accounts/{account}/balance?date=2024-06-30"]
    for account in ledger.brokerages:
        paths += [f"/accounts/{account}/holdings", f"/accounts/{account}/investment-transactions"]
    answers = {}
    for path in paths:
        response = await client.get(f"{V1}{path}", headers=user.headers)
        assert response.status_code == 200, (path, response.text)
        answers[path] = response.json()
    return answers


async def export(client: httpx.AsyncClient, user: UserHandle, **params: str) -> httpx.Response:
    response = await client.get(f"{V1}/users/me/export", headers=user.headers, params=params)
    assert response.status_code == 200, response.text
    return response


async def export_document(client: httpx.AsyncClient, user: UserHandle) -> dict[str, Any]:
    document: dict[str, Any] = (await export(client, user)).json()
    return document


async def restore(client: httpx.AsyncClient, user: UserHandle, content: bytes | dict[str, Any],
                  **headers: str) -> httpx.Response:
    body = content if isinstance(content, bytes) else json.dumps(content).encode()
    return await client.post(f"{V1}/users/me/import", headers={**user.headers, **headers},
                             files={"file": ("export.json", body, "application/json")})
