import httpx
import pytest

from tests.factories import V1, MakeUser, UserHandle, create_category, create_payment_method, expense_body

TX = f"{V1}/transactions"
EX = f"{V1}/expenses"
Ledger = tuple[UserHandle, list[str], str, str, str]  # the owner, its rows' ids, and Food's, Salary's, Card's


@pytest.fixture
async def ledger(client: httpx.AsyncClient, make_user: MakeUser) -> Ledger:
    """An owner's five transactions, in two categories and with one payment method."""
    owner = await make_user()
    food = await create_category(client, owner)
    salary = await create_category(client, owner, "Salary", "income")
    card = await create_payment_method(client, owner, "Card")
    rows = [
        expense_body(type="expense", amount="10.00", date="2024-01-05", description="Coffee 100% arabica",
                     category_id=food, payment_method_id=card),
        expense_body(type="expense", amount="2.50", date="2024-01-05", description="Bus", notes="to_work"),
        expense_body(type="expense", amount="99.99", currency="EUR", date="2024-02-01", description="Shoes",
                     status="planned"),
        expense_body(type="income", amount="3000", date="2024-01-31", description="January pay",
                     category_id=salary),
        expense_body(type="expense", amount="500", currency="JPY", date="2024-03-10", description="Onigiri",
                     notes="COFFEE too, éclair"),
    ]
    ids: list[str] = []
    for row in rows:
        r = await client.post(TX, json=row, headers=owner.headers)
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    return owner, ids, food, salary, card


async def descriptions(client: httpx.AsyncClient, owner: UserHandle, url: str = TX,
                       **params: str | int) -> list[str]:
    r = await client.get(url, params=params, headers=owner.headers)
    assert r.status_code == 200, r.text
    return [item["description"] for item in r.json()["items"]]


async def test_filters(client: httpx.AsyncClient, ledger: Ledger) -> None:
    owner, _ids, food, salary, card = ledger
    d = descriptions
    assert set(await d(client, owner)) == {"Coffee 100% arabica", "Bus", "Shoes", "January pay", "Onigiri"}
    assert "January pay" not in await d(client, owner, EX)
    assert await d(client, owner, type="income") == ["January pay"]
    assert set(await d(client, owner, start_date="2024-01-31", end_date="2024-02-01")) == {"January pay", "Shoes"}
    assert await d(client, owner, start_date="2024-03-01") == ["Onigiri"]
    assert await d(client, owner, end_date="2024-01-05", sort="amount") == ["Bus", "Coffee 100% arabica"]
    assert await d(client, owner, category_id=food) == ["Coffee 100% arabica"]
    assert await d(client, owner, EX, category_id=salary) == []
    assert await d(client, owner, payment_method_id=card) == ["Coffee 100% arabica"]
    assert await d(client, owner, status="planned") == ["Shoes"]
    assert await d(client, owner, currency="JPY") == ["Onigiri"]
    assert set(await d(client, owner, min_amount="10", max_amount=500)) == \
        {"Coffee 100% arabica", "Shoes", "Onigiri"}
    assert await d(client, owner, max_amount="2.5") == ["Bus"]
    assert set(await d(client, owner, q="coffee")) == {"Coffee 100% arabica", "Onigiri"}  # description or notes
    assert await d(client, owner, q="100%") == ["Coffee 100% arabica"]  # % is literal
    assert await d(client, owner, q="0%") == ["Coffee 100% arabica"]
    assert await d(client, owner, q="o_w") == ["Bus"]  # _ is literal: "to_work"
    assert await d(client, owner, q="o%w") == []
    assert await d(client, owner, q="_") == ["Bus"]
    assert len(await d(client, owner, q="")) == 5  # an empty search filters nothing (rows without notes too)
    assert set(await d(client, owner, EX, q="COFFEE", status="paid")) == {"Coffee 100% arabica", "Onigiri"}
    assert await d(client, owner, q="ÉCLAIR") == ["Onigiri"]  # case-insensitive beyond ASCII (notes "éclair")
    assert await d(client, owner, account_id="00000000-0000-0000-0000-000000000001") == []
    assert await d(client, owner, cycle_id="00000000-0000-0000-0000-000000000001") == []


async def test_sorting_is_stable(client: httpx.AsyncClient, ledger: Ledger) -> None:
    owner, *_ = ledger
    d = descriptions
    newest_first = await d(client, owner)
    assert newest_first[0] == "Onigiri" and newest_first[-2:] in (["Coffee 100% arabica", "Bus"],
                                                                  ["Bus", "Coffee 100% arabica"])
    assert await d(client, owner, sort="date") == list(reversed(newest_first))  # id breaks the tie both ways
    assert (await d(client, owner, sort="-amount"))[0] == "January pay"
    assert await d(client, owner, sort="created_at") == ["Coffee 100% arabica", "Bus", "Shoes", "January pay",
                                                          "Onigiri"]
    assert (await d(client, owner, sort="-created_at"))[0] == "Onigiri"
    # pages of the default order concatenate to the whole order
    pages = []
    for page in (1, 2, 3):
        r = (await client.get(TX, params={"size": 2, "page": page}, headers=owner.headers)).json()
        assert (r["total"], r["pages"], r["page"], r["size"]) == (5, 3, page, 2)
        pages += [item["description"] for item in r["items"]]
    assert pages == newest_first
    r = (await client.get(TX, params={"size": 2, "page": 4}, headers=owner.headers)).json()
    assert (r["items"], r["total"]) == ([], 5)


@pytest.mark.parametrize("params", [
    {"sort": "name"}, {"sort": "+date"}, {"start_date": "2024-13-01"}, {"end_date": "yesterday"},
    {"start_date": "2024-02-01", "end_date": "2024-01-01"}, {"min_amount": "abc"},
    {"min_amount": "5", "max_amount": "1"}, {"currency": "XYZ"}, {"type": "transfer"}, {"status": "x"},
    {"category_id": "not-a-uuid"}, {"size": 0}, {"size": 101}, {"page": 0}, {"q": "x" * 201},
])
async def test_invalid_filters(client: httpx.AsyncClient, make_user: MakeUser, params: dict[str, str | int]) -> None:
    owner = await make_user()
    for url in (TX, EX):
        if url == EX and "type" in params:
            continue
        r = await client.get(url, params=params, headers=owner.headers)
        assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_ERROR", (url, params, r.text)


async def test_empty_list(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    assert (await client.get(TX, headers=owner.headers)).json() == \
        {"items": [], "total": 0, "page": 1, "size": 50, "pages": 0}
