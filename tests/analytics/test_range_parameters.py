"""Every range of the API is `start_date`..`end_date`: YYYY-MM-DD, both ends inclusive, the start not after the end."""

import json

import httpx
import pytest

from colony.core.tenancy import Role
from tests.factories import V1, MakeUser, error_code

DATE_PARAMETERS = {"start_date", "end_date", "date", "history_start_date"}
RANGE_WORDS = {"start", "end", "from_date", "to_date", "date_from", "date_to", "since", "until"}


async def test_every_range_parameter_is_named_alike(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    odd: list[str] = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                name, where = parameter["name"], f"{method.upper()} {path}: {parameter['name']}"
                if parameter["in"] != "query":
                    continue
                if '"format": "date"' in json.dumps(parameter["schema"]) and name not in DATE_PARAMETERS:
                    odd.append(where)
                if name in RANGE_WORDS and not parameter.get("deprecated"):
                    odd.append(where)
    assert odd == []
    trends = {p["name"]: p for p in schema["paths"][f"{V1}/analytics/trends"]["get"]["parameters"]}
    assert {"start_date", "end_date"} <= set(trends) and trends["start"]["deprecated"] is True


@pytest.mark.parametrize(("params", "field"), [
    ({"start_date": "0"}, "query.start_date"),  # not a Unix timestamp
    ({"end_date": "2024-03-01T00:00:00"}, "query.end_date"),
    ({"start_date": "2024-03-02", "end_date": "2024-03-01"}, "query.start_date"),
])
async def test_the_llm_usage_range_is_checked_like_the_others(client: httpx.AsyncClient, make_user: MakeUser,
                                                              params: dict[str, str], field: str) -> None:
    admin = await make_user(Role.admin)
    response = await client.get(f"{V1}/admin/llm-usage", params=params, headers=admin.headers)
    assert (response.status_code, error_code(response)) == (422, "VALIDATION_ERROR"), response.text
    assert [e["field"] for e in response.json()["error"]["details"]["errors"]] == [field]
    fine = await client.get(f"{V1}/admin/llm-usage", params={"start_date": "2024-03-01", "end_date": "2024-03-01"},
                            headers=admin.headers)
    assert fine.status_code == 200, fine.text
