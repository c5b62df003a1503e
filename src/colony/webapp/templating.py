"""Jinja2 templates: autoescaped, strict about undefined names, and the URLs of the static files.

Every value reaches the page through Jinja's autoescaping (`<script>` in a description shows as text), and
data for the charts through `|tojson` inside `<script type="application/json">` blocks, which browsers never
run; the pages carry no inline script at all, so their Content-Security-Policy forbids every one.
"""

import functools
import hashlib
from pathlib import Path
from typing import Any

import jinja2
from fastapi.responses import HTMLResponse

from colony.webapp import csrf

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
STATIC_PATH = "/app/static"


@functools.cache
def asset_version(path: str) -> str:
    """A digest of a static file's content: its URL changes with it, so browsers may keep it for good."""
    return hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]


def asset(path: str) -> str:
    """The URL of a static file, e.g. `asset("app.css")` → `/app/static/app.css?v=1a2b3c4d5e6f`."""
    return f"{STATIC_PATH}/{path}?v={asset_version(path)}"


environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,  # a misspelt name fails the page (and its test) instead of showing nothing
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
environment.globals.update(asset=asset, CSRF_FIELD=csrf.FIELD, CSRF_HEADER=csrf.HEADER)


def render(template: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    return HTMLResponse(environment.get_template(template).render(context), status_code=status, headers=headers)
