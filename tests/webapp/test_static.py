"""The web app's scripts and styles come from Colony itself, with their licences, cached for as long as their
content stays; and its pages are documented in the OpenAPI schema like every other route."""

import re

import httpx
from fastapi import FastAPI

from colony.webapp.templating import STATIC_DIR, asset_version
from tests.factories import MakeUser
from tests.webapp.pages import APP, page, signed_in


async def test_every_asset_a_page_links_to_is_served_from_colony(client: httpx.AsyncClient,
                                                                 make_user: MakeUser) -> None:
    await signed_in(client, await make_user())
    html = await page(client, "/")
    links = re.findall(r'(?:src|href)="([^"]+\.(?:js|css)[^"]*)"', html)
    assert {link.split("?")[0] for link in links} >= {
        "/app/static/app.css", "/app/static/app.js", "/app/static/vendor/htmx/htmx.min.js",
        "/app/static/vendor/chartjs/chart.umd.min.js"}
    for link in links:
        assert link.startswith("/app/static/"), link  # no CDN
        response = await client.get(link)
        assert response.status_code == 200, link
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_an_asset_without_its_digest_is_checked_each_time(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{APP}/static/app.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    assert response.headers["cache-control"] == "no-cache"
    again = await client.get(f"{APP}/static/app.css", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    stale = await client.get(f"{APP}/static/app.css", params={"v": "0" * 12})
    assert stale.headers["cache-control"] == "no-cache"  # an old digest: the new content, not kept for a year


async def test_nothing_outside_the_static_directory_is_served(client: httpx.AsyncClient) -> None:
    for path in ("../templating.py", "..%2Ftemplating.py", "vendor/../../signin.py", "nothing.js"):
        assert (await client.get(f"{APP}/static/{path}")).status_code == 404, path


def test_vendored_scripts_ship_with_their_licences() -> None:
    vendor = STATIC_DIR / "vendor"
    assert "Zero-Clause BSD" in (vendor / "htmx" / "LICENSE").read_text()
    assert "MIT" in (vendor / "chartjs" / "LICENSE.md").read_text()
    assert "htmx" in (vendor / "htmx" / "htmx.min.js").read_text()[:200]
    assert "Chart.js v4." in (vendor / "chartjs" / "chart.umd.min.js").read_text()[:200]
    assert len(asset_version("app.css")) == 12


def test_every_page_is_documented_with_its_answers(app: FastAPI) -> None:
    paths = {path: item for path, item in app.openapi()["paths"].items() if path.startswith(f"{APP}/")}
    assert {"/app/", "/app/login", "/app/transactions", "/app/budgets", "/app/investments"} <= set(paths)
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert operation["tags"] == ["webapp"], (method, path)
            if path.startswith("/app/static/"):
                continue
            assert "303" in operation["responses"], (method, path)  # to the sign-in form, or done
            success = operation["responses"].get("200") or operation["responses"]["303"]
            assert "content" not in success or "text/html" in success["content"], (method, path)
            if method == "post":
                assert "CSRF_TOKEN_INVALID" in operation["responses"]["403"]["description"], path
