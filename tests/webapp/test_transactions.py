"""The transactions page: the API's list behind filters, search and paging; add, edit and delete through the
API's service; a bank file imported with its report; another tenant's rows don't exist here either."""

import re
from decimal import Decimal

import httpx

from colony.core.tenancy import Role
from tests.factories import (
    V1,
    MakeUser,
    UserHandle,
    create_category,
    create_expense,
    create_transaction,
    read_json,
)
from tests.webapp.pages import APP, csrf_token, htmx_headers, page, signed_in

ROW = re.compile(r'<tr id="tx-([0-9a-f-]{36})"')


def row_ids(html: str) -> list[str]:
    return ROW.findall(html)


async def _expenses(client: httpx.AsyncClient, user: UserHandle, count: int) -> list[str]:
    """`count` expenses on distinct days of 2024, newest last."""
    return [(await create_expense(client, user, date=f"2024-{1 + n // 28:02d}-{1 + n % 28:02d}",
                                  description=f"Expense {n}"))["id"] for n in range(count)]


# ---- the list ----

async def test_the_list_pages_through_the_apis_list_newest_first(client: httpx.AsyncClient,
                                                                 make_user: MakeUser) -> None:
    user = await make_user()
    ids = await _expenses(client, user, 30)
    await signed_in(client, user)
    first = await page(client, "/transactions")
    assert row_ids(first) == list(reversed(ids))[:25]
    assert "30 transactions, page 1 of 2" in first
    second = await page(client, "/transactions", page=2)
    assert row_ids(second) == list(reversed(ids))[25:]
    api = await read_json(client, user, "/transactions", size=25, page=2)
    assert row_ids(second) == [item["id"] for item in api["items"]]


