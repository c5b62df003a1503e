"""Budgets: a total for a period in one currency, split into per-category entries."""

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from colony.core.models import Base, IdMixin, TenantMixin, TimestampMixin
from colony.core.types import Money


class Budget(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "budgets"

    name: Mapped[str] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3))
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date]
    total_amount: Mapped[Decimal] = mapped_column(Money())
    entries: Mapped[list["BudgetEntry"]] = relationship(
        back_populates="budget", cascade="all, delete-orphan", passive_deletes=True, lazy="raise",
        order_by="BudgetEntry.position")

    __table_args__ = (
        Index("ix_budgets_tenant_period", "tenant_id", "period_start", "id"),
        CheckConstraint("total_amount > 0", name="total_positive"),
        CheckConstraint("period_end >= period_start", name="period_order"),
    )


class BudgetEntry(IdMixin, TenantMixin, Base):
    __tablename__ = "budget_entries"

    budget_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"))
    category_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    position: Mapped[int] = mapped_column(default=0)  # the order the client gave them in
    budget: Mapped[Budget] = relationship(back_populates="entries", lazy="raise")

    __table_args__ = (
        UniqueConstraint("budget_id", "category_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )
