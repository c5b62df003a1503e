"""Request and response shapes of savings goals and contributions."""

import datetime as dt
import uuid
from typing import Annotated, Self

from pydantic import Field, StringConstraints, field_validator, model_validator

from colony.core.money import (
    CurrencyCode,
    DecimalInput,
    DecimalString,
    MoneyError,
    check_amount,
    within_bounds,
)
from colony.core.schemas import IsoDate, Schema, refuse_null
from colony.goals.models import GoalStatus

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
_AMOUNT = "> 0 and ≤ 999999999.99, with at most the goal currency's minor-unit decimals"


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

    _target = field_validator("target_amount")(within_bounds)

    _not_null = field_validator("name", "currency", "target_amount", "status")(refuse_null)


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

    _amount = field_validator("amount")(within_bounds)


class ContributionRead(Schema):
    id: uuid.UUID
    goal_id: uuid.UUID
    amount: DecimalString
    date: IsoDate
    note: str | None
    created_at: dt.datetime