async def test_an_htmx_filter_gets_only_the_results(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    await create_expense(client, user, description="Train to Lyon", date="2024-02-01")
    await create_expense(client, user, description="Bakery", date="2024-02-02")
    await signed_in(client, user)
    full = await page(client, "/transactions")
    response = await client.get(f"{APP}/transactions", params={"q": "lyon"},
                                headers=htmx_headers(full) | {"HX-Target": "results"})
    assert response.status_code == 200
    assert "<html" not in response.text and "Train to Lyon" in response.text and "Bakery" not in response.text


async def test_filters_give_what_the_api_gives(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    food = await create_category(client, user, "Food")
    salary = await create_category(client, user, "Salary job", "income")
    await create_expense(client, user, description="Groceries", date="2024-03-02", category_id=food)
    await create_expense(client, user, description="Restaurant", date="2024-03-20", category_id=food,
                         notes="birthday dinner")
    await create_expense(client, user, description="Cinema", date="2024-03-21", status="planned")
    await create_transaction(client, user, type="income", description="Pay", date="2024-03-25",
                             category_id=salary)
    await signed_in(client, user)
    cases = [{"q": "BIRTHDAY"}, {"category_id": food}, {"type": "income"}, {"status": "planned"},
             {"start_date": "2024-03-10", "end_date": "2024-03-21"}, {"q": "", "type": ""}]
    for filters in cases:
        html = await page(client, "/transactions", **filters)
        api = await read_json(client, user, "/transactions", **{k: v for k, v in filters.items() if v})
        assert row_ids(html) == [item["id"] for item in api["items"]], filters
        assert row_ids(html), filters


async def test_invalid_filters_say_what_is_wrong(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    await signed_in(client, await make_user())
    for filters, words in (({"start_date": "2024-03-10", "end_date": "2024-03-01"}, "start date"),
                           ({"start_date": "yesterday"}, "start date"), ({"category_id": "nope"}, "category id"),
                           ({"type": "gift"}, "type"), ({"page": "-3"}, None)):
        response = await client.get(f"{APP}/transactions", params=filters)
        if words is None:
            assert response.status_code == 200  # a page number out of range is the first page
            continue
        assert response.status_code == 422, filters
        assert "Check the filters" in response.text and words in response.text, (filters, response.text)


# ---- add, edit, delete ----

async def _add_form(client: httpx.AsyncClient) -> tuple[str, str]:
    html = await page(client, "/transactions")
    form = html[html.index('<form id="add"'):]
    return html, csrf_token(form)


async def test_adding_an_expense_through_the_form(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    food = await create_category(client, user, "Food")
    await signed_in(client, user)
    _, token = await _add_form(client)
    response = await client.post(f"{APP}/transactions", data={
        "type": "expense", "amount": "1,234.50", "currency": "usd", "date": "2024-04-01", "description": "Sofa",
        "category_id": food, "status": "paid", "csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/app/transactions"
    items = (await read_json(client, user, "/transactions"))["items"]
    assert [(i["description"], i["amount"], i["currency"], i["category_id"]) for i in items] == [
        ("Sofa", "1234.50", "USD", food)]


async def test_amounts_may_be_typed_as_the_locale_writes_them(client: httpx.AsyncClient,
                                                              make_user: MakeUser) -> None:
    user = await make_user(base_currency="EUR")
    await client.patch(f"{V1}/users/me", headers=user.headers, json={"locale": "fr-FR"})
    await signed_in(client, user)
    _, token = await _add_form(client)
    response = await client.post(f"{APP}/transactions", data={
        "type": "expense", "amount": "1\u202f234,56", "currency": "EUR", "date": "2024-04-01",
        "description": "Canapé", "csrf_token": token})
    assert response.status_code == 303, response.text
    assert (await read_json(client, user, "/transactions"))["items"][0]["amount"] == "1234.56"


async def test_an_invalid_form_comes_back_with_each_problem(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    await signed_in(client, user)
    _, token = await _add_form(client)
    response = await client.post(f"{APP}/transactions", data={
        "type": "expense", "amount": "12.345", "currency": "USD", "date": "someday", "description": "",
        "csrf_token": token})
    assert response.status_code == 422
    for field in ("amount", "date", "description"):
        assert f'id="e-{field}"' in response.text, field
    assert "at most 2 decimals" in response.text
    assert (await read_json(client, user, "/transactions"))["total"] == 0


async def test_a_rule_of_the_service_is_shown_with_the_form(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    """An income category on an expense: the service's own 422, beside the category field."""
    user = await make_user()
    salary = await create_category(client, user, "Salary job", "income")
    await signed_in(client, user)
    _, token = await _add_form(client)
    response = await client.post(f"{APP}/transactions", data={
        "type": "expense", "amount": "5", "currency": "USD", "date": "2024-04-01", "description": "x",
        "category_id": salary, "csrf_token": token})
    assert response.status_code == 422 and 'id="e-category_id"' in response.text


async def test_adding_with_htmx_answers_the_emptied_form_and_refreshes_the_results(
        client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    await signed_in(client, user)
    html, _ = await _add_form(client)
    response = await client.post(f"{APP}/transactions", headers=htmx_headers(html), data={
        "type": "income", "amount": "40", "currency": "USD", "date": "2024-04-02", "description": "Refund"})
    assert response.status_code == 200
    assert response.headers["hx-trigger"] == "transactions-changed"
    assert 'id="add"' in response.text and 'value="Refund"' not in response.text
    assert "Added “Refund”: $40.00" in response.text
    invalid = await client.post(f"{APP}/transactions", headers=htmx_headers(html), data={"amount": "x"})
    assert invalid.status_code == 422 and 'id="add"' in invalid.text and "<html" not in invalid.text


async def test_editing_a_transaction(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    tx = await create_expense(client, user, description="Lunch", amount="12.50", notes="with Sam")
    await signed_in(client, user)
    form = await page(client, f"/transactions/{tx['id']}/edit", back="q=lunch&page=2")
    assert 'value="Lunch"' in form and 'value="12.50"' in form and 'value="with Sam"' in form
    response = await client.post(f"{APP}/transactions/{tx['id']}", params={"back": "q=lunch&page=2"}, data={
        "type": "expense", "amount": "13.75", "currency": "USD", "date": "2024-03-15", "description": "Lunch",
        "notes": "", "csrf_token": csrf_token(form)})
    assert response.status_code == 303 and response.headers["location"] == "/app/transactions?q=lunch&page=2"
    saved = await read_json(client, user, f"/transactions/{tx['id']}")
    assert (saved["amount"], saved["notes"]) == ("13.75", None)
    bad = await client.post(f"{APP}/transactions/{tx['id']}", data={
        "type": "expense", "amount": "0", "currency": "USD", "date": "2024-03-15", "description": "Lunch",
        "csrf_token": csrf_token(form)})
    assert bad.status_code == 422 and 'id="e-amount"' in bad.text


async def test_deleting_a_transaction(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    keep, drop, also = [await create_expense(client, user, description=d) for d in ("Keep", "Drop", "Also")]
    await signed_in(client, user)
    html = await page(client, "/transactions")
    response = await client.post(f"{APP}/transactions/{drop['id']}/delete", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 303
    htmx = await client.post(f"{APP}/transactions/{also['id']}/delete", headers=htmx_headers(html))
    assert htmx.status_code == 200 and htmx.headers["hx-trigger"] == "transactions-changed"
    assert [item["id"] for item in (await read_json(client, user, "/transactions"))["items"]] == [keep["id"]]


async def test_writes_without_a_valid_token_are_refused(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    tx = await create_expense(client, user)
    await signed_in(client, user)
    body = {"type": "expense", "amount": "1", "currency": "USD", "date": "2024-01-01", "description": "x"}
    for path, data in ((f"{APP}/transactions", body), (f"{APP}/transactions/{tx['id']}", body),
                       (f"{APP}/transactions/{tx['id']}/delete", {})):
        response = await client.post(path, data=data | {"csrf_token": "forged"})
        assert response.status_code == 403, path
        htmx = await client.post(path, data=data, headers={"HX-Request": "true", "X-CSRF-Token": "forged"})
        assert htmx.status_code == 403 and htmx.headers["hx-retarget"] == "#flash", path
    assert (await read_json(client, user, "/transactions"))["total"] == 1
    assert (await read_json(client, user, f"/transactions/{tx['id']}"))["amount"] == tx["amount"]


async def test_another_tenants_transaction_does_not_exist(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    alpha, beta = await make_user(), await make_user()
    theirs = await create_expense(client, alpha, description="Alpha secret", amount="99.99")
    await signed_in(client, beta)
    html = await page(client, "/transactions")
    edit = await client.get(f"{APP}/transactions/{theirs['id']}/edit")
    assert edit.status_code == 404 and "Alpha secret" not in edit.text
    update = await client.post(f"{APP}/transactions/{theirs['id']}", data={
        "type": "expense", "amount": "1", "currency": "USD", "date": "2024-01-01", "description": "Mine now",
        "csrf_token": csrf_token(html)})
    delete = await client.post(f"{APP}/transactions/{theirs['id']}/delete", data={"csrf_token": csrf_token(html)})
    assert (update.status_code, delete.status_code) == (404, 404)
    assert "Alpha secret" not in html
    assert (await read_json(client, alpha, f"/transactions/{theirs['id']}"))["description"] == "Alpha secret"


async def test_a_sub_user_records_transactions_of_its_business(client: httpx.AsyncClient,
                                                                make_user: MakeUser) -> None:
    owner = await make_user(Role.business)
    member = await make_user(Role.sub_user, business=owner)
    theirs = await create_expense(client, owner, description="Owner's expense")
    await signed_in(client, member)
    html, token = await _add_form(client)
    assert "Owner&#39;s expense" in html
    response = await client.post(f"{APP}/transactions", data={
        "type": "expense", "amount": "3", "currency": "USD", "date": "2024-01-01", "description": "Stamps",
        "csrf_token": token})
    assert response.status_code == 303
    response = await client.post(f"{APP}/transactions/{theirs['id']}/delete", data={"csrf_token": token})
    assert response.status_code == 303
    assert [i["description"] for i in (await read_json(client, owner, "/transactions"))["items"]] == ["Stamps"]


async def test_a_description_with_markup_is_shown_as_text(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    await create_expense(client, user, description="<script>alert('xss')</script>", notes="<b>bold</b>")
    await signed_in(client, user)
    html = await page(client, "/transactions")
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html


# ---- importing a bank file ----

CSV = (b"date,amount,currency,description,type\n"
       b"2024-05-01,4.50,USD,Coffee corner,expense\n"
       b"2024-05-02,2000.00,USD,Salary May,income\n")


async def _import(client: httpx.AsyncClient, content: bytes, name: str = "bank.csv",
                  **fields: str) -> httpx.Response:
    html = await page(client, "/transactions")
    form = html[html.index('action="/app/transactions/import"'):]
    return await client.post(f"{APP}/transactions/import", files={"file": (name, content, "text/csv")},
                             data={"csrf_token": csrf_token(form), **fields})


async def test_importing_a_bank_file_shows_its_report(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    await signed_in(client, user)
    dry = await _import(client, CSV, dry_run="true")
    assert dry.status_code == 200 and "A dry run" in dry.text
    assert (await read_json(client, user, "/transactions"))["total"] == 0
    first = await _import(client, CSV)
    assert first.status_code == 200, first.text
    assert re.search(r'id="import-created">2<', first.text) and "2 transactions imported" in first.text
    again = await _import(client, CSV)
    assert re.search(r'id="import-created">0<', again.text) and re.search(r'id="import-skipped">2<', again.text)
    amounts = sorted(Decimal(i["amount"]) for i in (await read_json(client, user, "/transactions"))["items"])
    assert amounts == [Decimal("4.50"), Decimal("2000.00")]


async def test_a_file_with_bad_rows_imports_nothing_and_says_which(client: httpx.AsyncClient,
                                                                   make_user: MakeUser) -> None:
    user = await make_user()
    await signed_in(client, user)
    response = await _import(client, CSV + b"2024-05-03,abc,USD,Broken,expense\n")
    assert response.status_code == 422
    assert 'id="import-problems"' in response.text and "<td>4</td>" in response.text
    assert (await read_json(client, user, "/transactions"))["total"] == 0
    unreadable = await _import(client, b"\x00\x01 not a bank file", name="mystery.bin")
    assert unreadable.status_code == 422 and 'class="flash error" role="alert">No header row' in unreadable.text
    assert (await read_json(client, user, "/transactions"))["total"] == 0
