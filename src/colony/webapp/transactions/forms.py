"""The transaction forms as browsers send them (text), turned into the API's own request schemas.

Fields arrive as text with defaults, so FastAPI never refuses a form itself; `TransactionCreate`,
`TransactionUpdate` and `TransactionFilters` decide, and the page shows each problem beside its field.
Amounts may be typed as the person's locale writes them ("12,50", "1 234,50"): they become exact Decimals.
"""

from decimal import Decimal
from typing import Any, Self
from urllib.parse import urlencode

from babel import Locale
from babel.numbers import NumberFormatError, parse_decimal
from pydantic import BaseModel, Field

from colony.core import money
from colony.transactions.models import TransactionStatus, TransactionType
from colony.transactions.schemas import (
    TransactionCreate,
    TransactionFilters,
    TransactionRead,
    TransactionSort,
    TransactionUpdate,
)

Text = Field(default="", max_length=5000)
Short = Field(default="", max_length=200)


def amount_of(text: str, locale: Locale) -> Decimal | str:
    """An amount as typed: the API's plain form ("1234.50") or the locale's ("1 234,50"); anything else is
    returned as is, for the schema to refuse with its own words."""
    text = text.strip()
    try:
        return money.to_decimal(text)
    except money.MoneyError:
        pass
    try:
        return parse_decimal(text, locale=locale, strict=True)
    except (NumberFormatError, ValueError):
        return text


def _none_if_blank(value: str) -> str | None:
    return value.strip() or None


class TransactionForm(BaseModel):
    """The add and edit forms."""

    type: str = Field(default=TransactionType.expense.value, max_length=16)
    amount: str = Short
    currency: str = Field(default="", max_length=8)
    date: str = Field(default="", max_length=32)
    description: str = Text
    category_id: str = Short
    payment_method_id: str = Short
    status: str = Field(default=TransactionStatus.paid.value, max_length=16)
    notes: str = Text
    csrf_token: str = Field(default="", max_length=128)

    @classmethod
    def blank(cls, currency: str, day: str) -> Self:
        return cls(currency=currency, date=day)

    @classmethod
    def of(cls, tx: TransactionRead) -> Self:
        return cls(type=tx["type"], amount=tx["amount"], currency=tx["currency"], date=str(tx["date"]),
                   description=tx["description"], category_id=tx["category_id"] or "",
                   payment_method_id=tx["payment_method_id"] or "", status=tx["status"], notes=tx["notes"] or "")

    def _values(self, locale: Locale) -> dict[str, Any]:
        return {"type": self.type, "amount": amount_of(self.amount, locale), "currency": self.currency.strip().upper(),
                "date": self.date.strip(), "description": self.description, "status": self.status,
                "category_id": _none_if_blank(self.category_id), "notes": _none_if_blank(self.notes),
                "payment_method_id": _none_if_blank(self.payment_method_id)}

    def to_create(self, locale: Locale) -> TransactionCreate:
        return TransactionCreate.model_validate(self._values(locale))

    def to_update(self, locale: Locale) -> TransactionUpdate:
        """Every field of the form, and only those (the account and the cycle a row is linked to stay)."""
        return TransactionUpdate.model_validate(self._values(locale))


class FilterForm(BaseModel):
    """The list's filters and page, as the filter form and the pager links send them."""

    start_date: str = Field(default="", max_length=32)
    end_date: str = Field(default="", max_length=32)
    category_id: str = Short
    type: str = Field(default="", max_length=16)
    status: str = Field(default="", max_length=16)
    q: str = Short
    page: str = Field(default="1", max_length=16)

    def filters(self) -> TransactionFilters:
        """The API's list filters (raises pydantic's ValidationError or the API's ValidationFailed)."""
        values = {"start_date": self.start_date, "end_date": self.end_date, "category_id": self.category_id,
                  "type": self.type, "status": self.status, "q": self.q.strip()}
        return TransactionFilters.model_validate(
            {key: value for key, value in values.items() if value} | {"sort": TransactionSort.date_desc}).filters()

    def page_number(self) -> int:
        return int(self.page) if self.page.isdigit() and 0 < int(self.page) <= 1_000_000 else 1

    def query(self, **changes: str | int) -> str:
        """This form's query string with some values changed (a pager link)."""
        values = self.model_dump() | {key: str(value) for key, value in changes.items()}
        return urlencode({key: value for key, value in values.items() if value and (key, value) != ("page", "1")})

