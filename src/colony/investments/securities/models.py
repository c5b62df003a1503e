"""Securities and their daily prices: reference data shared by every tenant.

Prices are stored as quoted on their day, never adjusted for later splits or dividends: a split is an
event of the holdings (it multiplies the quantity from its date on), so the past keeps its values.
"""

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Enum, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from colony.core.models import Base, IdMixin, TimestampMixin
from colony.core.types import Price


class SecurityType(StrEnum):
    stock = "stock"
    etf = "etf"
    mutual_fund = "mutual_fund"
    bond = "bond"
    crypto = "crypto"
    index = "index"  # type: ignore[assignment]  # the contract's name, shadowing str.index on purpose
    other = "other"


class Security(IdMixin, TimestampMixin, Base):
    __tablename__ = "securities"

    symbol: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    security_type: Mapped[SecurityType] = mapped_column(Enum(SecurityType, native_enum=False, length=16))
    exchange: Mapped[str | None] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    synced_at: Mapped[dt.datetime | None]  # the last successful sync with the market-data provider

    __table_args__ = (
        # Symbols are unique case-insensitively; a race ends in IntegrityError → 409.
        Index("uq_securities_lower_symbol", func.lower(symbol), unique=True),
    )


class SecurityPrice(Base):
    """One day's bar of a security, as quoted that day."""

    __tablename__ = "security_prices"

    security_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("securities.id", ondelete="CASCADE"), primary_key=True)
    date: Mapped[dt.date] = mapped_column(primary_key=True)
    open: Mapped[Decimal | None] = mapped_column(Price())
    high: Mapped[Decimal | None] = mapped_column(Price())
    low: Mapped[Decimal | None] = mapped_column(Price())
    close: Mapped[Decimal] = mapped_column(Price())
    volume: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (CheckConstraint("close >= 0", name="close_not_negative"),)
