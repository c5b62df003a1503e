import uuid
from datetime import datetime
from typing import Self

from colony.core.schemas import Schema
from colony.core.tenancy import Role
from colony.users.models import User
from colony.users.schemas import UserRead


class AdminUserRead(UserRead):
    is_active: bool
    tenant_id: uuid.UUID
    updated_at: datetime

    @classmethod
    def of(cls, user: User) -> Self:
        return cls(**UserRead.of(user).model_dump(), is_active=user.is_active, tenant_id=user.tenant_id,
                   updated_at=user.updated_at)


class AdminUserUpdate(Schema):
    """Only the fields sent change."""

    is_active: bool | None = None
    role: Role | None = None
