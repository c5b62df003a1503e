"""POST /users/me/import: into an empty tenant only, all or nothing, every problem reported with where it is;
ids kept where free; securities matched by symbol and prices completed; the owner's alone."""

import asyncio
import copy
import io
import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from colony.categories import service as category_service
from colony.categories.service import DEFAULT_CATEGORIES
from colony.config import Settings
from colony.core.cache import MemoryCache
from colony.core.db import Database, commit
from colony.core.tenancy import Role, Tenant
from colony.portability import service as portability_service
from colony.portability.errors import TenantNotEmpty
from colony.portability.sections import SECTIONS
from colony.users import service as user_service
from tests.factories import (
    V1,
    MakeUser,
    UserHandle,
    add_user,
    bearer,
    contribute,
    create_account,
    create_category,
    create_goal,
    create_holding,
    create_security,
    create_transaction,
    error_code,
    login,
    put_prices,
    read_json,
    register,
)
from tests.portability.ledger import export_document, restore

Document = dict[str, Any]


async def small_document(client: httpx.AsyncClient, owner: UserHandle) -> Document:
    """A few linked rows: a category and its transaction, a goal and its contribution."""
    food = await create_category(client, owner, "Food")
    await create_transaction(client, owner, amount="12.50", description="Lunch", category_id=food)
    goal = await create_goal(client, owner, name="Bike")
    await contribute(client, owner, goal["id"], amount="40.00")
    return await export_document(client, owner)


async def held(client: httpx.AsyncClient, user: UserHandle) -> dict[str, int]:
    """How many rows of each section the tenant holds now (its own, not the reference data)."""
    document = await export_document(client, user)
    return {section.name: len(document[section.name]) for section in SECTIONS
            if not section.reference and document[section.name]}


async def new_tenant_with_starter_categories(client: httpx.AsyncClient) -> UserHandle:
    user = await register(client)
    tokens = await login(client, user["email"])
    return UserHandle(id=uuid.UUID(user["id"]), email=user["email"], tenant_id=uuid.UUID(user["id"]),
                      role=Role.personal, token=tokens["access_token"])


# ---- only into an empty tenant ---------------------------------------------------------------------------

async def test_a_tenant_that_holds_data_is_refused_and_keeps_it(client: httpx.AsyncClient,
                                                                make_user: MakeUser) -> None:
    source, target = await make_user(), await make_user()
    document = await small_document(client, source)
    await create_transaction(client, target, description="Already here")

    response = await restore(client, target, document)
    assert (response.status_code, error_code(response)) == (409, "TENANT_NOT_EMPTY")
    assert response.json()["error"]["details"] == {"sections": {"transactions": 1}}
    assert await held(client, target) == {"transactions": 1}


