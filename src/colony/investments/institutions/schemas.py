import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from colony.core.schemas import Schema, refuse_null

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Country = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$"),
                    Field(description="ISO 3166-1 alpha-2 code", examples=["DE"])]

Website = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500, pattern=r"^https?://[^\s/$.?#][^\s]*$"),
                    Field(examples=["https://bank.example"])]


class InstitutionCreate(Schema):
    name: Name
    country: Country | None = None
    website: Website | None = None


class InstitutionUpdate(Schema):
    name: Name | None = None
    country: Country | None = None
    website: Website | None = None

    _not_null = field_validator("name")(refuse_null)


class InstitutionRead(Schema):
    id: uuid.UUID
    name: str
    country: str | None
    website: str | None
    created_at: datetime
    updated_at: datetime
