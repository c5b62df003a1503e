"""The background runner of large imports. Like a job it owns its transactions: one claims the import
(a queued one, or a running one whose runner stopped: its instance died), one checks and books the file
exactly as a request would (service.import_rows), publishing `rows_done` through the cache while that
transaction is open (on SQLite no other writer could record it meanwhile), and a last one records a failure.
A runner's booking commits only if it still holds its claim, so two runners never both book one file.
It starts after POST /imports has answered, and the `imports.run_waiting` job picks up what a stopped
instance left."""

import asyncio
import datetime as dt
import uuid
from typing import Any, BinaryIO

from colony.core.cache import Cache, MemoryCache
from colony.core.clock import utcnow
from colony.core.db import Database
from colony.core.logging import get_logger
from colony.core.tenancy import Tenant
from colony.imports.bank import service as import_service
from colony.imports.bank.errors import ImportConflict, ImportFileUnreadable, ImportInvalid, ImportNotFound
from colony.imports.bank.formats import FileUnreadable
from colony.imports.bank.models import BankImport, ImportStatus
from colony.imports.bank.repository import ImportRepository, QueuedFileRepository, waiting_imports
from colony.imports.bank.schemas import CsvMapping, ImportRowError
from colony.users import service as user_service

log = get_logger("colony.imports")
STALE_AFTER = dt.timedelta(minutes=15)  # a running import untouched this long lost its runner
PROGRESS_SECONDS = 3600


async def run_queued(database: Database, cache: Cache, tenant_id: uuid.UUID, import_id: uuid.UUID, *,
                     stale: bool = False) -> bool:
    """Run a queued import (or a stale running one) unless another runner claims it first; whether it ran."""
    claimed_at = utcnow()
    async with database.sessionmaker() as session:
        status = ImportStatus.running if stale else ImportStatus.queued
        if not await ImportRepository(session, tenant_id).claim(import_id, status, claimed_at):
            return False
        await session.commit()

    async with database.reader() as reader:  # read before the writer's transaction starts
        upload = await import_service.queued_file(reader, tenant_id, import_id)
        queued = await ImportRepository(reader, tenant_id).get_or_raise(import_id, ImportNotFound)
        tenant = (await user_service.load_principal(reader, MemoryCache(), queued.created_by_id)
                  if queued.created_by_id is not None else None)
    try:
        return await _book(database, cache, tenant, tenant_id, import_id, upload, claimed_at)
    finally:
        if upload is not None:
            upload.close()


async def _book(database: Database, cache: Cache, tenant: Tenant | None, tenant_id: uuid.UUID,
                import_id: uuid.UUID, upload: BinaryIO | None, claimed_at: dt.datetime) -> bool:
    """Book the file in one transaction; or record why it can't be, in another."""

    async def publish(rows_done: int) -> None:
        await cache.set(import_service.progress_key(import_id), str(rows_done).encode(), PROGRESS_SECONDS)

    errors: list[dict[str, Any]] = []
    async with database.sessionmaker() as session:
        imports = ImportRepository(session, tenant_id)
        record = await imports.get_or_raise(import_id, ImportNotFound)
        mapping = CsvMapping.model_validate(record.mapping) if record.mapping is not None else None
        try:
            if upload is None or tenant is None or tenant.tenant_id != tenant_id:
                raise ImportFileUnreadable("The file or the user who sent it is gone")
            currency = record.currency or tenant.base_currency
            rows, _ = await asyncio.to_thread(import_service.parser_for, record.format, upload, mapping, currency)
            await import_service.import_rows(session, tenant, record, rows(), currency, progress=publish)
        except ImportInvalid as exc:
            errors = exc.details["errors"]
        except (ImportFileUnreadable, ImportConflict, FileUnreadable) as exc:
            errors = [ImportRowError(row=0, message=str(exc)).model_dump()]
        except Exception:  # a bug or a database fault: nobody is waiting for an answer, so record it as failed
            log.exception("import_failed", import_id=str(import_id))
            errors = [ImportRowError(row=0, message="The import failed unexpectedly (it is logged)").model_dump()]
        if not errors:
            record.status, record.finished_at = ImportStatus.done, utcnow()
            await QueuedFileRepository(session, tenant_id).remove(import_id)
            # Committed only if no other runner took the import over meanwhile (it would have moved updated_at).
            if await imports.update_where(BankImport.id == import_id, BankImport.updated_at == claimed_at,
                                          updated_at=utcnow()) == 1:
                await session.commit()
                await cache.delete(import_service.progress_key(import_id))
                return True
        await session.rollback()
    async with database.sessionmaker() as session:  # record the failure, nothing else
        imports = ImportRepository(session, tenant_id)
        if await imports.update_where(BankImport.id == import_id, BankImport.updated_at == claimed_at,
                                      status=ImportStatus.failed, errors=errors, finished_at=utcnow()) == 1:
            await QueuedFileRepository(session, tenant_id).remove(import_id)
            await session.commit()
    await cache.delete(import_service.progress_key(import_id))
    return True


RUNNER_BATCH = 10


async def run_waiting(database: Database, cache: Cache) -> int:
    """Every queued import, and every running one whose runner stopped (its instance died); how many ran."""
    async with database.reader() as reader:
        waiting = await waiting_imports(reader, stale_before=utcnow() - STALE_AFTER, limit=RUNNER_BATCH)
    ran = 0
    for tenant_id, import_id in waiting:
        async with database.reader() as reader:
            record = await ImportRepository(reader, tenant_id).get(import_id)
        if record is not None and await run_queued(database, cache, tenant_id, import_id,
                                                   stale=record.status is ImportStatus.running):
            ran += 1
    return ran
