"""CSV import: all or nothing, row errors with row numbers, duplicates, categories within the tenant,
conversion to the base currency, file-level errors, sub-users, idempotency."""

import uuid
from datetime import date
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.tenancy import Role
from colony.exchange_rates import service as rate_service
from colony.imports import service as csv_io
from colony.transactions import service as transaction_service
from colony.transactions.models import Transaction
from tests.factories import V1, MakeUser, UserHandle, create_category, create_transaction

URL = f"{V1}/transactions/import"
HEADER = "date,amount,currency,description,category,type\n"


async def upload(client: httpx.AsyncClient, user: UserHandle, text: str | bytes,
                 **headers: str) -> httpx.Response:
    data = text.encode() if isinstance(text, str) else text
    return await client.post(URL, files={"file": ("t.csv", data, "text/csv")}, headers={**user.headers, **headers})


async def listed(client: httpx.AsyncClient, user: UserHandle) -> list[dict[str, object]]:
    r = await client.get(f"{V1}/transactions", params={"sort": "date", "size": 100}, headers=user.headers)
    items: list[dict[str, object]] = r.json()["items"]
    return items


async def test_import_creates_rows_then_reimport_creates_nothing(client: httpx.AsyncClient,
                                                                 make_user: MakeUser) -> None:
    owner = await make_user()
    food = await create_category(client, owner, "Food")
    salary = await create_category(client, owner, "Salary", "income")
    text = HEADER + (
        "2024-03-01,0.1,USD,Lunch,food,expense\n"
        "2024-03-01,0.1,USD,Lunch,FOOD,expense\n"  # identical purchase, same day: a second transaction
        "2024-03-02,0.20,usd,Coffee,,Expense\n"
        "\n"  # blank lines are ignored
        "2024-03-05,2500,USD,March salary, Salary ,income\n"
    )
    r = await upload(client, owner, text)
    assert r.status_code == 200, r.text
    assert r.json() == {"created": 4, "skipped_duplicates": 0, "errors": []}
    items = await listed(client, owner)
    assert [(i["date"], i["amount"], i["description"], i["category_id"], i["type"], i["status"]) for i in items] == [
        ("2024-03-01", "0.10", "Lunch", food, "expense", "paid"),
        ("2024-03-01", "0.10", "Lunch", food, "expense", "paid"),
        ("2024-03-02", "0.20", "Coffee", None, "expense", "paid"),
        ("2024-03-05", "2500.00", "March salary", salary, "income", "paid"),
    ]
    report = (await client.get(f"{V1}/analytics/monthly/2024/3", headers=owner.headers)).json()
    assert report["total_expenses"] == "0.40" and report["total_income"] == "2500.00"

    r = await upload(client, owner, text)  # the same file again
    assert r.json() == {"created": 0, "skipped_duplicates": 4, "errors": []}
    # one more row, and a third identical lunch: only those are new
    r = await upload(client, owner, text + "2024-03-01,0.1,USD,Lunch,Food,expense\n2024-03-09,3,USD,Bus,,expense\n")
    assert r.json() == {"created": 2, "skipped_duplicates": 4, "errors": []}
    assert len(await listed(client, owner)) == 6


