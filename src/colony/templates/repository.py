"""All SQL of expense templates."""

import uuid
from collections.abc import Sequence

from sqlalchemy import exists, select, update

from colony.core.clock import utcnow
from colony.core.repository import TenantRepository, paginate
from colony.core.schemas import PageParams
from colony.templates.models import ExpenseTemplate

T = ExpenseTemplate


class ExpenseTemplateRepository(TenantRepository[ExpenseTemplate]):
    model = ExpenseTemplate

    async def list(self, is_active: bool | None, params: PageParams) -> tuple[Sequence[ExpenseTemplate], int]:
        statement = self.scoped()
        if is_active is not None:
            statement = statement.where(T.is_active == is_active)
        return await paginate(self.session, statement.order_by(T.name, T.id), params)

    async def active(self) -> Sequence[ExpenseTemplate]:
        """Every active template of the tenant (generation walks all of them)."""
        return (await self.session.execute(self.scoped().where(T.is_active.is_(True)).order_by(T.id))).scalars().all()  # type: ignore[return-value]

    async def uses_category(self, category_id: uuid.UUID) -> bool:
        statement = select(exists().where(T.tenant_id == self.tenant_id, T.category_id == category_id))
        return bool((await self.session.execute(statement)).scalar())

    async def reassign_category(self, from_id: uuid.UUID, to_id: uuid.UUID) -> None:
        await self.session.execute(
            update(T).where(T.tenant_id == self.tenant_id, T.category_id == from_id)
            .values(category_id=to_id, updated_at=utcnow()).execution_options(synchronize_session=False))
