"""All SQL of goals."""

import uuid
from collections.abc import Collection, Sequence
from decimal import Decimal

from sqlalchemy import func, select

from colony.core.repository import TenantRepository
from colony.core.schemas import PageParams
from colony.goals.models import Goal, GoalContribution

G, C = Goal, GoalContribution


class GoalRepository(TenantRepository[Goal]):
    model = Goal

    async def list(self, params: PageParams) -> tuple[Sequence[Goal], int]:
        return await self.page(self.scoped().order_by(G.created_at, G.id), params)

    async def get_for_update(self, goal_id: uuid.UUID) -> Goal | None:
        """The goal, its row locked until the transaction ends (PostgreSQL; SQLite writers are serial):
        contributions to one goal then run one after the other, so each sees every earlier one."""
        result = await self.session.execute(
            self.scoped().where(G.id == goal_id).with_for_update().execution_options(populate_existing=True))
        return result.scalar_one_or_none()

    async def sums(self, goal_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
        """The sum of the contributions of each goal, in SQL (exact on both engines)."""
        if not goal_ids:
            return {}
        statement = (select(C.goal_id, func.sum(C.amount))
                     .where(C.tenant_id == self.tenant_id, C.goal_id.in_(list(goal_ids))).group_by(C.goal_id))
        return {row[0]: row[1] for row in await self.session.execute(statement)}


class ContributionRepository(TenantRepository[GoalContribution]):
    model = GoalContribution

    async def list(self, goal_id: uuid.UUID, params: PageParams) -> tuple[Sequence[GoalContribution], int]:
        statement = self.scoped().where(C.goal_id == goal_id).order_by(C.date.desc(), C.created_at.desc(), C.id)
        return await self.page(statement, params)
