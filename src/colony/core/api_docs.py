"""The API's pages for people (`/docs`, `/redoc`) and the operation ids of its schema.

Both pages load their scripts, styles and icon from assets inside the package (`colony/static/docs/`),
never from a CDN, so they work on a network without internet access.
"""

import re
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

ASSETS_DIR = Path(__file__).resolve().parent.parent / "static" / "docs"
ASSETS_PATH = "/docs/assets"
SWAGGER_UI_PATH, OAUTH2_REDIRECT_PATH, REDOC_PATH = "/docs", "/docs/oauth2-redirect", "/redoc"
FAVICON = "swagger-ui/favicon-32x32.png"
# Swagger UI would otherwise ask validator.swagger.io to judge the schema.
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}


def operation_id(route: APIRoute) -> str:
    """`<tag>_<endpoint function>`, e.g. `expenses_create_expense`: short for generated clients, and stable
    when routes are added elsewhere. Within a tag the functions have distinct names (a test checks)."""
    tag = str(route.tags[0]) if route.tags else ""
    return re.sub(r"\W+", "_", f"{tag}_{route.name}".lower()).strip("_")


def mount_docs(app: FastAPI) -> None:
    """Swagger UI at `/docs` and ReDoc at `/redoc`, for an app made with `docs_url=None, redoc_url=None`."""
    assert app.openapi_url is not None
    openapi_path = app.openapi_url

    def root(request: Request) -> str:  # the prefix a proxy serves the app under, if any
        return str(request.scope.get("root_path", "")).rstrip("/")

    async def swagger_ui(request: Request) -> HTMLResponse:
        assets = root(request) + ASSETS_PATH
        return get_swagger_ui_html(
            openapi_url=root(request) + openapi_path, title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{assets}/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui/swagger-ui.css",
            swagger_favicon_url=f"{assets}/{FAVICON}",
            oauth2_redirect_url=root(request) + OAUTH2_REDIRECT_PATH,
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )

    async def swagger_ui_oauth2_redirect(_request: Request) -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc(request: Request) -> HTMLResponse:
        assets = root(request) + ASSETS_PATH
        return get_redoc_html(
            openapi_url=root(request) + openapi_path, title=f"{app.title} - ReDoc",
            redoc_js_url=f"{assets}/redoc/redoc.standalone.js", redoc_favicon_url=f"{assets}/{FAVICON}",
            with_google_fonts=False,
        )

    app.add_route(SWAGGER_UI_PATH, swagger_ui, include_in_schema=False)
    app.add_route(OAUTH2_REDIRECT_PATH, swagger_ui_oauth2_redirect, include_in_schema=False)
    app.add_route(REDOC_PATH, redoc, include_in_schema=False)
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
