from typing import Literal

from pydantic import Field

from colony.core.money import ActiveCurrencyCode
from colony.core.schemas import Schema
from colony.users.schemas import Name, NewEmail, Password

# Login takes any string: an address that could never register simply gives INVALID_CREDENTIALS.
LoginEmail = Field(min_length=1, max_length=320)
# A password to check, not to set: any length the user may have set, and no more.
GivenPassword = Field(min_length=1, max_length=1024, json_schema_extra={"format": "password", "writeOnly": True})
OpaqueToken = Field(min_length=1, max_length=512, json_schema_extra={"writeOnly": True})


class RegisterRequest(Schema):
    email: NewEmail
    password: Password
    first_name: Name | None = None
    last_name: Name | None = None
    account_type: Literal["personal", "business"] = "personal"
    base_currency: ActiveCurrencyCode = "USD"


class LoginRequest(Schema):
    email: str = LoginEmail
    password: str = GivenPassword


class TokenPair(Schema):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Lifetime of the access token in seconds")


class RefreshRequest(Schema):
    refresh_token: str = OpaqueToken


class LogoutRequest(Schema):
    refresh_token: str = OpaqueToken


class PasswordResetRequest(Schema):
    email: str = LoginEmail


class PasswordResetConfirm(Schema):
    token: str = OpaqueToken
    new_password: Password


class ChangePasswordRequest(Schema):
    current_password: str = GivenPassword
    new_password: Password
