"""Typed factories for the tests, in one place, with one set of defaults.

Users are made straight in the database (no registration, no password hash per user, a valid access
token at once); the identity tests register and log in over HTTP instead (`register`, `login`).
Everything a tenant owns is made through the API, as a client would, and the factory returns the id or
the JSON the API answered. Pass what a test is about explicitly; rely on a default only for what the
test does not look at.
"""

import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from colony.config import Settings
from colony.core import tokens
from colony.core.tenancy import Role
from colony.users.models import Credentials, Profile, User

V1 = "/api/v1"
TEST_PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class UserHandle:
    """A user made straight in the database, with a valid access token."""

    id: uuid.UUID
    email: str
    tenant_id: uuid.UUID
    role: Role
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


class MakeUser(Protocol):
    """`make_user()`: a personal user; `make_user(Role.sub_user, business=owner)`: a member of a business."""

    async def __call__(self, role: Role = Role.personal, *, base_currency: str = "USD",
                       business: UserHandle | None = None, email: str | None = None) -> UserHandle: ...


async def add_user(session: AsyncSession, settings: Settings, password_hash: str, role: Role = Role.personal, *,
                   base_currency: str = "USD", business: UserHandle | None = None,
                   email: str | None = None) -> UserHandle:
    """A user with credentials and a profile, flushed (the caller commits, or rolls the test back)."""
    user_id = uuid.uuid4()
    email = email or unique_email()
    tenant_id = business.tenant_id if business is not None else user_id
    session.add(User(id=user_id, email=email, role=role, is_active=True, tenant_id=tenant_id))
    await session.flush()
    session.add_all([Credentials(user_id=user_id, password_hash=password_hash),
                     Profile(user_id=user_id, base_currency=base_currency)])
    await session.flush()
    token, _ = tokens.create_access_token(user_id, settings.signing_key, settings.access_token_minutes)
    return UserHandle(id=user_id, email=email, tenant_id=tenant_id, role=role, token=token)


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def error_code(response: httpx.Response) -> str:
    """The code of an error body (which it asserts the response is)."""
    body = response.json()
    assert body["success"] is False, body
    code: str = body["error"]["code"]
    return code


