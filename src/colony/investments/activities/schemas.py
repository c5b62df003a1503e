"""Request and response shapes of holdings (opening lots) and investment transactions."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Self

from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator

from colony.core.money import MAX_AMOUNT, CurrencyCode, DecimalInput, DecimalString
from colony.core.schemas import IsoDate, Schema, refuse_null
from colony.investments.activities.models import ActivityType
from colony.investments.securities.schemas import Symbol

QUANTITY_QUANTUM = Decimal("1e-8")
MAX_QUANTITY = Decimal("1e10")
SplitRatio = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[1-9][0-9]{0,5}:[1-9][0-9]{0,5}$"),
                       Field(description='New units for old ones: "2:1" doubles the quantity', examples=["2:1"])]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def _activity_day(day: dt.date) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"must be between {FIRST_DAY} and {LAST_DAY}")
    return day


ActivityDate = Annotated[IsoDate, AfterValidator(_activity_day)]


def _eight_decimals(value: Decimal | None, *, upper: Decimal, positive: bool) -> Decimal | None:
    if value is None:
        return None
    if value < 0 or (positive and value == 0):
        raise ValueError("must be greater than 0" if positive else "must not be negative")
    if value >= upper:
        raise ValueError(f"must be less than {upper:,.0f}")
    if value != value.quantize(QUANTITY_QUANTUM):
        raise ValueError("has at most 8 decimals")
    return value


def check_quantity(value: Decimal | None) -> Decimal | None:
    return _eight_decimals(value, upper=MAX_QUANTITY, positive=True)


def check_price(value: Decimal | None) -> Decimal | None:
    return _eight_decimals(value, upper=Decimal("1e12"), positive=False)


def check_money(value: Decimal | None) -> Decimal | None:
    """Not negative and ≤ MAX_AMOUNT; its currency's minor units are checked by the service."""
    if value is not None and not Decimal(0) <= value <= MAX_AMOUNT:
        raise ValueError(f"must be 0 or more and not exceed {MAX_AMOUNT}")
    return value


class _SecurityRef(Schema):
    symbol: Symbol | None = None
    security_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one_ref(self) -> Self:
        if self.symbol is not None and self.security_id is not None:
            raise ValueError("give symbol or security_id, not both")
        return self


class HoldingCreate(_SecurityRef):
    quantity: DecimalInput = Field(description="> 0, at most 8 decimals", examples=["10"])
    cost_basis: DecimalInput = Field(description="Total cost, in the security's currency", examples=["1500.00"])
    acquired_on: ActivityDate | None = Field(default=None, description="Without it, held since before anything else "
                                        "in the account")

    _quantity = field_validator("quantity")(check_quantity)
    _cost = field_validator("cost_basis")(check_money)

    @model_validator(mode="after")
    def _security(self) -> Self:
        if self.symbol is None and self.security_id is None:
            raise ValueError("symbol or security_id is required")
        return self


class HoldingUpdate(Schema):
    quantity: DecimalInput | None = None
    cost_basis: DecimalInput | None = None
    acquired_on: ActivityDate | None = None

    _quantity = field_validator("quantity")(check_quantity)
    _cost = field_validator("cost_basis")(check_money)
    _not_null = field_validator("quantity", "cost_basis")(refuse_null)


class HoldingRead(Schema):
    """A holding entered directly: an opening lot of its account."""

    id: uuid.UUID
    account_id: uuid.UUID
    security_id: uuid.UUID
    symbol: str
    quantity: DecimalString
    cost_basis: DecimalString
    currency: str
    acquired_on: IsoDate | None
    created_at: dt.datetime
    updated_at: dt.datetime


class PositionRead(Schema):
    """What an account holds of one security today: its opening lots and its investment transactions."""

    security_id: uuid.UUID
    symbol: str
    quantity: DecimalString = Field(description="After every split")
    cost_basis: DecimalString = Field(description="Of the units held (FIFO), in the security's currency")
    currency: str
    lots: list[HoldingRead] = Field(description="The holdings entered directly (opening lots) of this security")


class InvestmentTransactionCreate(_SecurityRef):
    type: ActivityType
    date: ActivityDate
    quantity: DecimalInput | None = Field(default=None, description="buy, sell, transfer_in, transfer_out")
    price: DecimalInput | None = Field(default=None, description="buy, sell: per unit, in `currency`")
    amount: DecimalInput | None = Field(default=None, description="dividend and interest (gross), fee, tax, "
                                        "deposit, withdrawal")
    fee: DecimalInput = Decimal(0)
    tax: DecimalInput = Decimal(0)
    split_ratio: SplitRatio | None = None
    currency: CurrencyCode | None = Field(default=None, description="Default: the security's currency, or the "
                                          "account's for cash")
    counter_account_id: uuid.UUID | None = Field(default=None, description="transfer_in, transfer_out: the other "
                                                 "investment account of the tenant (its side is booked too)")
    note: Note | None = None

    _quantity = field_validator("quantity")(check_quantity)
    _price = field_validator("price")(check_price)
    _money = field_validator("amount", "fee", "tax")(check_money)


class InvestmentTransactionUpdate(Schema):
    date: ActivityDate | None = None
    quantity: DecimalInput | None = None
    price: DecimalInput | None = None
    amount: DecimalInput | None = None
    fee: DecimalInput | None = None
    tax: DecimalInput | None = None
    split_ratio: SplitRatio | None = None
    note: Note | None = None

    _quantity = field_validator("quantity")(check_quantity)
    _price = field_validator("price")(check_price)
    _money = field_validator("amount", "fee", "tax")(check_money)
    _not_null = field_validator("date", "fee", "tax")(refuse_null)


class InvestmentTransactionRead(Schema):
    id: uuid.UUID
    account_id: uuid.UUID
    type: ActivityType
    date: IsoDate
    security_id: uuid.UUID | None
    symbol: str | None
    quantity: DecimalString | None
    price: DecimalString | None
    amount: DecimalString | None
    fee: DecimalString
    tax: DecimalString
    split_ratio: str | None
    currency: str
    counter_account_id: uuid.UUID | None
    transfer_id: uuid.UUID | None
    note: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
