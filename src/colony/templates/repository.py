"""All SQL of expense templates."""

from collections.abc import Sequence

from colony.core.repository import TenantRepository
from colony.core.schemas import PageParams
from colony.templates.models import ExpenseTemplate

T = ExpenseTemplate


class ExpenseTemplateRepository(TenantRepository[ExpenseTemplate]):
    model = ExpenseTemplate

    async def list(self, is_active: bool | None, params: PageParams) -> tuple[Sequence[ExpenseTemplate], int]:
        statement = self.scoped()
        if is_active is not None:
            statement = statement.where(T.is_active == is_active)
        return await self.page(statement.order_by(T.name, T.id), params)

    async def active(self) -> Sequence[ExpenseTemplate]:
        """Every active template of the tenant (generation walks all of them)."""
        return (await self.session.execute(self.scoped().where(T.is_active.is_(True)).order_by(T.id))).scalars().all()
