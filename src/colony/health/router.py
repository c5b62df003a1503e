"""Liveness, dependency health, and Prometheus metrics (outside the versioned API)."""

import asyncio

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from colony.core.db import ping
from colony.core.deps import get_database
from colony.core.errors import ServiceUnavailable
from colony.core.openapi import error_responses

router = APIRouter(tags=["operations"])
CHECK_TIMEOUT_SECONDS = 3
_UNAVAILABLE = error_responses(ServiceUnavailable, validates_input=False)


class Health(BaseModel):
    status: str


class DatabaseHealth(Health):
    database: str


class RedisHealth(Health):
    redis: str


@router.get("/health", response_model=Health)
async def health() -> Health:
    return Health(status="healthy")


@router.get("/health/db", response_model=DatabaseHealth, responses=_UNAVAILABLE)
async def database_health(request: Request) -> DatabaseHealth:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            await ping(get_database(request).engine)
    except Exception as exc:
        raise ServiceUnavailable("The database is unavailable") from exc
    return DatabaseHealth(status="healthy", database="connected")


@router.get("/health/redis", response_model=RedisHealth, responses=_UNAVAILABLE)
async def redis_health(request: Request) -> RedisHealth:
    redis = request.app.state.redis
    if redis is None:
        return RedisHealth(status="healthy", redis="not configured")
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            await redis.ping()
    except Exception as exc:
        raise ServiceUnavailable("Redis is unavailable") from exc
    return RedisHealth(status="healthy", redis="connected")


@router.get("/metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {}}, "description": "Prometheus exposition"}})
async def metrics(request: Request) -> Response:
    body, content_type = request.app.state.metrics.render()
    return Response(body, media_type=content_type)
