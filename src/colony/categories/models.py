"""Categories of transactions, one list per tenant and kind."""

from enum import StrEnum

from sqlalchemy import Enum, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from colony.core.models import Base, IdMixin, TenantMixin, TimestampMixin


class CategoryKind(StrEnum):
    expense = "expense"
    income = "income"


class Category(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "categories"

    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[CategoryKind] = mapped_column(Enum(CategoryKind, native_enum=False, length=16))
    color: Mapped[str | None] = mapped_column(String(16))
    icon: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        # Names are unique per tenant and kind, case-insensitively; a race ends in IntegrityError → 409.
        Index("uq_categories_tenant_kind_lower_name", "tenant_id", "kind", func.lower(name), unique=True),
    )
