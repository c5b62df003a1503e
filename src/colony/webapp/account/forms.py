"""The sign-in and registration forms as browsers send them: text fields, checked by the API's own schemas."""

from pydantic import BaseModel, Field

# Every field is text with a default, so FastAPI never refuses a form itself: the API's schema checks the
# values, and the page shows each problem beside its field.
Text = Field(default="", max_length=1024)


class LoginForm(BaseModel):
    email: str = Text
    password: str = Text
    next: str = Field(default="", max_length=2048, description="The page to open once signed in")
    csrf_token: str = Field(default="", max_length=128)


class RegisterForm(BaseModel):
    email: str = Text
    password: str = Text
    first_name: str = Text
    last_name: str = Text
    account_type: str = Field(default="personal", max_length=16)
    base_currency: str = Field(default="USD", max_length=8)
    csrf_token: str = Field(default="", max_length=128)
