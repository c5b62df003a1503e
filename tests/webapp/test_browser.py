"""The web app in a real browser: Debian's chromium-headless-shell driven by Playwright, against a real
`colony serve` on a fresh database. Few and quick: what only a browser can tell (scripts run, charts drawn,
htmx swaps, nothing injected runs, no console errors); every other page check is in the other tests here.

The browser comes from the operating system (`apt-get install chromium-headless-shell`, as `.ci/run` does),
never downloaded at run time; without it these tests are skipped, saying so.
"""

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.databases import fresh_database
from tests.e2e.conftest import LiveServer, start_server, stop_server
from tests.factories import V1

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # a test dependency; without it, say why these tests do not run
    pytest.skip("playwright is not installed (pip install -e '.[test]')", allow_module_level=True)

BROWSER = shutil.which("chromium-headless-shell") or next(
    (str(path) for path in (Path("/usr/lib/chromium/chromium-headless-shell"),) if path.exists()), None)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(BROWSER is None, reason="chromium-headless-shell is not installed (on Debian: apt-get install "
                                               "chromium-headless-shell); the browser tests need a browser"),
]

EMAIL, PASSWORD = "browser@example.com", "browser-password-123"
CANARY = '<img src=x onerror="window.injected = 1"><script>window.injected = 2</script>'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`colony serve` on a fresh database, with a user who has a month of money and some history."""
    directory = tmp_path_factory.mktemp("browser")
    with fresh_database(directory, "browser") as database_url:
        live = start_server(directory, {"COLONY_DATABASE_URL": database_url})
        try:
            _seed(live.base_url)
            yield live
        finally:
            stop_server(live)


@pytest.fixture(scope="module")
def browser(server: LiveServer) -> Iterator[Browser]:
    """The system's browser, for this module only: Playwright's synchronous API runs an event loop of its own,
    which must be gone before the asynchronous tests of other modules run theirs (and must not be running
    while the server's database is made or dropped: hence after the server, and closed before it)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=BROWSER)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh context (no cookies from another test)."""
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def _seed(base_url: str) -> None:
    today = dt.datetime.now(dt.UTC).date()
    with httpx.Client(base_url=base_url + V1, timeout=10) as api:
        assert api.post("/auth/register", json={"email": EMAIL, "password": PASSWORD}).status_code == 201
        token = api.post("/auth/login", json={"email": EMAIL, "password": PASSWORD}).json()["access_token"]
        api.headers["Authorization"] = f"Bearer {token}"
        food = next(c["id"] for c in api.get("/categories").json()["items"] if c["name"] == "Food")
        for amount, description in (("4.20", "Coffee beans"), ("61.30", "Groceries"), ("12.00", CANARY)):
            created = api.post("/expenses", json={"amount": amount, "currency": "USD", "date": str(today),
                                                  "description": description, "category_id": food})
            assert created.status_code == 201, created.text
        account = api.post("/accounts", json={"name": "Checking", "type": "checking", "currency": "USD"}).json()
        for months, balance in ((3, "900.00"), (1, "1200.00")):
            day = (today.replace(day=1) - dt.timedelta(days=28 * months)).replace(day=1)
            api.post(f"/accounts/{account['id']}/values", json={"date": str(day), "balance": balance})


@pytest.fixture
def console_errors(page: Page) -> Iterator[list[str]]:
    """Errors the pages log or throw (a script refused by the CSP, an exception): none is expected."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield errors
    assert errors == []


def _sign_in(page: Page, server: LiveServer, path: str = "/app/") -> None:
    page.goto(server.base_url + path)
    expect(page).to_have_url(re.compile(re.escape(f"{server.base_url}/app/login")))
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(server.base_url + path)


@contextmanager
def _api(server: LiveServer) -> Iterator[httpx.Client]:
    """The API, signed in as the browser's user."""
    with httpx.Client(base_url=server.base_url + V1, timeout=10) as api:
        token = api.post("/auth/login", json={"email": EMAIL, "password": PASSWORD}).json()["access_token"]
        api.headers["Authorization"] = f"Bearer {token}"
        yield api


def test_sign_in_and_the_overviews_charts_hold_the_apis_figures(page: Page, server: LiveServer,
                                                                console_errors: list[str]) -> None:
    _sign_in(page, server)
    today = dt.datetime.now(dt.UTC).date()
    with _api(server) as api:
        net_worth = api.get("/reports/net-worth", params={"date": str(today)}).json()
        month = api.get(f"/analytics/monthly/{today.year}/{today.month}").json()
    drawn = page.evaluate("""() => ['net-worth-chart', 'spending-chart'].map(id => {
        const chart = Chart.getChart(document.getElementById(id));
        return {labels: chart.data.labels, values: chart.data.datasets[0].data};
    })""")
    assert drawn[0]["values"] == [point["total"] for point in net_worth["history"]] + [net_worth["total"]]
    assert drawn[1]["labels"] == [row["category_name"] for row in month["category_breakdown"]]
    assert drawn[1]["values"] == [row["total"] for row in month["category_breakdown"]]
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing wider than the screen
    page.reload()
    expect(page.locator("#net-worth-chart")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


def test_adding_an_expense_through_the_form(page: Page, server: LiveServer, console_errors: list[str]) -> None:
    _sign_in(page, server, "/app/transactions")
    form = page.locator("#add")
    form.get_by_label("Amount").fill("7.25")
    form.get_by_label("Description").fill("Bus ticket")
    form.get_by_role("button", name="Add").click()
    expect(page.locator("#flash")).to_contain_text("Added “Bus ticket”: $7.25")
    expect(page.locator("#results")).to_contain_text("Bus ticket")  # the results reloaded themselves
    expect(form.get_by_label("Description")).to_have_value("")
    with _api(server) as api:
        assert any(item["description"] == "Bus ticket" and item["amount"] == "7.25"
                   for item in api.get("/expenses").json()["items"])


def test_a_filter_swaps_the_results_in_place(page: Page, server: LiveServer, console_errors: list[str]) -> None:
    _sign_in(page, server, "/app/transactions")
    page.evaluate("() => { window.samePage = true; }")  # gone if the page were loaded again
    page.get_by_label("Search").fill("coffee")
    expect(page.locator("#result-count")).to_have_text("1 transaction")
    expect(page.locator("#results")).to_contain_text("Coffee beans")
    expect(page.locator("#results")).not_to_contain_text("Groceries")
    expect(page).to_have_url(f"{server.base_url}/app/transactions?q=coffee", ignore_case=True)
    assert page.evaluate("() => window.samePage") is True


def test_markup_in_the_data_never_runs(page: Page, server: LiveServer, console_errors: list[str]) -> None:
    _sign_in(page, server, "/app/transactions")
    expect(page.locator("#results")).to_contain_text("window.injected = 2")  # shown as text
    page.goto(server.base_url + "/app/")
    assert page.evaluate("() => window.injected") is None
    assert page.locator("#results img, main img").count() == 0
