"""The only door to owned tables: a repository bound to one required tenant id."""

import functools
import uuid
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Executable, Result, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.schemas import PageParams

M = TypeVar("M", bound=Any)
Row = TypeVar("Row")

TENANT_PARAM = "tenant_id"


def tenant_condition(model: Any) -> ColumnElement[bool]:
    """The tenant filter of a statement built once and reused; `TenantRepository.execute_prepared`
    binds it to the repository's tenant on every execution."""
    condition: ColumnElement[bool] = model.tenant_id == bindparam(TENANT_PARAM)
    return condition


class Repository(Generic[M]):
    """Plain repository for tables that no tenant owns (users, reference data)."""

    model: type[M]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, obj: M) -> M:
        self.session.add(obj)
        await self.session.flush()
        return obj

    async def delete(self, obj: M) -> None:
        await self.session.delete(obj)
        await self.session.flush()


class TenantRepository(Repository[M]):
    """Every statement starts from `scoped()`, which filters by the tenant given at construction."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        if not isinstance(tenant_id, uuid.UUID):
            raise TypeError("a tenant id is required")
        super().__init__(session)
        self.tenant_id = tenant_id

    def scoped(self) -> Select[tuple[M]]:
        return select(self.model).where(self.model.tenant_id == self.tenant_id)

    async def execute_prepared(self, statement: Executable, params: dict[str, Any]) -> Result[Any]:
        """Run a statement built once with `tenant_condition` (its cache key and compiled SQL are reused:
        no per-request statement building), on the session's connection with Core result rows."""
        connection = await self.session.connection()
        return await connection.execute(statement, {**params, TENANT_PARAM: self.tenant_id})

    @classmethod
    @functools.cache
    def _by_id(cls) -> Select[tuple[M]]:
        """`get`'s statement, built once per repository class (ids in bodies are checked on every write)."""
        return select(cls.model).where(tenant_condition(cls.model), cls.model.id == bindparam("id"))

    async def get(self, id_: uuid.UUID) -> M | None:
        result = await self.session.execute(self._by_id(), {"id": id_, TENANT_PARAM: self.tenant_id})
        found: M | None = result.scalar_one_or_none()
        return found

    async def add(self, obj: M) -> M:
        obj.tenant_id = self.tenant_id
        return await super().add(obj)


async def paginate(session: AsyncSession, statement: Select[Any], params: PageParams
                   ) -> tuple[Sequence[Any], int]:
    """One page of `statement` and the total count of its rows."""
    total = (await session.execute(select(func.count()).select_from(statement.order_by(None).subquery()))
             ).scalar_one()
    rows = (await session.execute(statement.limit(params.size).offset(params.offset))).scalars().all()
    return rows, total


