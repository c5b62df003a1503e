"""Shared response shapes: pagination, errors, and the base model every schema uses."""

import math
import re
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

T = TypeVar("T")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    # Pydantic alone would also read 0 or "0" as 1970-01-01 (a Unix timestamp).
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("must be a date in YYYY-MM-DD form")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
"""A calendar date given exactly as `YYYY-MM-DD`."""

UuidText = Annotated[str, WithJsonSchema({"type": "string", "format": "uuid"})]
"""An id already rendered as text (read shapes built straight from columns)."""


def refuse_null(value: T) -> T:
    """A partial update's field validator: the field may be left out, not set to null."""
    if value is None:
        raise ValueError("may not be null")
    return value


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")


class PageParams(BaseModel):
    page: int = Field(default=1, ge=1, le=1_000_000, description="1-based page number")
    size: int = Field(default=50, ge=1, le=100, description="Items per page")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int
    pages: int

    @classmethod
    def build(cls, items: Sequence[T], total: int, params: PageParams) -> "Page[T]":
        """The one way to build a page. `items` are already read schemas: nothing is validated again."""
        return cls.model_construct(items=list(items), total=total, page=params.page, size=params.size,
                                   pages=math.ceil(total / params.size))


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorResponse(BaseModel):
    success: bool = False
    error: ErrorDetail
