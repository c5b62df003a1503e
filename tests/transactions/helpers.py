import httpx

from tests.conftest import UserHandle


async def make_category(client: httpx.AsyncClient, owner: UserHandle, name: str = "Food",
                        kind: str = "expense") -> str:
    r = await client.post("/api/v1/categories", json={"name": name, "kind": kind}, headers=owner.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def make_payment_method(client: httpx.AsyncClient, owner: UserHandle, name: str = "Cash",
                              **extra: object) -> str:
    r = await client.post("/api/v1/payment-methods", json={"name": name, "type": "cash", **extra},
                          headers=owner.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def expense_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {"amount": "12.50", "currency": "USD", "date": "2024-03-15",
                               "description": "Lunch"}
    body.update(overrides)
    return body
