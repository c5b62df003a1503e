"""Request and response shapes of savings goals and contributions."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import Field, StringConstraints, field_validator, model_validator

from colony.core.money import MAX_AMOUNT, CurrencyCode, DecimalInput, DecimalString, MoneyError, check_amount
from colony.core.schemas import IsoDate, Schema
from colony.goals.models import GoalStatus

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
_AMOUNT = "> 0 and ≤ 999999999.99, with at most the goal currency's minor-unit decimals"


def _bounds(value: Decimal | None) -> Decimal | None:
    if value is not None and not Decimal(0) < value <= MAX_AMOUNT:
        raise ValueError(f"must be greater than 0 and not exceed {MAX_AMOUNT}")
    return value


class GoalCreate(Schema):
    name: Name
    currency: CurrencyCode = Field(examples=["USD"])
    target_amount: DecimalInput = Field(description=_AMOUNT, examples=["5000.00"])
    due_date: IsoDate | None = None

    @model_validator(mode="after")
    def _amount(self) -> Self:
        try:
            self.target_amount = check_amount(self.target_amount, self.currency)
        except MoneyError as exc:
            raise ValueError(f"target_amount: {exc}") from None
        return self


class GoalUpdate(Schema):
    """Partial update. `status`: active or cancelled; a goal whose contributions reach the target is
    achieved (and goes back to active if the target is raised above them)."""

    name: Name | None = None
    currency: CurrencyCode | None = None
    target_amount: DecimalInput | None = Field(default=None, description=_AMOUNT)
    due_date: IsoDate | None = None
    status: GoalStatus | None = None

    _target = field_validator("target_amount")(_bounds)

    @field_validator("name", "currency", "target_amount", "status")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null")
        return value


class GoalRead(Schema):
    id: uuid.UUID
    name: str
    target_amount: DecimalString
    currency: str
    due_date: IsoDate | None
    status: GoalStatus
    current_amount: DecimalString = Field(description="The sum of the contributions")
    progress_percent: DecimalString = Field(description="current / target x 100, 2 decimals, at most 100")
    remaining: DecimalString = Field(description="What is left to reach the target (0 once reached)")
    monthly_needed: DecimalString | None = Field(
        description="What to save per month to reach the target by due_date (rounded up to the minor "
                    "unit; null without a due date)")
    created_at: dt.datetime
    updated_at: dt.datetime


class ContributionCreate(Schema):
    amount: DecimalInput = Field(description=_AMOUNT, examples=["100.00"])
    date: IsoDate
    note: Note | None = None

    _amount = field_validator("amount")(_bounds)


class ContributionRead(Schema):
    id: uuid.UUID
    goal_id: uuid.UUID
    amount: DecimalString
    date: IsoDate
    note: str | None
    created_at: dt.datetime
