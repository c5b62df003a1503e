import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import func, select

from colony.categories.models import Category, CategoryKind
from colony.core.repository import TenantRepository
from colony.core.schemas import PageParams


class CategoryRepository(TenantRepository[Category]):
    model = Category

    async def list(self, kind: CategoryKind | None, params: PageParams) -> tuple[Sequence[Category], int]:
        statement = self.scoped()
        if kind is not None:
            statement = statement.where(Category.kind == kind)
        return await self.page(statement.order_by(Category.kind, func.lower(Category.name), Category.id), params)

    async def find_by_name(self, kind: CategoryKind, name: str, exclude_id: uuid.UUID | None = None
                           ) -> Category | None:
        conditions = [Category.kind == kind, func.lower(Category.name) == name.lower()]
        if exclude_id is not None:
            conditions.append(Category.id != exclude_id)
        return await self.first(*conditions)

    async def names(self, ids: Collection[uuid.UUID] | None) -> dict[uuid.UUID, str]:
        statement = select(Category.id, Category.name).where(self._mine())
        if ids is not None:
            statement = statement.where(Category.id.in_(list(ids)))
        return {row[0]: row[1] for row in await self.session.execute(statement)}

    async def ids_by_name(self) -> dict[tuple[CategoryKind, str], uuid.UUID]:
        """Every category of the tenant by (kind, lower-case name): an import resolves names with one query."""
        rows = await self.session.execute(select(Category.kind, Category.name, Category.id).where(self._mine()))
        return {(CategoryKind(kind), name.lower()): id_ for kind, name, id_ in rows}
