"""Request and response shapes of expense templates."""

import datetime as dt
import uuid
from typing import Annotated, Self

from pydantic import Field, StringConstraints, field_validator, model_validator

from colony.core.money import (
    CurrencyCode,
    DecimalInput,
    DecimalString,
    in_body_currency,
    quantize,
)
from colony.core.schemas import IsoDate, Schema, refuse_null
from colony.templates.recurrence import MONTHLY_KINDS, Frequency

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
DayOfMonth = Annotated[int, Field(ge=1, le=31, description="1-31; short months use their last day. "
                                  "Monthly, quarterly and yearly schedules only (default: start_date's day)")]
_AMOUNT_DOC = Field(description="> 0 and ≤ 999999999.99, with at most the currency's minor-unit decimals",
                    examples=["12.50"])


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

    _amount = field_validator("amount")(in_body_currency)

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

    _amount = field_validator("amount")(in_body_currency)

    _not_null = field_validator("name", "currency", "amount", "frequency", "start_date", "is_active")(refuse_null)


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
