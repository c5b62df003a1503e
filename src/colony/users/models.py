"""Identity (users), credentials and profile are separate tables: each changes for its own reasons. Beside
them, what ends or extends a user's access: revoked access tokens and personal access tokens."""

import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from colony.core.clock import utcnow
from colony.core.models import Base, IdMixin, TimestampMixin
from colony.core.tenancy import Role


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=16))
    is_active: Mapped[bool] = mapped_column(default=True)
    # The tenant whose data this user works in: itself, or for a sub-user the business owner.
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Tokens issued before this moment no longer work: a password change or reset, or a deactivation, sets it.
    tokens_valid_after: Mapped[datetime | None]

    credentials: Mapped["Credentials"] = relationship(lazy="raise", back_populates="user")
    profile: Mapped["Profile"] = relationship(lazy="raise", back_populates="user")


class Credentials(Base):
    __tablename__ = "credentials"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    algorithm: Mapped[str] = mapped_column(String(32), default="argon2id")
    password_changed_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="raise", back_populates="credentials")


class Profile(Base):
    __tablename__ = "profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    base_currency: Mapped[str] = mapped_column(String(3), default="USD")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str] = mapped_column(String(16), default="en-US")

    user: Mapped[User] = relationship(lazy="raise", back_populates="profile")


class RevokedAccessToken(Base):
    """An access token ended before its expiry (logged out with), kept until it would have expired anyway."""

    __tablename__ = "revoked_access_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class PersonalAccessToken(IdMixin, Base):
    """A bearer token that a user made for scripts, kept only as its sha256; `scopes` is "read" or
    "read write"."""

    __tablename__ = "personal_access_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
