"""Signing in to the web app: the API's credentials, lockout and rate limit behind a form; the session cookies;
CSRF tokens; signing out; a session that ends when the API's tokens end."""

import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from colony.config import Settings
from colony.core import tokens
from colony.core.ratelimit import RateLimiter
from colony.core.tenancy import Role
from colony.webapp import signin
from tests.factories import V1, MakeUser, unique_email
from tests.webapp.pages import APP, csrf_token, htmx_headers, page, sign_in, signed_in


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Each cookie the response sets, by name: its whole Set-Cookie line."""
    return {line.split("=", 1)[0]: line for line in response.headers.get_list("set-cookie")}


# ---- no session ----

async def test_a_page_without_a_session_is_a_303_to_the_sign_in_form(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{APP}/")
    assert response.status_code == 303
    assert response.headers["location"] == "/app/login"


async def test_the_page_asked_for_is_opened_after_signing_in(client: httpx.AsyncClient,
                                                               make_user: MakeUser) -> None:
    user = await make_user()
    response = await client.get(f"{APP}/login", params={"next": "/app/?from=mail"})
    assert 'name="next" value="/app/?from=mail"' in response.text
    answer = await sign_in(client, user, next_page="/app/?from=mail")
    assert answer.headers["location"] == "/app/?from=mail"


async def test_signing_in_never_sends_the_browser_to_another_site(client: httpx.AsyncClient,
                                                                  make_user: MakeUser) -> None:
    user = await make_user()
    for target in ("//evil.example/", "https://evil.example/", "/api/v1/users/me", "/app\\..\\evil"):
        client.cookies.clear()
        answer = await sign_in(client, user, next_page=target)
        assert answer.headers["location"] == "/app/", target


async def test_an_htmx_request_without_a_session_is_told_to_load_the_sign_in_form(
        client: httpx.AsyncClient) -> None:
    response = await client.get(f"{APP}/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["hx-redirect"] == "/app/login"


# ---- signing in ----

async def test_signing_in_sets_an_httponly_lax_session_cookie_and_opens_the_overview(
        client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    response = await sign_in(client, user)
    assert response.status_code == 303 and response.headers["location"] == "/app/"
    cookies = set_cookies(response)
    for name in (signin.SESSION_COOKIE, signin.REFRESH_COOKIE, signin.NONCE_COOKIE):
        line = cookies[name].lower()
        assert "httponly" in line and "samesite=lax" in line and "path=/app" in line, line
        assert "secure" not in line  # plain HTTP: a Secure cookie would never come back
        assert "max-age" not in line and "expires" not in line  # gone when the browser closes
    overview = await client.get(f"{APP}/")
    assert overview.status_code == 200
    assert user.email in overview.text


async def test_over_https_the_cookies_are_secure(app: FastAPI, client: httpx.AsyncClient,
                                                 make_user: MakeUser) -> None:
    user = await make_user()
    async with httpx.AsyncClient(transport=client._transport, base_url="https://testserver") as https:
        response = await sign_in(https, user)
    assert response.status_code == 303
    for line in set_cookies(response).values():
        assert "; secure" in line.lower(), line


async def test_a_wrong_password_shows_the_form_again_with_401(client: httpx.AsyncClient,
                                                              make_user: MakeUser) -> None:
    user = await make_user()
    response = await sign_in(client, user, password="not the password")
    assert response.status_code == 401
    assert "Wrong email or password" in response.text
    assert f'value="{user.email}"' in response.text
    assert signin.SESSION_COOKIE not in set_cookies(response)
    assert (await client.get(f"{APP}/")).status_code == 303


async def test_an_unknown_email_answers_as_a_wrong_password(client: httpx.AsyncClient) -> None:
    response = await sign_in(client, unique_email())
    assert response.status_code == 401 and "Wrong email or password" in response.text


async def test_repeated_failures_lock_the_form_as_they_lock_the_api(client: httpx.AsyncClient,
                                                                    make_user: MakeUser) -> None:
    """The form counts into the API's lockout (auth.service.login decides it): once locked, the right password
    gets 423 too, through the form and through the API alike."""
    user = await make_user()
    statuses = [(await sign_in(client, user, password="guess")).status_code for _ in range(20)]
    assert 423 in statuses, statuses
    assert statuses[:statuses.index(423)] == [401] * statuses.index(423)
    locked = await sign_in(client, user)
    assert locked.status_code == 423
    assert "locked" in locked.text.lower() and "Try again in" in locked.text
    assert int(locked.headers["retry-after"]) > 0
    api = await client.post(f"{V1}/auth/login", json={"email": user.email, "password": "correct horse battery staple"})
    assert api.status_code == 423


@pytest.fixture
def strict_auth_limit(app: FastAPI) -> Iterator[None]:
    """The auth endpoints' budget cut to 3 requests a minute for this test (a limiter of its own)."""
    normal = app.state.auth_rate_limiter
    app.state.auth_rate_limiter = RateLimiter.create("3/minute", f"auth-{uuid.uuid4().hex}")
    try:
        yield
    finally:
        app.state.auth_rate_limiter = normal