async def test_rows_imported_meanwhile_fail_the_whole_file(
        client: httpx.AsyncClient, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two imports of one file racing: the loser's duplicate check saw nothing, its insert hits the unique
    fingerprint (PostgreSQL's COPY or SQLite's INSERT), and none of its rows land."""
    owner = await make_user()
    first = HEADER + "2024-03-01,0.1,USD,Lunch,,expense\n"
    assert (await upload(client, owner, first)).json()["created"] == 1

    async def saw_nothing(*_args: object) -> set[str]:
        return set()

    monkeypatch.setattr(transaction_service, "import_hashes_between", saw_nothing)
    r = await upload(client, owner, first + "2024-03-02,5,USD,Cinema,,expense\n")
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "IMPORT_CONFLICT"
    assert [item["description"] for item in await listed(client, owner)] == ["Lunch"]


async def test_any_row_error_creates_nothing_and_lists_every_error(client: httpx.AsyncClient,
                                                                   make_user: MakeUser) -> None:
    owner = await make_user()
    await create_category(client, owner, "Food")
    await create_category(client, owner, "Salary", "income")
    text = HEADER + (
        "2024-03-01,10,USD,Fine,Food,expense\n"       # row 2: fine
        "2024-02-30,10,USD,Bad date,,expense\n"       # row 3
        "2024-03-01,-5,USD,Negative,,expense\n"       # row 4
        "2024-03-01,1.234,USD,Too precise,,expense\n" # row 5
        "2024-03-01,100,JPY,Fine yen,,expense\n"      # row 6: fine
        "2024-03-01,1.5,JPY,Yen decimals,,expense\n"  # row 7
        "2024-03-01,10,XXX,Unknown,,expense\n"        # row 8
        "2024-03-01,10,USD,,,expense\n"               # row 9: no description
        "2024-03-01,10,USD,Typo,,expanse\n"           # row 10
        "2024-03-01,10,USD,Wrong kind,Salary,expense\n"  # row 11: Salary is an income category
        "2024-03-01,10,USD,Unknown cat,Nope,expense\n"   # row 12
        "1999-01-01,10,GBP,Before the data,,expense\n"   # row 13: no rate (tests load rates from 2020)
        "2024-03-01,abc,USD,Not a number,,expense\n"     # row 14
    )
    r = await upload(client, owner, text)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["created"] == 0
    assert [e["row"] for e in body["errors"]] == [3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14]
    messages = {e["row"]: e["message"] for e in body["errors"]}
    assert messages[3].startswith("date:")
    assert messages[4] == "amount: must be greater than 0"
    assert messages[5] == "amount: USD amounts have at most 2 decimals"
    assert messages[7] == "amount: JPY amounts have at most 0 decimals"
    assert messages[8].startswith("currency:") and "XXX" in messages[8]
    assert messages[9] == "description: must not be empty"
    assert messages[10].startswith("type:")
    assert messages[11] == "category: no expense category named 'Salary'"
    assert messages[12] == "category: no expense category named 'Nope'"
    assert messages[13].startswith("currency: no GBP/USD exchange rate")
    assert messages[14].startswith("amount:")
    assert await listed(client, owner) == []  # all or nothing


async def test_several_errors_in_one_row(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    r = await upload(client, owner, HEADER + "yesterday,0,USD,,,\n")
    errors = r.json()["errors"]
    assert {e["row"] for e in errors} == {2}
    assert sorted(e["message"].split(":")[0] for e in errors) == ["amount", "date", "description", "type"]


async def test_category_names_resolve_within_the_tenant(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    stranger = await make_user()
    await create_category(client, stranger, "Secret")
    r = await upload(client, owner, HEADER + "2024-03-01,10,USD,x,Secret,expense\n")
    assert r.json()["errors"] == [{"row": 2, "message": "category: no expense category named 'Secret'"}]
    # and the stranger imports its own file with its own category; the owner sees none of it
    r = await upload(client, stranger, HEADER + "2024-03-01,10,USD,x,secret,expense\n")
    assert r.json()["created"] == 1
    assert await listed(client, owner) == []
    # the same file by two tenants: fingerprints are per tenant, so both create
    r = await upload(client, owner, HEADER + "2024-03-01,10,USD,y,,expense\n")
    r2 = await upload(client, stranger, HEADER + "2024-03-01,10,USD,y,,expense\n")
    assert r.json()["created"] == 1 and r2.json()["created"] == 1


async def test_foreign_currencies_are_converted_at_the_rate_of_the_date(
        client: httpx.AsyncClient, make_user: MakeUser, session: AsyncSession) -> None:
    owner = await make_user(base_currency="EUR")
    r = await upload(client, owner, HEADER + "2024-03-15,12.34,USD,a,,expense\n2024-03-16,1000,JPY,b,,expense\n"
                                             "2024-03-16,5.00,EUR,c,,expense\n")
    assert r.json()["created"] == 3, r.text
    items = {i["description"]: i for i in await listed(client, owner)}
    for desc, currency, amount, day in (("a", "USD", "12.34", 15), ("b", "JPY", "1000", 16)):
        conversion = await rate_service.rate_on(session, currency, "EUR", date(2024, 3, day), tenant_id=None)
        assert items[desc]["amount_base"] == str(conversion.apply(Decimal(amount), "EUR"))
        assert items[desc]["base_currency"] == "EUR"
    assert items["c"]["amount_base"] == "5.00" and items["c"]["exchange_rate"] == "1"


async def test_export_then_import_round_trip(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    food = await create_category(client, owner, "Food")
    await create_transaction(client, owner, amount="4.20", date="2024-04-01", description="Tea", category_id=food,
                             notes="green")
    await create_transaction(client, owner, amount="7", date="2024-04-01", description="Cinema", status="planned")
    exported = (await client.get(f"{V1}/transactions/export", headers=owner.headers)).text
    other = await make_user()
    await create_category(client, other, "food")
    r = await upload(client, other, exported)
    assert r.json() == {"created": 2, "skipped_duplicates": 0, "errors": []}
    rows = {i["description"]: i for i in await listed(client, other)}
    assert rows["Tea"]["notes"] == "green" and rows["Tea"]["amount"] == "4.20"
    assert rows["Cinema"]["status"] == "planned"


async def test_file_level_errors(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    r = await upload(client, owner, "date,amount,description\n2024-01-01,1,x\n")
    assert r.status_code == 422 and r.json()["error"]["code"] == "IMPORT_FILE_INVALID"
    assert r.json()["error"]["details"]["missing_columns"] == ["currency", "type"]
    r = await upload(client, owner, "")
    assert r.status_code == 422 and r.json()["error"]["code"] == "IMPORT_FILE_INVALID"
    r = await upload(client, owner, (HEADER + "2024-01-01,1,USD,caf\xe9,,expense\n").encode("latin-1"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "IMPORT_FILE_INVALID"
    r = await client.post(URL, headers=owner.headers)  # no file
    assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_ERROR"
    # Too large an upload: tests/core/test_input_limits.py (413 PAYLOAD_TOO_LARGE, refused unread).
    assert (await upload(client, owner, HEADER)).json() == {"created": 0, "skipped_duplicates": 0, "errors": []}
    assert (await client.post(URL, files={"file": ("t.csv", b"x")})).status_code == 401


async def test_bom_crlf_and_column_order(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    text = "\ufeffType,Description,Amount,Currency,Date,Extra\r\nincome,\"Refund, partial\",3.5,USD,2024-05-05,zzz\r\n"
    r = await upload(client, owner, text)
    assert r.json() == {"created": 1, "skipped_duplicates": 0, "errors": []}, r.text
    [item] = await listed(client, owner)
    assert (item["type"], item["description"], item["amount"]) == ("income", "Refund, partial", "3.50")


async def test_sub_user_imports_into_the_business(
        client: httpx.AsyncClient, make_user: MakeUser, session: AsyncSession) -> None:
    business = await make_user(Role.business)
    sub = await make_user(Role.sub_user, business=business)
    r = await upload(client, sub, HEADER + "2024-03-01,10,USD,x,,expense\n")
    assert r.json()["created"] == 1
    [item] = await listed(client, business)
    created_by = (await session.execute(select(Transaction.created_by_id).where(
        Transaction.tenant_id == business.tenant_id))).scalar_one()
    assert created_by == sub.id and item["description"] == "x"


async def test_idempotency_key_replays_the_first_report(
        client: httpx.AsyncClient, make_user: MakeUser, session: AsyncSession) -> None:
    owner = await make_user()
    text = HEADER + "2024-03-01,10,USD,x,,expense\n"
    first = await upload(client, owner, text, **{"Idempotency-Key": "imp-1"})
    second = await upload(client, owner, text, **{"Idempotency-Key": "imp-1"})
    assert first.json() == second.json() == {"created": 1, "skipped_duplicates": 0, "errors": []}
    assert second.headers.get("Idempotent-Replayed") == "true"
    other = await upload(client, owner, text + "2024-03-02,1,USD,y,,expense\n", **{"Idempotency-Key": "imp-1"})
    assert other.status_code == 422 and other.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    count = (await session.execute(select(func.count()).select_from(Transaction).where(
        Transaction.tenant_id == owner.tenant_id))).scalar_one()
    assert count == 1


def test_fingerprint_is_stable_and_distinguishes_occurrences() -> None:
    parsed = csv_io._parse(HEADER + "2024-03-01,0.1,USD,Lunch,,expense\n2024-03-01,0.10,USD,Lunch,,expense\n")
    a, b = parsed.rows
    tenant = uuid.UUID(int=1)
    assert csv_io.fingerprint(tenant, a, 1) == csv_io.fingerprint(tenant, b, 1)  # 0.1 and 0.10 are one amount
    assert csv_io.fingerprint(tenant, a, 1) != csv_io.fingerprint(tenant, a, 2)
    assert csv_io.fingerprint(tenant, a, 1) != csv_io.fingerprint(uuid.UUID(int=2), a, 1)
