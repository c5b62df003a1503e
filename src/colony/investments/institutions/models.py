"""Financial institutions: where a tenant's accounts are held."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from colony.core.models import Base, IdMixin, TenantMixin, TimestampMixin


class Institution(IdMixin, TenantMixin, TimestampMixin, Base):
    __tablename__ = "financial_institutions"

    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    website: Mapped[str | None] = mapped_column(String(500))
