"""Request and response shapes of budgets and their report."""

import datetime as dt
import uuid
from typing import Annotated, Self

from pydantic import Field, StringConstraints, field_validator, model_validator

from colony.core.money import CurrencyCode, DecimalInput, DecimalString, quantize, within_bounds
from colony.core.schemas import IsoDate, Schema, refuse_null

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
_AMOUNT = "> 0 and ≤ 999999999.99, with at most the budget currency's minor-unit decimals"


class EntryIn(Schema):
    category_id: uuid.UUID = Field(description="An expense category of the tenant")
    amount: DecimalInput = Field(description=_AMOUNT, examples=["200.00"])

    _amount = field_validator("amount")(within_bounds)


def _unique_categories(entries: list[EntryIn] | None) -> list[EntryIn] | None:
    if entries is not None and len({e.category_id for e in entries}) != len(entries):
        raise ValueError("each category may appear once")
    return entries


class BudgetCreate(Schema):
    name: Name
    currency: CurrencyCode = Field(examples=["USD"])
    period_start: IsoDate
    period_end: IsoDate = Field(description="Inclusive; not before period_start")
    total_amount: DecimalInput = Field(description=_AMOUNT, examples=["1500.00"])
    entries: list[EntryIn] = Field(default_factory=list, max_length=500,
                                   description="Per-category amounts; their sum may not exceed total_amount")

    _total = field_validator("total_amount")(within_bounds)
    _entries = field_validator("entries")(_unique_categories)

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.period_end < self.period_start:
            raise ValueError("period_end must not be before period_start")
        return self


class BudgetUpdate(Schema):
    """Partial update; `entries`, when given, replaces them all."""

    name: Name | None = None
    currency: CurrencyCode | None = None
    period_start: IsoDate | None = None
    period_end: IsoDate | None = None
    total_amount: DecimalInput | None = Field(default=None, description=_AMOUNT)
    entries: list[EntryIn] | None = Field(default=None, max_length=500)

    _total = field_validator("total_amount")(within_bounds)
    _entries = field_validator("entries")(_unique_categories)

    _not_null = field_validator("name", "currency", "period_start", "period_end", "total_amount",
                                "entries")(refuse_null)


class EntryRead(Schema):
    category_id: uuid.UUID
    amount: DecimalString


class BudgetRead(Schema):
    id: uuid.UUID
    name: str
    currency: str
    period_start: IsoDate
    period_end: IsoDate
    total_amount: DecimalString
    entries: list[EntryRead]
    created_at: dt.datetime
    updated_at: dt.datetime

    @model_validator(mode="after")
    def _decimals(self) -> Self:
        self.total_amount = quantize(self.total_amount, self.currency)
        for entry in self.entries:
            entry.amount = quantize(entry.amount, self.currency)
        return self


class ReportLine(Schema):
    budgeted: DecimalString
    spent: DecimalString
    remaining: DecimalString = Field(description="budgeted - spent; negative when over budget")
    percent_used: DecimalString = Field(description="spent / budgeted x 100, 2 decimals")


class EntryReport(ReportLine):
    category_id: uuid.UUID
    name: str | None


class BudgetReport(Schema):
    budget_id: uuid.UUID
    currency: str
    period_start: IsoDate
    period_end: IsoDate
    overall: ReportLine = Field(description="total_amount against every expense of the period")
    entries: list[EntryReport]
