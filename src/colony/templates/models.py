"""Expense templates: recurring expenses that cycles turn into planned transactions."""

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from colony.core.models import Base, IdMixin, TenantMixin, TimestampMixin
from colony.core.types import Money
from colony.templates.recurrence import Frequency


class ExpenseTemplate(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "expense_templates"

    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    category_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    payment_method_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("payment_methods.id", ondelete="RESTRICT"))
    frequency: Mapped[Frequency] = mapped_column(Enum(Frequency, native_enum=False, length=16))
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date | None]
    day_of_month: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        Index("ix_expense_templates_tenant_active", "tenant_id", "is_active"),
        Index("ix_expense_templates_category_id", "category_id"),
        Index("ix_expense_templates_payment_method_id", "payment_method_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("day_of_month IS NULL OR (day_of_month >= 1 AND day_of_month <= 31)",
                        name="day_of_month_range"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
    )
