"""Accounts of a tenant and their valuation history.

A balance is kept in the account's own terms: what it holds, or for a liability (loan, credit card) what
is owed; net worth subtracts liabilities. Value entries reconcile the balance on their date; the
transactions booked to the account after an entry move it.
"""

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from colony.core.clock import utcnow
from colony.core.models import Base, IdMixin, TenantMixin, TimestampMixin
from colony.core.types import Money


class AccountType(StrEnum):
    checking = "checking"
    savings = "savings"
    credit_card = "credit_card"
    investment = "investment"
    retirement = "retirement"
    loan = "loan"
    cash = "cash"
    other = "other"


LIABILITIES = frozenset({AccountType.credit_card, AccountType.loan})
# Accounts whose worth is their holdings at market plus their cash (investment activity is booked to them).
PORTFOLIOS = frozenset({AccountType.investment, AccountType.retirement})


class Account(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "accounts"

    name: Mapped[str] = mapped_column(String(100))
    type: Mapped[AccountType] = mapped_column(Enum(AccountType, native_enum=False, length=16))
    institution_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("financial_institutions.id", ondelete="SET NULL"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    is_active: Mapped[bool] = mapped_column(default=True)


class AccountValue(IdMixin, TenantMixin, Base):
    """The balance of an account on a date, as the institution stated it (one per account and date)."""

    __tablename__ = "account_values"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    date: Mapped[dt.date]
    balance: Mapped[Decimal] = mapped_column(Money())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        # Also "the latest value on or before a date" of an account: a backward range scan.
        UniqueConstraint("account_id", "date"),
        Index("ix_account_values_tenant_account_date", "tenant_id", "account_id", "date"),
    )