async def register(client: httpx.AsyncClient, email_address: str | None = None, password: str = TEST_PASSWORD,
                   **fields: Any) -> dict[str, Any]:
    """An account made over HTTP, as a client signs up; returns the user the API answered."""
    response = await client.post(f"{V1}/auth/register",
                                 json={"email": email_address or unique_email(), "password": password, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def login(client: httpx.AsyncClient, email_address: str, password: str = TEST_PASSWORD) -> dict[str, Any]:
    """The token pair of a password login."""
    response = await client.post(f"{V1}/auth/login", json={"email": email_address, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _created(client: httpx.AsyncClient, owner: UserHandle, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(f"{V1}{path}", json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def create_category(client: httpx.AsyncClient, owner: UserHandle, name: str = "Food",
                          kind: str = "expense") -> str:
    return str((await _created(client, owner, "/categories", {"name": name, "kind": kind}))["id"])


async def create_payment_method(client: httpx.AsyncClient, owner: UserHandle, name: str = "Cash",
                                **extra: Any) -> str:
    return str((await _created(client, owner, "/payment-methods", {"name": name, "type": "cash", **extra}))["id"])


def expense_body(**overrides: Any) -> dict[str, Any]:
    return {"amount": "12.50", "currency": "USD", "date": "2024-03-15", "description": "Lunch", **overrides}


async def create_expense(client: httpx.AsyncClient, owner: UserHandle, **overrides: Any) -> dict[str, Any]:
    return await _created(client, owner, "/expenses", expense_body(**overrides))


async def create_transaction(client: httpx.AsyncClient, owner: UserHandle, **overrides: Any) -> dict[str, Any]:
    return await _created(client, owner, "/transactions", expense_body(type="expense") | overrides)


async def create_template(client: httpx.AsyncClient, owner: UserHandle, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "Rent", "amount": "1200.00", "currency": "USD", "frequency": "monthly",
                            "start_date": "2024-01-01"}
    if overrides.get("frequency", "monthly") in ("monthly", "quarterly", "yearly"):
        body["day_of_month"] = 1
    return await _created(client, owner, "/expense-templates", body | overrides)


async def create_cycle(client: httpx.AsyncClient, owner: UserHandle, **overrides: Any) -> dict[str, Any]:
    return await _created(client, owner, "/cycles", {"start_date": "2024-03-01", "income_amount": "5000.00"}
                          | overrides)


async def create_budget(client: httpx.AsyncClient, owner: UserHandle, **overrides: Any) -> dict[str, Any]:
    return await _created(client, owner, "/budgets", {
        "name": "March", "currency": "USD", "period_start": "2024-03-01", "period_end": "2024-03-31",
        "total_amount": "1000.00"} | overrides)


async def create_goal(client: httpx.AsyncClient, owner: UserHandle, **overrides: Any) -> dict[str, Any]:
    return await _created(client, owner, "/goals", {"name": "Holidays", "currency": "USD",
                                                    "target_amount": "1000.00"} | overrides)


async def contribute(client: httpx.AsyncClient, owner: UserHandle, goal_id: str, **overrides: Any) -> dict[str, Any]:
    return await _created(client, owner, f"/goals/{goal_id}/contributions",
                          {"amount": "100.00", "date": "2024-03-01"} | overrides)


# ---- investments ----

async def create_institution(client: httpx.AsyncClient, owner: UserHandle, **overrides: Any) -> dict[str, Any]:
    return await _created(client, owner, "/financial-institutions", {"name": "Bank", "country": "DE"} | overrides)


async def create_account(client: httpx.AsyncClient, owner: UserHandle, **overrides: Any) -> dict[str, Any]:
    return await _created(client, owner, "/accounts", {"name": "Checking", "type": "checking", "currency": "USD"}
                          | overrides)


async def create_security(client: httpx.AsyncClient, owner: UserHandle, **overrides: Any) -> dict[str, Any]:
    """A security (shared reference data): a fresh symbol unless one is given."""
    symbol = overrides.pop("symbol", f"T{uuid.uuid4().hex[:8].upper()}")
    return await _created(client, owner, "/securities", {"symbol": symbol, "name": f"{symbol} Inc.",
                                                         "security_type": "stock", "currency": "USD"} | overrides)


async def put_prices(client: httpx.AsyncClient, owner: UserHandle, symbol: str,
                     closes: dict[str, str]) -> None:
    response = await client.post(f"{V1}/securities/{symbol}/prices", headers=owner.headers,
                                 json=[{"date": day, "close": close} for day, close in closes.items()])
    assert response.status_code == 200, response.text


async def create_holding(client: httpx.AsyncClient, owner: UserHandle, account_id: str,
                         **overrides: Any) -> dict[str, Any]:
    return await _created(client, owner, f"/accounts/{account_id}/holdings",
                          {"quantity": "10", "cost_basis": "1000.00"} | overrides)


async def create_investment_transaction(client: httpx.AsyncClient, owner: UserHandle, account_id: str,
                                        **body: Any) -> dict[str, Any]:
    return await _created(client, owner, f"/accounts/{account_id}/investment-transactions", body)


async def create_transfer(client: httpx.AsyncClient, owner: UserHandle, **overrides: Any) -> dict[str, Any]:
    return await _created(client, owner, "/transfers", {"amount": "100.00", "date": "2024-03-15"} | overrides)


async def read_json(client: httpx.AsyncClient, user: UserHandle, path: str, **params: Any) -> Any:
    """The JSON body of a GET under /api/v1 that must answer 200 (params that are None are left out)."""
    response = await client.get(f"{V1}{path}", headers=user.headers,
                                params={key: value for key, value in params.items() if value is not None})
    assert response.status_code == 200, response.text
    return response.json()


async def exchange_rate(client: httpx.AsyncClient, user: UserHandle, from_: str, to: str, day: str) -> str:
    """The rate the API converts `from_` into `to` with on `day` (the ECB fixing on or before it)."""
    body = await read_json(client, user, "/exchange-rates/convert", amount="1", date=day, **{"from": from_, "to": to})
    rate: str = body["rate"]
    return rate


async def create_series(client: httpx.AsyncClient, owner: UserHandle, dates: list[str],
                        **overrides: Any) -> list[dict[str, Any]]:
    """One transaction (an expense unless `type` says otherwise) on each of `dates`, the rest alike."""
    return [await create_transaction(client, owner, date=day, **overrides) for day in dates]
