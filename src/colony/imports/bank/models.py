"""Imports of bank files: one record per file, the rows it created, saved CSV mappings, and queued files."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from colony.core.models import Base, IdMixin, TenantMixin, TenantOwned, TimestampMixin


class ImportFormat(StrEnum):
    csv = "csv"
    ofx = "ofx"
    qif = "qif"
    camt053 = "camt053"


class ImportStatus(StrEnum):
    queued = "queued"  # waiting for the background runner (a large file)
    running = "running"
    done = "done"
    failed = "failed"  # a background import that found bad rows (or could not read the file): nothing written
    undone = "undone"  # DELETE /imports/{id} removed its rows


class BankImport(IdMixin, TenantMixin, TimestampMixin, Base):
    """One uploaded file and what became of it. `updated_at` doubles as the background runner's heartbeat."""

    __tablename__ = "imports"

    file_name: Mapped[str] = mapped_column(String(255))
    format: Mapped[ImportFormat] = mapped_column(Enum(ImportFormat, native_enum=False, length=16))
    status: Mapped[ImportStatus] = mapped_column(Enum(ImportStatus, native_enum=False, length=16))
    dry_run: Mapped[bool] = mapped_column(default=False)
    strict: Mapped[bool] = mapped_column(default=False)
    # The account the rows are booked to (investments owns accounts; deleting one keeps the record).
    account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    currency: Mapped[str | None] = mapped_column(String(3))  # for rows whose file names none
    mapping: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the CSV mapping used (given or detected)
    rows: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    skipped_duplicates: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{row, reason, message}], capped
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{row, message}], capped
    removed: Mapped[int | None]  # on undo: rows deleted
    kept: Mapped[int | None]  # on undo: rows kept because they were edited since
    finished_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_imports_tenant_created_at_id", "tenant_id", "created_at", "id"),
        # The background runner's queue (few rows are ever queued or running).
        Index("ix_imports_status_updated_at", "status", "updated_at"),
    )


class ImportMapping(IdMixin, TenantMixin, TimestampMixin, Base):
    """A CSV mapping saved for an account, used when a later CSV import to it gives none."""

    __tablename__ = "import_mappings"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("uq_import_mappings_tenant_account", "tenant_id", "account_id", unique=True),)


class QueuedFile(TenantOwned, Base):
    """A file waiting for the background runner (any instance may run it), in parts of at most PART_BYTES
    (written and read one at a time: a large file is never whole in memory); deleted once run."""

    __tablename__ = "import_files"

    import_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"), primary_key=True)
    part: Mapped[int] = mapped_column(primary_key=True)  # 0, 1, 2, ... in the file's order
    content: Mapped[bytes] = mapped_column(LargeBinary)
