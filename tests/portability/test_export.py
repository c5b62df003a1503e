"""GET /users/me/export: the tenant's rows and nothing else, values written exactly, JSON or a zip of CSV
files, written a batch at a time."""

import csv
import datetime as dt
import io
import json
import re
import zipfile
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from colony.categories.models import Category, CategoryKind
from colony.config import Settings
from colony.core import clock
from colony.core.db import Database
from colony.core.tenancy import Tenant
from colony.portability import service as portability_service
from colony.portability.sections import FORMAT, SECTIONS, VERSION
from colony.transactions.models import Transaction, TransactionType
from colony.users import service as user_service
from tests.factories import MakeUser, add_user, create_category, create_transaction
from tests.portability.ledger import TODAY, build, export, export_document

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


async def test_the_document_has_its_header_and_every_section_in_order(client: httpx.AsyncClient,
                                                                      make_user: MakeUser) -> None:
    owner = await make_user(base_currency="EUR")
    response = await export(client, owner)
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"] == 'attachment; filename="colony-export-2024-06-30.json"'
    document = response.json()
    assert list(document) == ["format", "version", "exported_at", "base_currency", "colony_version",
                              *(section.name for section in SECTIONS)]
    assert (document["format"], document["version"], document["base_currency"]) == (FORMAT, VERSION, "EUR")
    assert TIMESTAMP.fullmatch(document["exported_at"])
    assert all(document[section.name] == [] for section in SECTIONS)


async def test_values_are_written_exactly(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    food = await create_category(client, owner, "Food")
    await create_transaction(client, owner, amount="1234567.89", currency="USD", date="2024-02-29",
                             description="Exact", category_id=food, notes=None)
    await create_transaction(client, owner, amount="1000", currency="JPY", date="2024-03-01", description="Yen")
    document = await export_document(client, owner)
    exact, yen = document["transactions"]
    assert (exact["amount"], exact["amount_base"], exact["exchange_rate"], exact["date"]) == \
        ("1234567.89", "1234567.89", "1", "2024-02-29")
    assert (exact["type"], exact["status"], exact["notes"], exact["category_id"]) == ("expense", "paid", None, food)
    assert UUID.fullmatch(exact["id"]) and TIMESTAMP.fullmatch(exact["created_at"])
    assert (yen["amount"], yen["currency"]) == ("1000", "JPY")
    assert isinstance(yen["amount_base"], str) and isinstance(yen["exchange_rate"], str)
    assert "tenant_id" not in exact and "created_by_id" not in exact


async def test_another_tenants_rows_are_never_in_an_export(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    mine, theirs = await make_user(), await make_user()
    await build(client, mine)
    await build(client, theirs)
    my_document, their_document = await export_document(client, mine), await export_document(client, theirs)
    for section in SECTIONS:
        assert my_document[section.name], section.name
        if section.has_ids and section.name != "securities":
            assert not {row["id"] for row in my_document[section.name]} & \
                {row["id"] for row in their_document[section.name]}, section.name
    # each tenant gets the securities its own rows name (a symbol of its own here), not the other's
    assert {row["symbol"] for row in my_document["securities"]} != {row["symbol"] for row in their_document[
        "securities"]}
    assert len(my_document["securities"]) == 1


async def test_the_zip_holds_one_csv_per_section_with_the_documents_rows(client: httpx.AsyncClient,
                                                                         make_user: MakeUser) -> None:
    owner = await make_user()
    await build(client, owner)
    document = await export_document(client, owner)
    response = await export(client, owner, format="zip")
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == 'attachment; filename="colony-export-2024-06-30.zip"'

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    assert archive.namelist() == ["manifest.json", *(f"{section.name}.csv" for section in SECTIONS)]
    for section in SECTIONS:
        rows = list(csv.reader(io.StringIO(archive.read(f"{section.name}.csv").decode())))
        assert rows[0] == list(section.column_names)
        assert [row[0] for row in rows[1:]] == [str(row[section.column_names[0]]) for row in document[section.name]]
    transactions = list(csv.DictReader(io.StringIO(archive.read("transactions.csv").decode())))
    (cinema,) = [row for row in transactions if "cinema" in row["description"]]
    assert cinema["description"] == "'=cinema+popcorn"  # a spreadsheet shows it, never runs it
    assert {row["amount"] for row in transactions} >= {"4800", "640"}
    (saved,) = csv.DictReader(io.StringIO(archive.read("import_mappings.csv").decode()))
    assert json.loads(saved["mapping"]) == document["import_mappings"][0]["mapping"]


async def test_the_export_is_written_a_batch_at_a_time(client: httpx.AsyncClient, make_user: MakeUser,
                                                       session: AsyncSession) -> None:
    owner = await make_user()
    for day in range(1, 8):
        await create_transaction(client, owner, date=f"2024-03-{day:02d}", description=f"d{day}")
    tenant = Tenant(user_id=owner.id, tenant_id=owner.tenant_id, role=owner.role, base_currency="USD")

    chunks = [chunk async for chunk in portability_service.export_json(session, tenant, batch=3)]
    # the header; per section its opening, a chunk per batch of at most 3 rows, its end; the closing brace
    assert len(chunks) == 1 + 2 * (len(SECTIONS) - 1) + (2 + 3) + 1
    row_chunks = [chunk for chunk in chunks if chunk.lstrip(b",").startswith(b'{"id"')]
    assert [chunk.count(b'"description"') for chunk in row_chunks] == [3, 3, 1]

    # the zip: the manifest, each member once it is complete (and on the way, as the compressor fills up), the end
    zipped = [chunk async for chunk in portability_service.export_zip(session, tenant, batch=3)]
    assert len(zipped) >= 1 + len(SECTIONS) + 1
    archive = zipfile.ZipFile(io.BytesIO(b"".join(zipped)))
    assert archive.testzip() is None and archive.read("transactions.csv").count(b"\n") == 1 + 7


async def test_the_export_reads_one_snapshot_whatever_is_written_meanwhile(
        engine: AsyncEngine, settings: Settings, password_hash: str) -> None:
    """A category and a transaction in it, committed while the export is between its categories and its
    transactions: neither is in the document (a transaction whose category the document lacks could not be
    restored). Real transactions on the test database, not the rolled-back one of the other tests."""
    database = Database(engine)
    async with database.sessionmaker() as setup:
        owner = await add_user(setup, settings, password_hash)
        await setup.commit()
    tenant = Tenant(user_id=owner.id, tenant_id=owner.tenant_id, role=owner.role, base_currency="USD")
    try:
        async with database.snapshot_reader() as reader:
            chunks = portability_service.export_json(reader, tenant)
            written = [await anext(chunks) for _ in range(4)]  # the header, and the categories: start, end
            assert written[1:] == [b',"categories":[', b"]", b',"payment_methods":[']
            async with database.sessionmaker() as writer:
                category = Category(tenant_id=owner.tenant_id, name="Late", kind=CategoryKind.expense)
                writer.add(category)
                await writer.flush()
                writer.add(Transaction(tenant_id=owner.tenant_id, type=TransactionType.expense, amount=Decimal(5),
                                       currency="USD", date=dt.date(2024, 3, 1), description="Late lunch",
                                       category_id=category.id, amount_base=Decimal(5), base_currency="USD",
                                       exchange_rate=Decimal(1)))
                await writer.commit()
            written += [chunk async for chunk in chunks]
        document = json.loads(b"".join(written))
        assert (document["categories"], document["transactions"]) == ([], [])
    finally:
        async with database.sessionmaker() as cleanup:
            await user_service.delete_user(cleanup, owner.id)
            await cleanup.commit()
