"""The input rules every route follows, applied before FastAPI reads a request.

- **Exact numbers.** A JSON body is parsed with `parse_float=Decimal`: `1.0000000000000001` reaches the
  schema as written, never rounded through a float. `NaN` and `Infinity` are not JSON: 422.
- **Clean text.** Every string of a JSON or form body (keys too), of the query and of the path is checked
  by `core.text`: a control character → 422 `VALIDATION_ERROR` naming the field, so nothing reaches the
  database (PostgreSQL cannot store a NUL) whatever the schema says.

Domains declare their routes with FastAPI's own `APIRouter`; `create_app` gives every route of their
routers `InputRoute` (`use_input_rules`), so a new router or field is covered without doing anything.
"""

import json
import re
from collections.abc import Callable, Coroutine, Iterator
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi import params as fastapi_params
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.datastructures import UploadFile

from colony.core.openapi import payload_too_large
from colony.core.text import is_multiline, text_problem

Location = tuple[str | int, ...]

# A string (skipped) or one of the constants Python's json accepts though JSON has no such thing.
_STRING_OR_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(NaN|-?Infinity)')


def _not_a_number(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def decode_json(raw: bytes) -> Any:
    """JSON with non-integer numbers as exact Decimals; anything that is not JSON raises JSONDecodeError."""
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_not_a_number)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", raw.decode("utf-8", "replace"), 0) from None
    except ValueError as exc:  # NaN or Infinity, bytes that are not UTF-8, an integer of thousands of digits
        text = raw.decode("utf-8", "replace")
        constant = next((m for m in _STRING_OR_CONSTANT.finditer(text) if m.group(1)), None)
        raise json.JSONDecodeError(str(exc), text, constant.start() if constant else 0) from None


class ExactJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = decode_json(await self.body())
        return self._json


def _error(location: Location, message: str) -> dict[str, Any]:
    return {"type": "value_error", "loc": location, "msg": message, "input": None}


def text_errors(value: Any, location: Location) -> list[dict[str, Any]]:
    """A validation error for every string in `value` (a decoded body) that breaks the rules, in document
    order. A field's name says whether it is multi-line; a string in a list goes by the list's name."""
    errors: list[dict[str, Any]] = []
    pending: list[tuple[Any, Location]] = [(value, location)]
    while pending:  # a loop, not recursion: a body may nest as deep as the JSON decoder allows
        value, location = pending.pop()
        if isinstance(value, str):
            field = next((part for part in reversed(location) if isinstance(part, str)), None)
            if (problem := text_problem(value, multiline=is_multiline(field))) is not None:
                errors.append(_error(location, problem))
        elif isinstance(value, dict):
            for key in value:
                if (problem := text_problem(key)) is not None:
                    errors.append(_error(location, f"field names {problem}"))
            pending.extend(((item, (*location, key)) for key, item in reversed(value.items())))
        elif isinstance(value, list):
            pending.extend(((item, (*location, index)) for index, item in reversed(list(enumerate(value)))))
    return errors


def _parameter_errors(request: Request) -> Iterator[dict[str, Any]]:
    for name, value in request.query_params.multi_items():
        yield from text_errors({name: value}, ("query",))
    for name, value in request.path_params.items():
        yield from text_errors(value, ("path", name))


def _is_json(content_type: str | None) -> bool:
    """Whether FastAPI reads this body as JSON (`application/json` or `application/*+json`)."""
    if not content_type:
        return False
    main, _, sub = content_type.split(";", 1)[0].strip().lower().partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


async def _json_errors(request: Request) -> list[dict[str, Any]]:
    if not _is_json(request.headers.get("content-type")) or not await request.body():
        return []  # FastAPI does not decode it either: the schema refuses it
    try:
        body = await request.json()
    except json.JSONDecodeError:
        return []  # FastAPI decodes it again and reports where it breaks
    return text_errors(body, ("body",))


async def _form_errors(request: Request) -> list[dict[str, Any]]:
    # Starlette keeps the parsed form on the request: FastAPI reads this one (and closes its files).
    form = await request.form()
    errors = [error for name, value in form.multi_items() if not isinstance(value, UploadFile)
              for error in text_errors({name: value}, ("body",))]
    if errors:
        await form.close()
    return errors


def _has_form_body(route: APIRoute) -> bool:
    return route.body_field is not None and isinstance(route.body_field.field_info, fastapi_params.Form)


class InputRoute(APIRoute):
    """An APIRoute whose request is an `ExactJsonRequest`, and whose input text is checked first."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        has_body, form_body = self.body_field is not None, _has_form_body(self)

        async def handle_checked(request: Request) -> Response:
            request = ExactJsonRequest(request.scope, request.receive)
            errors = list(_parameter_errors(request))
            if has_body:
                errors.extend(await (_form_errors(request) if form_body else _json_errors(request)))
            if errors:
                raise RequestValidationError(errors)
            return await handle(request)

        return handle_checked


def use_input_rules(router: APIRouter) -> None:
    """Make every route of `router`, and any added later, an `InputRoute`, and document the 413 of the
    routes that take a body (idempotent: routers are module-level, and the tests build many apps)."""
    router.route_class = InputRoute
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        if type(route) is APIRoute:
            route.__class__ = InputRoute
        if route.body_field is not None:
            upload = isinstance(route.body_field.field_info, fastapi_params.File)
            route.responses.setdefault(413, payload_too_large(upload=upload))
