"""CSV export: header, exact amounts, names, filters, formula neutralising, tenancy, streaming."""

import csv
import io

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.tenancy import Role, Tenant
from colony.imports import service as csv_io
from colony.transactions.schemas import TransactionFilters, TransactionSort
from tests.factories import V1, MakeUser, create_category, create_payment_method, create_transaction

URL = f"{V1}/transactions/export"
HEADER = "id,date,type,amount,currency,amount_base,base_currency,category,payment_method,description,notes,status"


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_export_header_rows_and_values(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    food = await create_category(client, owner, "Food")
    card = await create_payment_method(client, owner, "Visa", type="credit_card")
    a = await create_transaction(client, owner, amount="0.10", date="2024-03-01", category_id=food,
                                 payment_method_id=card, description="Lunch, with \"quotes\"", notes="line1\nline2")
    b = await create_transaction(client, owner, type="income", amount="1500", currency="EUR", date="2024-03-02",
                                 description="Salary", status="planned")
    r = await client.get(URL, params={"format": "csv"}, headers=owner.headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.text.splitlines()[0] == HEADER
    rows = rows_of(r.text)
    assert [row["id"] for row in rows] == [b["id"], a["id"]]  # the list's default order: newest first
    assert rows[1] == {"id": a["id"], "date": "2024-03-01", "type": "expense", "amount": "0.10", "currency": "USD",
                       "amount_base": "0.10", "base_currency": "USD", "category": "Food", "payment_method": "Visa",
                       "description": "Lunch, with \"quotes\"", "notes": "line1\nline2", "status": "paid"}
    assert rows[0]["amount"] == "1500.00" and rows[0]["currency"] == "EUR"
    assert rows[0]["amount_base"] == b["amount_base"] and rows[0]["status"] == "planned"
    assert rows[0]["category"] == "" and rows[0]["notes"] == ""


async def test_export_filters_like_the_list(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    await create_transaction(client, owner, description="coffee beans", amount="1.00", date="2024-01-05")
    await create_transaction(client, owner, description="Rent", amount="900", date="2024-02-01")
    await create_transaction(client, owner, type="income", description="Salary", amount="3000", date="2024-02-01")
    r = await client.get(URL, params={"type": "expense", "start_date": "2024-01-01", "end_date": "2024-01-31"},
                         headers=owner.headers)
    assert [row["description"] for row in rows_of(r.text)] == ["coffee beans"]
    r = await client.get(URL, params={"q": "RENT"}, headers=owner.headers)
    assert [row["description"] for row in rows_of(r.text)] == ["Rent"]
    r = await client.get(URL, params={"sort": "amount"}, headers=owner.headers)
    assert [row["description"] for row in rows_of(r.text)] == ["coffee beans", "Rent", "Salary"]
    r = await client.get(URL, params={"start_date": "2024-03-01", "end_date": "2024-01-01"}, headers=owner.headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert (await client.get(URL, params={"format": "xlsx"}, headers=owner.headers)).status_code == 422
    r = await client.get(URL, params={"type": "income", "q": "nothing"}, headers=owner.headers)
    assert r.text.splitlines() == [HEADER]  # no rows: the header alone
    assert (await client.get(URL)).status_code == 401


async def test_export_neutralises_formulas(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    cat = await create_category(client, owner, "@SUM(A1)")
    await create_transaction(client, owner, description="=HYPERLINK(\"http://evil\")", notes="+1", category_id=cat,
                             date="2024-03-15")
    await create_transaction(client, owner, description="-2", notes="safe = text", date="2024-03-14")
    rows = rows_of((await client.get(URL, headers=owner.headers)).text)
    assert rows[0]["description"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[0]["notes"] == "'+1" and rows[0]["category"] == "'@SUM(A1)"
    assert rows[1]["description"] == "'-2" and rows[1]["notes"] == "safe = text"
    assert csv_io.safe_cell("\tcmd") == "'\tcmd" and csv_io.safe_cell(None) == ""


async def test_export_shows_only_own_tenant(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    business = await make_user(Role.business)
    sub = await make_user(Role.sub_user, business=business)
    stranger = await make_user()
    mine = await create_transaction(client, sub, description="ours")
    await create_transaction(client, stranger, description="theirs")
    for user in (business, sub):
        rows = rows_of((await client.get(URL, headers=user.headers)).text)
        assert [row["id"] for row in rows] == [mine["id"]]
    rows = rows_of((await client.get(URL, headers=stranger.headers)).text)
    assert [row["description"] for row in rows] == ["theirs"]


async def test_export_streams_in_batches(client: httpx.AsyncClient, make_user: MakeUser, session: AsyncSession) -> None:
    owner = await make_user()
    for day in range(1, 8):
        await create_transaction(client, owner, date=f"2024-03-{day:02d}", description=f"d{day}")
    tenant = Tenant(user_id=owner.id, tenant_id=owner.tenant_id, role=owner.role, base_currency="USD")
    chunks = [chunk async for chunk in csv_io.export_csv(
        session, tenant, TransactionFilters(sort=TransactionSort.date_asc), batch=3)]
    # the header, then one chunk per batch of at most 3 rows, each a whole number of CSV lines
    assert len(chunks) == 4
    assert chunks[0].decode().splitlines() == [HEADER]
    assert [len(chunk.decode().splitlines()) for chunk in chunks[1:]] == [3, 3, 1]
    text = b"".join(chunks).decode()
    assert [row["description"] for row in rows_of(text)] == [f"d{day}" for day in range(1, 8)]
