"""Request and response shapes of accounts, their values and balances, and transfers between them."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Self

from pydantic import Field, StringConstraints, field_validator, model_validator

from colony.core.money import MAX_AMOUNT, CurrencyCode, DecimalInput, DecimalString, in_body_currency
from colony.core.schemas import IsoDate, Schema, refuse_null
from colony.investments.accounts.models import AccountType
from colony.transactions.schemas import Description, TransactionRead

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class AccountCreate(Schema):
    name: Name
    type: AccountType
    institution_id: uuid.UUID | None = None
    currency: CurrencyCode = Field(examples=["USD"])
    is_active: bool = True


class AccountUpdate(Schema):
    name: Name | None = None
    type: AccountType | None = None
    institution_id: uuid.UUID | None = None
    currency: CurrencyCode | None = Field(default=None, description="Only while no value or transaction is "
                                          "booked to the account")
    is_active: bool | None = None

    _not_null = field_validator("name", "type", "currency", "is_active")(refuse_null)


class AccountRead(Schema):
    id: uuid.UUID
    name: str
    type: AccountType
    institution_id: uuid.UUID | None
    currency: str
    is_active: bool
    is_liability: bool = Field(description="A loan or a credit card: its balance is owed, and counts negative "
                                           "in net worth")
    created_at: dt.datetime
    updated_at: dt.datetime


class AccountValueCreate(Schema):
    date: IsoDate
    balance: DecimalInput = Field(description="In the account's currency, as the institution states it (for a "
                                  "loan or a credit card: what is owed); may be negative", examples=["1520.35"])

    @field_validator("balance")
    @classmethod
    def _bounds(cls, value: Decimal) -> Decimal:
        if abs(value) > MAX_AMOUNT:
            raise ValueError(f"must not exceed {MAX_AMOUNT} in magnitude")
        return value


class AccountValueRead(Schema):
    account_id: uuid.UUID
    date: IsoDate
    balance: DecimalString
    currency: str


class BalanceRead(Schema):
    account_id: uuid.UUID
    date: IsoDate
    balance: DecimalString = Field(description="In the account's currency (for a liability: what is owed)")
    currency: str
    method: str = Field(description='"values": the latest value entry on or before the date plus the paid '
                        'transactions booked after it; "holdings": holdings at market plus cash')
    as_of_value_date: IsoDate | None = Field(default=None, description="The value entry the balance starts from")


class TransferCreate(Schema):
    from_account_id: uuid.UUID
    to_account_id: uuid.UUID
    currency: CurrencyCode | None = Field(default=None, description="Default: the currency of from_account")
    amount: DecimalInput = Field(description="> 0, with at most the currency's minor-unit decimals",
                                 examples=["250.00"])
    date: IsoDate
    description: Description | None = Field(default=None, description='Default: "Transfer"')

    _amount = field_validator("amount")(in_body_currency)

    @model_validator(mode="after")
    def _two_accounts(self) -> Self:
        if self.from_account_id == self.to_account_id:
            raise ValueError("to_account_id must be another account than from_account_id")
        return self


class TransferRead(Schema):
    id: uuid.UUID
    from_account_id: uuid.UUID
    to_account_id: uuid.UUID
    amount: DecimalString
    currency: str
    date: IsoDate
    description: str
    transactions: list[TransactionRead] = Field(description="The expense booked to from_account and the income "
                                                "booked to to_account; no report counts either")

    @classmethod
    def of(cls, transfer_id: uuid.UUID, legs: list[TransactionRead]) -> Self:
        out, into = legs
        return cls(id=transfer_id, from_account_id=uuid.UUID(str(out["account_id"])),
                   to_account_id=uuid.UUID(str(into["account_id"])), amount=Decimal(out["amount"]),
                   currency=out["currency"], date=out["date"], description=out["description"], transactions=legs)
