"""The `colony` command: serve, migrate, and operator tools."""

import asyncio
import sqlite3
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
import uvicorn
from pydantic import TypeAdapter, ValidationError
from redis.asyncio import Redis
from rich.console import Console
from rich.progress import Progress
from sqlalchemy.exc import SQLAlchemyError

from colony import demo as demo_data
from colony import migrate
from colony.config import ConfigurationError, Settings, load_settings
from colony.core import passwords
from colony.core.backup import BackupRefused, back_up_sqlite
from colony.core.cache import Cache, MemoryCache, RedisCache
from colony.core.db import Database
from colony.core.errors import AppError
from colony.core.jobs import JobContext, run_exclusively
from colony.core.tenancy import Role
from colony.domains import DOMAINS
from colony.exchange_rates import jobs as rate_jobs
from colony.exchange_rates import service as rate_service
from colony.transactions import jobs as transaction_jobs
from colony.users import service as user_service
from colony.users.errors import EmailAlreadyRegistered
from colony.users.schemas import NewEmail, Password

app = typer.Typer(help="Colony: a self-hostable finance API.", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)
app.add_typer(db_app, name="db")
rates_app = typer.Typer(help="Exchange rates (ECB reference rates).", no_args_is_help=True)
app.add_typer(rates_app, name="rates")
jobs_app = typer.Typer(help="Background jobs (colony serve runs them on a schedule).", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")
analytics_app = typer.Typer(help="Reports: the monthly totals they read.", no_args_is_help=True)
app.add_typer(analytics_app, name="analytics")
console = Console(stderr=True)


def settings_or_exit() -> Settings:
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        console.print(f"colony: {exc}", markup=False, highlight=False)
        raise typer.Exit(code=2) from None
    passwords.configure(fast=settings.fast_password_hashing)
    return settings


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes")] = 1,
) -> None:
    """Apply pending migrations, then serve the API."""
    settings = settings_or_exit()
    migrate.upgrade(settings)
    _load_bundled_rates(settings)
    uvicorn.run("colony.main:create_app", factory=True, host=host, port=port, workers=workers,
                server_header=False, **proxy_options(settings))


def proxy_options(settings: Settings) -> dict[str, Any]:
    """X-Forwarded-For is believed from COLONY_TRUSTED_PROXIES alone, and ignored without it (uvicorn by itself
    believes any process on the host: 127.0.0.1). The address uvicorn resolves is `request.client`, which the
    auth rate limit and the login lockout count by."""
    if not settings.trusted_proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(settings.trusted_proxies)}


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Upgrade the database schema (to the newest revision by default)."""
    migrate.upgrade(settings_or_exit(), revision)
    console.print(f"database upgraded to {revision}")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base")]) -> None:
    """Downgrade the database schema to REVISION."""
    migrate.downgrade(settings_or_exit(), revision)
    console.print(f"database downgraded to {revision}")


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The administrator's email")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                 help="Read the password from the first line of stdin")] = False,
) -> None:
    """Create an administrator: the only way to make one (registration never does)."""
    settings = settings_or_exit()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        email = TypeAdapter(NewEmail).validate_python(email)
        password = TypeAdapter(Password).validate_python(password)
    except ValidationError as exc:
        console.print(f"colony: {exc.errors()[0]['msg']}", markup=False, highlight=False)
        raise typer.Exit(code=2) from None
    migrate.upgrade(settings)
    try:
        asyncio.run(_create_admin(settings, email, password))
    except EmailAlreadyRegistered:
        console.print(f"colony: {email} is already registered", markup=False, highlight=False)
        raise typer.Exit(code=1) from None
    console.print(f"administrator {email} created", markup=False, highlight=False)


async def _create_admin(settings: Settings, email: str, password: str) -> None:
    database = Database.from_url(settings.sqlalchemy_url)
    try:
        async with database.sessionmaker() as session:
            await user_service.create_user(session, email=email, password=password, role=Role.admin)
            await session.commit()
    finally:
        await database.dispose()


# --- backups --------------------------------------------------------------------------------------

@app.command()
def backup(
    output: Annotated[Path, typer.Option("--output", "-o", file_okay=False,
                                         help="Directory in which to create the backup folder")] = Path(),
) -> None:
    """Copy the SQLite database (consistently, while the server runs) and the generated secret key into a
    new colony-backup-<UTC time> folder. PostgreSQL: use pg_dump (see Backups in the README)."""
    settings = settings_or_exit()
    try:
        result = back_up_sqlite(settings, output)
    except BackupRefused as exc:
        console.print(f"colony: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    except sqlite3.Error as exc:
        console.print(f"colony: the backup failed: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=1) from None
    key = (f"and the secret key ({result.secret_key.name})" if result.secret_key is not None else
           "without a secret key: COLONY_SECRET_KEY is set, keep it with your configuration"
           if settings.secret_key is not None else "(no secret key has been generated yet)")
    console.print(f"backed up the database ({result.database.name}) {key} to {result.directory}",
                  markup=False, highlight=False, soft_wrap=True)


# --- exchange rates ---------------------------------------------------------------------------------

def _load_bundled_rates(settings: Settings) -> None:
    """Before serving: the bundled ECB history's days the database lacks (a no-op once loaded)."""
    try:
        result = asyncio.run(_rates_load(settings, since=None, progress=None))
    except SQLAlchemyError as exc:  # serve anyway; conversions answer RATE_NOT_AVAILABLE until loaded
        console.print(f"colony: could not load the bundled exchange rates: {type(exc).__name__}: "
                      f"{str(exc).splitlines()[0]}", markup=False, highlight=False, soft_wrap=True)
        return
    if result.rows:
        console.print(f"loaded {result.rows} bundled exchange rates of {result.days} days "
                      f"(newest {result.newest})", markup=False, highlight=False, soft_wrap=True)


