import re
import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, field_validator

from colony.core.money import CurrencyCode
from colony.core.schemas import Schema, refuse_null
from colony.payment_methods.models import PaymentMethodType

_CARD_NUMBER = re.compile(r"\d(?:[ -]?\d){11,}")


def _no_card_number(value: str) -> str:
    if _CARD_NUMBER.search(value):
        raise ValueError("must not contain a card number; store only its last four digits in last4")
    return value


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                 AfterValidator(_no_card_number)]
Last4 = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$"),
                  Field(description="Exactly the last four digits of a card; never the full number",
                        examples=["4242"])]


class PaymentMethodCreate(Schema):
    name: Name
    type: PaymentMethodType
    currency: CurrencyCode | None = None
    last4: Last4 | None = None
    is_active: bool = True


class PaymentMethodUpdate(Schema):
    name: Name | None = None
    type: PaymentMethodType | None = None
    currency: CurrencyCode | None = None
    last4: Last4 | None = None
    is_active: bool | None = None

    _not_null = field_validator("name", "type", "is_active")(refuse_null)


class PaymentMethodRead(Schema):
    id: uuid.UUID
    name: str
    type: PaymentMethodType
    currency: str | None
    last4: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime
