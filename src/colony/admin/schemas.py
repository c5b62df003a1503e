from colony.auth.schemas import RegisterRequest
from colony.core.schemas import Schema
from colony.core.tenancy import Role


class AdminUserCreate(RegisterRequest):
    """A personal or business account, as registration makes one (which may be closed: COLONY_REGISTRATION)."""


class AdminUserUpdate(Schema):
    """Only the fields sent change."""

    is_active: bool | None = None
    role: Role | None = None