async def _rates_load(settings: Settings, *, since: date | None,
                      progress: rate_service.ProgressCallback | None) -> rate_service.LoadResult:
    database = Database.from_url(settings.sqlalchemy_url)
    try:
        async with database.sessionmaker() as session:
            result = await rate_service.load_bundled(session, since=since, progress=progress)
            await session.commit()
        return result
    finally:
        await database.dispose()


async def _rates_refresh(settings: Settings) -> rate_service.LoadResult:
    database = Database.from_url(settings.sqlalchemy_url)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    cache: Cache = RedisCache(redis) if redis is not None else MemoryCache()
    try:
        async with httpx.AsyncClient() as http:
            return await rate_jobs.refresh_in(database, url=settings.rates_url, http=http, cache=cache)
    finally:
        if redis is not None:
            await redis.aclose()
        await database.dispose()


@rates_app.command("load")
def rates_load(
    since: Annotated[str | None, typer.Option(help="Only fixings from this date on (YYYY-MM-DD)")] = None,
) -> None:
    """Load the ECB history bundled with Colony (no network): only days newer than the database's."""
    settings = settings_or_exit()
    try:
        start = date.fromisoformat(since) if since else None
    except ValueError:
        console.print(f"colony: --since must be a date such as 2020-01-01, not {since!r}", markup=False)
        raise typer.Exit(code=2) from None
    migrate.upgrade(settings)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("loading bundled exchange rates", total=None)
        result = asyncio.run(_rates_load(settings, since=start, progress=lambda done, total: progress.update(
            task, completed=done, total=total)))
    console.print(f"loaded {result.rows} exchange rates of {result.days} days from the bundled ECB data; "
                  f"newest fixing {result.newest}", markup=False, highlight=False, soft_wrap=True)


@rates_app.command("refresh")
def rates_refresh() -> None:
    """Fetch new fixings from COLONY_RATES_URL, the ECB's published files by default (with none: load the
    bundled ECB data)."""
    settings = settings_or_exit()
    migrate.upgrade(settings)
    source = settings.rates_url or "the bundled ECB data (COLONY_RATES_URL=none)"
    with Progress(console=console, transient=True) as progress:
        progress.add_task(f"refreshing exchange rates from {source}", total=None)
        try:
            result = asyncio.run(_rates_refresh(settings))
        except AppError as exc:
            progress.stop()
            console.print(f"colony: rates refresh failed: {exc.detail_message}", markup=False, highlight=False,
                          soft_wrap=True)
            raise typer.Exit(code=1) from None
    console.print(f"refreshed exchange rates from {source}: {result.days} days, {result.rows} rates stored; "
                  f"newest fixing {result.newest}", markup=False, highlight=False, soft_wrap=True)


# --- background jobs --------------------------------------------------------------------------------

