"""Request and response shapes of cycles."""

import datetime as dt
import uuid
from typing import Annotated, Self

from pydantic import Field, StringConstraints, field_validator, model_validator

from colony.core.money import CurrencyCode, DecimalInput, DecimalString, quantize, within_bounds
from colony.core.schemas import IsoDate, Schema, refuse_null
from colony.cycles.models import CycleStatus

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
_INCOME_DOC = Field(description="> 0 and ≤ 999999999.99, with at most the currency's minor-unit decimals",
                    examples=["3000.00"])


class CycleCreate(Schema):
    name: Name | None = Field(default=None, description='Default: "<Month YYYY> Cycle" from start_date')
    start_date: IsoDate
    end_date: IsoDate | None = Field(default=None, description="Inclusive; default start_date + 42 days. "
                                     "end_date - start_date must be 1..45 days")
    income_amount: DecimalInput = _INCOME_DOC
    currency: CurrencyCode | None = Field(default=None, description="Default: the tenant's base currency")
    generate_from_templates: bool = Field(default=True, description="Create one planned expense per "
                                          "occurrence of each active template inside the cycle")

    _income = field_validator("income_amount")(within_bounds)


class CycleUpdate(Schema):
    """Partial update of a draft or active cycle; status changes through /activate and /complete."""

    name: Name | None = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    income_amount: DecimalInput | None = Field(default=None, description=_INCOME_DOC.description)
    currency: CurrencyCode | None = None

    _income = field_validator("income_amount")(within_bounds)

    _not_null = field_validator("name", "start_date", "end_date", "income_amount", "currency")(refuse_null)


class CycleRead(Schema):
    id: uuid.UUID
    name: str
    start_date: IsoDate
    end_date: IsoDate
    income_amount: DecimalString
    currency: str
    status: CycleStatus
    created_at: dt.datetime
    updated_at: dt.datetime

    @model_validator(mode="after")
    def _decimals(self) -> Self:
        self.income_amount = quantize(self.income_amount, self.currency)
        return self


class GenerationRead(Schema):
    cycle_id: uuid.UUID
    created: int = Field(description="Planned expenses created by this run (existing occurrences are skipped)")


class CategorySummary(Schema):
    category_id: uuid.UUID | None
    name: str | None
    planned: DecimalString
    paid: DecimalString
    total: DecimalString


class CycleSummary(Schema):
    cycle_id: uuid.UUID
    currency: str
    income: DecimalString
    planned_total: DecimalString
    paid_total: DecimalString
    spent_total: DecimalString
    remaining: DecimalString
    by_category: list[CategorySummary]
