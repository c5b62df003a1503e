"""Shapes of the exchange-rate endpoints. Rates and amounts are exact decimal strings."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from colony.core.money import CurrencyCode, DecimalInput, DecimalString, RateString, decimals_of
from colony.core.schemas import IsoDate, Schema, refuse_null
from colony.core.types import RATE_SCALE

MAX_CUSTOM_RATE = Decimal(100_000_000)


class RatesRead(BaseModel):
    base: str = Field(description="The currency every rate is quoted against (1 base = rate units)")
    date: IsoDate = Field(description="The date of the ECB fixing used (the closest on or before the day)")
    rates: dict[str, RateString] = Field(description="Units of each currency per 1 base, at 10 decimals at most",
                                         examples=[{"EUR": "0.9156670635", "JPY": "145.1973262522"}])


class ConversionRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    amount: DecimalString = Field(description="The amount converted, in `from`")
    from_: str = Field(alias="from", description="ISO 4217 code converted from")
    to: str = Field(description="ISO 4217 code converted to")
    date: IsoDate = Field(description="The date of the rate used: the ECB fixing (the closest on or before the date "
                                      "asked) or the tenant's own rate (the oldest one, if two were chained)")
    rate: RateString = Field(description="Units of `to` per unit of `from`")
    result: DecimalString = Field(description="amount times rate, rounded half-even to the minor unit of `to`")


class RatesStatusRead(BaseModel):
    source: str = Field(description='The HTTP source refreshed on a schedule (COLONY_RATES_URL), or "bundled" when '
                                    "fetching is off and only the history shipped with Colony is used",
                        examples=["https://www.ecb.europa.eu/stats/eurofxref/"])
    latest_date: IsoDate | None = Field(description="The newest ECB fixing stored (null: none loaded yet)")
    age_days: int | None = Field(description="Days from latest_date to today (UTC); 1 to 3 is usual (ECB fixes on "
                                             "TARGET working days, around 16:00 CET)")
    last_refresh_at: dt.datetime | None = Field(description="When a refresh from the source last succeeded")
    last_error: str | None = Field(description="Why the last refresh failed, when it failed after the last success; "
                                               "the stored rates keep serving meanwhile")
    last_error_at: dt.datetime | None = Field(description="When that failure happened")


def _rate_bounds(rate: Decimal | None) -> Decimal | None:
    if rate is None:
        return None
    if rate <= 0:
        raise ValueError("must be greater than 0")
    if rate > MAX_CUSTOM_RATE:
        raise ValueError(f"must not exceed {MAX_CUSTOM_RATE}")
    if decimals_of(rate) > RATE_SCALE:
        raise ValueError(f"has at most {RATE_SCALE} decimals")
    return rate


_RATE = f"Units of `to` per 1 `from`: > 0, at most {MAX_CUSTOM_RATE:,} and {RATE_SCALE} decimals"


class _CustomRateFields(Schema):
    model_config = ConfigDict(from_attributes=True, extra="forbid", populate_by_name=True)


class CustomRateCreate(_CustomRateFields):
    date: IsoDate = Field(description="The first day the rate applies to (until the pair's next rate)",
                          examples=["2024-03-01"])
    from_: CurrencyCode = Field(alias="from", description="ISO 4217 code: 1 unit of it ...", examples=["ARS"])
    to: CurrencyCode = Field(description="... is worth `rate` units of this one", examples=["USD"])
    rate: DecimalInput = Field(description=_RATE, examples=["0.00105"])

    _rate = field_validator("rate")(_rate_bounds)

    @model_validator(mode="after")
    def _two_currencies(self) -> Self:
        if self.from_ == self.to:
            raise ValueError("from and to must be two different currencies")
        return self


class CustomRateUpdate(_CustomRateFields):
    """Partial update: any of the fields; the pair must stay two currencies."""

    date: IsoDate | None = None
    from_: CurrencyCode | None = Field(default=None, alias="from")
    to: CurrencyCode | None = None
    rate: DecimalInput | None = Field(default=None, description=_RATE)

    _rate = field_validator("rate")(_rate_bounds)
    _not_null = field_validator("date", "from_", "to", "rate")(refuse_null)


class CustomRateRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    id: uuid.UUID
    date: IsoDate
    from_: str = Field(alias="from")
    to: str
    rate: RateString = Field(description="Units of `to` per 1 `from`")
    created_at: dt.datetime
    updated_at: dt.datetime
