"""What happens inside an investment account: its opening holdings and its investment transactions.

Facts only; positions, cash, cost and performance are derived from them (the engine package).
"""

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from colony.core.models import Base, IdMixin, TenantMixin, TimestampMixin, partial
from colony.core.types import Money, Price, Quantity


class Holding(IdMixin, TenantMixin, TimestampMixin, Base):
    """A holding entered directly: an opening lot of `quantity` at total cost `cost_basis` (in the
    security's currency), acquired on `acquired_on`, or held since before anything else when it is null."""

    __tablename__ = "holdings"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    security_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("securities.id", ondelete="RESTRICT"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    cost_basis: Mapped[Decimal] = mapped_column(Money())
    acquired_on: Mapped[dt.date | None]

    __table_args__ = (Index("ix_holdings_tenant_account", "tenant_id", "account_id"),)


class ActivityType(StrEnum):
    buy = "buy"
    sell = "sell"
    dividend = "dividend"
    interest = "interest"
    fee = "fee"
    tax = "tax"
    split = "split"  # type: ignore[assignment]  # the contract's name, shadowing str.split on purpose
    deposit = "deposit"
    withdrawal = "withdrawal"
    transfer_in = "transfer_in"
    transfer_out = "transfer_out"


class InvestmentTransaction(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "investment_transactions"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    type: Mapped[ActivityType] = mapped_column(Enum(ActivityType, native_enum=False, length=16))
    date: Mapped[dt.date]
    security_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("securities.id", ondelete="RESTRICT"),
                                                          index=True)
    currency: Mapped[str] = mapped_column(String(3))  # of price, amount, fee and tax
    quantity: Mapped[Decimal | None] = mapped_column(Quantity())
    price: Mapped[Decimal | None] = mapped_column(Price())
    amount: Mapped[Decimal | None] = mapped_column(Money())
    fee: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    tax: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    split_ratio: Mapped[str | None] = mapped_column(String(32))  # "2:1": two new for one old
    note: Mapped[str | None] = mapped_column(Text)
    # transfer_out and transfer_in of one move of securities between two accounts: each names the other
    # account, and both share the transfer's id
    counter_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"),
                                                                 index=True)
    transfer_id: Mapped[uuid.UUID | None]

    __table_args__ = (
        Index("ix_investment_transactions_tenant_account_date", "tenant_id", "account_id", "date"),
        Index("ix_investment_transactions_transfer_id", "transfer_id", **partial("transfer_id IS NOT NULL")),
    )
