"""Who is asking, and whose data they work in. Every service takes one of these."""

import uuid
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    personal = "personal"
    business = "business"
    sub_user = "sub_user"
    admin = "admin"


OWNER_ROLES = frozenset({Role.personal, Role.business})


@dataclass(frozen=True, slots=True)
class Tenant:
    """The caller: its own id, the tenant it works in (itself, or its business), role and base currency."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    role: Role
    base_currency: str

    @property
    def is_owner(self) -> bool:
        return self.role in OWNER_ROLES
