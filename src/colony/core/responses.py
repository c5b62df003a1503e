"""A JSON response rendered by orjson: decimals as exact strings, datetimes in UTC with `Z`."""

import uuid
from decimal import Decimal
from typing import Any

import orjson
from starlette.responses import JSONResponse as StarletteJSONResponse

from colony.core.schemas import Page


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):  # asyncpg's own UUID subclass, which orjson does not know
        return str(value)
    if isinstance(value, Page):  # a page of read shapes ready for JSON (transactions): no pydantic pass
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(content: Any) -> bytes:
    return orjson.dumps(content, default=_default, option=orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS)



class JSONResponse(StarletteJSONResponse):
    """Starlette's JSON response (so OpenAPI documents the route's response model) rendered by orjson."""

    def render(self, content: Any) -> bytes:
        return dumps(content)