async def _run_jobs(settings: Settings) -> list[tuple[str, str, bool]]:
    """Every enabled job once, each on whichever instance gets its lock: (id, outcome, failed) per job."""
    database = Database.from_url(settings.sqlalchemy_url)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    try:
        async with httpx.AsyncClient() as http:
            context = JobContext(database=database, http=http, settings=settings,
                                 cache=RedisCache(redis) if redis is not None else MemoryCache())
            outcomes: list[tuple[str, str, bool]] = []
            for job in (job for domain in DOMAINS for job in domain.jobs if job.enabled(settings)):
                try:
                    ran, result = await run_exclusively(database.engine, job.lock_name,
                                                        lambda job=job: job.run(context))  # type: ignore[misc]
                except AppError as exc:
                    outcomes.append((job.id, f"failed: {exc.detail_message}", True))
                    continue
                outcomes.append((job.id, str(result) if ran else "skipped, another instance is running it", False))
            return outcomes
    finally:
        if redis is not None:
            await redis.aclose()
        await database.dispose()


@jobs_app.command("run")
def jobs_run() -> None:
    """Run every scheduled job once now (template occurrences due so far into the active cycles; the rate
    refresh unless COLONY_RATES_URL=none)."""
    settings = settings_or_exit()
    migrate.upgrade(settings)
    with Progress(console=console, transient=True) as progress:
        progress.add_task("running the scheduled jobs", total=None)
        outcomes = asyncio.run(_run_jobs(settings))
    for job_id, outcome, _failed in outcomes:
        console.print(f"{job_id}: {outcome}", markup=False, highlight=False, soft_wrap=True)
    if any(failed for *_, failed in outcomes):
        raise typer.Exit(code=1)


# --- analytics ----------------------------------------------------------------------------------------

async def _analytics_rebuild(settings: Settings, progress: Any) -> transaction_jobs.Rebuilt:
    database = Database.from_url(settings.sqlalchemy_url)
    try:
        return await transaction_jobs.rebuild_all_totals(database, progress)
    finally:
        await database.dispose()


@analytics_app.command("rebuild")
def analytics_rebuild() -> None:
    """Recount every tenant's monthly totals from its transactions (after rows were loaded around the API, or
    to repair them). Safe while serving (writes wait while one tenant is recounted) and to run again."""
    settings = settings_or_exit()
    migrate.upgrade(settings)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("recounting the monthly totals", total=None)
        result = asyncio.run(_analytics_rebuild(settings, lambda done, total: progress.update(
            task, completed=done, total=total)))
    console.print(f"recounted the monthly totals of {result.tenants} tenants: {result.rows} rows",
                  markup=False, highlight=False, soft_wrap=True)


# --- demo data ----------------------------------------------------------------------------------------

@app.command()
def demo(
    reset: Annotated[bool, typer.Option("--reset", help="Delete the demo user and its data first, then recreate")]
    = False,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the demo user's password from the "
                                                 "first line of stdin instead of generating one")] = False,
) -> None:
    """Fill a fresh tenant demo@colony.local with a realistic year of data and a brokerage account with three
    years of investing. Its password is random, printed once (or read from stdin)."""
    settings = settings_or_exit()
    password = None
    if password_stdin:
        try:
            password = TypeAdapter(Password).validate_python(sys.stdin.readline().rstrip("\r\n"))
        except ValidationError as exc:
            console.print(f"colony: {exc.errors()[0]['msg']}", markup=False, highlight=False)
            raise typer.Exit(code=2) from None
    migrate.upgrade(settings)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("creating the demo year", total=None)
        try:
            result = asyncio.run(_demo(settings, reset, password, lambda done, total: progress.update(
                task, completed=done, total=total)))
        except SQLAlchemyError as exc:
            progress.stop()
            console.print(f"colony: the demo could not be created ({type(exc).__name__}: "
                          f"{str(exc).splitlines()[0]})",
                          markup=False, highlight=False)
            raise typer.Exit(code=1) from None
    if not result.created:
        console.print(f"the demo user {demo_data.DEMO_EMAIL} already exists; nothing to do "
                      "(use --reset to recreate it, with a new password)", markup=False, highlight=False)
        return
    shown = "the one given" if password_stdin else f"{result.password}, shown this once"
    console.print(f"demo user {demo_data.DEMO_EMAIL} (password {shown}): "
                  f"{result.transactions} transactions from {result.start} to {result.end}; "
                  f"{result.investment_transactions} investment transactions since {result.investments_start}",
                  markup=False, highlight=False, soft_wrap=True)


async def _demo(settings: Settings, reset: bool, password: str | None,
                progress: demo_data.Progress) -> demo_data.DemoResult:
    database = Database.from_url(settings.sqlalchemy_url)
    try:
        return await demo_data.create_demo(database, reset=reset, progress=progress, password=password)
    finally:
        await database.dispose()
