"""Sign in, register, sign out: the API's own auth service behind HTML forms.

Signing in is `POST /auth/login` by another door: the same rate limit per client address, the same lockout
(auth.service.login decides it), the same tokens, kept in HttpOnly cookies (webapp/signin.py).
"""

import math
from typing import Annotated

from fastapi import Depends, Form, Request, Response
from pydantic import ValidationError

from colony.auth import service as auth_service
from colony.auth.errors import AccountLocked, InvalidCredentials, RegistrationClosed
from colony.auth.router import ClientAddress, limit_auth_requests
from colony.auth.schemas import LoginRequest, RegisterRequest
from colony.core.db import commit
from colony.core.deps import SessionDep, SettingsDep
from colony.core.errors import RateLimited
from colony.users.errors import EmailAlreadyRegistered
from colony.webapp import signin
from colony.webapp.account.forms import LoginForm, RegisterForm
from colony.webapp.deps import VisitorToken, check_visitor_form, get_form_viewer
from colony.webapp.forms import field_errors
from colony.webapp.routing import HOME_PATH, SIGN_IN_PATH, page_responses, page_router, safe_next, see_other
from colony.webapp.templating import render

router = page_router()
visitor_form = [Depends(limit_auth_requests), Depends(check_visitor_form)]  # as the API: counted, then checked


async def _signed_in(request: Request) -> bool:
    try:
        await signin.principal(request)
    except signin.SignInRequired:
        return False
    return True


@router.get("/login", responses={303: {"description": "Already signed in: to the overview"}})
async def login_page(request: Request, token: VisitorToken, settings: SettingsDep, next: str = "") -> Response:
    """The sign-in form (`email`, `password`, hidden `csrf_token`)."""
    if await _signed_in(request):
        return see_other(safe_next(next))
    return render("account/login.html", csrf_token=token, next=safe_next(next), email="", error=None,
                  registration_open=settings.registration != "closed")


@router.post("/login", status_code=303, dependencies=visitor_form,
             responses=page_responses(InvalidCredentials, AccountLocked, RateLimited, form=True, signed_in=False,
                                      done="Signed in: to `next` or the overview, with the session cookies"))
async def login(request: Request, form: Annotated[LoginForm, Form()], session: SessionDep, settings: SettingsDep,
                address: ClientAddress, token: VisitorToken) -> Response:
    """Sign in with the API's login: wrong credentials → 401 and the form again, five failures in a row from one
    address → 423 for 15 minutes, too many requests → 429."""
    def again(status: int, error: str, headers: dict[str, str] | None = None) -> Response:
        return render("account/login.html", status, headers, csrf_token=token, next=safe_next(form.next),
                      email=form.email, error=error, registration_open=settings.registration != "closed")

    try:
        credentials = LoginRequest(email=form.email, password=form.password)
    except ValidationError:
        return again(422, "Enter your email and your password.")
    attempt = await auth_service.login(session, settings, address, credentials.email, credentials.password)
    await commit(session)  # a failed attempt is counted too
    try:
        pair = attempt.result()
    except AccountLocked as exc:
        seconds = int((exc.headers or {}).get("Retry-After", "900"))
        return again(exc.status_code, f"{exc.detail_message}. Try again in {math.ceil(seconds / 60)} minutes.",
                     exc.headers)
    except InvalidCredentials:
        return again(401, "Wrong email or password.")
    signin.start(request, pair)
    return see_other(safe_next(form.next))


@router.get("/register", responses={303: {"description": "Already signed in: to the overview"},
                                    **page_responses(RegistrationClosed, signed_in=False)})
async def register_page(request: Request, token: VisitorToken, settings: SettingsDep) -> Response:
    """The registration form; with COLONY_REGISTRATION=closed, a page that says so (403)."""
    if await _signed_in(request):
        return see_other(HOME_PATH)
    if settings.registration == "closed":
        raise RegistrationClosed()
    return render("account/register.html", csrf_token=token, form=RegisterForm(), errors={})


@router.post("/register", status_code=303, dependencies=visitor_form,
             responses=page_responses(RegistrationClosed, EmailAlreadyRegistered, RateLimited, form=True,
                                      signed_in=False, done="Registered and signed in: to the overview"))
async def register(request: Request, form: Annotated[RegisterForm, Form()], session: SessionDep,
                   settings: SettingsDep, address: ClientAddress, token: VisitorToken) -> Response:
    """Create an account with the API's registration (its rules, its default categories), then sign in."""
    def again(status: int, errors: dict[str, str]) -> Response:
        return render("account/register.html", status, csrf_token=token, form=form, errors=errors)

    try:
        data = RegisterRequest(email=form.email, password=form.password, first_name=form.first_name or None,
                               last_name=form.last_name or None, account_type=form.account_type,
                               base_currency=form.base_currency.strip().upper())
    except ValidationError as exc:
        return again(422, field_errors(exc))
    try:
        await auth_service.register(session, settings, data)
    except EmailAlreadyRegistered as exc:
        return again(exc.status_code, {"email": exc.detail_message})
    attempt = await auth_service.login(session, settings, address, data.email, data.password)
    await commit(session)
    signin.start(request, attempt.result())
    return see_other(HOME_PATH)


@router.post("/logout", status_code=303, dependencies=[Depends(get_form_viewer)],
             responses=page_responses(form=True, done="Signed out: to the sign-in form"))
async def logout(request: Request, session: SessionDep) -> Response:
    """End the session as `POST /auth/logout` does (its refresh chain and access token revoked at once)."""
    await signin.end(request, session)
    await commit(session)
    return see_other(SIGN_IN_PATH)
