"""Tenancy, walked over the app's own routes: another tenant's rows don't exist.

Every route whose path names an owned row (`{..._id}`) is called by tenant B with tenant A's ids: 404, an
error code ending in `_NOT_FOUND`, nothing of A's in the answer; A then reads its rows unchanged. The
routes come from the app itself, so a new one is walked the day it is added; a new kind of id fails the
walk until OWNED_ROWS says how to make one (and BODY_SAMPLES, if its body needs more than the generic
builder makes). Both tenants are business owners, so that no role check answers before tenancy does.

The behaviours a walk can't see by itself follow: other tenants' ids in bodies and filters, the same names
in two tenants, sub-users, administrators.
"""

import re
import types
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from colony.config import Settings
from colony.core import clock
from colony.core.tenancy import Role
from colony.users.deps import get_tenant, require_owner
from tests.assistant.conftest import configure
from tests.assistant.fake_model import calls, fake_model_server, text
from tests.factories import (
    TEST_PASSWORD,
    V1,
    MakeUser,
    UserHandle,
    contribute,
    create_account,
    create_budget,
    create_category,
    create_cycle,
    create_expense,
    create_goal,
    create_holding,
    create_institution,
    create_investment_transaction,
    create_payment_method,
    create_security,
    create_series,
    create_template,
    create_transaction,
    create_transfer,
    error_code,
    expense_body,
)

ADMIN_PREFIX = f"{V1}/admin/"
WEB_APP_PREFIX = "/app/"  # the web app's pages, walked with a session by tests/webapp/test_tenancy.py
PARAMETER = re.compile(r"{(\w+)(?::\w+)?}")  # {cycle_id}, {transaction_id:uuid}


# --- what the walk needs to know --------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One of tenant A's rows: its id, and every string of it that B must never see (ids and names)."""

    id: str
    marks: tuple[str, ...]


