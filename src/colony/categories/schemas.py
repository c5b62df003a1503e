import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from colony.categories.models import CategoryKind
from colony.core.schemas import Schema, refuse_null

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Color = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^#[0-9A-Fa-f]{6}$")]
Icon = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class CategoryCreate(Schema):
    name: Name
    kind: CategoryKind = CategoryKind.expense
    color: Color | None = Field(default=None, examples=["#FF8800"])
    icon: Icon | None = None


class CategoryUpdate(Schema):
    """Partial update; `kind` may change only while no transaction uses the category."""

    name: Name | None = None
    kind: CategoryKind | None = None
    color: Color | None = None
    icon: Icon | None = None

    _not_null = field_validator("name", "kind")(refuse_null)


class CategoryRead(Schema):
    id: uuid.UUID
    name: str
    kind: CategoryKind
    color: str | None
    icon: str | None
    created_at: datetime
    updated_at: datetime
