"""Category rules: unique names per tenant and kind, defaults for new tenants, safe deletion.

Other domains point at categories (transactions, templates, budget entries). They do not import back
here; each contributes a `CategoryReferences` to `REFERENCES` (in its domain.py), which this service asks
whether a category is in use and tells to move rows to another category before a deletion. The foreign
keys (ON DELETE RESTRICT) stay the last word: a reference nobody contributed still makes the delete fail
with CATEGORY_IN_USE instead of losing data.
"""

import uuid
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from colony.categories.errors import CategoryInUse, CategoryNameExists, CategoryNotFound
from colony.categories.models import Category, CategoryKind
from colony.categories.repository import CategoryRepository
from colony.categories.schemas import CategoryCreate, CategoryRead, CategoryUpdate
from colony.core.db import savepoint
from colony.core.domain import Hooks
from colony.core.errors import ValidationFailed
from colony.core.repository import TenantRepository
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import Tenant

DEFAULT_CATEGORIES: tuple[tuple[str, CategoryKind], ...] = (
    ("Food", CategoryKind.expense),
    ("Bills", CategoryKind.expense),
    ("Groceries", CategoryKind.expense),
    ("Transportation", CategoryKind.expense),
    ("Housing", CategoryKind.expense),
    ("Health", CategoryKind.expense),
    ("Entertainment", CategoryKind.expense),
    ("Other", CategoryKind.expense),
    ("Salary", CategoryKind.income),
)


@dataclass(frozen=True, slots=True)
class CategoryReferences:
    """A domain whose rows point at categories: (session, tenant_id, category_id) -> in use?, and a mover
    (session, tenant_id, from_id, to_id)."""

    in_use: Callable[[AsyncSession, uuid.UUID, uuid.UUID], Awaitable[bool]]
    reassign: Callable[[AsyncSession, uuid.UUID, uuid.UUID, uuid.UUID], Awaitable[None]]

    @classmethod
    def by_column(cls, repository: type[TenantRepository[Any]], column: InstrumentedAttribute[Any]
                  ) -> "CategoryReferences":
        """The usual part: the rows of `repository` whose `column` names the category; a move updates it."""
        async def in_use(session: AsyncSession, tenant_id: uuid.UUID, category_id: uuid.UUID) -> bool:
            return await repository(session, tenant_id).exists(column == category_id)

        async def reassign(session: AsyncSession, tenant_id: uuid.UUID, from_id: uuid.UUID, to_id: uuid.UUID) -> None:
            await repository(session, tenant_id).update_where(column == from_id, **{column.key: to_id})

        return cls(in_use, reassign)


REFERENCES: Hooks[CategoryReferences] = Hooks("categories.REFERENCES")


async def create_defaults(session: AsyncSession, owner: Tenant) -> None:
    """The starter categories of a new tenant (`users.TENANT_CREATED`, inside its registration)."""
    session.add_all([Category(tenant_id=owner.tenant_id, created_by_id=owner.user_id, name=name, kind=kind)
                     for name, kind in DEFAULT_CATEGORIES])
    await session.flush()


async def list_categories(session: AsyncSession, tenant: Tenant, kind: CategoryKind | None,
                          params: PageParams) -> Page[CategoryRead]:
    rows, total = await CategoryRepository(session, tenant.tenant_id).list(kind, params)
    return Page[CategoryRead].build([CategoryRead.model_validate(row) for row in rows], total, params)


async def _get(session: AsyncSession, tenant: Tenant, category_id: uuid.UUID) -> Category:
    return await CategoryRepository(session, tenant.tenant_id).get_or_raise(category_id, CategoryNotFound)


async def get(session: AsyncSession, tenant: Tenant, category_id: uuid.UUID) -> CategoryRead:
    return CategoryRead.model_validate(await _get(session, tenant, category_id))


async def names_of(session: AsyncSession, tenant_id: uuid.UUID,
                   ids: Collection[uuid.UUID] | None = None) -> dict[uuid.UUID, str]:
    """Names of the tenant's categories among `ids` (all of them by default), in one query: reports and
    exports label their rows with them."""
    if ids is not None and not ids:
        return {}
    return await CategoryRepository(session, tenant_id).names(ids)


async def require(session: AsyncSession, tenant: Tenant, category_id: uuid.UUID, *, field: str,
                  kind: CategoryKind | None = None) -> None:
    """A category named in a request body: missing, foreign or of the wrong kind → 422 on `field`."""
    category = await CategoryRepository(session, tenant.tenant_id).get(category_id)
    if category is None:
        raise ValidationFailed(field, "category not found")
    if kind is not None and category.kind != kind:
        raise ValidationFailed(field, f"category is of kind {category.kind.value!r}, expected {kind.value!r}")


async def create(session: AsyncSession, tenant: Tenant, data: CategoryCreate) -> CategoryRead:
    repo = CategoryRepository(session, tenant.tenant_id)
    if await repo.find_by_name(data.kind, data.name) is not None:
        raise CategoryNameExists()
    category = Category(tenant_id=tenant.tenant_id, created_by_id=tenant.user_id, **data.model_dump())
    async with savepoint(session, CategoryNameExists):  # a concurrent request may have taken the name
        session.add(category)
    return CategoryRead.model_validate(category)


async def _in_use(session: AsyncSession, tenant: Tenant, category_id: uuid.UUID) -> bool:
    for references in REFERENCES:
        if await references.in_use(session, tenant.tenant_id, category_id):
            return True
    return False


async def update(session: AsyncSession, tenant: Tenant, category_id: uuid.UUID, data: CategoryUpdate
                 ) -> CategoryRead:
    repo = CategoryRepository(session, tenant.tenant_id)
    category = await _get(session, tenant, category_id)
    changes = data.model_dump(exclude_unset=True)
    if "kind" in changes and changes["kind"] != category.kind and await _in_use(session, tenant, category.id):
        raise CategoryInUse("The kind of a category in use can't change")
    name, kind = changes.get("name", category.name), changes.get("kind", category.kind)
    if (name.lower() != category.name.lower() or kind != category.kind) and \
            await repo.find_by_name(kind, name, exclude_id=category.id) is not None:
        raise CategoryNameExists()
    async with savepoint(session, CategoryNameExists):
        for field, value in changes.items():
            setattr(category, field, value)
    return CategoryRead.model_validate(category)


async def delete(session: AsyncSession, tenant: Tenant, category_id: uuid.UUID,
                 reassign_to: uuid.UUID | None = None) -> None:
    category = await _get(session, tenant, category_id)
    if reassign_to is not None:
        target = await CategoryRepository(session, tenant.tenant_id).get(reassign_to)
        if target is None:
            raise ValidationFailed("query.reassign_to", "category not found")
        if target.id == category.id:
            raise ValidationFailed("query.reassign_to", "must be another category")
        if target.kind != category.kind:
            raise ValidationFailed("query.reassign_to", f"must be a category of kind {category.kind.value!r}")
        for references in REFERENCES:
            await references.reassign(session, tenant.tenant_id, category.id, target.id)
    elif await _in_use(session, tenant, category.id):
        raise CategoryInUse()
    async with savepoint(session, CategoryInUse):  # a reference no domain reported, or one added meanwhile
        await session.delete(category)


async def ids_by_name(session: AsyncSession, tenant_id: uuid.UUID) -> dict[tuple[CategoryKind, str], uuid.UUID]:
    """The tenant's category ids by (kind, lower-case name), for an import that names its categories."""
    return await CategoryRepository(session, tenant_id).ids_by_name()
