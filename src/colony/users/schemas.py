"""The user as clients see it (identity and profile together), and the fields a user may change."""

import uuid
import zoneinfo
from datetime import datetime
from typing import Annotated, Self

import email_validator
from pydantic import AfterValidator, EmailStr, Field, StringConstraints, model_validator

from colony.core.money import ActiveCurrencyCode
from colony.core.schemas import Schema
from colony.core.tenancy import Role
from colony.users.models import User

MIN_PASSWORD_LENGTH = 8
# Argon2 hashes any length, but an unbounded password is a cheap way to burn the server's CPU.
MAX_PASSWORD_LENGTH = 128

Password = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH,
                                json_schema_extra={"format": "password", "writeOnly": True})]
NewEmail = Annotated[EmailStr, Field(max_length=320)]
# A self-hosted server often serves a private network whose mail domain is special-use: `home.arpa` (RFC 8375),
# `.local` (mDNS). email-validator refuses those unless they leave this list, its documented switch for it.
for _private_mail_domain in ("arpa", "local"):
    if _private_mail_domain in email_validator.SPECIAL_USE_DOMAIN_NAMES:
        email_validator.SPECIAL_USE_DOMAIN_NAMES.remove(_private_mail_domain)
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()./-]{3,32}$")]
Locale = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=16),
                   Field(examples=["en-US"])]


def _known_timezone(name: str) -> str:
    if name not in zoneinfo.available_timezones():
        raise ValueError("unknown time zone; use an IANA name such as Europe/Paris")
    return name


TimeZone = Annotated[str, AfterValidator(_known_timezone), Field(max_length=64, examples=["Europe/Paris"])]


class UserRead(Schema):
    id: uuid.UUID
    email: str
    role: Role
    first_name: str | None
    last_name: str | None
    phone: str | None
    base_currency: str
    timezone: str
    locale: str
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> Self:
        """From a user loaded with its profile."""
        profile = user.profile
        return cls(id=user.id, email=user.email, role=user.role, first_name=profile.first_name,
                   last_name=profile.last_name, phone=profile.phone, base_currency=profile.base_currency,
                   timezone=profile.timezone, locale=profile.locale, created_at=user.created_at)


class AdminUserRead(UserRead):
    """A user as an administrator sees it."""

    is_active: bool
    tenant_id: uuid.UUID
    updated_at: datetime

    @classmethod
    def of(cls, user: User) -> Self:
        return cls(**UserRead.of(user).model_dump(), is_active=user.is_active, tenant_id=user.tenant_id,
                   updated_at=user.updated_at)


class ProfileUpdate(Schema):
    """Every field optional; only the fields sent change (null clears the optional ones)."""

    first_name: Name | None = None
    last_name: Name | None = None
    phone: Phone | None = None
    base_currency: ActiveCurrencyCode | None = None
    timezone: TimeZone | None = None
    locale: Locale | None = None

    @model_validator(mode="after")
    def _no_null_for_required(self) -> Self:
        for name in ("base_currency", "timezone", "locale"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} may not be null")
        return self