async def test_the_document_may_be_sent_as_the_json_body(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    source, target = await make_user(), await make_user()
    document = await small_document(client, source)
    url = f"{V1}/users/me/import"
    response = await client.post(url, content=json.dumps(document),
                                 headers={**target.headers, "Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    assert response.json()["created"]["transactions"] == len(document["transactions"]) > 0
    assert await held(client, target) == await held(client, source)
    response = await client.post(url, content=b"date,amount", headers={**target.headers, "Content-Type": "text/csv"})
    assert (response.status_code, error_code(response)) == (422, "VALIDATION_ERROR"), response.text


async def test_a_category_of_ones_own_makes_a_tenant_not_empty(client: httpx.AsyncClient,
                                                               make_user: MakeUser) -> None:
    source = await make_user()
    document = await small_document(client, source)
    target = await new_tenant_with_starter_categories(client)
    await create_category(client, target, "Pets")

    response = await restore(client, target, document)
    assert (response.status_code, error_code(response)) == (409, "TENANT_NOT_EMPTY")
    assert response.json()["error"]["details"] == {"sections": {"categories": len(DEFAULT_CATEGORIES) + 1}}


async def test_the_starter_categories_of_a_new_account_make_way_for_the_documents(
        client: httpx.AsyncClient, make_user: MakeUser) -> None:
    source = await make_user()
    document = await small_document(client, source)
    target = await new_tenant_with_starter_categories(client)
    assert len((await read_json(client, target, "/categories"))["items"]) == len(DEFAULT_CATEGORIES)

    response = await restore(client, target, document)
    assert response.status_code == 201, response.text
    assert response.json()["replaced_starter_categories"] == len(DEFAULT_CATEGORIES)
    categories = (await read_json(client, target, "/categories"))["items"]
    assert [(c["name"], c["kind"]) for c in categories] == [("Food", "expense")]
    (lunch,) = (await read_json(client, target, "/transactions"))["items"]
    assert (lunch["description"], lunch["category_id"]) == ("Lunch", categories[0]["id"])


async def test_a_second_restore_finds_the_tenant_no_longer_empty(client: httpx.AsyncClient,
                                                                 make_user: MakeUser) -> None:
    source, target = await make_user(), await make_user()
    document = await small_document(client, source)
    assert (await restore(client, target, document)).status_code == 201
    again = await restore(client, target, document)
    assert (again.status_code, error_code(again)) == (409, "TENANT_NOT_EMPTY")
    assert await held(client, target) == {"categories": 1, "transactions": 1, "goals": 1, "goal_contributions": 1}


# ---- all or nothing, with every problem and where it is -----------------------------------------------------

def _set(section: str, index: int, **values: Any) -> Callable[[Document], None]:
    def change(document: Document) -> None:
        document[section][index].update(values)
    return change


def _drop(section: str, index: int, name: str) -> Callable[[Document], None]:
    def change(document: Document) -> None:
        del document[section][index][name]
    return change


def _header(**values: Any) -> Callable[[Document], None]:
    def change(document: Document) -> None:
        document.update(values)
    return change


def _reorder(document: Document) -> None:
    categories = document.pop("categories")
    document["categories"] = categories  # now after the transactions that link to them


def _twice(document: Document) -> None:
    document["transactions"].append(copy.deepcopy(document["transactions"][0]))


@pytest.mark.parametrize(("change", "field", "message"), [
    (_header(format="something-else"), "format", "not a Colony export"),
    (_header(version=2), "version", "version 2 is not one this server reads"),
    (_header(base_currency="XYZ"), "base_currency", "ISO 4217"),
    (_header(widgets=[]), "widgets", "not a section of a Colony export"),
    (_header(owner="me"), "owner", "not a field of a Colony export"),
    (_reorder, "categories", "must come before"),
    (_set("transactions", 0, amount="12.50001"), "transactions[0].amount", "no more than 4 decimal places"),
    (_set("transactions", 0, amount="1e20"), "transactions[0].amount", "no more than 19 digits"),
    (_set("transactions", 0, currency="XYZ"), "transactions[0].currency", "unknown currency"),
    (_set("transactions", 0, date="15/03/2024"), "transactions[0].date", "YYYY-MM-DD"),
    (_set("transactions", 0, type="transfer"), "transactions[0].type", "'expense' or 'income'"),
    (_set("transactions", 0, description="Lunch\x00"), "transactions[0].description", "control characters"),
    (_set("transactions", 0, description="x" * 501), "transactions[0].description", "at most 500 characters"),
    (_set("transactions", 0, colour="red"), "transactions[0].colour", "Extra inputs are not permitted"),
    (_set("transactions", 0, tenant_id=str(uuid.uuid4())), "transactions[0].tenant_id", "Extra inputs"),
    (_drop("transactions", 0, "amount"), "transactions[0].amount", "Field required"),
    (_set("transactions", 0, category_id=str(uuid.uuid4())), "transactions[0].category_id",
     "no row of categories with id"),
    (_set("goal_contributions", 0, goal_id=str(uuid.uuid4())), "goal_contributions[0].goal_id",
     "no row of goals with id"),
    (_twice, "transactions[1].id", "is the id of an earlier row of transactions"),
])
async def test_an_invalid_document_writes_nothing_and_says_where(
        client: httpx.AsyncClient, make_user: MakeUser, change: Callable[[Document], None], field: str,
        message: str) -> None:
    source = await make_user()
    document = await small_document(client, source)
    target = await new_tenant_with_starter_categories(client)
    change(document)

    response = await restore(client, target, document)
    assert (response.status_code, error_code(response)) == (422, "EXPORT_DOCUMENT_INVALID"), response.text
    errors = response.json()["error"]["details"]["errors"]
    assert any(error["field"] == field and message in error["message"] for error in errors), errors
    # nothing written, nothing removed: the starter categories are still there, and only they
    assert await held(client, target) == {"categories": len(DEFAULT_CATEGORIES)}


async def test_a_row_that_breaks_a_rule_of_the_database_writes_nothing(client: httpx.AsyncClient,
                                                                       make_user: MakeUser) -> None:
    """An amount of 0 passes the field checks but not the table's own rule: the same 422, nothing kept (the
    rows of the sections before it included)."""
    source, target = await make_user(), await make_user()
    document = await small_document(client, source)
    document["goal_contributions"][0]["amount"] = "0"

    response = await restore(client, target, document)
    assert (response.status_code, error_code(response)) == (422, "EXPORT_DOCUMENT_INVALID"), response.text
    (error,) = response.json()["error"]["details"]["errors"]
    assert error["field"] == "goal_contributions" and "amount_positive" in error["message"]
    assert await held(client, target) == {}


@pytest.mark.parametrize(("content", "message"), [
    (b'{"format": "colony-export", "version": 1, "categories": [', "not valid JSON"),
    (b"[1, 2]", "must be a JSON object"),
    (b"", "not valid JSON"),
    (b"\xff\xfe not text", "not valid JSON"),
])
async def test_a_file_that_is_not_a_json_object_is_refused(client: httpx.AsyncClient, make_user: MakeUser,
                                                          content: bytes, message: str) -> None:
    target = await make_user()
    response = await restore(client, target, content)
    assert (response.status_code, error_code(response)) == (422, "EXPORT_DOCUMENT_INVALID"), response.text
    errors = response.json()["error"]["details"]["errors"]
    assert any(message in error["message"] and "\n" not in error["message"] for error in errors), errors


async def test_errors_are_counted_up_to_a_limit(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    source, target = await make_user(), await make_user()
    document = await small_document(client, source)
    row = document["transactions"][0]
    document["transactions"] = [row | {"id": str(uuid.uuid4()), "amount": "-1.00001"} for _ in range(150)]

    response = await restore(client, target, document)
    details = response.json()["error"]["details"]
    assert (len(details["errors"]), details["truncated"]) == (100, True)


# ---- ids, securities, base currency ----------------------------------------------------------------------

async def test_ids_are_kept_where_they_are_free(client: httpx.AsyncClient, make_user: MakeUser,
                                                session: AsyncSession) -> None:
    source = await make_user()
    document = await small_document(client, source)
    await user_service.delete_user(session, source.id)
    await session.flush()
    target = await make_user()

    response = await restore(client, target, document)
    assert response.status_code == 201, response.text
    assert response.json()["ids_changed"] == 0
    restored = await export_document(client, target)
    for section in SECTIONS:
        assert [row["id"] for row in restored[section.name]] == [row["id"] for row in document[section.name]]


async def test_a_transfer_comes_back_as_one_transfer_under_a_new_id(client: httpx.AsyncClient,
                                                                    make_user: MakeUser) -> None:
    source, target = await make_user(), await make_user()
    checking, savings = (await create_account(client, source, name="Checking"),
                         await create_account(client, source, name="Savings", type="savings"))
    moved = await client.post(f"{V1}/transfers", headers=source.headers, json={
        "from_account_id": checking["id"], "to_account_id": savings["id"], "amount": "75.00", "date": "2024-03-01"})
    assert moved.status_code == 201, moved.text

    assert (await restore(client, target, await export_document(client, source))).status_code == 201
    legs = (await read_json(client, target, "/transactions"))["items"]
    (transfer_id,) = {leg["transfer_id"] for leg in legs}
    assert len(legs) == 2 and transfer_id != moved.json()["id"]
    transfer = await read_json(client, target, f"/transfers/{transfer_id}")
    assert transfer["amount"] == "75.00"
    assert (await client.get(f"{V1}/transfers/{moved.json()['id']}", headers=source.headers)).status_code == 200


async def test_a_security_this_server_lacks_is_added_with_its_prices(client: httpx.AsyncClient,
                                                                     make_user: MakeUser) -> None:
    """As from another server: the document's security is unknown here (its symbol and id are new)."""
    source, target = await make_user(), await make_user()
    broker = await create_account(client, source, name="Brokerage", type="investment")
    security = await create_security(client, source)
    await put_prices(client, source, security["symbol"], {"2024-01-02": "10", "2024-02-01": "12.5"})
    await create_holding(client, source, broker["id"], symbol=security["symbol"], quantity="3",
                         cost_basis="30.00")
    text = json.dumps(await export_document(client, source))
    elsewhere_symbol, elsewhere_id = f"EX{uuid.uuid4().hex[:6].upper()}", str(uuid.uuid4())
    document = json.loads(text.replace(security["id"], elsewhere_id).replace(security["symbol"], elsewhere_symbol))

    response = await restore(client, target, document)
    assert response.status_code == 201, response.text
    assert (response.json()["created"]["securities"], response.json()["created"]["security_prices"]) == (1, 2)
    added = await read_json(client, target, f"/securities/{elsewhere_symbol}")
    assert (added["id"], added["currency"]) == (elsewhere_id, "USD")
    (holding,) = (await read_json(client, target, "/portfolio"))["holdings"]
    assert (holding["symbol"], holding["quantity"], holding["price"]) == (elsewhere_symbol, "3", "12.50000000")


async def test_a_security_is_matched_by_symbol_and_its_prices_here_win(client: httpx.AsyncClient,
                                                                       make_user: MakeUser) -> None:
    source, target = await make_user(), await make_user()
    broker = await create_account(client, source, name="Brokerage", type="investment")
    security = await create_security(client, source)
    await put_prices(client, source, security["symbol"], {"2024-01-02": "10"})
    await create_holding(client, source, broker["id"], symbol=security["symbol"], quantity="3", cost_basis="30")
    document = await export_document(client, source)
    document["securities"][0] |= {"id": str(uuid.uuid4()), "symbol": security["symbol"].lower()}
    old_id = security["id"]
    new_id = document["securities"][0]["id"]
    for row in document["security_prices"] + document["holdings"]:
        row["security_id"] = new_id
    document["security_prices"][0]["close"] = "999"  # this server says 10 for that day
    document["security_prices"].append(document["security_prices"][0] | {"date": "2024-01-03", "close": "11"})

    response = await restore(client, target, document)
    assert response.status_code == 201, response.text
    assert (response.json()["created"]["securities"], response.json()["created"]["security_prices"]) == (0, 1)
    (holding,) = (await read_json(client, target, "/accounts/" + (await read_json(
        client, target, "/accounts"))["items"][0]["id"] + "/holdings"))["items"]
    assert holding["security_id"] == old_id
    prices = (await read_json(client, target, f"/securities/{security['symbol']}/prices"))["prices"]
    assert [(p["date"], Decimal(p["close"])) for p in prices] == [("2024-01-02", Decimal(10)),
                                                                             ("2024-01-03", Decimal(11))]


async def test_a_security_quoted_in_another_currency_here_is_refused(client: httpx.AsyncClient,
                                                                     make_user: MakeUser) -> None:
    source, target = await make_user(), await make_user()
    broker = await create_account(client, source, name="Brokerage", type="investment")
    security = await create_security(client, source)
    await create_holding(client, source, broker["id"], symbol=security["symbol"], quantity="3", cost_basis="30")
    document = await export_document(client, source)
    document["securities"][0]["currency"] = "EUR"

    response = await restore(client, target, document)
    assert (response.status_code, error_code(response)) == (422, "EXPORT_DOCUMENT_INVALID")
    (error,) = response.json()["error"]["details"]["errors"]
    assert error["field"] == "securities[0].currency"
    assert "quoted in USD on this server, not EUR" in error["message"]


async def test_the_tenant_takes_the_documents_base_currency(client: httpx.AsyncClient,
                                                            make_user: MakeUser) -> None:
    source = await make_user(base_currency="CHF")
    target = await make_user(base_currency="USD")
    document = await small_document(client, source)

    response = await restore(client, target, document)
    assert (response.status_code, response.json()["base_currency"]) == (201, "CHF")
    assert (await read_json(client, target, "/users/me"))["base_currency"] == "CHF"
    monthly = await read_json(client, target, "/analytics/monthly/2024/3")  # read with the new currency at once
    assert monthly["currency"] == "CHF"
    assert Decimal(monthly["total_expenses"]) == Decimal(document["transactions"][0]["amount_base"]) > 0


# ---- who, and retries ---------------------------------------------------------------------------------

async def test_a_sub_user_exports_the_business_but_may_not_restore(client: httpx.AsyncClient,
                                                                   make_user: MakeUser) -> None:
    owner = await make_user(Role.business)
    sub_user = await make_user(Role.sub_user, business=owner)
    document = await small_document(client, owner)
    by_sub_user = await export_document(client, sub_user)
    assert by_sub_user | {"exported_at": None} == document | {"exported_at": None}

    stranger = await make_user()
    empty_business = await make_user(Role.business)
    helper = await make_user(Role.sub_user, business=empty_business)
    response = await restore(client, helper, await small_document(client, stranger))
    assert (response.status_code, error_code(response)) == (403, "FORBIDDEN")
    assert await held(client, empty_business) == {}


async def test_an_idempotency_key_replays_the_first_answer(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    source, target = await make_user(), await make_user()
    document = await small_document(client, source)
    first = await restore(client, target, document, **{"Idempotency-Key": "restore-1"})
    again = await restore(client, target, document, **{"Idempotency-Key": "restore-1"})
    assert (first.status_code, again.status_code, again.json()) == (201, 201, first.json())
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = await restore(client, target, document | {"goals": []}, **{"Idempotency-Key": "restore-1"})
    assert (other.status_code, error_code(other)) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert (await held(client, target))["transactions"] == 1


async def test_without_a_token_nothing_is_read_or_written(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{V1}/users/me/export")).status_code == 401
    response = await client.post(f"{V1}/users/me/import", headers=bearer("not-a-token"),
                                 files={"file": ("export.json", b"{}", "application/json")})
    assert response.status_code == 401


class _Upload:
    """The bytes of a file, read as the router hands an upload to the service."""

    def __init__(self, content: bytes) -> None:
        self._file = io.BytesIO(content)

    async def read(self, size: int = -1, /) -> bytes:
        return self._file.read(size)


async def test_two_restores_at_once_into_one_tenant_leave_one(engine: AsyncEngine, settings: Settings,
                                                               password_hash: str) -> None:
    """Each finds the tenant empty when it starts; the tenant's lock makes the second wait for the first and
    then find it full. Real transactions on the test database, not the rolled-back one of the other tests."""
    database = Database(engine)
    async with database.sessionmaker() as setup:
        owner = await add_user(setup, settings, password_hash)
        await setup.commit()
    tenant = Tenant(user_id=owner.id, tenant_id=owner.tenant_id, role=owner.role, base_currency="USD")

    def document(name: str) -> bytes:
        return json.dumps({"format": "colony-export", "version": 1, "base_currency": "USD", "categories": [
            {"id": str(uuid.uuid4()), "name": name, "kind": "expense"}]}).encode()

    async def restore_alone(name: str) -> str:
        async with database.sessionmaker() as session:
            try:
                await portability_service.restore(session, MemoryCache(), tenant, _Upload(document(name)))
            except TenantNotEmpty:
                return "refused"
            await commit(session)
            return "restored"

    try:
        outcomes = await asyncio.gather(restore_alone("First"), restore_alone("Second"))
        assert sorted(outcomes) == ["refused", "restored"]
        async with database.sessionmaker() as check:
            names = await category_service.names_of(check, owner.tenant_id)
        assert len(names) == 1
    finally:
        async with database.sessionmaker() as cleanup:
            await user_service.delete_user(cleanup, owner.id)
            await cleanup.commit()
