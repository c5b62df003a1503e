"""POST /auth/register: accounts, their shape, the default categories, and every refusal."""

import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.categories.models import Category
from colony.core.tenancy import Role
from colony.users.models import User
from colony.users.repository import UserRepository
from tests.factories import V1, bearer, error_code, login, register, unique_email

USER_FIELDS = {"id", "email", "role", "first_name", "last_name", "phone", "base_currency", "timezone", "locale",
               "created_at"}
DEFAULT_CATEGORIES = {("Food", "expense"), ("Bills", "expense"), ("Groceries", "expense"),
                      ("Transportation", "expense"), ("Housing", "expense"), ("Health", "expense"),
                      ("Entertainment", "expense"), ("Salary", "income"), ("Other", "expense")}


async def test_registers_a_personal_account_with_its_profile(client: httpx.AsyncClient) -> None:
    address = unique_email()
    body = await register(client, address.upper(), first_name="Ada", last_name="Lovelace")

    assert set(body) == USER_FIELDS
    assert body["email"] == address  # stored lower-case
    assert body["role"] == "personal"
    assert (body["first_name"], body["last_name"], body["phone"]) == ("Ada", "Lovelace", None)
    assert (body["base_currency"], body["timezone"], body["locale"]) == ("USD", "UTC", "en-US")
    assert body["created_at"].endswith("Z")

    me = await client.get(f"{V1}/users/me", headers=bearer((await login(client, address))["access_token"]))
    assert me.json() == body


async def test_registers_a_business_in_its_currency(client: httpx.AsyncClient) -> None:
    body = await register(client, account_type="business", base_currency="EUR")
    assert (body["role"], body["base_currency"]) == ("business", "EUR")


async def test_a_new_tenant_gets_the_default_categories(client: httpx.AsyncClient, session: AsyncSession) -> None:
    body = await register(client)
    rows = (await session.execute(select(Category.name, Category.kind).where(
        Category.tenant_id == uuid.UUID(body["id"])))).all()
    assert {(name, str(getattr(kind, "value", kind))) for name, kind in rows} == DEFAULT_CATEGORIES


@pytest.mark.parametrize("account_type", ["admin", "sub_user", "superuser"])
async def test_registration_never_makes_an_admin_or_sub_user(client: httpx.AsyncClient, session: AsyncSession,
                                                             account_type: str) -> None:
    address = unique_email()
    response = await client.post(f"{V1}/auth/register", json={
        "email": address, "password": "long enough password", "account_type": account_type})
    assert response.status_code == 422
    assert error_code(response) == "VALIDATION_ERROR"
    assert (await session.execute(select(User).where(User.email == address))).first() is None


async def test_role_fields_are_not_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{V1}/auth/register", json={
        "email": unique_email(), "password": "long enough password", "role": "admin"})
    assert response.status_code == 422


async def test_email_is_unique_whatever_its_case(client: httpx.AsyncClient) -> None:
    address = unique_email()
    await register(client, address)
    response = await client.post(f"{V1}/auth/register",
                                 json={"email": address.upper(), "password": "another password"})
    assert response.status_code == 409
    assert error_code(response) == "EMAIL_ALREADY_REGISTERED"


async def test_a_lost_race_on_the_email_is_a_clean_409(client: httpx.AsyncClient,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Two registrations that both pass the pre-check: the unique index decides."""
    address = unique_email()
    await register(client, address)

    async def not_taken(_self: UserRepository, _email: str) -> bool:
        return False

    monkeypatch.setattr(UserRepository, "email_taken", not_taken)
    response = await client.post(f"{V1}/auth/register", json={"email": address, "password": "another password"})
    assert response.status_code == 409
    assert error_code(response) == "EMAIL_ALREADY_REGISTERED"


@pytest.mark.parametrize(("field", "payload"), [
    ("body.password", {"password": "short12"}),
    ("body.password", {"password": "x" * 129}),
    ("body.email", {"email": "not-an-email"}),
    ("body.email", {"email": "someone@example.invalid"}),  # a special-use name that no mail can reach
    ("body.base_currency", {"base_currency": "XYZ"}),
    ("body.first_name", {"first_name": "x" * 101}),
])
async def test_invalid_input_is_a_validation_error(client: httpx.AsyncClient, field: str,
                                                   payload: dict[str, str]) -> None:
    body = {"email": unique_email(), "password": "long enough password", **payload}
    response = await client.post(f"{V1}/auth/register", json=body)
    assert response.status_code == 422
    assert error_code(response) == "VALIDATION_ERROR"
    assert field in [error["field"] for error in response.json()["error"]["details"]["errors"]]


async def test_eight_characters_are_enough(client: httpx.AsyncClient, session: AsyncSession) -> None:
    body = await register(client, password="12345678")
    user = await session.get(User, uuid.UUID(body["id"]))
    assert user is not None and user.role is Role.personal


@pytest.mark.parametrize("local_part", ["someone", "User"])
@pytest.mark.parametrize("domain", ["home.arpa", "colony.local", "mail.home.arpa"])
async def test_private_network_mail_domains_register(client: httpx.AsyncClient, local_part: str,
                                                     domain: str) -> None:
    """A self-hosted server often serves a home or office network: its special-use mail domains are fine."""
    address = f"{local_part}-{uuid.uuid4().hex[:8]}@{domain}"
    body = await register(client, address)
    assert body["email"] == address.lower()
    await login(client, address)
