"""Request and response shapes of transactions and of the expense-only view."""

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, with_config
from typing_extensions import TypedDict

from colony.core.errors import ValidationFailed
from colony.core.money import (
    CurrencyCode,
    DecimalInput,
    DecimalString,
    DecimalText,
    RateText,
    in_body_currency,
    within_bounds,
)
from colony.core.schemas import IsoDate, PageParams, Schema, UuidText, refuse_null
from colony.transactions import insights
from colony.transactions.insights import RecurrenceInterval
from colony.transactions.models import TransactionStatus, TransactionType

Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
_AMOUNT_HELP = ("> 0 and ≤ 999999999.99, with at most the currency's minor-unit decimals; "
                "a string (preferred) or a number")


class _Base(Schema):
    _amount = field_validator("amount", check_fields=False)(in_body_currency)


class ExpenseCreate(_Base):
    currency: CurrencyCode = Field(examples=["USD"])
    amount: DecimalInput = Field(description=_AMOUNT_HELP, examples=["12.50"])
    date: IsoDate
    description: Description
    notes: Notes | None = None
    category_id: uuid.UUID | None = None
    payment_method_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = Field(default=None, description="The tenant's account it is booked to: "
                                         "income adds to the account's balance, an expense takes from it")
    cycle_id: uuid.UUID | None = Field(default=None, description="A draft or active cycle of the tenant "
                                     "(a completed cycle's transactions can't change)")
    status: TransactionStatus = TransactionStatus.paid


class TransactionCreate(ExpenseCreate):
    type: TransactionType


class ExpenseUpdate(_Base):
    currency: CurrencyCode | None = None
    amount: DecimalInput | None = Field(default=None, description=_AMOUNT_HELP, examples=["12.50"])
    date: IsoDate | None = None
    description: Description | None = None
    notes: Notes | None = None
    category_id: uuid.UUID | None = None
    payment_method_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    cycle_id: uuid.UUID | None = None
    status: TransactionStatus | None = None

    _not_null = field_validator("currency", "amount", "date", "description", "status", "type",
                                check_fields=False)(refuse_null)


class TransactionUpdate(ExpenseUpdate):
    type: TransactionType | None = None


@with_config(ConfigDict(extra="forbid"))
class TransactionRead(TypedDict):
    """A transaction as every endpoint shows it: the one definition of its read shape. A dict, not a model:
    the list renders 50 of these per request straight from their columns (repository.READ_COLUMNS follows
    these keys; service.render fills them), measured 2.8x cheaper than building and serialising models."""

    id: UuidText
    type: TransactionType
    amount: DecimalText
    currency: str
    date: dt.date
    description: str
    notes: str | None
    category_id: UuidText | None
    payment_method_id: UuidText | None
    account_id: UuidText | None
    cycle_id: UuidText | None
    template_id: UuidText | None
    transfer_id: UuidText | None
    status: TransactionStatus
    amount_base: DecimalText
    base_currency: str
    exchange_rate: RateText
    created_at: dt.datetime
    updated_at: dt.datetime


class TransactionSort(StrEnum):
    date_asc = "date"
    date_desc = "-date"
    amount_asc = "amount"
    amount_desc = "-amount"
    created_at_asc = "created_at"
    created_at_desc = "-created_at"


_BOUND_HELP = "Bound on `amount`, in the row's own currency"


class _FilterFields(BaseModel):
    """The list filters as query parameters, validated as one model (`Annotated[Model, Query()]`): one
    validation per request instead of one per parameter. Unknown parameters are ignored."""

    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    category_id: uuid.UUID | None = None
    payment_method_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    cycle_id: uuid.UUID | None = None
    status: TransactionStatus | None = None
    min_amount: DecimalInput | None = Field(default=None, description=_BOUND_HELP)
    max_amount: DecimalInput | None = Field(default=None, description=_BOUND_HELP)
    currency: CurrencyCode | None = None
    q: str | None = Field(default=None, max_length=200, description="Case-insensitive text in description or notes")
    sort: TransactionSort = Field(default=TransactionSort.date_desc, description="Order of the page; id breaks ties")

    def _check(self) -> None:
        """The checks that span two parameters (422 VALIDATION_ERROR)."""
        if self.start_date is not None and self.end_date is not None and self.start_date > self.end_date:
            raise ValidationFailed("query.start_date", "must not be after end_date")
        if self.min_amount is not None and self.max_amount is not None and self.min_amount > self.max_amount:
            raise ValidationFailed("query.min_amount", "must not exceed max_amount")


class TransactionFilters(_FilterFields):
    """What the repository filters by; also the export's query."""

    type: TransactionType | None = None

    def filters(self) -> "TransactionFilters":
        self._check()
        return self


class ExpenseFilterQuery(_FilterFields):
    def filters(self) -> TransactionFilters:
        """The same filters with the type fixed to expense."""
        self._check()
        return TransactionFilters.model_construct(**{name: getattr(self, name) for name in _FilterFields.model_fields},
                                                  type=TransactionType.expense)


class ExpenseListQuery(ExpenseFilterQuery, PageParams):
    pass


class TransactionListQuery(TransactionFilters, PageParams):
    pass


# ---- insights from the tenant's own history (transactions/insights.py) ----

class CategorySuggestionRequest(Schema):
    description: Description = Field(examples=["CARD PAYMENT TESCO STORES 3321 LONDON"])
    amount: DecimalInput | None = Field(
        default=None, examples=["42.10"],
        description="Nudges the score of categories whose matching history had similar amounts")
    type: TransactionType = TransactionType.expense

    _amount = field_validator("amount")(within_bounds)


class CategorySuggestion(Schema):
    category_id: uuid.UUID
    name: str
    score: int = Field(ge=0, le=100, description=(
        "How well the description matches the category's past descriptions, a whole number 0..100 "
        f"(at least {insights.MIN_SCORE}; +{insights.AMOUNT_BONUS} when the amount fits the amounts seen)"))


class CategorySuggestions(Schema):
    suggestions: list[CategorySuggestion] = Field(description=(
        f"At most {insights.MAX_SUGGESTIONS}, best first; empty when nothing in the history matches"))


class RecurringSeriesRead(Schema):
    description: str = Field(description="The latest occurrence's description")
    type: TransactionType
    category_id: uuid.UUID | None = Field(description="The latest occurrence's category")
    category: str | None = Field(description="That category's name")
    amount: DecimalString = Field(description="The latest occurrence's amount, in `currency`")
    currency: str
    interval: RecurrenceInterval
    occurrences: int = Field(description=f"Occurrences in the series' latest run (at least "
                                         f"{insights.MIN_OCCURRENCES})")
    last_date: dt.date
    next_date: dt.date = Field(description="The last date plus the interval (monthly and longer: on the day "
                                           "of the month the series usually falls on, or the month's last day)")
