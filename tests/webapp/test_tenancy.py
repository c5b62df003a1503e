"""Tenancy, walked over the web app's own routes: another tenant's rows don't exist here either.

Every page route whose path names a row (`{..._id}`) is called by tenant B, signed in, with a valid CSRF
token, on tenant A's row: 404, nothing of A's on the page, and A's rows unchanged afterwards. The routes come
from the app, so a new page is walked the day it is added (a new kind of id needs a factory below).
"""

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from colony.core.tenancy import Role
from tests.factories import MakeUser, UserHandle, read_json
from tests.test_tenancy import OWNED_ROWS, PARAMETER, Row, model_that_proposes
from tests.webapp.pages import APP, csrf_token, page, signed_in

# A configured model that proposes, so that tenant A has conversations and proposals (as the API's walk does).
pytestmark = pytest.mark.usefixtures(model_that_proposes.__name__)
STATE = ("/transactions", "/imports", "/budgets", "/cycles", "/goals")


def page_routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path) of every web app route that names a row."""
    for route in iter_route_contexts(app.routes):
        path = str(route.path)
        names_a_row = any(name.endswith("_id") for name in PARAMETER.findall(path))
        if isinstance(route.original_route, APIRoute) and path.startswith(f"{APP}/") and names_a_row:
            for method in sorted(route.methods or ()):
                yield method, path


@pytest.fixture
def walked(app: FastAPI) -> list[tuple[str, str]]:
    routes = list(page_routes(app))
    assert len(routes) >= 4, routes  # the walk walks something
    missing = {name for _, path in routes for name in PARAMETER.findall(path)
               if name.endswith("_id") and name not in OWNED_ROWS}
    assert not missing, f"add a factory for {missing} to OWNED_ROWS (tests/test_tenancy.py)"
    return routes


async def test_another_tenants_rows_do_not_exist_on_any_page(client: httpx.AsyncClient, make_user: MakeUser,
                                                             walked: list[tuple[str, str]]) -> None:
    alpha = await make_user(Role.business)
    names = {name for _, path in walked for name in PARAMETER.findall(path) if name.endswith("_id")}
    rows: dict[str, Row] = {name: await OWNED_ROWS[name](client, alpha) for name in sorted(names)}
    marks = {mark for row in rows.values() for mark in row.marks}
    before = await _state_of(client, alpha)

    beta = await make_user(Role.business)
    await signed_in(client, beta)
    token = csrf_token(await page(client, "/"))
    failures = []
    for method, path in walked:
        url = PARAMETER.sub(lambda match: rows[match.group(1)].id, path)
        response = await client.request(method, url, data={"csrf_token": token} if method == "POST" else None)
        leaked = sorted(mark for mark in marks if mark in response.text)
        if response.status_code != 404 or leaked:
            failures.append(f"{method} {path}: {response.status_code} {leaked} {response.text[:200]}")
    assert not failures, "B reached A's rows:\n" + "\n".join(failures)
    assert await _state_of(client, alpha) == before  # nothing of A's changed


async def _state_of(client: httpx.AsyncClient, owner: UserHandle) -> dict[str, object]:
    """What the API shows of the owner's rows that pages write."""
    return {path: await read_json(client, owner, path) for path in STATE}