async def _category(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    category = await create_category(client, owner, "Alpha groceries")
    return Row(category, (category, "Alpha groceries"))


async def _payment_method(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    method = await create_payment_method(client, owner, "Alpha card")
    return Row(method, (method, "Alpha card"))


async def _transaction(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    """Paid, in a category and with a payment method of A's: the reports would show them if they leaked."""
    category = await create_category(client, owner, "Alpha salary", "income")
    method = await create_payment_method(client, owner, "Alpha account")
    tx = await create_transaction(client, owner, type="income", description="Alpha payday",
                                  category_id=category, payment_method_id=method)
    return Row(tx["id"], (tx["id"], category, method, "Alpha salary", "Alpha account", "Alpha payday"))


async def _expense(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    category = await create_category(client, owner, "Alpha restaurants")
    expense = await create_expense(client, owner, description="Alpha dinner", category_id=category)
    return Row(expense["id"], (expense["id"], category, "Alpha restaurants", "Alpha dinner"))


async def _template(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    category = await create_category(client, owner, "Alpha housing")
    template = await create_template(client, owner, name="Alpha rent", category_id=category)
    return Row(template["id"], (template["id"], category, "Alpha housing", "Alpha rent"))


async def _cycle(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    cycle = await create_cycle(client, owner, name="Alpha March")
    return Row(cycle["id"], (cycle["id"], "Alpha March"))


async def _budget(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    category = await create_category(client, owner, "Alpha leisure")
    budget = await create_budget(client, owner, name="Alpha budget",
                                 entries=[{"category_id": category, "amount": "50.00"}])
    return Row(budget["id"], (budget["id"], category, "Alpha budget", "Alpha leisure"))


async def _goal(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    goal = await create_goal(client, owner, name="Alpha holidays")
    contribution = await contribute(client, owner, goal["id"], note="Alpha savings")
    return Row(goal["id"], (goal["id"], contribution["id"], "Alpha holidays", "Alpha savings"))


async def _institution(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    institution = await create_institution(client, owner, name="Alpha bank")
    return Row(institution["id"], (institution["id"], "Alpha bank"))


async def _account(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    """An investment account with a value entry; the holding and the investment transaction below go in it,
    so that every route under /accounts/{account_id} has something of A's to show."""
    account = await create_account(client, owner, name="Alpha brokerage", type="investment")
    response = await client.post(f"{V1}/accounts/{account['id']}/values", headers=owner.headers,
                                 json={"date": "2024-03-01", "balance": "1234.56"})
    assert response.status_code == 201, response.text
    return Row(account["id"], (account["id"], "Alpha brokerage", "1234.56"))


async def _brokerage(client: httpx.AsyncClient, owner: UserHandle) -> str:
    accounts = (await client.get(f"{V1}/accounts", headers=owner.headers)).json()["items"]
    return next(str(account["id"]) for account in accounts if account["name"] == "Alpha brokerage")


async def _holding(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    holding = await create_holding(client, owner, await _brokerage(client, owner), symbol=SHARED_SYMBOL,
                                   quantity="7", cost_basis="777.77")
    return Row(holding["id"], (holding["id"], "777.77"))


async def _investment_transaction(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    bought = await create_investment_transaction(client, owner, await _brokerage(client, owner), type="buy",
                                                 date="2024-03-04", symbol=SHARED_SYMBOL, quantity="3",
                                                 price="99.99", note="Alpha purchase")
    return Row(bought["id"], (bought["id"], "Alpha purchase"))


async def _transfer(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    source = await create_account(client, owner, name="Alpha current")
    target = await create_account(client, owner, name="Alpha savings", type="savings")
    transfer = await create_transfer(client, owner, from_account_id=source["id"], to_account_id=target["id"],
                                     description="Alpha move")
    return Row(transfer["id"], (transfer["id"], source["id"], target["id"], "Alpha move"))


async def _conversation(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    response = await client.post(f"{V1}/assistant/conversations", json={"title": "Alpha chat"},
                                 headers=owner.headers)
    assert response.status_code == 201, response.text
    return Row(response.json()["id"], (response.json()["id"], "Alpha chat"))


async def _action(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    """A write the (fake) model proposed in a conversation of A's: see `model_that_proposes`."""
    chat = await _conversation(client, owner)
    response = await client.post(f"{V1}/assistant/conversations/{chat.id}/messages", headers=owner.headers,
                                 json={"content": "Alpha lunch for 9.99 USD today, please"})
    assert response.status_code == 200, response.text
    proposal = response.json()["proposals"][0]
    return Row(proposal["id"], (proposal["id"], "Alpha lunch"))


async def _sub_user(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    email = f"alpha-{uuid.uuid4().hex[:12]}@example.com"
    response = await client.post(f"{V1}/business/sub-users", json={"email": email, "password": TEST_PASSWORD},
                                 headers=owner.headers)
    assert response.status_code == 201, response.text
    sub_user_id = str(response.json()["id"])
    return Row(sub_user_id, (sub_user_id, email))


async def _custom_rate(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    response = await client.post(f"{V1}/exchange-rates/custom", headers=owner.headers,
                                 json={"date": "2024-03-01", "from": "ARS", "to": "USD", "rate": "0.0012345"})
    assert response.status_code == 201, response.text
    return Row(response.json()["id"], (response.json()["id"], "0.0012345"))


async def _personal_token(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    response = await client.post(f"{V1}/users/me/tokens", headers=owner.headers,
                                 json={"name": "Alpha script", "scopes": ["read"]})
    assert response.status_code == 201, response.text
    token = response.json()
    return Row(token["id"], (token["id"], "Alpha script", token["token"]))


async def _bank_import(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    response = await client.post(f"{V1}/imports", headers=owner.headers, files={
        "file": ("alpha-bank.csv", b"Date,Description,Amount\n2024-03-07,Alpha bakery,-4.20\n")})
    assert response.status_code == 201, response.text
    return Row(response.json()["id"], (response.json()["id"], "alpha-bank.csv", "Alpha bakery"))


# How to make tenant A's row that a path parameter names. A route with an `{..._id}` that has no entry
# here fails the walk: add a factory for it.
OWNED_ROWS: dict[str, Callable[[httpx.AsyncClient, UserHandle], Awaitable[Row]]] = {
    "category_id": _category,
    "payment_method_id": _payment_method,
    "transaction_id": _transaction,
    "expense_id": _expense,
    "template_id": _template,
    "cycle_id": _cycle,
    "budget_id": _budget,
    "goal_id": _goal,
    "sub_user_id": _sub_user,
    "institution_id": _institution,
    "account_id": _account,
    "holding_id": _holding,
    "investment_transaction_id": _investment_transaction,
    "transfer_id": _transfer,
    "conversation_id": _conversation,
    "action_id": _action,
    "token_id": _personal_token,
    "custom_rate_id": _custom_rate,
    "import_id": _bank_import,
}

# Rows of one user rather than of the tenant: a business's sub-user reads none of its owner's conversations,
# nor its personal access tokens.
PER_USER_PREFIX = (f"{V1}/assistant/", f"{V1}/users/me/")


@pytest.fixture(autouse=True)
def model_that_proposes(app: FastAPI, settings: Settings) -> Iterator[None]:
    """A configured model (a fake on loopback) that answers every question with a proposed expense, so that
    the walk has conversations, proposals and logs of A's, and B's messages reach the conversation lookup."""
    with fake_model_server() as model:
        model.fallback = lambda request: (
            calls(("propose_expense", {"amount": "9.99", "currency": "USD", "date": str(clock.today()),
                                       "description": "Alpha lunch"}))
            if request["messages"][-1]["role"] == "user" else text("Proposed."))
        configure(app, settings, model.url)
        try:
            yield
        finally:
            app.state.settings = settings

# Path parameters that name no owned row, with the value the walk puts there (B calls these routes too:
# their answers must show nothing of A's).
SHARED_SYMBOL = "ALPHA"  # a security: shared reference data, which both tenants read
NOT_IDS: dict[str, str] = {
    "date": "2024-03-15",  # exchange rates of a day: reference data
    "symbol": SHARED_SYMBOL,
    "year": "2024",  # the monthly report
    "month": "3",
}

# Bodies the generic builder (`sample_body`) can't make, by model name; query parameters, by name.
BODY_SAMPLES: dict[str, dict[str, Any]] = {
    "HoldingCreate": {"symbol": SHARED_SYMBOL, "quantity": "10", "cost_basis": "1500.00"},
    "InvestmentTransactionCreate": {"type": "deposit", "date": "2024-03-05", "amount": "50.00"},
    "AdminUserCreate": {"email": "walk@example.com", "password": "long enough password"},
}
QUERY_SAMPLES: dict[str, str] = {"from": "USD", "to": "EUR",  # currency codes
                                 "query": SHARED_SYMBOL}  # a security search that finds something

# Values of required fields and query parameters, by type, when they give no `examples`.
SCALARS: dict[Any, Any] = {str: "x", int: 1, float: 1.0, bool: True, Decimal: "1.00", date: "2024-03-15"}


# --- the routes -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # as declared: /api/v1/transactions/{transaction_id:uuid}
    route: RouteContext = field(compare=False)

    @property
    def parameters(self) -> list[str]:
        return PARAMETER.findall(self.path)

    @property
    def ids(self) -> list[str]:
        return [name for name in self.parameters if name not in NOT_IDS]

    @property
    def is_admin(self) -> bool:
        return self.path.startswith(ADMIN_PREFIX)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def endpoints(app: FastAPI) -> Iterator[Endpoint]:
    """Every method of every API route of the app, included routers' too (with their prefixes)."""
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute):
            for method in sorted(route.methods or ()):
                yield Endpoint(method, str(route.path), route)


def walked(app: FastAPI) -> list[Endpoint]:
    """The routes that name a row of a tenant: all but the operators' (see `skip_reason`)."""
    return [endpoint for endpoint in endpoints(app) if endpoint.ids and skip_reason(endpoint) is None]


def skip_reason(endpoint: Endpoint) -> str | None:
    if endpoint.is_admin:
        return "operator route over users, not tenant data (test_admin_routes_are_closed_to_tenant_owners)"
    if endpoint.path.startswith(WEB_APP_PREFIX):
        return "a page of the web app: a session cookie, not a bearer token (tests/webapp/test_tenancy.py walks them)"
    return None


def depends_on(dependant: Dependant, call: Callable[..., Any]) -> bool:
    return any(sub.call is call or depends_on(sub, call) for sub in dependant.dependencies)


def query_parameters(dependant: Dependant) -> Iterator[tuple[str, FieldInfo]]:
    """The query parameters of a route and of its dependencies (paging, ...): name and field."""
    for parameter in dependant.query_params:
        yield parameter.alias, parameter.field_info
    for sub in dependant.dependencies:
        yield from query_parameters(sub)


def _unwrap(annotation: Any) -> Any:
    """`Annotated[X, ...]` and `X | None` as X."""
    if get_origin(annotation) is Annotated:
        return _unwrap(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return _unwrap(next(arg for arg in get_args(annotation) if arg is not type(None)))
    return annotation


def sample(annotation: Any, examples: list[Any] | None, where: str) -> Any:
    """A valid value of a required field or parameter: its first example, else one by its type."""
    if examples:
        return examples[0]
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return sample_body(annotation)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return next(iter(annotation)).value
    if get_origin(annotation) is Literal:
        return get_args(annotation)[0]
    if get_origin(annotation) is list:
        return []
    if annotation not in SCALARS:
        pytest.fail(f"{where}: no sample value for {annotation!r}; add one to SCALARS or BODY_SAMPLES "
                    "(tests/test_tenancy.py)")
    return SCALARS[annotation]


def sample_body(model: type[BaseModel]) -> dict[str, Any]:
    """The smallest valid body of a model: its required fields (a PATCH body is mostly `{}`)."""
    body = BODY_SAMPLES.get(model.__name__)
    if body is None:
        body = {info.alias or name: sample(info.annotation, info.examples, f"{model.__name__}.{name}")
                for name, info in model.model_fields.items() if info.is_required()}
    try:
        model.model_validate(body)
    except ValidationError as exc:
        pytest.fail(f"the body made for {model.__name__} is invalid ({exc}); add a valid one to BODY_SAMPLES "
                    "(tests/test_tenancy.py)")
    return body


async def call(client: httpx.AsyncClient, caller: UserHandle, endpoint: Endpoint, ids: Mapping[str, str]
               ) -> httpx.Response:
    """The endpoint with `ids` in its path, and a valid body and query: only the lookup may refuse."""
    values = {**NOT_IDS, **ids}
    for name in endpoint.parameters:
        if name not in values:
            pytest.fail(f"{endpoint}: nothing to put in {{{name}}}. If it names an owned row, add a factory for "
                        f"{name!r} to OWNED_ROWS; if not, a value to NOT_IDS (tests/test_tenancy.py)")
    url = PARAMETER.sub(lambda match: values[match.group(1)], endpoint.path)
    query: dict[str, Any] = {}
    for name, info in query_parameters(endpoint.route.dependant):
        annotation = _unwrap(info.annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):  # a query model: its fields
            query |= sample_body(annotation)
        elif name in QUERY_SAMPLES:
            query[name] = QUERY_SAMPLES[name]
        elif info.is_required():
            query[name] = sample(info.annotation, info.examples, f"{endpoint} ?{name}")
    body_field = endpoint.route.body_field
    body = None if body_field is None else sample_body(_unwrap(body_field.field_info.annotation))
    return await client.request(endpoint.method, url, params=query, json=body, headers=caller.headers)


# --- tenant A, and the walk -------------------------------------------------------------------------

@dataclass(frozen=True)
class Tenant:
    owner: UserHandle
    rows: dict[str, Row]

    @property
    def ids(self) -> dict[str, str]:
        return {name: row.id for name, row in self.rows.items()}

    def leaks(self, response: httpx.Response) -> list[str]:
        """Which of this tenant's ids and names the answer shows."""
        return sorted({mark for row in self.rows.values() for mark in row.marks if mark in response.text})


async def _recurring(client: httpx.AsyncClient, owner: UserHandle) -> Row:
    """A monthly payment up to today: a series that /transactions/recurring lists."""
    paid = await create_series(client, owner, [str(clock.today() - timedelta(days=30 * n)) for n in (2, 1, 0)],
                               description="Alpha gym")
    return Row(paid[-1]["id"], (paid[-1]["id"], "Alpha gym"))


async def tenant_with_rows(client: httpx.AsyncClient, make_user: MakeUser) -> Tenant:
    """A business owner with one row of every kind that a route names (and the shared security they hold),
    and a recurring series."""
    owner = await make_user(Role.business)
    if (await client.get(f"{V1}/securities/{SHARED_SYMBOL}", headers=owner.headers)).status_code == 404:
        await create_security(client, owner, symbol=SHARED_SYMBOL)
    rows = {name: await factory(client, owner) for name, factory in OWNED_ROWS.items()}
    return Tenant(owner, rows | {"recurring": await _recurring(client, owner)})


def tenant_reads(app: FastAPI) -> list[Endpoint]:
    """Every GET that names a row of a tenant, and every list."""
    named = walked(app)
    return [endpoint for endpoint in endpoints(app)
            if endpoint.method == "GET" and (endpoint in named or is_list(endpoint))]


async def reads(client: httpx.AsyncClient, caller: UserHandle, reading: list[Endpoint], ids: Mapping[str, str]
                ) -> dict[str, Any]:
    """What `caller` reads at these endpoints of the tenant whose `ids` these are."""
    answers: dict[str, Any] = {}
    for endpoint in reading:
        response = await call(client, caller, endpoint, ids)
        assert response.status_code == 200, (str(endpoint), response.text)
        answers[str(endpoint)] = response.json()
    return answers


def is_list(endpoint: Endpoint) -> bool:
    """A page of a tenant's rows (`{"items": [...], ...}`), which no path parameter narrows."""
    model = endpoint.route.response_model
    return (not endpoint.parameters and not endpoint.is_admin and isinstance(model, type)
            and issubclass(model, BaseModel) and "items" in model.model_fields)


def test_every_id_of_a_route_has_a_factory(app: FastAPI) -> None:
    missing = {f"{{{name}}} in {endpoint}" for endpoint in walked(app) for name in endpoint.ids
               if name not in OWNED_ROWS}
    assert not missing, ("add a factory of tenant A's row for each to OWNED_ROWS (or, if it names no owned row, "
                         f"a value to NOT_IDS) in tests/test_tenancy.py: {missing}")


def test_the_walk_skips_no_route_silently(app: FastAPI) -> None:
    """Every operation of the OpenAPI schema (FastAPI's own list of the routes) whose path names an id is
    walked, or skipped for a stated reason."""
    in_schema = {(method.upper(), path) for path, operations in app.openapi()["paths"].items()
                 for method in operations if "_id}" in path}
    covered = {(endpoint.method, PARAMETER.sub(r"{\1}", endpoint.path)) for endpoint in walked(app)}
    skipped = {(endpoint.method, PARAMETER.sub(r"{\1}", endpoint.path)) for endpoint in endpoints(app)
               if endpoint.ids and skip_reason(endpoint) is not None}
    assert len(in_schema) >= 30, in_schema  # the schema still lists the routes (a guard against an empty walk)
    assert in_schema <= covered | skipped, in_schema - covered - skipped
    assert not covered & skipped


async def test_another_tenants_rows_do_not_exist(app: FastAPI, client: httpx.AsyncClient,
                                                 make_user: MakeUser) -> None:
    alpha = await tenant_with_rows(client, make_user)
    beta = await make_user(Role.business)
    before = await reads(client, alpha.owner, tenant_reads(app), alpha.ids)
    failures = []
    for endpoint in walked(app):
        response = await call(client, beta, endpoint, alpha.ids)
        code = response.json()["error"]["code"] if response.status_code >= 400 else None
        if response.status_code != 404 or not str(code).endswith("_NOT_FOUND") or alpha.leaks(response):
            failures.append(f"{endpoint}: {response.status_code} {response.text[:300]}")
    assert not failures, "B reached A's rows:\n" + "\n".join(failures)
    assert await reads(client, alpha.owner, tenant_reads(app), alpha.ids) == before  # A's rows are untouched


async def test_no_answer_shows_another_tenants_rows(app: FastAPI, client: httpx.AsyncClient,
                                                    make_user: MakeUser) -> None:
    """Every GET of the API that names no row of A's (lists, reports, exports, a day's rates) shows B
    nothing of A's; each list is checked against A's own answer, which shows A's rows."""
    alpha = await tenant_with_rows(client, make_user)
    beta = await make_user(Role.business)
    own_lists = await reads(client, alpha.owner, tenant_reads(app), alpha.ids)
    lists = 0
    for endpoint in endpoints(app):
        if endpoint.method != "GET" or endpoint.ids or endpoint.is_admin or not endpoint.path.startswith(V1):
            continue  # (/health and /metrics are the operators')
        response = await call(client, beta, endpoint, {})
        assert response.status_code == 200, (f"{endpoint}: {response.status_code} (if its query is invalid, add "
                                             f"a sample to QUERY_SAMPLES)", response.text)
        assert not alpha.leaks(response), (str(endpoint), alpha.leaks(response))
        if is_list(endpoint):
            lists += 1
            assert own_lists[str(endpoint)]["items"], f"{endpoint}: A's own list is empty, the check proves nothing"
    assert lists >= 9, lists  # categories, payment methods, transactions, expenses, templates, cycles, ...


async def test_admin_routes_are_closed_to_tenant_owners(app: FastAPI, client: httpx.AsyncClient,
                                                        make_user: MakeUser) -> None:
    owner, other = await make_user(Role.business), await make_user()
    admin_routes = [endpoint for endpoint in endpoints(app) if endpoint.is_admin]
    assert admin_routes
    for endpoint in admin_routes:
        response = await call(client, owner, endpoint, {"user_id": str(other.id)})
        assert response.status_code == 403 and error_code(response) == "FORBIDDEN", (str(endpoint), response.text)


async def test_an_admin_reads_no_tenant_data(app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser) -> None:
    alpha = await tenant_with_rows(client, make_user)
    admin = await make_user(Role.admin)
    for endpoint in endpoints(app):
        if depends_on(endpoint.route.dependant, get_tenant) and (endpoint.method == "GET" or endpoint.ids):
            response = await call(client, admin, endpoint, alpha.ids)
            assert response.status_code == 403 and error_code(response) == "FORBIDDEN", str(endpoint)
            assert not alpha.leaks(response), str(endpoint)


async def test_a_sub_user_reads_its_business_rows_and_may_not_write_them(
        app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser) -> None:
    """A's sub-user reads what A reads, but for the owner's own routes (its sub-users), which are 403 to it
    like the owner's writes. The other writes (a transaction's) are a sub-user's to make: not walked here."""
    alpha = await tenant_with_rows(client, make_user)
    sub_user = await make_user(Role.sub_user, business=alpha.owner)
    reading = [endpoint for endpoint in tenant_reads(app) if not depends_on(endpoint.route.dependant, require_owner)
               and not endpoint.path.startswith(PER_USER_PREFIX)]
    assert await reads(client, sub_user, reading, alpha.ids) == await reads(client, alpha.owner, reading, alpha.ids)
    for endpoint in tenant_reads(app):
        if endpoint.path.startswith(PER_USER_PREFIX):  # the owner's own: not found, and not listed
            response = await call(client, sub_user, endpoint, alpha.ids)
            assert response.status_code == (404 if endpoint.ids else 200), (str(endpoint), response.text)
            assert not alpha.leaks(response), str(endpoint)
    for endpoint in walked(app) + [endpoint for endpoint in tenant_reads(app) if not endpoint.ids]:
        if depends_on(endpoint.route.dependant, require_owner):
            response = await call(client, sub_user, endpoint, alpha.ids)
            assert response.status_code == 403 and error_code(response) == "FORBIDDEN", str(endpoint)


async def test_another_business_sub_user_sees_none_of_it(app: FastAPI, client: httpx.AsyncClient,
                                                         make_user: MakeUser) -> None:
    """Another business's sub-user reads none of A's rows (404), and its lists show none."""
    alpha = await tenant_with_rows(client, make_user)
    outsider = await make_user(Role.sub_user, business=await make_user(Role.business))
    for endpoint in tenant_reads(app):
        response = await call(client, outsider, endpoint, alpha.ids)
        if depends_on(endpoint.route.dependant, require_owner):
            assert response.status_code == 403, (str(endpoint), response.text)
        else:
            assert response.status_code == (404 if endpoint.ids else 200), (str(endpoint), response.text)
        assert not alpha.leaks(response), str(endpoint)


# --- what the walk doesn't see ----------------------------------------------------------------------

def _field(response: httpx.Response) -> str:
    """The field a 422 VALIDATION_ERROR names."""
    assert response.status_code == 422 and error_code(response) == "VALIDATION_ERROR", response.text
    invalid: str = response.json()["error"]["details"]["errors"][0]["field"]
    return invalid


async def test_another_tenants_ids_in_a_body_are_invalid(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    """A reference to another tenant's row is invalid input (422), never a link to it."""
    alpha = await tenant_with_rows(client, make_user)
    beta = await make_user(Role.business)
    category, method, cycle = alpha.ids["category_id"], alpha.ids["payment_method_id"], alpha.ids["cycle_id"]
    own_expense = (await create_expense(client, beta))["id"]
    own_template = (await create_template(client, beta))["id"]
    budget = {"name": "B", "currency": "USD", "period_start": "2024-03-01", "period_end": "2024-03-31",
              "total_amount": "100", "entries": [{"category_id": category, "amount": "50"}]}
    template = {"name": "x", "amount": "1", "currency": "USD", "frequency": "once", "start_date": "2024-01-01"}
    cases: list[tuple[str, str, dict[str, Any], str]] = [
        ("POST", "/transactions", expense_body(type="expense", category_id=category), "body.category_id"),
        ("POST", "/transactions", expense_body(type="expense", payment_method_id=method), "body.payment_method_id"),
        ("POST", "/expenses", expense_body(category_id=category), "body.category_id"),
        ("POST", "/expenses", expense_body(payment_method_id=method), "body.payment_method_id"),
        ("POST", "/expenses", expense_body(cycle_id=cycle, date="2024-03-02"), "body.cycle_id"),
        ("PATCH", f"/expenses/{own_expense}", {"category_id": category}, "body.category_id"),
        ("PATCH", f"/expenses/{own_expense}", {"payment_method_id": method}, "body.payment_method_id"),
        ("POST", "/expense-templates", {**template, "category_id": category}, "body.category_id"),
        ("POST", "/expense-templates", {**template, "payment_method_id": method}, "body.payment_method_id"),
        ("PATCH", f"/expense-templates/{own_template}", {"category_id": category}, "body.category_id"),
        ("POST", "/budgets", budget, "body.entries.0.category_id"),
    ]
    for method_name, path, body, invalid in cases:
        response = await client.request(method_name, f"{V1}{path}", json=body, headers=beta.headers)
        assert _field(response) == invalid, (method_name, path, response.text)
        assert not alpha.leaks(response)
    # reassign_to: B can't move its rows into A's category, nor A into B's; B's category survives
    mine = await create_category(client, beta, "Beta food")
    await create_expense(client, beta, category_id=mine)
    response = await client.delete(f"{V1}/categories/{mine}", params={"reassign_to": category}, headers=beta.headers)
    assert _field(response) == "query.reassign_to"
    response = await client.delete(f"{V1}/categories/{category}", params={"reassign_to": mine},
                                   headers=alpha.owner.headers)
    assert _field(response) == "query.reassign_to"
    assert (await client.get(f"{V1}/categories/{mine}", headers=beta.headers)).status_code == 200


async def test_filters_by_another_tenants_ids_match_nothing(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    alpha = await tenant_with_rows(client, make_user)
    beta = await make_user(Role.business)
    await create_expense(client, beta)
    filters = {name: alpha.ids[name] for name in ("category_id", "payment_method_id", "cycle_id")}
    await create_expense(client, alpha.owner, date="2024-03-02", **filters)
    for path in ("/transactions", "/expenses"):
        for name, value in filters.items():
            response = await client.get(f"{V1}{path}", params={name: value}, headers=beta.headers)
            assert response.status_code == 200 and response.json()["items"] == [], (path, name)
            response = await client.get(f"{V1}{path}", params={name: value}, headers=alpha.owner.headers)
            assert response.json()["total"] >= 1, (path, name)


async def test_the_same_names_in_two_tenants_do_not_collide(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    """Names (and a cycle's days) are unique within a tenant only."""
    await tenant_with_rows(client, make_user)
    beta = await make_user(Role.business)
    await create_category(client, beta, "ALPHA groceries")
    await create_payment_method(client, beta, "Alpha card")
    await create_cycle(client, beta, name="alpha march")  # A's cycle has these days too
