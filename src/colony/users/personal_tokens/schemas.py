"""A personal access token as its owner sees it (never the token itself, but once, when it is made)."""

import uuid
from datetime import datetime
from typing import Literal, Self

from pydantic import AwareDatetime, Field, field_validator

from colony.core.clock import utcnow
from colony.core.schemas import Schema
from colony.users.models import PersonalAccessToken
from colony.users.schemas import Name

Scope = Literal["read", "write"]
SCOPE_SETS = ({"read"}, {"read", "write"})


class PersonalTokenCreate(Schema):
    name: Name = Field(examples=["nightly export"])
    scopes: list[Scope] = Field(min_length=1, max_length=2, examples=[["read"]],
                                description='`["read"]`, or `["read", "write"]` to create, change and delete too')
    expires_at: AwareDatetime | None = Field(default=None, description="When it stops working; never when absent")

    @field_validator("scopes")
    @classmethod
    def _read_or_read_write(cls, scopes: list[Scope]) -> list[Scope]:
        if set(scopes) not in SCOPE_SETS:
            raise ValueError('must be ["read"] or ["read", "write"]')
        return sorted(set(scopes))

    @field_validator("expires_at")
    @classmethod
    def _in_the_future(cls, expires_at: datetime | None) -> datetime | None:
        if expires_at is not None and expires_at <= utcnow():
            raise ValueError("must be in the future")
        return expires_at


class PersonalTokenRead(Schema):
    id: uuid.UUID
    name: str
    scopes: list[Scope]
    created_at: datetime
    last_used_at: datetime | None = Field(description="To the minute; null until its first use")
    expires_at: datetime | None

    @classmethod
    def of(cls, token: PersonalAccessToken) -> Self:
        return cls(id=token.id, name=token.name, scopes=token.scopes.split(), created_at=token.created_at,
                   last_used_at=token.last_used_at, expires_at=token.expires_at)


class PersonalTokenCreated(PersonalTokenRead):
    token: str = Field(description="The token, for `Authorization: Bearer`: shown this once, stored only as a hash")
