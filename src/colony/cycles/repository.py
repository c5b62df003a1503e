"""All SQL of cycles."""

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Uuid, column, func, select, table

from colony.core.repository import ALL_TENANTS, Repository, TenantRepository
from colony.core.schemas import PageParams
from colony.cycles.models import Cycle, CycleStatus

C = Cycle
_users = table("users", column("id", Uuid()))


class CycleRepository(TenantRepository[Cycle]):
    model = Cycle

    async def lock_tenant(self) -> None:
        """Serialise the cycle writes of one tenant (overlap checks have no index to hold them).

        PostgreSQL: the tenant's users row FOR NO KEY UPDATE until the transaction ends (it serialises
        cycle writers of the tenant, yet lets foreign-key checks of other inserts through). SQLite writers
        are serialised already (BEGIN IMMEDIATE), and its compiler leaves the clause out.
        """
        await self.session.execute(
            select(_users.c.id).where(_users.c.id == self.tenant_id).with_for_update(key_share=True))

    async def list(self, status: CycleStatus | None, params: PageParams) -> tuple[Sequence[Cycle], int]:
        statement = self.scoped()
        if status is not None:
            statement = statement.where(C.status == status)
        return await self.page(statement.order_by(C.start_date.desc(), C.id), params)

    async def overlapping(self, start: date, end: date, exclude_id: uuid.UUID | None = None) -> Cycle | None:
        """A cycle sharing a day with [start, end] (both inclusive)."""
        return await self.first(C.start_date <= end, C.end_date >= start, *_other_than(exclude_id))

    async def find_by_name(self, name: str, exclude_id: uuid.UUID | None = None) -> Cycle | None:
        return await self.first(func.lower(C.name) == name.lower(), *_other_than(exclude_id))

    async def status_for_share(self, cycle_id: uuid.UUID) -> CycleStatus | None:
        """The cycle's status, its row share-locked on PostgreSQL until the transaction ends, so it can't
        complete while a transaction of it is being written."""
        statement = select(C.status).where(self._mine(), C.id == cycle_id).with_for_update(read=True)
        status: CycleStatus | None = (await self.session.execute(statement)).scalar_one_or_none()
        return status


def _other_than(cycle_id: uuid.UUID | None) -> list[ColumnElement[bool]]:
    return [] if cycle_id is None else [C.id != cycle_id]


class ActiveCyclesRepository(Repository[Cycle]):
    """The one cross-tenant read: which tenants have an active cycle (for the materialisation job)."""

    model = Cycle

    async def active(self) -> Sequence[Any]:
        statement = (select(C.tenant_id, C.id).where(C.status == CycleStatus.active).order_by(C.tenant_id)
                     .execution_options(**{ALL_TENANTS: True}))
        return (await self.session.execute(statement)).all()
