"""Every planning endpoint as two tenants: another tenant's rows don't exist (404, no field leaks),
lists show only one's own; sub-users read their business's rows and may not write them (403)."""

from typing import Any

import httpx

from colony.core.tenancy import Role
from tests.planning import V1, error_code, make_category, make_cycle, make_template


async def _resources(client: httpx.AsyncClient, owner: Any) -> dict[str, str]:
    category = await make_category(client, owner, "Tenancy")
    template = await make_template(client, owner, category_id=category)
    cycle = await make_cycle(client, owner)
    budget = (await client.post(f"{V1}/budgets", json={
        "name": "B", "currency": "USD", "period_start": "2024-03-01", "period_end": "2024-03-31",
        "total_amount": "100", "entries": [{"category_id": category, "amount": "50"}]}, headers=owner.headers)).json()
    goal = (await client.post(f"{V1}/goals", json={"name": "G", "currency": "USD", "target_amount": "100"},
                              headers=owner.headers)).json()
    r = await client.post(f"{V1}/goals/{goal['id']}/contributions", json={"amount": "1", "date": "2024-01-01"},
                          headers=owner.headers)
    assert r.status_code == 201
    return {"category": category, "template": template["id"], "cycle": cycle["id"], "budget": budget["id"],
            "goal": goal["id"]}


def _calls(ids: dict[str, str]) -> list[tuple[str, str, dict[str, Any], str]]:
    t, c, b, g = ids["template"], ids["cycle"], ids["budget"], ids["goal"]
    return [
        ("get", f"/expense-templates/{t}", {}, "EXPENSE_TEMPLATE_NOT_FOUND"),
        ("patch", f"/expense-templates/{t}", {"json": {"name": "x"}}, "EXPENSE_TEMPLATE_NOT_FOUND"),
        ("delete", f"/expense-templates/{t}", {}, "EXPENSE_TEMPLATE_NOT_FOUND"),
        ("get", f"/expense-templates/{t}/occurrences?start_date=2024-01-01&end_date=2024-12-31", {},
         "EXPENSE_TEMPLATE_NOT_FOUND"),
        ("get", f"/cycles/{c}", {}, "CYCLE_NOT_FOUND"),
        ("patch", f"/cycles/{c}", {"json": {"name": "x"}}, "CYCLE_NOT_FOUND"),
        ("delete", f"/cycles/{c}", {}, "CYCLE_NOT_FOUND"),
        ("post", f"/cycles/{c}/activate", {}, "CYCLE_NOT_FOUND"),
        ("post", f"/cycles/{c}/complete", {}, "CYCLE_NOT_FOUND"),
        ("post", f"/cycles/{c}/generate", {}, "CYCLE_NOT_FOUND"),
        ("get", f"/cycles/{c}/summary", {}, "CYCLE_NOT_FOUND"),
        ("get", f"/budgets/{b}", {}, "BUDGET_NOT_FOUND"),
        ("patch", f"/budgets/{b}", {"json": {"name": "x"}}, "BUDGET_NOT_FOUND"),
        ("delete", f"/budgets/{b}", {}, "BUDGET_NOT_FOUND"),
        ("get", f"/budgets/{b}/report", {}, "BUDGET_NOT_FOUND"),
        ("get", f"/goals/{g}", {}, "GOAL_NOT_FOUND"),
        ("patch", f"/goals/{g}", {"json": {"name": "x"}}, "GOAL_NOT_FOUND"),
        ("delete", f"/goals/{g}", {}, "GOAL_NOT_FOUND"),
        ("get", f"/goals/{g}/contributions", {}, "GOAL_NOT_FOUND"),
        ("post", f"/goals/{g}/contributions", {"json": {"amount": "1", "date": "2024-01-01"}}, "GOAL_NOT_FOUND"),
    ]


LISTS = ("/expense-templates", "/cycles", "/budgets", "/goals")


async def test_another_tenants_planning_rows_do_not_exist(client: httpx.AsyncClient, make_user) -> None:  # type: ignore[no-untyped-def]
    alice, bob = await make_user(), await make_user(Role.business)
    ids = await _resources(client, alice)
    await _resources(client, bob)
    for method, path, kwargs, code in _calls(ids):
        r = await client.request(method, f"{V1}{path}", headers=bob.headers, **kwargs)
        assert r.status_code == 404 and error_code(r) == code, (method, path, r.text)
        assert ids["template"] not in r.text and "Tenancy" not in r.text
    for path in LISTS:
        r = await client.get(f"{V1}{path}", headers=bob.headers)
        assert r.json()["total"] == 1 and all(item["id"] not in ids.values() for item in r.json()["items"])
    # body references to another tenant's rows are 422, never a link
    r = await client.post(f"{V1}/expense-templates", json={
        "name": "x", "amount": "1", "currency": "USD", "frequency": "once", "start_date": "2024-01-01",
        "category_id": ids["category"]}, headers=bob.headers)
    assert r.status_code == 422
    r = await client.post(f"{V1}/budgets", json={
        "name": "B", "currency": "USD", "period_start": "2024-03-01", "period_end": "2024-03-31",
        "total_amount": "100", "entries": [{"category_id": ids["category"], "amount": "50"}]}, headers=bob.headers)
    assert r.status_code == 422
    r = await client.post(f"{V1}/expenses", json={"amount": "1", "currency": "USD", "date": "2024-03-02",
                                                  "description": "x", "cycle_id": ids["cycle"]}, headers=bob.headers)
    assert r.status_code == 422
    # and everything of alice's is still there, unchanged
    for method, path, _kwargs, _code in _calls(ids):
        if method == "get":
            assert (await client.get(f"{V1}{path}", headers=alice.headers)).status_code == 200, path


async def test_sub_users_read_and_may_not_write(client: httpx.AsyncClient, make_user) -> None:  # type: ignore[no-untyped-def]
    owner = await make_user(Role.business)
    sub = await make_user(Role.sub_user, business=owner)
    ids = await _resources(client, owner)
    for method, path, kwargs, _code in _calls(ids):
        r = await client.request(method, f"{V1}{path}", headers=sub.headers, **kwargs)
        if method == "get":
            assert r.status_code == 200, (path, r.text)
        else:
            assert r.status_code == 403 and error_code(r) == "FORBIDDEN", (method, path)
    for path in LISTS:
        assert (await client.get(f"{V1}{path}", headers=sub.headers)).json()["total"] == 1


async def test_admins_read_no_planning_data(client: httpx.AsyncClient, make_user) -> None:  # type: ignore[no-untyped-def]
    admin = await make_user(Role.admin)
    for path in LISTS:
        r = await client.get(f"{V1}{path}", headers=admin.headers)
        assert r.status_code == 403, path
