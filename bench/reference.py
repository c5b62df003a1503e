"""The reference server: raw Starlette + asyncpg + orjson serving `GET /api/v1/expenses`.

It runs the same SQL as Colony's expense list (the page, then the count unless a short page already
tells the total) and returns the same JSON. It is deliberately minimal but fair: it verifies the
bearer JWT like Colony (HS256, `sub`/`exp`/`jti` required, `type == "access"`), resolves the user to
its tenant with one cached lookup, validates `page`/`size`, and renders amounts with their currency's
decimals. No transaction is opened: under READ COMMITTED each statement takes its own snapshot either
way.

    python bench/reference.py --port 8100 --dsn postgresql://postgres@127.0.0.1/colony_bench --secret KEY
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import asyncpg
import jwt
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# Colony's page and count for `GET /api/v1/expenses` with no filters (sort -date), as SQLAlchemy
# compiles them for asyncpg (run.py prints Colony's compiled SQL beside these for comparison).
COLUMNS = ("id", "type", "amount", "currency", "date", "description", "notes", "category_id", "payment_method_id",
           "account_id", "cycle_id", "template_id", "transfer_id", "status", "amount_base", "base_currency",
           "exchange_rate",
           "created_at", "updated_at")
PAGE_SQL = (f"SELECT {', '.join('transactions.' + c for c in COLUMNS)} FROM transactions "
            "WHERE transactions.tenant_id = $1::UUID AND transactions.type = $2 "
            "ORDER BY transactions.date DESC, transactions.id DESC LIMIT $3::INTEGER OFFSET $4::INTEGER")
COUNT_SQL = ("SELECT count(*) AS count_1 FROM transactions "
             "WHERE transactions.tenant_id = $1::UUID AND transactions.type = $2")
PRINCIPAL_SQL = ("SELECT users.tenant_id, users.is_active, profiles.base_currency FROM users "
                 "JOIN profiles ON profiles.user_id = users.id WHERE users.id = $1::UUID")

MINOR_UNITS = {"JPY": 0, "KRW": 0, "ISK": 0, "HUF": 2, "KWD": 3, "BHD": 3, "JOD": 3, "OMR": 3, "TND": 3}
QUANTA: dict[str, Decimal] = {}


def quantum(code: str) -> Decimal:
    q = QUANTA.get(code)
    if q is None:
        q = QUANTA[code] = Decimal(1).scaleb(-MINOR_UNITS.get(code, 2))
    return q


def rate_text(rate: Decimal) -> str:
    text = format(rate, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def render(record: asyncpg.Record) -> dict[str, Any]:
    item = dict(zip(COLUMNS, record, strict=True))
    item["amount"] = str(item["amount"].quantize(quantum(item["currency"])))
    item["amount_base"] = str(item["amount_base"].quantize(quantum(item["base_currency"])))
    item["exchange_rate"] = rate_text(item["exchange_rate"])
    return item


def _default(value: Any) -> Any:
    return str(value)  # asyncpg's UUID subclass


def error(status: int, code: str, message: str) -> Response:
    body = {"success": False, "error": {"code": code, "message": message, "details": {}}}
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


class State:
    pool: asyncpg.Pool
    secret: str
    principals: dict[str, tuple[Any, bool]] = {}


async def principal(user_id: str) -> tuple[Any, bool] | None:
    cached = State.principals.get(user_id)
    if cached is None:
        row = await State.pool.fetchrow(PRINCIPAL_SQL, user_id)
        if row is None:
            return None
        cached = State.principals[user_id] = (row["tenant_id"], row["is_active"])
    return cached


async def list_expenses(request: Request) -> Response:
    header = request.headers.get("authorization", "")
    if not header.startswith("Bearer "):
        return error(401, "NOT_AUTHENTICATED", "Not authenticated")
    try:
        claims = jwt.decode(header[7:], State.secret, algorithms=["HS256"], options={"require": ["sub", "exp", "jti"]})
    except jwt.PyJWTError:
        return error(401, "NOT_AUTHENTICATED", "Invalid token")
    if claims.get("type") != "access":
        return error(401, "NOT_AUTHENTICATED", "Invalid token")
    found = await principal(claims["sub"])
    if found is None or not found[1]:
        return error(401, "NOT_AUTHENTICATED", "Invalid token")
    try:
        page = int(request.query_params.get("page", 1))
        size = int(request.query_params.get("size", 50))
    except ValueError:
        return error(422, "VALIDATION_ERROR", "page and size are integers")
    if not (1 <= page <= 1_000_000 and 1 <= size <= 100):
        return error(422, "VALIDATION_ERROR", "page or size out of range")
    offset = (page - 1) * size
    tenant_id = found[0]
    async with State.pool.acquire() as conn:
        rows = await conn.fetch(PAGE_SQL, tenant_id, "expense", size, offset)
        if len(rows) < size and (rows or offset == 0):
            total = offset + len(rows)
        else:
            total = await conn.fetchval(COUNT_SQL, tenant_id, "expense")
    body = {"items": [render(r) for r in rows], "total": total, "page": page, "size": size,
            "pages": -(-total // size)}
    return Response(orjson.dumps(body, default=_default, option=orjson.OPT_UTC_Z), media_type="application/json")


async def health(_request: Request) -> Response:
    return Response(b'{"status":"healthy"}', media_type="application/json")


def create_app(dsn: str, secret: str, pool_size: int) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        State.pool = await asyncpg.create_pool(dsn, min_size=pool_size, max_size=pool_size)
        State.secret = secret
        try:
            yield
        finally:
            await State.pool.close()

    return Starlette(routes=[Route("/api/v1/expenses", list_expenses), Route("/health", health)], lifespan=lifespan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--pool-size", type=int, default=10, help="Colony's default: pool 5 + overflow 5")
    args = parser.parse_args()
    uvicorn.run(create_app(args.dsn, args.secret, args.pool_size), host=args.host, port=args.port,
                access_log=False, log_level="warning", server_header=False)


if __name__ == "__main__":
    main()
