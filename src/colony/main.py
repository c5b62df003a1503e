"""The application factory and its lifespan; no business code here."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from redis.asyncio import Redis
from starlette.middleware.trustedhost import TrustedHostMiddleware

from colony import __version__
from colony.api import api_router
from colony.config import Settings, get_settings
from colony.core.cache import Cache, MemoryCache, RedisCache
from colony.core.db import Database
from colony.core.handlers import register_error_handlers
from colony.core.logging import configure_logging
from colony.core.metrics import Metrics
from colony.core.middleware import RequestContextMiddleware
from colony.health.router import router as health_router

HTTP_TIMEOUT_SECONDS = 10


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Own the engine, the optional Redis client and the shared HTTP client; dispose in reverse."""
    settings: Settings = app.state.settings
    database = Database.from_url(settings.sqlalchemy_url, pool_size=settings.db_pool_size,
                                 max_overflow=settings.db_max_overflow)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    http = httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS)
    cache: Cache = RedisCache(redis) if redis is not None else MemoryCache()
    app.state.database, app.state.redis, app.state.http, app.state.cache = database, redis, http, cache
    try:
        yield
    finally:
        await http.aclose()
        if redis is not None:
            await redis.aclose()
        await database.engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(json=settings.json_logs, level=settings.log_level)
    app = FastAPI(
        title="Colony",
        version=__version__,
        summary="A self-hostable finance API: expenses, incomes, budgets, savings goals and reports.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = Metrics()
    register_error_handlers(app)
    app.include_router(health_router)
    app.include_router(api_router)

    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=True,
                           allow_methods=["*"], allow_headers=["*"], expose_headers=["X-Request-ID"])
    if settings.allowed_hosts != ["*"]:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)  # outermost: sees everything
    return app
