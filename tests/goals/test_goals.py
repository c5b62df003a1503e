from datetime import date

import httpx
import pytest

from colony.core import clock
from colony.core.tenancy import Role
from colony.goals.service import months_left
from tests.factories import V1, MakeUser, error_code

URL = f"{V1}/goals"


def test_months_left() -> None:
    assert months_left(date(2024, 1, 15), date(2024, 3, 15)) == 2
    assert months_left(date(2024, 1, 15), date(2024, 3, 20)) == 3
    assert months_left(date(2024, 1, 31), date(2024, 2, 29)) == 1
    assert months_left(date(2024, 5, 1), date(2024, 1, 1)) == 1  # overdue: everything now


async def test_goal_progress(client: httpx.AsyncClient, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: date(2024, 1, 15))
    owner = await make_user()
    r = await client.post(URL, json={"name": "Bike", "currency": "USD", "target_amount": 1000,
                                     "due_date": "2024-05-15"}, headers=owner.headers)
    assert r.status_code == 201, r.text
    goal = r.json()
    assert goal["status"] == "active" and goal["current_amount"] == "0.00" and goal["remaining"] == "1000.00"
    assert goal["progress_percent"] == "0.00" and goal["monthly_needed"] == "250.00"
    gid = goal["id"]
    r = await client.post(f"{URL}/{gid}/contributions", json={"amount": "100.01", "date": "2024-01-15",
                                                              "note": "first"}, headers=owner.headers)
    assert r.status_code == 201 and r.json()["amount"] == "100.01" and r.json()["goal_id"] == gid
    g = (await client.get(f"{URL}/{gid}", headers=owner.headers)).json()
    assert g["current_amount"] == "100.01" and g["remaining"] == "899.99" and g["progress_percent"] == "10.00"
    assert g["monthly_needed"] == "225.00"  # 899.99 / 4, rounded up
    r = await client.post(f"{URL}/{gid}/contributions", json={"amount": "899.99", "date": "2024-02-01"},
                          headers=owner.headers)
    g = (await client.get(f"{URL}/{gid}", headers=owner.headers)).json()
    assert g["status"] == "achieved" and g["remaining"] == "0.00" and g["progress_percent"] == "100.00"
    assert g["monthly_needed"] == "0.00"
    r = await client.get(f"{URL}/{gid}/contributions", headers=owner.headers)
    assert r.json()["total"] == 2 and [c["amount"] for c in r.json()["items"]] == ["899.99", "100.01"]
    r = await client.patch(f"{URL}/{gid}", json={"target_amount": "2000"}, headers=owner.headers)
    assert r.json()["status"] == "active" and r.json()["progress_percent"] == "50.00"
    r = await client.patch(f"{URL}/{gid}", json={"status": "cancelled"}, headers=owner.headers)
    assert r.json()["status"] == "cancelled"
    r = await client.post(f"{URL}/{gid}/contributions", json={"amount": "1", "date": "2024-02-01"},
                          headers=owner.headers)
    assert r.status_code == 409 and error_code(r) == "GOAL_CANCELLED"
    r = await client.patch(f"{URL}/{gid}", json={"status": "achieved"}, headers=owner.headers)
    assert r.status_code == 422
    r = await client.get(URL, headers=owner.headers)
    assert r.json()["total"] == 1 and r.json()["items"][0]["current_amount"] == "1000.00"
    assert (await client.delete(f"{URL}/{gid}", headers=owner.headers)).status_code == 204
    for method, path in (("get", ""), ("patch", ""), ("delete", ""), ("get", "/contributions"),
                         ("post", "/contributions")):
        r = await client.request(method, f"{URL}/{gid}{path}", headers=owner.headers,
                                 json={"amount": "1", "date": "2024-01-01"} if method == "post" else
                                 {"name": "x"} if method == "patch" else None)
        assert r.status_code == 404 and error_code(r) == "GOAL_NOT_FOUND", (method, path)


async def test_validation(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user()
    for bad in ({"target_amount": "0"}, {"target_amount": "1000000000"}, {"currency": "JPY", "target_amount": "1.5"},
                {"currency": "XYZ"}, {"status": "achieved"}):
        r = await client.post(URL, json={"name": "x", "currency": "USD", "target_amount": "10", **bad},
                              headers=owner.headers)
        assert r.status_code == 422 and error_code(r) == "VALIDATION_ERROR", bad
    r = await client.post(URL, json={"name": "x", "currency": "JPY", "target_amount": "1000"}, headers=owner.headers)
    assert r.json()["target_amount"] == "1000" and r.json()["monthly_needed"] is None
    gid = r.json()["id"]
    for bad in ({"amount": "1.5", "date": "2024-01-01"}, {"amount": "-1", "date": "2024-01-01"}, {"amount": "1"}):
        r = await client.post(f"{URL}/{gid}/contributions", json=bad, headers=owner.headers)
        assert r.status_code == 422, bad


async def test_sub_user_and_idempotency(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    owner = await make_user(Role.business)
    sub = await make_user(Role.sub_user, business=owner)
    r = await client.post(URL, json={"name": "x", "currency": "USD", "target_amount": "100"}, headers=owner.headers)
    gid = r.json()["id"]
    headers = {**owner.headers, "Idempotency-Key": "contribution-1"}
    body = {"amount": "5", "date": "2024-01-01"}
    first = await client.post(f"{URL}/{gid}/contributions", json=body, headers=headers)
    again = await client.post(f"{URL}/{gid}/contributions", json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert (await client.get(f"{URL}/{gid}", headers=sub.headers)).json()["current_amount"] == "5.00"
    assert (await client.get(f"{URL}/{gid}/contributions", headers=sub.headers)).json()["total"] == 1
    for method, path, payload in (("post", "", {"name": "y", "currency": "USD", "target_amount": "1"}),
                                  ("patch", f"/{gid}", {"name": "y"}), ("delete", f"/{gid}", None),
                                  ("post", f"/{gid}/contributions", body)):
        r = await client.request(method, f"{URL}{path}", headers=sub.headers, json=payload)
        assert r.status_code == 403 and error_code(r) == "FORBIDDEN", (method, path)
