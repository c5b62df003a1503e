"""Keeping each tenant's derived portfolio state (investments/state) up to date.

A refresh reads the facts, has the engine compute every scope (the whole portfolio, each account) from
the first stale day on, and keeps the result only if no write touched the facts in the meantime (the
state's version; a lost race is tried again). Stale days are recomputed, never the whole history unless
it has to be: a first build, a new base currency, or a change dated before the state's first day.

It runs off the request path in the `investments.refresh_states` job (every few seconds, on one instance;
in-process on the embedded default), which picks up every state a write marked stale and extends every
state to the new day. A read that still finds its state stale (it came first, or another instance wrote)
refreshes just the stale days before answering; if even that loses its races, the read computes its
answer from the facts directly (portfolio/service.py), so an answer never comes from stale state.
"""

import asyncio
import datetime as dt
import uuid
import weakref
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core import clock
from colony.core.cache import MemoryCache
from colony.core.db import Database
from colony.core.jobs import Job, JobContext
from colony.core.logging import get_logger
from colony.core.tenancy import Tenant
from colony.investments import engine
from colony.investments.portfolio import book as books
from colony.investments.state import service as state_service
from colony.investments.state.models import PortfolioState
from colony.users import service as user_service

log = get_logger("colony.investments.refresh")

ATTEMPTS = 3
JOB_BATCH = 100  # tenants per job run; the next run takes the rest
_locks: weakref.WeakValueDictionary[uuid.UUID, asyncio.Lock] = weakref.WeakValueDictionary()


def is_fresh(state: PortfolioState | None, currency: str, today: dt.date) -> bool:
    return (state is not None and state.currency == currency and state.dirty_from is None
            and state.computed_through >= today)


def scopes_of(tenant_id: uuid.UUID, account_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, engine.Scope]:
    """The scopes a state keeps, by the id its rows carry: the whole portfolio (the tenant's id), each account."""
    scopes = {tenant_id: engine.Scope(account_ids=frozenset(account_ids))}
    scopes.update({account_id: engine.Scope(account_ids=frozenset({account_id})) for account_id in account_ids})
    return scopes


async def fresh_state(database: Database, tenant: Tenant, today: dt.date | None = None) -> PortfolioState | None:
    """The tenant's state once fresh (its stale days refreshed first), or None if writes kept winning."""
    today = today or clock.today()
    async with database.reader() as reader:
        state = await state_service.header(reader, tenant.tenant_id)
    if is_fresh(state, tenant.base_currency, today):
        return state
    if not await refresh(database, tenant, today):
        return None
    async with database.reader() as reader:
        return await state_service.header(reader, tenant.tenant_id)


async def refresh(database: Database, tenant: Tenant, today: dt.date | None = None) -> bool:
    """Bring the tenant's state up to `today`; False if writes kept winning the race (the state stays stale)."""
    today = today or clock.today()
    lock = _locks.setdefault(tenant.tenant_id, asyncio.Lock())
    async with lock:  # one refresh of a tenant at a time in this process; others wait and find it fresh
        for _attempt in range(ATTEMPTS):
            async with database.reader() as reader:
                state = await state_service.header(reader, tenant.tenant_id)
                if is_fresh(state, tenant.base_currency, today):
                    return True
                computed = await _compute(reader, tenant, state, today)
            async with database.sessionmaker() as session:
                if await state_service.store(session, tenant.tenant_id, computed,
                                             read_version=state.version if state is not None else None):
                    await session.commit()
                    return True
                await session.rollback()
    log.warning("portfolio_refresh_lost_races", tenant_id=str(tenant.tenant_id))
    return False


async def _compute(session: AsyncSession, tenant: Tenant, state: PortfolioState | None,
                   today: dt.date) -> state_service.Computed:
    currency = tenant.base_currency
    accounts = await books.portfolio_accounts(session, tenant)
    scopes = scopes_of(tenant.tenant_id, [account.id for account in accounts])
    start = _incremental_start(state, currency)
    book = await books.load(session, tenant, accounts, today, currency, prices_from=start)
    # value 0 and index 1 the day before anything
    first_date = max(book.first_date or today, books.EARLIEST_DAY) - timedelta(days=1)
    prior: dict[engine.Scope, engine.DayState] = {}
    if start is not None and state is not None:
        first_date = state.first_date
        rows = await state_service.scopes_on(session, tenant.tenant_id, scopes, [start - timedelta(days=1)])
        prior = {scopes[row.scope_id]: state_service.day_state(row) for row in rows if row.scope_id in scopes}
    begin = start if start is not None else first_date
    states = engine.daily_states(book.activities, list(scopes.values()), begin, today, base_currency=currency,
                                 prices=book.prices, rates=book.rates, prior=prior,
                                 quantum=state_service.AMOUNT_QUANTUM) if begin <= today else {}
    positions, cash = _holdings(book, today, currency)
    return state_service.Computed(
        currency=currency, first_date=first_date, replace_from=start if start is not None else dt.date.min,
        through=today, days=[state_service.day_row(scope_id, day) for scope_id, scope in scopes.items()
                             for day in states.get(scope, [])],
        positions=positions, cash=cash, security_ids=list(book.securities))


def _incremental_start(state: PortfolioState | None, currency: str) -> dt.date | None:
    """The first day to recompute, or None when everything must be (no state, another currency, or a
    change dated on or before the state's first day)."""
    if state is None or state.currency != currency:
        return None
    start = state.computed_through + timedelta(days=1)
    if state.dirty_from is not None:
        start = min(start, state.dirty_from)
    return start if start > state.first_date + timedelta(days=1) else None


def _holdings(book: books.Book, day: dt.date, currency: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Positions by both cost methods and cash at the close of `day` (rows of state_service's columns)."""
    positions: list[tuple[Any, ...]] = []
    cash: list[tuple[Any, ...]] = []
    for method in engine.CostMethod:
        snapshot = engine.snapshot(book.activities, day, base_currency=currency, prices=book.prices,
                                   rates=book.rates, method=method)
        positions += [(p.account_id, p.security_id, method.value, p.quantity, p.cost_basis, p.cost_basis_native,
                       p.cost_complete, p.realized_gain, p.income) for p in snapshot.positions]
        cash = [(c.account_id, c.currency, c.amount) for c in snapshot.cash]
    return positions, cash


# ---- the job ----

async def refresh_stale(database: Database, today: dt.date | None = None) -> int:
    """Every stale state (up to JOB_BATCH of them), each in its own transactions; how many were refreshed."""
    today = today or clock.today()
    async with database.reader() as reader:
        tenant_ids = await state_service.stale_tenants(reader, today, JOB_BATCH)
    refreshed = 0
    cache = MemoryCache()  # fresh owner data for each run
    for tenant_id in tenant_ids:
        async with database.reader() as reader:
            tenant = await user_service.load_principal(reader, cache, tenant_id)
        if tenant is not None and await refresh(database, tenant, today):
            refreshed += 1
    if refreshed:
        log.info("portfolio_states_refreshed", refreshed=refreshed, stale=len(tenant_ids))
    return refreshed


async def _refresh_stale(context: JobContext) -> int:
    return await refresh_stale(context.database)


REFRESH_STATES = Job(id="investments.refresh_states", trigger=IntervalTrigger(seconds=5), run=_refresh_stale,
                     first_run_after=timedelta(seconds=5))
