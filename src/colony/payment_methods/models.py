"""Payment methods: how a transaction was paid. Only the last four digits of a card, never the number."""

from enum import StrEnum

from sqlalchemy import CheckConstraint, Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from colony.core.models import Base, IdMixin, TenantMixin, TimestampMixin


class PaymentMethodType(StrEnum):
    cash = "cash"
    debit_card = "debit_card"
    credit_card = "credit_card"
    bank_transfer = "bank_transfer"
    e_wallet = "e_wallet"
    other = "other"


class PaymentMethod(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "payment_methods"

    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[PaymentMethodType] = mapped_column(Enum(PaymentMethodType, native_enum=False, length=16))
    currency: Mapped[str | None] = mapped_column(String(3))
    last4: Mapped[str | None] = mapped_column(String(4))
    is_active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (CheckConstraint("last4 IS NULL OR length(last4) = 4", name="last4_length"),)
