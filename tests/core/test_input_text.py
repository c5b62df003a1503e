"""Control characters: any text of a request (JSON or form body, query, path) with NUL or another control
character → 422 naming the field, before it reaches the database (PostgreSQL cannot store a NUL: this was a
500); tab and line breaks only in notes and descriptions. CSV imports follow the same rule per row, and a
field too long for the CSV reader is a clear 422."""

import httpx
import pytest

from colony.core.text import text_problem
from tests.factories import V1, MakeUser, error_code, expense_body, unique_email

IMPORT_HEADER = "date,amount,currency,description,category,notes,type\n"


def field_errors(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert error_code(response) == "VALIDATION_ERROR"
    return {e["field"]: e["message"] for e in response.json()["error"]["details"]["errors"]}


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/auth/register", {"email": "a\x00b@example.com", "password": "long enough password"}, "body.email"),
    ("/auth/register", {"email": "x@example.com", "password": "long enough\x00 password"}, "body.password"),
    ("/auth/register", {"email": "x@example.com", "password": "long enough password", "first_name": "Ada\x00"},
     "body.first_name"),
    ("/auth/login", {"email": "a\x00b@example.com", "password": "long enough password"}, "body.email"),
    ("/auth/password-reset/request", {"email": "a\x00b@example.com"}, "body.email"),
    ("/auth/refresh", {"refresh_token": "token\x00"}, "body.refresh_token"),
])
async def test_nul_in_an_unauthenticated_body_is_a_422(client: httpx.AsyncClient, path: str, body: dict[str, str],
                                                       field: str) -> None:
    errors = field_errors(await client.post(f"{V1}{path}", json=body))
    assert errors == {field: "must not contain control characters (U+0000 was found)"}


