"""Savings goals and their contributions; a goal's progress is the sum of its contributions."""

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from colony.core.clock import utcnow
from colony.core.models import Base, IdMixin, TenantMixin, TimestampMixin
from colony.core.types import Money


class GoalStatus(StrEnum):
    active = "active"
    achieved = "achieved"
    cancelled = "cancelled"


class Goal(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "goals"

    name: Mapped[str] = mapped_column(String(100))
    target_amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    due_date: Mapped[dt.date | None]
    status: Mapped[GoalStatus] = mapped_column(Enum(GoalStatus, native_enum=False, length=16),
                                               default=GoalStatus.active)

    __table_args__ = (
        Index("ix_goals_tenant_created_at", "tenant_id", "created_at", "id"),
        CheckConstraint("target_amount > 0", name="target_positive"),
    )


class GoalContribution(IdMixin, TenantMixin, Base):
    __tablename__ = "goal_contributions"

    goal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"))
    amount: Mapped[Decimal] = mapped_column(Money())
    date: Mapped[dt.date]
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_goal_contributions_goal_date", "goal_id", "date", "id"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )
