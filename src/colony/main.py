"""The application factory and its lifespan; no business code here."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from colony import __version__
from colony.config import Environment, Settings, get_settings
from colony.core import error_reporting, jobs, passwords, tracing
from colony.core.api_docs import mount_docs, operation_id
from colony.core.cache import Cache, MemoryCache, RedisCache, connect_redis
from colony.core.db import Database
from colony.core.handlers import register_error_handlers
from colony.core.limits import MIB, BodyLimitMiddleware
from colony.core.logging import configure_logging
from colony.core.mail import build_mailer
from colony.core.metrics import Metrics
from colony.core.middleware import RequestContextMiddleware, TrustedHostMiddleware
from colony.core.ratelimit import RateLimiter
from colony.core.routing import use_input_rules
from colony.domains import DOMAINS
from colony.users.deps import document_caller_errors

HTTP_TIMEOUT_SECONDS = 10


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Own the engine, the optional Redis client and the shared HTTP client; dispose in reverse."""
    settings: Settings = app.state.settings
    database = Database.from_url(settings.sqlalchemy_url, pool_size=settings.db_pool_size,
                                 max_overflow=settings.db_max_overflow)
    redis = connect_redis(settings.redis_url) if settings.redis_url else None
    http = httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS)
    cache: Cache = RedisCache(redis) if redis is not None else MemoryCache()
    app.state.database, app.state.redis, app.state.http, app.state.cache = database, redis, http, cache
    app.state.mailer = build_mailer(settings)
    app.state.auth_rate_limiter = RateLimiter.create(settings.auth_rate_limit, "auth", redis)
    tracing.instrument_clients(app)
    app.state.scheduler = scheduler = start_scheduler(app, settings)
    if settings.env is not Environment.test:  # tests build many apps in one process: each must be collectable
        tune_garbage_collector()
    try:
        yield
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        await http.aclose()
        if redis is not None:
            await redis.aclose()
        await database.dispose()
        tracing.shutdown(app)  # last: what the shutdown itself did is sent too


def tune_garbage_collector() -> None:
    """Keep the cyclic garbage collector off the request path (measured on the expense list: 0.1 to 0.2 ms
    of each request's CPU and, for a full collection, a stall of tens of milliseconds for every request in
    flight). What start-up built (~170k objects) lives as long as the process: frozen, no collection walks
    it again. Requests free nearly everything by reference counting, yet the default threshold (700 new
    objects) is crossed several times a second just by the objects of the requests in flight; a collection
    every 50,000 still frees the few cycles they leave, and older generations are walked rarely (a 100,000-row
    bank import, which makes millions of short-lived objects, took a third longer at 10,000 and 10, 10)."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def start_scheduler(app: FastAPI, settings: Settings) -> AsyncIOScheduler | None:
    """This instance's background jobs (None when there are none). Not under COLONY_ENV=test unless a
    test sets `app.state.run_jobs = True` before the lifespan starts."""
    if settings.env is Environment.test and not getattr(app.state, "run_jobs", False):
        return None
    scheduler = jobs.create_scheduler()
    context = jobs.JobContext(database=app.state.database, http=app.state.http, cache=app.state.cache,
                              settings=settings)
    jobs.schedule(scheduler, (job for domain in DOMAINS for job in domain.jobs), context)
    if not scheduler.get_jobs():
        return None
    scheduler.start()
    return scheduler


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(json=settings.json_logs, level=settings.log_level)
    passwords.configure(fast=settings.fast_password_hashing)
    app = FastAPI(
        title="Colony",
        version=__version__,
        summary="A self-hostable finance API: expenses, incomes, budgets, savings goals and reports.",
        lifespan=lifespan,
        docs_url=None, redoc_url=None,  # mount_docs serves them from the package, not a CDN
        generate_unique_id_function=operation_id,
    )
    mount_docs(app)
    app.state.settings = settings
    app.state.metrics = Metrics()
    register_error_handlers(app)
    for domain in sorted(DOMAINS, key=lambda domain: not domain.busiest):
        for router in domain.routers:
            use_input_rules(router)
            document_caller_errors(router)
            app.include_router(router, prefix=domain.prefix)

    # Innermost of the middleware: a 413 still gets the CORS headers, so a browser can read it.
    app.add_middleware(BodyLimitMiddleware, max_upload_bytes=settings.max_upload_mb * MIB)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=True,
                           allow_methods=["*"], allow_headers=["*"], expose_headers=["X-Request-ID"])
    if settings.allowed_hosts != ["*"]:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)
    if error_reporting.init(settings):
        app.add_middleware(error_reporting.ErrorReportingMiddleware)  # just inside the next one
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)  # outermost: sees everything
    tracing.instrument_app(app, settings)  # when configured, outside even that: a span covers everything
    return app
