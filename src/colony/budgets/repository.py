"""All SQL of budgets."""

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import selectinload

from colony.budgets.models import Budget, BudgetEntry
from colony.core.repository import TenantRepository
from colony.core.schemas import PageParams

B, E = Budget, BudgetEntry


class BudgetRepository(TenantRepository[Budget]):
    model = Budget

    async def list(self, params: PageParams) -> tuple[Sequence[Budget], int]:
        # The entries' own SELECT filters by tenant too, like every statement on an owned table.
        statement = (self.scoped().options(selectinload(B.entries.and_(E.tenant_id == self.tenant_id)))
                     .order_by(B.period_start.desc(), B.id))
        return await self.page(statement, params)

    async def get_with_entries(self, budget_id: uuid.UUID) -> Budget | None:
        statement = self.scoped().where(B.id == budget_id).options(
            selectinload(B.entries.and_(E.tenant_id == self.tenant_id)))
        result = await self.session.execute(statement)
        return result.scalar_one_or_none()


class BudgetEntryRepository(TenantRepository[BudgetEntry]):
    model = BudgetEntry

    async def reassign_category(self, from_id: uuid.UUID, to_id: uuid.UUID) -> None:
        """Move entries to another category; where a budget has both, their amounts merge."""
        rows = (await self.session.execute(self.scoped().where(E.category_id.in_([from_id, to_id])))).scalars().all()
        targets = {e.budget_id: e for e in rows if e.category_id == to_id}
        for entry in (e for e in rows if e.category_id == from_id):
            target = targets.get(entry.budget_id)
            if target is None:
                entry.category_id = to_id
            else:
                target.amount += entry.amount
                await self.delete_where(E.id == entry.id)
                self.session.expunge(entry)
        await self.session.flush()
