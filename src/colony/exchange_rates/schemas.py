"""Response shapes of the exchange-rate endpoints. Rates and amounts are exact decimal strings."""

from pydantic import BaseModel, ConfigDict, Field

from colony.core.money import DecimalString, RateString
from colony.core.schemas import IsoDate


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
    date: IsoDate = Field(description="The date of the ECB fixing used (the closest on or before the date asked)")
    rate: RateString = Field(description="Units of `to` per unit of `from`")
    result: DecimalString = Field(description="amount times rate, rounded half-even to the minor unit of `to`")
