from colony.core.schemas import Schema
from colony.users.schemas import AdminUserRead, Name, NewEmail, Password, UserRead


class SubUserCreate(Schema):
    email: NewEmail
    password: Password
    first_name: Name | None = None
    last_name: Name | None = None


class SubUserRead(UserRead):
    is_active: bool

    @classmethod
    def of_account(cls, account: AdminUserRead) -> "SubUserRead":
        return cls(**account.model_dump(include=set(cls.model_fields)))
