"""Helpers of the web app's tests: signing in through the form, reading tokens and chart data off pages."""

import html
import json
import re
from typing import Any

import httpx

from tests.factories import TEST_PASSWORD, UserHandle

APP = "/app"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_HEADER_TOKEN = re.compile(r"hx-headers='([^']+)'")


def csrf_token(page: str) -> str:
    """The token of the first form on a page."""
    match = _TOKEN.search(page)
    assert match, "the page has no form with a CSRF token"
    return html.unescape(match.group(1))


def htmx_headers(page: str) -> dict[str, str]:
    """The headers htmx sends with every request from this page (`X-CSRF-Token`), and the htmx marker."""
    match = _HEADER_TOKEN.search(page)
    assert match, "the page sets no hx-headers"
    headers: dict[str, str] = json.loads(html.unescape(match.group(1)))
    return headers | {"HX-Request": "true"}


def chart_data(page: str, chart_id: str) -> dict[str, Any]:
    """The JSON a chart is drawn from (its `<script type="application/json">` block)."""
    match = re.search(rf'<script type="application/json" id="{re.escape(chart_id)}-data">(.*?)</script>', page,
                      re.S)
    assert match, f"no data block for {chart_id}"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


async def sign_in(client: httpx.AsyncClient, user: UserHandle | str, password: str = TEST_PASSWORD,
                  next_page: str = "") -> httpx.Response:
    """Fill in and send the sign-in form, as a browser does; returns the answer to the POST."""
    email = user if isinstance(user, str) else user.email
    form = await client.get(f"{APP}/login")
    assert form.status_code == 200, form.text
    return await client.post(f"{APP}/login", data={"email": email, "password": password, "next": next_page,
                                                   "csrf_token": csrf_token(form.text)})


async def signed_in(client: httpx.AsyncClient, user: UserHandle) -> None:
    response = await sign_in(client, user)
    assert response.status_code == 303, response.text


async def page(client: httpx.AsyncClient, path: str, **params: Any) -> str:
    """The HTML of a page that must answer 200."""
    response = await client.get(f"{APP}{path}", params=params)
    assert response.status_code == 200, response.text
    return response.text
