"""What the transactions page shows besides the rows: the tenant's categories and payment methods, for the
filters, the forms and the names in the table. The rows themselves come from transactions.service, as the
API's list does."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from colony.categories import service as category_service
from colony.categories.models import CategoryKind
from colony.categories.schemas import CategoryRead
from colony.core.schemas import Page, PageParams
from colony.core.tenancy import Tenant
from colony.payment_methods import service as payment_method_service
from colony.payment_methods.schemas import PaymentMethodRead

T = TypeVar("T")
BATCH = 100  # the API's largest page


async def _every(fetch: Callable[[PageParams], Awaitable[Page[T]]]) -> list[T]:
    """Every item of a paginated list."""
    items: list[T] = []
    page = 1
    while True:
        batch = await fetch(PageParams(page=page, size=BATCH))
        items.extend(batch.items)
        if page >= batch.pages:
            return items
        page += 1


@dataclass(frozen=True, slots=True)
class Choices:
    """The tenant's categories (by kind) and payment methods, and their names by id (as text, like rows)."""

    expense_categories: list[CategoryRead]
    income_categories: list[CategoryRead]
    payment_methods: list[PaymentMethodRead]

    @property
    def category_names(self) -> dict[str | None, str]:
        return {str(c.id): c.name for c in (*self.expense_categories, *self.income_categories)}

    @property
    def payment_method_names(self) -> dict[str | None, str]:
        return {str(method.id): method.name for method in self.payment_methods}


async def choices(session: AsyncSession, tenant: Tenant) -> Choices:
    categories = await _every(lambda params: category_service.list_categories(session, tenant, None, params))
    methods = await _every(lambda params: payment_method_service.list_payment_methods(session, tenant, None, params))
    return Choices(expense_categories=[c for c in categories if c.kind is CategoryKind.expense],
                   income_categories=[c for c in categories if c.kind is CategoryKind.income],
                   payment_methods=methods)
