"""Declarative base and the mixins every table uses."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, MetaData, Uuid, text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from colony.core.clock import utcnow
from colony.core.types import UTCDateTime

# Stable constraint names, so Alembic migrations (and batch mode on SQLite) can address them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), uuid.UUID: Uuid()}


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TenantOwned:
    """A row of one tenant's data: every statement on its table filters by `tenant_id` (tests check it)."""

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class TenantMixin(TenantOwned):
    """An owned row that users write: it also remembers which user created it."""

    @declared_attr
    def created_by_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


def partial(condition: str) -> dict[str, Any]:
    """The WHERE of a partial index, on both engines: `Index(name, *columns, **partial("x IS NOT NULL"))`.
    Rows outside it cost the index nothing on insert; a unique one holds only among the rows inside."""
    return {"postgresql_where": text(condition), "sqlite_where": text(condition)}
