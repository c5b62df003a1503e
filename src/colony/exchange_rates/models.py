"""One ECB fixing of one currency: units of the currency per 1 EUR on a date (EUR itself is not stored)."""

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from colony.core.models import Base
from colony.core.types import Rate


class ExchangeRate(Base):
    __tablename__ = "exchange_rates"
    __table_args__ = (
        # "the latest fixing of a currency on or before a date" is a range scan of this index;
        # the primary key (date first) serves "the newest date" and "every rate of one date".
        Index("ix_exchange_rates_currency_date", "currency", "date"),
        CheckConstraint("rate > 0", name="rate_positive"),
    )

    date: Mapped[dt.date] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    rate: Mapped[Decimal] = mapped_column(Rate())
