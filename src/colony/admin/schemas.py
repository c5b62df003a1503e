from colony.core.schemas import Schema
from colony.core.tenancy import Role


class AdminUserUpdate(Schema):
    """Only the fields sent change."""

    is_active: bool | None = None
    role: Role | None = None
