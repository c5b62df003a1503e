"""Budget cycles: a span of at most 45 days with an income, its planned and paid expenses."""

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Enum, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from colony.core.models import Base, IdMixin, TenantMixin, TimestampMixin, partial
from colony.core.types import Money


class CycleStatus(StrEnum):
    draft = "draft"
    active = "active"
    completed = "completed"


class Cycle(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "cycles"

    name: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date]
    income_amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[CycleStatus] = mapped_column(Enum(CycleStatus, native_enum=False, length=16),
                                                default=CycleStatus.draft)

    __table_args__ = (
        # Names are unique per tenant, case-insensitively; a race ends in IntegrityError → 409.
        Index("uq_cycles_tenant_lower_name", "tenant_id", func.lower(name), unique=True),
        # One active cycle per tenant, held by the database: concurrent activations leave one winner.
        Index("uq_cycles_tenant_active", "tenant_id", unique=True, **partial("status = 'active'")),
        # Overlap checks and "the cycle of this date".
        Index("ix_cycles_tenant_start_end", "tenant_id", "start_date", "end_date"),
        CheckConstraint("income_amount > 0", name="income_positive"),
        CheckConstraint("end_date > start_date", name="end_after_start"),
    )
