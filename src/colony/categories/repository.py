import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import func, select

from colony.categories.models import Category, CategoryKind
from colony.core.repository import TenantRepository, paginate
from colony.core.schemas import PageParams


class CategoryRepository(TenantRepository[Category]):
    model = Category

    async def list(self, kind: CategoryKind | None, params: PageParams) -> tuple[Sequence[Category], int]:
        statement = self.scoped()
        if kind is not None:
            statement = statement.where(Category.kind == kind)
        statement = statement.order_by(Category.kind, func.lower(Category.name), Category.id)
        return await paginate(self.session, statement, params)

    async def find_by_name(self, kind: CategoryKind, name: str, exclude_id: uuid.UUID | None = None
                           ) -> Category | None:
        statement = self.scoped().where(Category.kind == kind, func.lower(Category.name) == name.lower())
        if exclude_id is not None:
            statement = statement.where(Category.id != exclude_id)
        found: Category | None = (await self.session.scalars(statement.limit(1))).first()  # type: ignore[assignment]
        return found

    async def names(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not ids:
            return {}
        rows = await self.session.execute(select(Category.id, Category.name).where(
            Category.tenant_id == self.tenant_id, Category.id.in_(list(ids))))
        return {row[0]: row[1] for row in rows}
