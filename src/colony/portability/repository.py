"""All SQL of the export and the restore: table-driven, over the tables that sections.py names.

The tenant's tables are read and written through `TenantRepository` (one subclass per table, made on first
use), so every statement is the tenant's. One read looks across tenants on purpose, and says so with
`ALL_TENANTS`: which of a document's ids are already in use anywhere (ids are unique per table, not per
tenant), so that a restore keeps the document's ids where they are free.
"""

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, ColumnElement, Select, func, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.models import TenantOwned
from colony.core.repository import ALL_TENANTS, ReferenceRepository, Repository, TenantRepository
from colony.investments.securities.models import Security, SecurityPrice
from colony.users.models import User


class ConstraintViolated(Exception):
    """An insert broke a rule of the database (a check, a unique index); `constraint` names the rule."""

    def __init__(self, constraint: str) -> None:
        super().__init__(constraint)
        self.constraint = constraint


def _constraint(exc: IntegrityError) -> str:
    for error in (exc.orig, getattr(exc.orig, "__cause__", None)):
        name = getattr(error, "constraint_name", None)  # asyncpg
        if name:
            return str(name)
    message = str(exc.orig)  # SQLite: "CHECK constraint failed: amount_positive", "UNIQUE constraint failed: t.a, t.b"
    return message.split("constraint failed:", 1)[1].strip() if "constraint failed:" in message else "unknown"


async def _stream(session: AsyncSession, statement: Select[Any], batch: int) -> AsyncIterator[Sequence[Any]]:
    """The statement's rows, `batch` at a time through a server-side cursor: memory stays flat. On the
    session's connection, as Core rows (no ORM step per row)."""
    connection = await session.connection()
    result = await connection.stream(statement.execution_options(yield_per=batch))
    try:
        async for partition in result.partitions(batch):
            yield partition
    finally:
        await result.close()


class TableRows(Repository[Any]):
    """SQL over one exported table, by column name."""

    def _statement(self, columns: Sequence[str], order_by: Sequence[str]) -> Select[Any]:
        table = self.table
        return select(*(table.c[name] for name in columns)).order_by(*(table.c[name] for name in order_by))

    async def in_use(self, column: str, values: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Which of `values` a row of any tenant already holds in `column` (ids are unique per table)."""
        if not values:
            return set()
        target = self.table.c[column]
        statement = select(target).where(target.in_(list(values))).execution_options(**{ALL_TENANTS: True})
        return set((await self.session.scalars(statement)).all())

    async def insert(self, columns: Sequence[str], records: Sequence[Sequence[Any]]) -> int:
        """Rows known to be new. In bulk (`insert_many`), unless a column is JSON: a bulk load bypasses the
        column types, so those go through a plain INSERT that serialises them."""
        try:
            if any(isinstance(self.table.c[name].type, JSON) for name in columns):
                if records:
                    await self.session.execute(self.table.insert(), [self._stamped(dict(zip(columns, record,
                                                                                             strict=True)))
                                                                     for record in records])
                return len(records)
            return await self.insert_many(columns, records)
        except IntegrityError as exc:
            raise ConstraintViolated(_constraint(exc)) from None

    def _stamped(self, values: dict[str, Any]) -> dict[str, Any]:
        return values


class TenantRows(TableRows, TenantRepository[Any]):
    """One of the tenant's tables (`rows_of(model)`)."""

    def stream(self, columns: Sequence[str], order_by: Sequence[str], batch: int) -> AsyncIterator[Sequence[Any]]:
        return _stream(self.session, self._statement(columns, order_by).where(self._mine()), batch)

    async def all(self, columns: Sequence[str]) -> Sequence[Any]:
        statement = self._statement(columns, ()).where(self._mine())
        found: Sequence[Any] = (await self.session.execute(statement)).all()
        return found

    def _stamped(self, values: dict[str, Any]) -> dict[str, Any]:
        return {**values, "tenant_id": self.tenant_id}

    def values_of(self, column: str) -> Select[Any]:
        """The tenant's non-null values of `column`, as a subquery for another table's rows."""
        target = self.table.c[column]
        return select(target).where(self._mine(), target.is_not(None))


class ReferenceRows(TableRows):
    """A table of shared reference data, for the rows that the tenant's rows point at."""

    def stream_where(self, condition: ColumnElement[bool], columns: Sequence[str], order_by: Sequence[str],
                     batch: int) -> AsyncIterator[Sequence[Any]]:
        return _stream(self.session, self._statement(columns, order_by).where(condition), batch)


_REPOSITORIES: dict[type[Any], type[TableRows]] = {}


def rows_of(model: type[Any]) -> type[TableRows]:
    """The repository class of one exported table (made once): the tenant's rows, or reference data."""
    if model not in _REPOSITORIES:
        base = TenantRows if issubclass(model, TenantOwned) else ReferenceRows
        _REPOSITORIES[model] = type(f"{model.__name__}Rows", (base,), {"model": model})
    return _REPOSITORIES[model]


def tenant_rows(session: AsyncSession, tenant_id: uuid.UUID, model: type[Any]) -> TenantRows:
    rows = rows_of(model)
    assert issubclass(rows, TenantRows), f"{model.__name__} is not a tenant's table"
    return rows(session, tenant_id)


def reference_rows(session: AsyncSession, model: type[Any]) -> ReferenceRows:
    rows = rows_of(model)
    assert issubclass(rows, ReferenceRows), f"{model.__name__} is a tenant's table"
    return rows(session)


def union_of(selects: Sequence[Select[Any]]) -> Any:
    """One subquery of the values that any of these selects gives."""
    return union(*selects) if len(selects) > 1 else selects[0]


# ---- securities and prices: matched and completed, never replaced ---------------------------------------

class SecurityMatches(Repository[Security]):
    model = Security

    async def by_symbols(self, symbols: Collection[str]) -> dict[str, tuple[uuid.UUID, str]]:
        """The securities this server has for these symbols (any case): lower-case symbol → (id, currency)."""
        if not symbols:
            return {}
        lowered = sorted({symbol.lower() for symbol in symbols})
        statement = select(Security.symbol, Security.id, Security.currency).where(
            func.lower(Security.symbol).in_(lowered))
        return {symbol.lower(): (id_, currency) for symbol, id_, currency in await self.session.execute(statement)}


class PricesToComplete(ReferenceRepository[SecurityPrice]):
    model = SecurityPrice
    key = ("security_id", "date")

    async def add_missing(self, rows: Sequence[Mapping[str, Any]]) -> list[tuple[uuid.UUID, dt.date]]:
        """Insert the prices of days a security has none for; the server's own prices win. Which went in."""
        if not rows:
            return []
        statement = (self._insert().on_conflict_do_nothing(index_elements=list(self.key))
                     .returning(SecurityPrice.security_id, SecurityPrice.date))
        return [(row[0], row[1]) for row in (await self.session.execute(statement, list(rows))).all()]


# ---- the restore's guard and the export's snapshot ---------------------------------------------------------

async def lock_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Hold the tenant's own user row until the transaction ends: a second restore of the same tenant waits,
    then finds it no longer empty (SQLite serialises writers by itself)."""
    statement = select(User.id).where(User.id == tenant_id).with_for_update()
    await session.execute(statement)


async def read_one_snapshot(session: AsyncSession) -> None:
    """On PostgreSQL, make the transaction REPEATABLE READ before its first read: the sections, read one
    after the other, then agree with each other (a row and the rows it links to) whatever is written
    meanwhile. SQLite's read transaction already sees one snapshot from its first read on. A session inside
    an outer transaction (tests) reads what that transaction sees."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql" and not connection.in_nested_transaction():
        await connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
