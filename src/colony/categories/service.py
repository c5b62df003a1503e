"""Category rules: unique names per tenant and kind, defaults for new tenants, safe deletion.

Other domains reference categories (transactions today; templates and budgets later). They do not
import back here; instead each registers a `CategoryReferences` holder, which this service asks
whether a category is in use and tells to move rows to another category before a deletion. The
foreign keys (ON DELETE RESTRICT) stay the last word: a reference nobody registered still makes
the delete fail with CATEGORY_IN_USE instead of losing data.
"""

import uuid
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from colony.categories.errors import CategoryInUse, CategoryNameExists, CategoryNotFound
from colony.categories.models import Category, CategoryKind
from colony.categories.repository import CategoryRepository
from colony.categories.schemas import CategoryCreate, CategoryUpdate
from colony.core.errors import ValidationFailed
from colony.core.schemas import PageParams
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
    """A domain whose rows point at categories: (session, tenant_id, category_id) -> in use?, and a mover."""

    in_use: Callable[[AsyncSession, uuid.UUID, uuid.UUID], Awaitable[bool]]
    reassign: Callable[[AsyncSession, uuid.UUID, uuid.UUID, uuid.UUID], Awaitable[None]]


_references: list[CategoryReferences] = []


def register_references(holder: CategoryReferences) -> None:
    if holder not in _references:
        _references.append(holder)


async def create_defaults(session: AsyncSession, tenant_id: uuid.UUID, created_by_id: uuid.UUID) -> None:
    """The starter categories of a new tenant (called at registration, inside its transaction)."""
    session.add_all([Category(tenant_id=tenant_id, created_by_id=created_by_id, name=name, kind=kind)
                     for name, kind in DEFAULT_CATEGORIES])
    await session.flush()


async def list_categories(session: AsyncSession, tenant: Tenant, kind: CategoryKind | None,
                          params: PageParams) -> tuple[Sequence[Category], int]:
    return await CategoryRepository(session, tenant.tenant_id).list(kind, params)


async def get(session: AsyncSession, tenant: Tenant, category_id: uuid.UUID) -> Category:
    category = await CategoryRepository(session, tenant.tenant_id).get(category_id)
    if category is None:
        raise CategoryNotFound()
    return category


async def names_of(session: AsyncSession, tenant_id: uuid.UUID, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Names of the tenant's categories among `ids`, in one query (reports label their rows with them)."""
    return await CategoryRepository(session, tenant_id).names(ids)


async def require(session: AsyncSession, tenant: Tenant, category_id: uuid.UUID, *, field: str,
                  kind: CategoryKind | None = None) -> Category:
    """A category named in a request body: missing, foreign or of the wrong kind → 422 on `field`."""
    category = await CategoryRepository(session, tenant.tenant_id).get(category_id)
    if category is None:
        raise ValidationFailed(field, "category not found")
    if kind is not None and category.kind != kind:
        raise ValidationFailed(field, f"category is of kind {category.kind.value!r}, expected {kind.value!r}")
    return category


async def _flush_unique(session: AsyncSession) -> None:
    """Flush in a savepoint, so a duplicate name (also from a concurrent request) is a clean 409."""
    try:
        async with session.begin_nested():
            pass  # leaving the block flushes pending changes inside the savepoint
    except IntegrityError:
        raise CategoryNameExists() from None


async def create(session: AsyncSession, tenant: Tenant, data: CategoryCreate) -> Category:
    repo = CategoryRepository(session, tenant.tenant_id)
    if await repo.find_by_name(data.kind, data.name) is not None:
        raise CategoryNameExists()
    category = Category(tenant_id=tenant.tenant_id, created_by_id=tenant.user_id, **data.model_dump())
    session.add(category)
    await _flush_unique(session)
    return category


async def _in_use(session: AsyncSession, tenant: Tenant, category_id: uuid.UUID) -> bool:
    for holder in _references:
        if await holder.in_use(session, tenant.tenant_id, category_id):
            return True
    return False


async def update(session: AsyncSession, tenant: Tenant, category_id: uuid.UUID, data: CategoryUpdate
                 ) -> Category:
    repo = CategoryRepository(session, tenant.tenant_id)
    category = await get(session, tenant, category_id)
    changes = data.model_dump(exclude_unset=True)
    if "kind" in changes and changes["kind"] != category.kind and await _in_use(session, tenant, category.id):
        raise CategoryInUse("The kind of a category in use can't change")
    name, kind = changes.get("name", category.name), changes.get("kind", category.kind)
    if (name.lower() != category.name.lower() or kind != category.kind) and \
            await repo.find_by_name(kind, name, exclude_id=category.id) is not None:
        raise CategoryNameExists()
    for field, value in changes.items():
        setattr(category, field, value)
    await _flush_unique(session)
    return category


async def delete(session: AsyncSession, tenant: Tenant, category_id: uuid.UUID,
                 reassign_to: uuid.UUID | None = None) -> None:
    category = await get(session, tenant, category_id)
    if reassign_to is not None:
        target = await CategoryRepository(session, tenant.tenant_id).get(reassign_to)
        if target is None:
            raise ValidationFailed("query.reassign_to", "category not found")
        if target.id == category.id:
            raise ValidationFailed("query.reassign_to", "must be another category")
        if target.kind != category.kind:
            raise ValidationFailed("query.reassign_to", f"must be a category of kind {category.kind.value!r}")
        for holder in _references:
            await holder.reassign(session, tenant.tenant_id, category.id, target.id)
    elif await _in_use(session, tenant, category.id):
        raise CategoryInUse()
    try:
        async with session.begin_nested():
            await session.delete(category)
    except IntegrityError:  # a reference no holder reported, or one added concurrently
        raise CategoryInUse() from None
