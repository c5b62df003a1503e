"""Expenses and incomes: one table, `type` tells them apart; `/expenses` is the expense-only view."""

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from colony.core.models import Base, IdMixin, TenantMixin, TenantOwned, TimestampMixin, partial
from colony.core.types import MONEY_SCALE, ExactDecimal, Money, Rate


class TransactionType(StrEnum):
    expense = "expense"
    income = "income"


class TransactionStatus(StrEnum):
    paid = "paid"
    planned = "planned"


class Transaction(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "transactions"

    # Every index below leads with tenant_id or serves a foreign key, so this one needs no index of its own:
    # one less index to write on every insert (TenantMixin indexes it on the other tables).
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    type: Mapped[TransactionType] = mapped_column(Enum(TransactionType, native_enum=False, length=16))
    status: Mapped[TransactionStatus] = mapped_column(
        Enum(TransactionStatus, native_enum=False, length=16), default=TransactionStatus.paid)
    amount: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    date: Mapped[dt.date]
    description: Mapped[str] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)
    # Deleting a referenced category or payment method fails (the services turn that into a 409).
    category_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    payment_method_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("payment_methods.id", ondelete="RESTRICT"))
    # The account it was booked to (investments owns accounts; deleting one that has transactions fails).
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    # The two legs of one transfer between accounts share it; reports count neither leg.
    transfer_id: Mapped[uuid.UUID | None]
    # The cycle it is booked in, and the template it was generated from (planning domains). Deleting a
    # template keeps its expenses; deleting a cycle deletes its planned expenses and unlinks the rest.
    cycle_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cycles.id", ondelete="SET NULL"))
    template_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("expense_templates.id", ondelete="SET NULL"))
    # The amount in the tenant's base currency at the rate of `date` (recomputed when those change).
    amount_base: Mapped[Decimal] = mapped_column(Money())
    base_currency: Mapped[str] = mapped_column(String(3))
    exchange_rate: Mapped[Decimal] = mapped_column(Rate())
    # Set by the CSV import (imports/service.py): a fingerprint of the source row, so that importing
    # the same file again creates nothing. Unique per tenant; NULL for rows made any other way.
    import_hash: Mapped[str | None] = mapped_column(String(64))
    # The bank's own id of a row imported from a bank file (OFX FITID, CAMT AcctSvcrRef, a CSV column), qualified
    # by the file's account when it names one: a later import skips a row whose id the tenant already has.
    bank_id: Mapped[str | None] = mapped_column(String(255))

    __table_args__ = (
        # The default page (newest first, id as tiebreaker) of a tenant, and of its expenses.
        Index("ix_transactions_tenant_date_id", "tenant_id", "date", "id"),
        Index("ix_transactions_tenant_type_date_id", "tenant_id", "type", "date", "id"),
        Index("ix_transactions_tenant_created_at_id", "tenant_id", "created_at", "id"),
        # Filters, "is this category / payment method in use", and the foreign keys' own checks on delete
        # (ids are unique across tenants, so these need no tenant_id prefix). Partial, like the ones below:
        # a row without one (a bank import's, mostly) writes nothing to the index.
        Index("ix_transactions_category_id", "category_id", **partial("category_id IS NOT NULL")),
        Index("ix_transactions_payment_method_id", "payment_method_id", **partial("payment_method_id IS NOT NULL")),
        # The template's foreign-key checks on delete. Partial, like the two unique indexes below: most rows
        # have no template, cycle or import fingerprint, and an insert then writes none of these indexes.
        Index("ix_transactions_template_id", "template_id", **partial("template_id IS NOT NULL")),
        # An account's balance and the account's foreign-key checks; a transfer's legs.
        Index("ix_transactions_account_id_date", "account_id", "date", **partial("account_id IS NOT NULL")),
        Index("ix_transactions_transfer_id", "transfer_id", **partial("transfer_id IS NOT NULL")),
        # One generated expense per template occurrence in a cycle: generation inserts with ON CONFLICT
        # DO NOTHING, so re-runs and concurrent runs never duplicate (NULLs never conflict). Also serves
        # "the transactions of a cycle" (summary, filters, the cycle's foreign-key checks).
        Index("uq_transactions_cycle_template_date", "cycle_id", "template_id", "date", unique=True,
              **partial("cycle_id IS NOT NULL")),
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("uq_transactions_tenant_import_hash", "tenant_id", "import_hash", unique=True,
              **partial("import_hash IS NOT NULL")),
        Index("uq_transactions_tenant_bank_id", "tenant_id", "bank_id", unique=True, **partial("bank_id IS NOT NULL")),
    )


# The category key of uncategorised rows in MonthlyTotal: a key column can't be NULL in a primary key, nor match
# itself in ON CONFLICT, on either engine.
NO_CATEGORY = uuid.UUID(int=0)


class MonthlyTotal(TenantOwned, Base):
    """What the reports add up, kept ready: the paid transactions of one month that are no leg of a transfer, per
    type, the base currency their `amount_base` is in, and category. Derived, never a source of truth: every
    write of transactions changes it in the same database transaction (transactions/totals.py), and `colony
    analytics rebuild` recounts it. A group without rows has no row here."""

    __tablename__ = "monthly_totals"

    # The primary key leads with it: a month or a range of months of one tenant is one range of that index.
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[dt.date] = mapped_column(primary_key=True)  # its first day
    type: Mapped[TransactionType] = mapped_column(Enum(TransactionType, native_enum=False, length=16),
                                                  primary_key=True)
    base_currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    category_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # NO_CATEGORY for none; no foreign key
    # SUM(amount_base), exact; wider than one amount on PostgreSQL (SQLite's SUM has the same 64-bit bound).
    total: Mapped[Decimal] = mapped_column(ExactDecimal(MONEY_SCALE, precision=28))
    count: Mapped[int]
