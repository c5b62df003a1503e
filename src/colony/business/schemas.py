from colony.core.schemas import Schema
from colony.users.models import User
from colony.users.schemas import Name, NewEmail, Password, UserRead


class SubUserCreate(Schema):
    email: NewEmail
    password: Password
    first_name: Name | None = None
    last_name: Name | None = None


class SubUserRead(UserRead):
    is_active: bool

    @classmethod
    def of(cls, user: User) -> "SubUserRead":
        return cls(**UserRead.of(user).model_dump(), is_active=user.is_active)
