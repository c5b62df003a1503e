"""The web app's static files (its stylesheet and scripts, htmx and Chart.js with their licences), served by
Colony itself: no CDN, so the pages work on a network without internet access."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.staticfiles import StaticFiles

from colony.webapp.templating import STATIC_DIR, asset_version

router = APIRouter(tags=["webapp"])
_files = StaticFiles(directory=STATIC_DIR)
FOREVER = "public, max-age=31536000, immutable"


@router.get("/static/{path:path}", response_class=Response, responses={
    200: {"description": "The file (JavaScript, CSS or a licence text)", "content": {"*/*": {}}},
    304: {"description": "Not modified since the browser's copy (`If-None-Match`)"},
    404: {"description": "No such file"}})
async def static_file(path: Annotated[str, Path(description="e.g. `app.css`, `vendor/htmx/htmx.min.js`")],
                      request: Request, v: str | None = None) -> Response:
    """A static file of the web app. Pages link to them as `?v=<digest of the content>`: such a URL never
    changes content, so browsers keep it for a year; without it, they check back each time (ETag)."""
    response = await _files.get_response(path, request.scope)
    if response.status_code in (200, 304):
        fresh = v is not None and v == asset_version(path)
        response.headers["Cache-Control"] = FOREVER if fresh else "no-cache"
    return response