async def test_the_form_spends_the_api_login_budget(client: httpx.AsyncClient, make_user: MakeUser,
                                                    strict_auth_limit: None) -> None:
    user = await make_user()
    assert (await client.post(f"{V1}/auth/login", json={"email": user.email, "password": "x"})).status_code == 401
    assert (await sign_in(client, user, password="x")).status_code == 401
    assert (await sign_in(client, user, password="x")).status_code == 401
    limited = await sign_in(client, user)
    assert limited.status_code == 429
    assert "Too many requests" in limited.text and int(limited.headers["retry-after"]) > 0


async def test_an_administrator_has_no_pages(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    admin = await make_user(Role.admin)
    await signed_in(client, admin)
    response = await client.get(f"{APP}/")
    assert response.status_code == 403
    assert "Administrators have no access to tenant data" in response.text


# ---- CSRF ----

async def test_a_form_without_a_valid_token_is_refused(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    form = await client.get(f"{APP}/login")
    fields = {"email": user.email, "password": "correct horse battery staple"}
    for token in (None, "", "forged", csrf_token(form.text)[:-2] + "xx"):
        data = fields | ({"csrf_token": token} if token is not None else {})
        response = await client.post(f"{APP}/login", data=data)
        assert response.status_code == 403, token
        assert "reload the page" in response.text
        assert signin.SESSION_COOKIE not in set_cookies(response)


async def test_a_token_is_worth_nothing_with_another_browsers_nonce(app: FastAPI, client: httpx.AsyncClient,
                                                                    make_user: MakeUser) -> None:
    """The token comes from the page of the browser holding the nonce: a token read off one's own page does not
    work in another browser (whose nonce cookie differs)."""
    user = await make_user()
    attacker_page = await client.get(f"{APP}/login")
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as victim:
        await victim.get(f"{APP}/login")  # the victim's browser has a nonce of its own
        response = await victim.post(f"{APP}/login", data={"email": user.email, "password": "correct horse battery "
                                                            "staple", "csrf_token": csrf_token(attacker_page.text)})
    assert response.status_code == 403


async def test_a_signed_in_form_takes_the_header_htmx_sends(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    await signed_in(client, user)
    overview = await page(client, "/")
    assert (await client.post(f"{APP}/logout", headers={"X-CSRF-Token": "forged"})).status_code == 403
    assert (await client.post(f"{APP}/logout")).status_code == 403
    assert (await client.get(f"{APP}/")).status_code == 200  # still signed in
    response = await client.post(f"{APP}/logout", headers=htmx_headers(overview))
    assert response.status_code == 303


async def test_the_token_of_one_user_does_not_sign_out_another(client: httpx.AsyncClient,
                                                               make_user: MakeUser) -> None:
    """Tokens are bound to the signed-in user: the anonymous token of the sign-in form is refused once signed in."""
    user = await make_user()
    anonymous = csrf_token((await client.get(f"{APP}/login")).text)
    await signed_in(client, user)
    assert (await client.post(f"{APP}/logout", data={"csrf_token": anonymous})).status_code == 403


# ---- signing out, and sessions the API ends ----

async def test_signing_out_ends_the_session_for_good(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    await signed_in(client, user)
    overview = await page(client, "/")
    stolen = dict(client.cookies.items())
    response = await client.post(f"{APP}/logout", data={"csrf_token": csrf_token(overview)})
    assert response.status_code == 303 and response.headers["location"] == "/app/login"
    assert all("max-age=0" in line.lower() for line in set_cookies(response).values())
    assert (await client.get(f"{APP}/")).status_code == 303
    # The cookies copied before signing out are revoked tokens, not a way back in.
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver",
                                 cookies=stolen) as replay:
        assert (await replay.get(f"{APP}/")).status_code == 303


async def test_a_deactivated_user_is_signed_out_at_once(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    await signed_in(client, user)
    assert (await client.delete(f"{V1}/users/me", headers=user.headers)).status_code == 204
    response = await client.get(f"{APP}/")
    assert response.status_code == 303 and response.headers["location"] == "/app/login"


async def test_an_expired_session_is_renewed_with_its_refresh_token(client: httpx.AsyncClient, settings: Settings,
                                                                    make_user: MakeUser) -> None:
    """The access token lives 30 minutes; the refresh token renews it, and two requests renewing with the same
    refresh token at once (a page and an htmx swap) both keep the session (the second gets the first's pair)."""
    user = await make_user()
    await signed_in(client, user)
    expired, _ = tokens.create_access_token(user.id, settings.signing_key, -1)
    refresh = client.cookies.get(signin.REFRESH_COOKIE, path="/app")
    assert refresh
    client.cookies.set(signin.SESSION_COOKIE, expired, domain="testserver.local", path="/app")
    jar = {signin.SESSION_COOKIE: expired, signin.REFRESH_COOKIE: refresh,
           signin.NONCE_COOKIE: client.cookies.get(signin.NONCE_COOKIE, path="/app") or ""}
    answers = []
    for _ in range(2):
        async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver",
                                     cookies=jar) as browser:
            answers.append(await browser.get(f"{APP}/"))
    assert [answer.status_code for answer in answers] == [200, 200]
    renewed = [set_cookies(answer)[signin.SESSION_COOKIE] for answer in answers]
    assert renewed[0] == renewed[1] and expired not in renewed[0]
    new_refresh = set_cookies(answers[0])[signin.REFRESH_COOKIE].split(";")[0].split("=", 1)[1]
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver",
                                 cookies={signin.REFRESH_COOKIE: new_refresh}) as browser:
        assert (await browser.get(f"{APP}/")).status_code == 200  # the chain was not revoked


async def test_a_replayed_refresh_token_after_the_grace_still_ends_the_chain(
        app: FastAPI, client: httpx.AsyncClient, settings: Settings, make_user: MakeUser) -> None:
    """Outside the grace window the API's rule holds: a used refresh token revokes its chain."""
    user = await make_user()
    await signed_in(client, user)
    refresh = client.cookies.get(signin.REFRESH_COOKIE, path="/app")
    expired, _ = tokens.create_access_token(user.id, settings.signing_key, -1)
    jar = {signin.SESSION_COOKIE: expired, signin.REFRESH_COOKIE: refresh or ""}
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver", cookies=jar) as browser:
        first = await browser.get(f"{APP}/")
    assert first.status_code == 200
    await app.state.cache.delete(f"webapp:renewed:{tokens.hash_token(refresh or '')}")  # the grace is over
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver", cookies=jar) as thief:
        assert (await thief.get(f"{APP}/")).status_code == 303
    new_refresh = set_cookies(first)[signin.REFRESH_COOKIE].split(";")[0].split("=", 1)[1]
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver",
                                 cookies={signin.REFRESH_COOKIE: new_refresh}) as browser:
        assert (await browser.get(f"{APP}/")).status_code == 303  # the whole chain is revoked


# ---- registration ----

async def test_registering_creates_the_account_and_signs_in(client: httpx.AsyncClient) -> None:
    form = await client.get(f"{APP}/register")
    assert form.status_code == 200
    email = unique_email("web")
    response = await client.post(f"{APP}/register", data={
        "email": email, "password": "a long password", "first_name": "Ada", "account_type": "personal",
        "base_currency": "eur", "csrf_token": csrf_token(form.text)})
    assert response.status_code == 303 and response.headers["location"] == "/app/"
    overview = await page(client, "/")
    assert "Ada" in overview and "€" in overview  # the base currency chosen


async def test_registration_problems_are_shown_beside_their_fields(client: httpx.AsyncClient,
                                                                   make_user: MakeUser) -> None:
    form = await client.get(f"{APP}/register")
    response = await client.post(f"{APP}/register", data={
        "email": "not an email", "password": "short", "base_currency": "XYZ", "csrf_token": csrf_token(form.text)})
    assert response.status_code == 422
    for field in ("email", "password", "base_currency"):
        assert f'id="e-{field}"' in response.text, field
    taken = await make_user()
    response = await client.post(f"{APP}/register", data={
        "email": taken.email, "password": "a long password", "csrf_token": csrf_token(form.text)})
    assert response.status_code == 409 and "already registered" in response.text


async def test_closed_registration_is_closed_here_too(app: FastAPI, client: httpx.AsyncClient,
                                                      settings: Settings) -> None:
    form = await client.get(f"{APP}/register")
    app.state.settings = settings.model_copy(update={"registration": "closed"})
    try:
        assert (await client.get(f"{APP}/register")).status_code == 403
        assert "Create an account" not in (await client.get(f"{APP}/login")).text
        response = await client.post(f"{APP}/register", data={
            "email": unique_email(), "password": "a long password", "csrf_token": csrf_token(form.text)})
        assert response.status_code == 403 and "Registration is closed" in response.text
    finally:
        app.state.settings = settings


# ---- what every page carries ----

async def test_pages_forbid_inline_scripts_framing_and_caching(client: httpx.AsyncClient,
                                                               make_user: MakeUser) -> None:
    await signed_in(client, await make_user())
    response = await client.get(f"{APP}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    assert "<script>" not in response.text  # every script is a file of Colony's
