"""How a page answers what goes wrong, and the headers every page carries.

The API answers errors in JSON (core/handlers.py); a person in a browser gets a page instead. `PageRoute`
turns what a page raises into HTML with the same status: no session → 303 to the sign-in form, an `AppError`
(404 for another tenant's row, 403 for a bad CSRF token or a sub-user's write, 429 ...) → an error page. An
htmx request gets the same answers in a form htmx acts on: `HX-Redirect` to sign in, and error messages
swapped into the page's message area (`HX-Retarget`).
"""

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from colony.core.errors import AppError
from colony.core.handlers import validation_errors
from colony.core.routing import InputRoute
from colony.webapp import signin
from colony.webapp.errors import CsrfTokenInvalid
from colony.webapp.templating import render

SIGN_IN_PATH = "/app/login"
HOME_PATH = "/app/"
# No script, style or connection to anything but Colony itself; no inline script or style; no framing.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # figures of one person: no cache keeps them, not even the back button's
}
FLASH_TARGET = "#flash"


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def see_other(path: str) -> RedirectResponse:
    """The answer to a form that worked: the browser loads `path` with a GET (303)."""
    return RedirectResponse(path, status_code=303)


def safe_next(path: str | None) -> str:
    """Where to go after signing in: a page of the web app, never another site (`//evil.example`)."""
    if path and path.startswith("/app/") and not path.startswith("//") and "\\" not in path:
        return path
    return HOME_PATH


def sign_in_answer(request: Request) -> Response:
    if is_htmx(request):  # an XMLHttpRequest would follow a 303 and swap the sign-in form into a fragment
        return Response(status_code=401, headers={"HX-Redirect": SIGN_IN_PATH})
    target = SIGN_IN_PATH
    if request.method == "GET" and request.url.path != HOME_PATH:
        target += "?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="")
    return see_other(target)


def error_answer(request: Request, status_code: int, message: str, headers: dict[str, str] | None = None
                 ) -> HTMLResponse:
    if is_htmx(request):
        return render("_flash.html", status_code, {**(headers or {}), "HX-Retarget": FLASH_TARGET,
                                                   "HX-Reswap": "innerHTML"},
                      message=message, kind="error")
    return render("error.html", status_code, headers, status_code=status_code, message=message)


class PageRoute(InputRoute):
    """A route of the web app: the API's input rules, and HTML answers for everything that goes wrong."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_page(request: Request) -> Response:
            try:
                response = await handle(request)
            except signin.SignInRequired:
                signin.cookie_changes(request).sign_out()
                response = sign_in_answer(request)
            except AppError as exc:
                response = error_answer(request, exc.status_code, exc.detail_message, exc.headers)
            except RequestValidationError as exc:
                problems = "; ".join(f"{e['field']}: {e['message']}" for e in validation_errors(exc))
                response = error_answer(request, 422, f"Invalid input ({problems})")
            except StarletteHTTPException as exc:  # a body over its limit, a form that cannot be parsed
                response = error_answer(request, exc.status_code, str(exc.detail))
            signin.cookie_changes(request).apply(request, response)
            for name, value in PAGE_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return handle_page


def page_router(**options: Any) -> APIRouter:
    """An APIRouter of web app pages (documented under the `webapp` tag, answering HTML)."""
    return APIRouter(route_class=PageRoute, tags=["webapp"], default_response_class=HTMLResponse, **options)


# ---- OpenAPI: what pages answer besides their HTML ----

def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


SIGN_IN_REDIRECT = {"description": "No session, or it ended: to the sign-in form `/app/login` (an htmx request "
                                   "gets 401 with `HX-Redirect` instead)",
                    "headers": {"Location": {"schema": {"type": "string"}}}}


def page_responses(*errors: type[AppError], form: bool = False, done: str | None = None,
                   signed_in: bool = True) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI entries of a page: its 303s (`done`: where a form that worked leads; `signed_in`: the page
    needs a session), and what it shows when something is wrong (`errors`, and for a form the 403 of a bad
    CSRF token and the 422 of invalid fields)."""
    responses: dict[int | str, dict[str, Any]] = {303: SIGN_IN_REDIRECT} if signed_in else {}
    if done is not None:
        responses[303] = {"description": done + ("; without a session, to the sign-in form" if signed_in else ""),
                          "headers": {"Location": {"schema": {"type": "string"}}}}
    codes: dict[int, list[str]] = {}
    shown: tuple[type[AppError], ...] = (*errors, CsrfTokenInvalid) if form else errors
    for error in shown:
        codes.setdefault(error.status_code, []).append(error.code)
    if form:
        codes.setdefault(422, []).append("VALIDATION_ERROR (the form again, with each field's problem)")
        responses[413] = {"description": "PAYLOAD_TOO_LARGE: a body over 1 MiB (an upload: COLONY_MAX_UPLOAD_MB), "
                                         "refused before it is read, in the API's JSON error shape",
                          "content": {"application/json": {"schema": {"type": "object"}}}}
    for status, names in sorted(codes.items()):
        responses[status] = _html("An error page, or the form again with the problem (for htmx, a fragment): "
                                  + ", ".join(sorted(set(names))))
    return responses
