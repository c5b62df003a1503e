"""Dependencies shared by every router: the database session, pagination, the cache, settings, the mailer, and
the headers of a response that carries credentials.

Every dependency is `async def`: FastAPI runs a plain `def` one in a worker thread, a costly hop per request.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from colony.config import Settings
from colony.core.cache import Cache
from colony.core.db import Database
from colony.core.mail import Mailer
from colony.core.schemas import PageParams

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; reads get a reader. The router commits once; anything else rolls back."""
    async with get_database(request).request_session(read_only=request.method in _READ_METHODS) as session:
        yield session


async def get_snapshot_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A reader inside one transaction: one consistent snapshot, as streaming (server-side cursors) needs."""
    async with get_database(request).snapshot_reader() as session:
        yield session


async def get_cache(request: Request) -> Cache:
    cache: Cache = request.app.state.cache
    return cache


async def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_mailer(request: Request) -> Mailer:
    mailer: Mailer = request.app.state.mailer
    return mailer


async def no_store(response: Response) -> None:
    """The response carries credentials (tokens): no cache, shared or the browser's, may keep it."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"


async def page_params(page: Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")] = 1,
                size: Annotated[int, Query(ge=1, le=100, description="Items per page")] = 50) -> PageParams:
    return PageParams(page=page, size=size)


DatabaseDep = Annotated[Database, Depends(get_database)]  # for work that owns its transactions
SessionDep = Annotated[AsyncSession, Depends(get_session)]
SnapshotSessionDep = Annotated[AsyncSession, Depends(get_snapshot_session)]
CacheDep = Annotated[Cache, Depends(get_cache)]
PageDep = Annotated[PageParams, Depends(page_params)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
MailerDep = Annotated[Mailer, Depends(get_mailer)]
