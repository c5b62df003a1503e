"""ECB fixings (reference data), the state of their refresh, and each tenant's own rates."""

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from colony.core.models import Base, IdMixin, TenantMixin, TimestampMixin
from colony.core.types import Rate


class ExchangeRate(Base):
    """One ECB fixing of one currency: units of the currency per 1 EUR on a date (EUR itself is not stored)."""

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


class RateRefresh(Base):
    """How the refreshes from one HTTP source went, shared by every instance (GET /exchange-rates/status)."""

    __tablename__ = "exchange_rate_refreshes"

    source: Mapped[str] = mapped_column(String(2000), primary_key=True)  # the URL
    last_refresh_at: Mapped[dt.datetime | None]  # the last refresh that succeeded
    last_error_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)  # null once a refresh succeeds again


class CustomRate(IdMixin, TenantMixin, TimestampMixin, Base):
    """A tenant's own rate: 1 `from_currency` = `rate` `to_currency`, from `date` on (until the pair's next)."""

    __tablename__ = "custom_exchange_rates"
    __table_args__ = (
        # one rate per pair and day; also the scan of "the tenant's rates up to a date"
        Index("ix_custom_exchange_rates_pair_date", "tenant_id", "from_currency", "to_currency", "date", unique=True),
        CheckConstraint("rate > 0", name="rate_positive"),
        CheckConstraint("from_currency <> to_currency", name="two_currencies"),
    )

    date: Mapped[dt.date]
    from_currency: Mapped[str] = mapped_column(String(3))
    to_currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Rate())
