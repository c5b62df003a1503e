"""Every ORM model, imported once so `Base.metadata` is complete (for Alembic and the tests)."""

from colony.core.models import Base
from colony.users.models import Credentials, Profile, User

__all__ = ["Base", "Credentials", "Profile", "User"]
