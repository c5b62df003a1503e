"""POST /imports and the import records: duplicates by content whatever way a row was entered, the
tenant's own export, dry runs, all or nothing, undo, categories, mappings, tenancy, unsafe XML."""

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.imports.bank import service as import_service
from colony.imports.bank.models import BankImport
from colony.imports.bank.service import created_ids
from colony.transactions.models import Transaction
from tests.factories import V1, MakeUser, UserHandle, create_account, create_category, create_transaction, error_code
from tests.imports.kit import URL, booked, fixture, imported, shown, upload

COFFEE_QIF = """!Type:Bank
D03/01/2024
T-4.75
PBlue Bottle Coffee
^
D03/01/2024
T-4.75
PBlue Bottle Coffee
^
D03/02/2024
T-12.00
PCinema Paradiso
^
"""


async def count_rows(session: AsyncSession, model: Any, tenant_id: uuid.UUID) -> int:
    return int((await session.execute(select(func.count()).select_from(model).where(
        model.tenant_id == tenant_id))).scalar_one())


async def test_rows_typed_through_the_api_count_as_duplicates(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    """The tenant typed one of the two coffees: the file's first coffee is that one, the second is new; the
    normalised description ignores case, punctuation and store numbers."""
    owner = await make_user()
    await create_transaction(client, owner, amount="4.75", date="2024-03-01", description="BLUE BOTTLE COFFEE #12")
    report = await imported(client, owner, COFFEE_QIF, "coffee.qif")
    assert (report["created"], report["skipped_duplicates"]) == (2, 1)
    assert report["skipped"][0]["row"] == 1 and report["skipped"][0]["reason"] == "duplicate"
    assert sorted(row[4] for row in shown(await booked(client, owner))) == [
        "BLUE BOTTLE COFFEE #12", "Blue Bottle Coffee", "Cinema Paradiso"]
    # an income of the same amount and day is not the same transaction
    other = await make_user()
    await create_transaction(client, other, type="income", amount="4.75", date="2024-03-01",
                             description="Blue Bottle Coffee")
    assert (await imported(client, other, COFFEE_QIF, "coffee.qif"))["created"] == 3


async def test_the_tenants_own_export_creates_nothing(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(base_currency="EUR")
    food = await create_category(client, owner, "Coffee")
    for _ in range(2):  # two identical coffees typed by hand
        await create_transaction(client, owner, amount="3.20", currency="EUR", date="2024-05-02",
                                 description="Café Central", category_id=food)
    await create_transaction(client, owner, type="income", amount="2500", currency="EUR", date="2024-05-01",
                             description="Salary May")
    await create_transaction(client, owner, amount="20", currency="USD", date="2024-05-03",
                             description="=HYPERLINK(\"x\")")  # exported as '=HYPERLINK...
    await create_transaction(client, owner, amount="9.99", currency="EUR", date="2024-05-04",
                             description="Streaming", status="planned")
    await imported(client, owner, COFFEE_QIF, "coffee.qif", currency="EUR")  # rows with bank-style text too
    before = shown(await booked(client, owner))
    exported = (await client.get(f"{V1}/transactions/export", headers=owner.headers)).content
    report = await imported(client, owner, exported, "transactions.csv")
    assert (report["created"], report["skipped_duplicates"], report["rows"]) == (0, len(before), len(before)), report
    assert report["mapping"]["columns"]["type"] == "type"
    assert shown(await booked(client, owner)) == before

    other = await make_user(base_currency="EUR")  # into another tenant: everything is new
    assert (await imported(client, other, exported, "transactions.csv"))["created"] == len(before)
    assert sorted(shown(await booked(client, other))) == sorted(before)


async def test_a_dry_run_writes_nothing_and_is_recorded(client: httpx.AsyncClient, make_user: MakeUser,
                                                        session: AsyncSession) -> None:
    owner = await make_user()
    report = await imported(client, owner, COFFEE_QIF, "coffee.qif", dry_run=True)
    assert (report["dry_run"], report["status"], report["created"], report["rows"]) == (True, "done", 3, 3)
    assert await booked(client, owner) == []
    assert await count_rows(session, Transaction, owner.tenant_id) == 0
    listed = (await client.get(URL, headers=owner.headers)).json()
    assert [item["id"] for item in listed["items"]] == [report["id"]] and listed["items"][0]["dry_run"] is True
    # undoing a dry run removes nothing
    assert (await client.delete(f"{URL}/{report['id']}", headers=owner.headers)).status_code == 204
    # and the real import after it creates everything
    assert (await imported(client, owner, COFFEE_QIF, "coffee.qif"))["created"] == 3


BAD_CSV = """Date,Description,Amount
2024-03-01,Groceries,-12.50
2024-03-02,Book shop,-1O.00
2024-02-30,Bakery,-3.10
2024-03-04,Refund,5.00
"""


async def test_a_bad_row_fails_the_whole_file_and_writes_nothing(client: httpx.AsyncClient, make_user: MakeUser,
                                                                 session: AsyncSession,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    owner = await make_user()
    monkeypatch.setattr(import_service, "BATCH", 1)  # rows before the bad ones were already booked, then undone
    response = await upload(client, owner, BAD_CSV, "bank.csv")
    assert response.status_code == 422 and error_code(response) == "IMPORT_INVALID", response.text
    details = response.json()["error"]["details"]
    assert [(error["row"], error["message"].split(":")[0]) for error in details["errors"]] == [
        (3, "amount"), (4, "date")]
    assert details["error_count"] == 2 and details["rows"] == 4
    assert await booked(client, owner) == []
    assert await count_rows(session, BankImport, owner.tenant_id) == 0  # not even the record
    # a file that can't be read at all
    response = await upload(client, owner, b"\x00\x01 not a bank file", "x.bin", format="ofx")
    assert response.status_code == 422 and error_code(response) == "IMPORT_FILE_INVALID", response.text
    response = await upload(client, owner, "Date,Amount\n2024-03-01,1\n", "x.csv")
    assert response.status_code == 422 and error_code(response) == "IMPORT_FILE_INVALID", response.text
    assert "payee or description" in response.json()["error"]["message"]


async def test_strict_mode_fails_rows_whose_category_the_tenant_lacks(client: httpx.AsyncClient,
                                                                      make_user: MakeUser) -> None:
    owner = await make_user()
    await create_category(client, owner, "Groceries")
    await create_category(client, owner, "Salary", "income")
    response = await upload(client, owner, fixture("us_checking.qif"), "us.qif", strict=True)
    assert response.status_code == 422 and error_code(response) == "IMPORT_INVALID"
    assert {(e["row"], e["message"]) for e in response.json()["error"]["details"]["errors"]} == {
        (1, "category: no expense category named 'Dining'"), (2, "category: no expense category named 'Dining'")}
    await imported(client, owner, fixture("us_checking.qif"), "us.qif")  # not strict: no category for those
    categories = {c["id"]: c["name"] for c in (await client.get(f"{V1}/categories", params={"size": 100},
                                                                headers=owner.headers)).json()["items"]}
    assert sorted((row["description"], categories.get(row["category_id"])) for row in await booked(client, owner)) == [
        ("ACME CORP PAYROLL", "Salary"), ("BLUE BOTTLE COFFEE #112", None), ("BLUE BOTTLE COFFEE #112", None),
        ("PARKSIDE APARTMENTS", None), ("WHOLE FOODS MARKET", "Groceries")]  # Groceries:Produce → Groceries


async def test_categories_come_from_the_tenants_history_when_confident(client: httpx.AsyncClient,
                                                                        make_user: MakeUser) -> None:
    owner = await make_user()
    coffee = await create_category(client, owner, "Coffee")
    await create_transaction(client, owner, amount="5.10", date="2024-01-05", description="BLUE BOTTLE COFFEE 0042",
                             category_id=coffee)
    await imported(client, owner, COFFEE_QIF, "coffee.qif")
    rows = {(row["date"], row["description"]): row["category_id"] for row in await booked(client, owner)}
    assert rows[("2024-03-01", "Blue Bottle Coffee")] == coffee
    assert rows[("2024-03-02", "Cinema Paradiso")] is None  # nothing like it in the history


async def undo(client: httpx.AsyncClient, user: UserHandle, import_id: str) -> dict[str, Any]:
    response = await client.delete(f"{URL}/{import_id}", headers=user.headers)
    assert response.status_code == 204, response.text
    record: dict[str, Any] = (await client.get(f"{URL}/{import_id}", headers=user.headers)).json()
    return record


async def test_undo_removes_only_the_rows_that_import_created(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(base_currency="EUR")
    typed = await create_transaction(client, owner, amount="10.99", currency="EUR", date="2024-04-03",
                                     description="Spotify AB")  # the DKB file has this row: skipped, never removed
    first = await imported(client, owner, fixture("de_dkb.csv"), "dkb.csv")
    second = await imported(client, owner, fixture("fr_banque.csv"), "fr.csv")
    assert (first["created"], first["skipped_duplicates"]) == (3, 1)
    train = next(row for row in await booked(client, owner) if row["description"] == "Deutsche Bahn Fernverkehr")
    response = await client.patch(f"{V1}/transactions/{train['id']}", json={"notes": "business trip"},
                                  headers=owner.headers)
    assert response.status_code == 200, response.text

    record = await undo(client, owner, first["id"])
    assert (record["status"], record["removed"], record["kept"]) == ("undone", 2, 1)
    left = await booked(client, owner)
    assert {row["id"] for row in left} >= {typed["id"], train["id"]}
    assert sorted(row["description"] for row in left) == sorted(
        ["Spotify AB", "Deutsche Bahn Fernverkehr", *(r[4] for r in shown(left) if r[3] == "EUR" and r[0] in (
            "2024-04-02", "2024-04-05", "2024-04-12", "2024-04-26"))])
    assert len(left) == 2 + second["created"]
    assert (await undo(client, owner, first["id"]))["removed"] == 2  # again: nothing changes
    assert len(await booked(client, owner)) == len(left)


async def test_an_imports_transactions_have_ids_of_its_own_range(client: httpx.AsyncClient,
                                                                 make_user: MakeUser) -> None:
    owner = await make_user(base_currency="EUR")
    typed = await create_transaction(client, owner, amount="1.00", currency="EUR", date="2024-04-01",
                                     description="Typed by hand")
    report = await imported(client, owner, fixture("de_dkb.csv"), "dkb.csv")
    first, last = created_ids(uuid.UUID(report["id"]))
    assert first.version == last.version == 8 and first.int >> 64 == last.int >> 64
    ids = sorted(uuid.UUID(row["id"]) for row in await booked(client, owner) if row["id"] != typed["id"])
    assert len(ids) == report["created"] and ids == [uuid.UUID(int=first.int + n) for n in range(len(ids))]
    assert not first <= uuid.UUID(typed["id"]) <= last  # a random id (version 4) is never in a range


async def test_another_tenants_import_does_not_exist(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner, stranger = await make_user(), await make_user()
    report = await imported(client, owner, COFFEE_QIF, "coffee.qif")
    for method in ("GET", "DELETE"):
        response = await client.request(method, f"{URL}/{report['id']}", headers=stranger.headers)
        assert response.status_code == 404 and error_code(response) == "IMPORT_NOT_FOUND", response.text
    assert (await client.get(URL, headers=stranger.headers)).json()["items"] == []
    assert len(await booked(client, owner)) == 3
    # the same file in two tenants: each tenant's own rows decide
    assert (await imported(client, stranger, COFFEE_QIF, "coffee.qif"))["created"] == 3


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-04-02</Dt></BookgDt>
<AddtlNtryInf>&lol9;</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt></Document>
"""


@pytest.mark.parametrize("format_", [None, "camt053"])
async def test_xml_with_an_entity_expansion_bomb_is_refused(format_: str | None, client: httpx.AsyncClient,
                                                            make_user: MakeUser) -> None:
    owner = await make_user(base_currency="EUR")
    response = await upload(client, owner, BOMB, "statement.xml", format=format_)
    assert response.status_code == 422 and error_code(response) == "IMPORT_FILE_INVALID", response.text
    assert "DTD" in response.json()["error"]["message"]
    assert await booked(client, owner) == []


async def test_a_bank_id_already_imported_is_skipped_even_if_the_text_changed(client: httpx.AsyncClient,
                                                                              make_user: MakeUser) -> None:
    owner = await make_user()
    await imported(client, owner, fixture("checking_v1.ofx"), "march.ofx")
    changed = fixture("checking_v1.ofx").replace(b"SHELL OIL 57442", b"SHELL 57442 COLUMBUS")
    report = await imported(client, owner, changed, "march-again.ofx")
    assert report["created"] == 0 and {skip["reason"] for skip in report["skipped"]} == {"bank_id"}
    assert "0042871190/20240302-0001" in report["skipped"][0]["message"]


async def test_a_mapping_given_saved_for_an_account_and_reused(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(base_currency="EUR")
    account = await create_account(client, owner, name="Girokonto", currency="EUR")
    text = ("Umsatz vom;Empfänger;Zweck;Soll/Haben;Summe\n"
            "02.05.2024;Bio Laden;Einkauf;S;12,40\n"
            "03.05.2024;Erstattung KK;Rückzahlung;H;80,00\n")
    response = await upload(client, owner, text, "export.csv")  # headers no dictionary knows
    assert response.status_code == 422 and error_code(response) == "IMPORT_FILE_INVALID"
    mapping = {"columns": {"date": "Umsatz vom", "payee": "Empfänger", "description": "Zweck", "type": "Soll/Haben",
                           "amount": "Summe"}}
    report = await imported(client, owner, text, "export.csv", mapping=mapping, account_id=account["id"],
                            save_mapping=True)
    assert (report["created"], report["mapping"]["date_format"], report["mapping"]["decimal_separator"]) == (
        2, "DD.MM.YYYY", ",")
    rows = await booked(client, owner)
    assert [(r["type"], r["amount"], r["description"], r["notes"], r["account_id"]) for r in rows] == [
        ("expense", "12.40", "Bio Laden", "Einkauf", account["id"]),
        ("income", "80.00", "Erstattung KK", "Rückzahlung", account["id"])]
    later = text.replace("03.05.2024;Erstattung KK;Rückzahlung;H;80,00", "09.05.2024;Kiosk;Zeitung;S;3,50")
    report = await imported(client, owner, later, "export.csv", account_id=account["id"])  # the saved mapping
    assert (report["created"], report["skipped_duplicates"]) == (1, 1)


async def test_an_account_of_another_tenant_is_invalid(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner, stranger = await make_user(), await make_user()
    account = await create_account(client, stranger, name="Theirs")
    response = await upload(client, owner, COFFEE_QIF, "coffee.qif", account_id=account["id"])
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"]["errors"][0]["field"] == "body.account_id"
    response = await upload(client, owner, COFFEE_QIF, "coffee.qif", mapping={"delimiter": ";;"})
    assert response.status_code == 422 and response.json()["error"]["details"]["errors"][0]["field"] == "body.mapping"


async def test_idempotency_key_replays_the_first_answer(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    headers = {**owner.headers, "Idempotency-Key": "import-1"}
    first = await client.post(URL, files={"file": ("c.qif", COFFEE_QIF.encode())}, headers=headers)
    second = await client.post(URL, files={"file": ("c.qif", COFFEE_QIF.encode())}, headers=headers)
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    dry = await client.post(URL, files={"file": ("c.qif", COFFEE_QIF.encode())}, data={"dry_run": "true"},
                            headers=headers)
    assert dry.status_code == 422 and error_code(dry) == "IDEMPOTENCY_KEY_REUSED"
    another_file = COFFEE_QIF.replace("Blue Bottle", "Green Bottle").encode()
    other = await client.post(URL, files={"file": ("c.qif", another_file)}, headers=headers)  # the same key
    assert other.status_code == 422 and error_code(other) == "IDEMPOTENCY_KEY_REUSED", other.text
    assert len(await booked(client, owner)) == 3


async def test_a_zero_amount_is_skipped_not_refused(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    text = "Date,Description,Amount\n2024-03-01,Interest,0.00\n2024-03-02,Bookshop,-8.00\n"
    report = await imported(client, owner, text, "bank.csv")
    assert (report["created"], report["skipped_duplicates"]) == (1, 0)
    assert report["skipped"] == [{"row": 2, "reason": "zero_amount", "message": "a zero amount moves no money"}]
