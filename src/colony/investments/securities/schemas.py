"""Request and response shapes of securities and their prices."""

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, field_validator, model_validator

from colony.core.money import CurrencyCode, DecimalInput, DecimalString
from colony.core.schemas import IsoDate, Schema
from colony.investments.securities.models import SecurityType

SYMBOL_PATTERN = r"^[A-Za-z0-9.\-=^_:]+$"
Symbol = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32,
                                          pattern=SYMBOL_PATTERN),
                   Field(examples=["AAPL"], description="Ticker as the market-data provider knows it; unique in any "
                         "case")]
MAX_PRICE = Decimal("1e12")
PRICE_QUANTUM = Decimal("1e-8")


def _price(value: Decimal | None) -> Decimal | None:
    """A price as quoted: not negative, at most 8 decimals."""
    if value is None:
        return None
    if value < 0 or value >= MAX_PRICE:
        raise ValueError("must be 0 or more and less than 10^12")
    if value != value.quantize(PRICE_QUANTUM):
        raise ValueError("has at most 8 decimals")
    return value


class SecurityCreate(Schema):
    symbol: Symbol
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    security_type: SecurityType = SecurityType.stock
    exchange: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)] | None = None
    currency: CurrencyCode = Field(examples=["USD"])


class SecurityPut(Schema):
    """A security named by its path: created, or its name, type and exchange replaced."""

    symbol: Symbol | None = Field(default=None, description="If given, the path's symbol (any case)")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    security_type: SecurityType = SecurityType.stock
    exchange: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)] | None = None
    currency: CurrencyCode = Field(examples=["USD"], description="Of a security that exists: its own (prices, "
                                   "lots and costs are in it)")


class SecurityRead(Schema):
    id: uuid.UUID
    symbol: str
    name: str
    security_type: SecurityType
    exchange: str | None
    currency: str
    synced_at: dt.datetime | None = Field(description="The last sync with the market-data provider")
    created_at: dt.datetime
    updated_at: dt.datetime


class PriceIn(Schema):
    date: IsoDate
    open: DecimalInput | None = None
    high: DecimalInput | None = None
    low: DecimalInput | None = None
    close: DecimalInput = Field(description="As quoted that day, in the security's currency", examples=["187.44"])
    volume: int | None = Field(default=None, ge=0, le=10**18)

    _prices = field_validator("open", "high", "low", "close")(_price)

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.high is not None and self.low is not None and self.high < self.low:
            raise ValueError("high must not be below low")
        return self


class Interval(StrEnum):
    day = "1d"
    week = "1wk"
    month = "1mo"


class PriceRead(Schema):
    date: IsoDate = Field(description="The bar's day; a week's or a month's bar is dated on its first day")
    open: DecimalString | None
    high: DecimalString | None
    low: DecimalString | None
    close: DecimalString
    volume: int | None


class PriceSeries(Schema):
    symbol: str
    currency: str
    interval: Interval
    prices: list[PriceRead] = Field(description="Oldest first")


class PricesStored(Schema):
    symbol: str
    stored: int = Field(description="Rows inserted or replaced (one per date)")
    first_date: IsoDate | None
    last_date: IsoDate | None


class SyncRead(PricesStored):
    security: SecurityRead = Field(description="As stored after the sync (created when it was unknown)")