async def test_nul_in_a_form_body_is_a_422(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{V1}/auth/token", data={"username": "a\x00b@example.com", "password": "secret"})
    assert field_errors(response) == {"body.username": "must not contain control characters (U+0000 was found)"}


async def test_nothing_is_stored_from_a_refused_registration(client: httpx.AsyncClient) -> None:
    email = unique_email()
    body = {"email": email, "password": "long enough password", "last_name": "Love\x00lace"}
    assert (await client.post(f"{V1}/auth/register", json=body)).status_code == 422
    body["last_name"] = "Lovelace"
    assert (await client.post(f"{V1}/auth/register", json=body)).status_code == 201


@pytest.mark.parametrize("name", ["Food\tand drink", "Food\n", "Food\r", "Food\x07", "Food\x7f", "Food\x85",
                                  "Food\x1b[31m"])
async def test_a_name_takes_no_control_character_at_all(client: httpx.AsyncClient, make_user: MakeUser,
                                                        name: str) -> None:
    owner = await make_user()
    response = await client.post(f"{V1}/categories", json={"name": name, "kind": "expense"}, headers=owner.headers)
    assert list(field_errors(response)) == ["body.name"]


async def test_text_beyond_ascii_is_welcome(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    name = "Famille 👩\u200d👩\u200d👧 · Ēdiens\u00a0& 食費"  # a zero-width joiner, a no-break space: not controls
    response = await client.post(f"{V1}/categories", json={"name": name, "kind": "expense"}, headers=owner.headers)
    assert response.status_code == 201, response.text
    assert response.json()["name"] == name


async def test_notes_and_descriptions_keep_tabs_and_line_breaks(client: httpx.AsyncClient,
                                                                make_user: MakeUser) -> None:
    owner = await make_user()
    body = expense_body(description="Dinner\tcity centre", notes="Line one\r\nLine two\n\tindented")
    response = await client.post(f"{V1}/expenses", json=body, headers=owner.headers)
    assert response.status_code == 201, response.text
    read = (await client.get(f"{V1}/expenses/{response.json()['id']}", headers=owner.headers)).json()
    assert (read["description"], read["notes"]) == (body["description"], body["notes"])


@pytest.mark.parametrize(("field", "text"), [("notes", "a\x00b"), ("notes", "form\x0cfeed"),
                                             ("description", "vertical\x0btab"), ("description", "back\x08space")])
async def test_notes_and_descriptions_refuse_other_control_characters(client: httpx.AsyncClient, make_user: MakeUser,
                                                                      field: str, text: str) -> None:
    owner = await make_user()
    response = await client.post(f"{V1}/expenses", json=expense_body(**{field: text}), headers=owner.headers)
    message = field_errors(response)[f"body.{field}"]
    assert message.startswith("must not contain control characters") and "tab and line breaks are allowed" in message


async def test_a_lone_surrogate_is_not_text(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    response = await client.post(f"{V1}/categories", content=b'{"name": "Food \\ud800", "kind": "expense"}',
                                 headers={**owner.headers, "Content-Type": "application/json"})
    assert field_errors(response) == {"body.name": "must be valid Unicode text (a lone surrogate U+D800 was found)"}


async def test_nested_fields_are_named(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    account = (await client.post(f"{V1}/accounts", json={"name": "Broker", "type": "investment", "currency": "USD"},
                                 headers=owner.headers)).json()["id"]
    response = await client.post(f"{V1}/securities/AAPL/prices", json=[{"date": "2024-01-02", "close": "1"},
                                                                     {"date": "2024-01-03\x00", "close": "1"}],
                                 headers=owner.headers)
    assert list(field_errors(response)) == ["body.1.date"]
    response = await client.post(f"{V1}/accounts/{account}/investment-transactions", headers=owner.headers,
                                 json={"type": "deposit", "date": "2024-01-02", "amount": "10", "note": "one\ttwo"})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("params", [{"q": "coffee\x00"}, {"q": "coffee\tshop"}, {"currency": "USD\x00"}])
async def test_query_text_is_checked_before_any_query(client: httpx.AsyncClient, make_user: MakeUser,
                                                      params: dict[str, str]) -> None:
    owner = await make_user()
    for path in ("/expenses", "/transactions", "/transactions/export"):
        response = await client.get(f"{V1}{path}", params=params, headers=owner.headers)
        assert list(field_errors(response)) == [f"query.{next(iter(params))}"]


async def test_path_and_search_text(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    response = await client.get(f"{V1}/securities/search", params={"query": "apple\x00"}, headers=owner.headers)
    assert list(field_errors(response)) == ["query.query"]
    response = await client.get(f"{V1}/securities/A%00B", headers=owner.headers)
    assert "path.symbol" in field_errors(response)


# ---- CSV imports ----

async def upload(client: httpx.AsyncClient, headers: dict[str, str], text: str) -> httpx.Response:
    return await client.post(f"{V1}/transactions/import", files={"file": ("t.csv", text.encode(), "text/csv")},
                             headers=headers)


async def test_imported_text_follows_the_same_rule(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    text = IMPORT_HEADER + (
        '2024-03-01,1,USD,Lunch\x00,,,expense\n'
        '2024-03-01,1,USD,Lunch,Fo\x1bod,,expense\n'
        '2024-03-01,1,USD,Lunch,,"first\x00",expense\n'
    )
    response = await upload(client, owner.headers, text)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 0
    assert [(e["row"], e["message"].split(":")[0]) for e in response.json()["errors"]] == [
        (2, "description"), (3, "category"), (4, "notes")]
    text = IMPORT_HEADER + '2024-03-01,1,USD,Lunch\tout,,"first line\nsecond\tline",expense\n'
    response = await upload(client, owner.headers, text)
    assert response.json() == {"created": 1, "skipped_duplicates": 0, "errors": []}


async def test_a_csv_field_too_long_to_read_is_a_422(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    text = IMPORT_HEADER + "2024-03-01,1,USD,Lunch,,,expense\n" + f"2024-03-01,1,USD,{'x' * 140_000},,,expense\n"
    response = await upload(client, owner.headers, text)
    assert response.status_code == 422, response.text
    assert error_code(response) == "IMPORT_FILE_INVALID"
    assert response.json()["error"]["details"] == {"row": 3}


def test_the_rule() -> None:
    assert text_problem("plain text, ünïcödé, 12 €") is None
    assert text_problem("two\nlines", multiline=True) is None
    assert text_problem("two\nlines") == "must not contain control characters (U+000A was found)"
    assert text_problem("\x9f") is not None and text_problem("\xa0") is None  # C1 control; no-break space
