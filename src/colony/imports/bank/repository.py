"""All SQL of the bank imports."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from colony.core.repository import ALL_TENANTS, TenantRepository
from colony.core.schemas import PageParams
from colony.imports.bank.models import BankImport, ImportMapping, ImportStatus, QueuedFile


class ImportRepository(TenantRepository[BankImport]):
    model = BankImport

    async def page_newest(self, params: PageParams) -> tuple[Sequence[BankImport], int]:
        statement = self.scoped().order_by(BankImport.created_at.desc(), BankImport.id.desc())
        return await self.page(statement, params)

    async def claim(self, import_id: uuid.UUID, from_status: ImportStatus, now: datetime) -> bool:
        """Move a queued import to running, unless another runner took it first."""
        return await self.update_where(BankImport.id == import_id, BankImport.status == from_status,
                                       status=ImportStatus.running, updated_at=now) == 1


async def waiting_imports(session: AsyncSession, *, stale_before: datetime, limit: int
                          ) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Imports for the background runner, across tenants (a job looking for work): queued ones, and running
    ones whose runner stopped beating (its process died): rows of (tenant_id, import_id), oldest first."""
    statement = (select(BankImport.tenant_id, BankImport.id)
                 .where((BankImport.status == ImportStatus.queued)
                        | ((BankImport.status == ImportStatus.running) & (BankImport.updated_at < stale_before)))
                 .order_by(BankImport.updated_at).limit(limit).execution_options(**{ALL_TENANTS: True}))
    return [(tenant_id, import_id) for tenant_id, import_id in (await session.execute(statement)).all()]


class MappingRepository(TenantRepository[ImportMapping]):
    model = ImportMapping

    async def for_account(self, account_id: uuid.UUID) -> ImportMapping | None:
        return await self.first(ImportMapping.account_id == account_id)

    async def save(self, created_by_id: uuid.UUID, account_id: uuid.UUID, mapping: dict[str, Any]) -> None:
        """Insert or replace the account's mapping (one per account: the unique index decides a race)."""
        statement = self._insert().values(id=uuid.uuid4(), tenant_id=self.tenant_id, created_by_id=created_by_id,
                                          account_id=account_id, mapping=mapping)
        now = statement.excluded.updated_at
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=["tenant_id", "account_id"], set_={"mapping": statement.excluded.mapping,
                                                              "updated_at": now}))


class QueuedFileRepository(TenantRepository[QueuedFile]):
    model = QueuedFile

    async def add_part(self, import_id: uuid.UUID, part: int, content: bytes) -> None:
        await self.insert_many(("part", "content"), [(part, content)], same={"import_id": import_id})

    async def parts(self, import_id: uuid.UUID) -> list[int]:
        statement = (select(QueuedFile.part).where(self._mine(), QueuedFile.import_id == import_id)
                     .order_by(QueuedFile.part))
        return list((await self.session.scalars(statement)).all())

    async def part(self, import_id: uuid.UUID, part: int) -> bytes:
        statement = select(QueuedFile.content).where(self._mine(), QueuedFile.import_id == import_id,
                                                     QueuedFile.part == part)
        content: bytes = (await self.session.execute(statement)).scalar_one()
        return content

    async def remove(self, import_id: uuid.UUID) -> None:
        await self.delete_where(QueuedFile.import_id == import_id)
