"""Request and response shapes of expense templates."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import Field, StringConstraints, ValidationInfo, field_validator, model_validator

from colony.core.money import MAX_AMOUNT, CurrencyCode, DecimalInput, DecimalString, MoneyError, check_amount, quantize
from colony.core.schemas import IsoDate, Schema
from colony.templates.recurrence import MONTHLY_KINDS, Frequency

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
DayOfMonth = Annotated[int, Field(ge=1, le=31, description="1-31; short months use their last day. "
                                  "Monthly, quarterly and yearly schedules only (default: start_date's day)")]
_AMOUNT_DOC = Field(description="> 0 and ≤ 999999999.99, with at most the currency's minor-unit decimals",
                    examples=["12.50"])


def amount_in(amount: Decimal | None, info: ValidationInfo) -> Decimal | None:
    """An amount checked against the currency given earlier in the same body (bounds only without one)."""
    if amount is None:
        return None
    currency = info.data.get("currency")
    try:
        if currency:
            return check_amount(amount, currency)
        if amount <= 0:
            raise MoneyError("must be greater than 0")
        if amount > MAX_AMOUNT:
            raise MoneyError(f"must not exceed {MAX_AMOUNT}")
        return amount
    except MoneyError as exc:
        raise ValueError(str(exc)) from None


def check_schedule(frequency: Frequency | None, start_date: IsoDate | None, end_date: IsoDate | None,
                   day_of_month: int | None) -> None:
    if start_date is not None and end_date is not None and end_date < start_date:
        raise ValueError("end_date must not be before start_date")
    if day_of_month is not None and frequency is not None and frequency not in MONTHLY_KINDS:
        raise ValueError("day_of_month applies to monthly, quarterly and yearly templates only")


class ExpenseTemplateCreate(Schema):
    name: Name
    currency: CurrencyCode = Field(examples=["USD"])
    amount: DecimalInput = _AMOUNT_DOC
    category_id: uuid.UUID | None = None
    payment_method_id: uuid.UUID | None = None
    frequency: Frequency
    start_date: IsoDate
    end_date: IsoDate | None = None
    day_of_month: DayOfMonth | None = None
    is_active: bool = True

    @field_validator("amount")
    @classmethod
    def _amount(cls, value: Decimal, info: ValidationInfo) -> Decimal | None:
        return amount_in(value, info)

    @model_validator(mode="after")
    def _schedule(self) -> Self:
        check_schedule(self.frequency, self.start_date, self.end_date, self.day_of_month)
        return self


class ExpenseTemplateUpdate(Schema):
    """Partial update; the service checks the merged schedule and the amount against the currency."""

    name: Name | None = None
    currency: CurrencyCode | None = None
    amount: DecimalInput | None = Field(default=None, description=_AMOUNT_DOC.description)
    category_id: uuid.UUID | None = None
    payment_method_id: uuid.UUID | None = None
    frequency: Frequency | None = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    day_of_month: DayOfMonth | None = None
    is_active: bool | None = None

    @field_validator("amount")
    @classmethod
    def _amount(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        return amount_in(value, info)

    @field_validator("name", "currency", "amount", "frequency", "start_date", "is_active")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value


class ExpenseTemplateRead(Schema):
    id: uuid.UUID
    name: str
    amount: DecimalString
    currency: str
    category_id: uuid.UUID | None
    payment_method_id: uuid.UUID | None
    frequency: Frequency
    start_date: IsoDate
    end_date: IsoDate | None
    day_of_month: int | None
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @model_validator(mode="after")
    def _decimals(self) -> Self:
        self.amount = quantize(self.amount, self.currency)  # "12.50", not the column's "12.5000"
        return self


class OccurrencesRead(Schema):
    template_id: uuid.UUID
    start_date: IsoDate
    end_date: IsoDate
    dates: list[IsoDate]
